"""Group aggregates against hand-computed values (synthetic warehouse, built by code, labelled synthetic)."""

import datetime as dt

import duckdb
import pandas as pd
import pytest

from etl import aggregate, group_values, resolve, warehouse
from etl.aggregate import MEMBERSHIPS, group_series, members_by_year, weighting_text

SHA = "0" * 64


@pytest.fixture()
def con(tmp_path):
    """SYNTHETIC data: group G with A (always), B (joins 2001), C (leaves 2002); indicator X; population P."""
    con = warehouse.create(tmp_path / "synthetic.duckdb")
    con.execute("INSERT INTO country_group_member VALUES ('g','AAA',NULL,NULL,NULL), ('g','BBB',2001,NULL,NULL), ('g','CCC',NULL,2002,NULL)")

    def obs(rows, code, src="syn"):
        for iso3, year, value in rows:
            con.execute("INSERT INTO observation VALUES (?,?,?,?,?,?,?,NULL,NULL)", [iso3, code, year, value, src, "2026-01-01", SHA])

    obs([("AAA", 2000, 10), ("CCC", 2000, 20), ("AAA", 2001, 12), ("CCC", 2001, 30), ("AAA", 2002, 14), ("BBB", 2002, 40)], "X")
    obs([("AAA", 2000, 100), ("CCC", 2000, 300), ("AAA", 2001, 100), ("BBB", 2001, 250), ("CCC", 2001, 300),
         ("BBB", 2002, 250)], "SP.POP.TOTL")  # AAA has no 2002 population: the 2001 one is used
    obs([("AAA", 2000, 99)], "X", src="paper")  # the paper's quoted figures are never averaged
    for sid in ("syn", "paper"):
        con.execute("INSERT INTO source VALUES (?, 'p', 't', 'https://x', 'l', 'c', 'import', NULL, NULL)", [sid])
    for code in ("X", "SP.POP.TOTL"):
        con.execute("INSERT INTO indicator (indicator_code, name, unit, theme, description, defined_by, unit_kind) "
                    "VALUES (?, 'n', 'u', 'context', 'd', 'reference', 'count')", [code])
    resolve.materialise(con)
    yield con
    con.close()


def _rebuild(con):
    con.execute("DELETE FROM indicator_value; DELETE FROM source_agreement")
    resolve.materialise(con)


def test_membership_is_time_aware(con):
    m = members_by_year(con, "g", [2000, 2001, 2002])
    assert m.groupby("year")["iso3"].apply(list).to_dict() == {2000: ["AAA", "CCC"], 2001: ["AAA", "BBB", "CCC"], 2002: ["AAA", "BBB"]}


def test_weighted_mean_coverage_and_spread(con):
    df = group_series(con, "g", "X").set_index("year")
    # 2000: members A, C; (10*100 + 20*300) / 400
    assert df.loc[2000, "value"] == pytest.approx(17.5)
    assert df.loc[2000, "coverage"] == pytest.approx(1.0) and not df.loc[2000, "low_coverage"]
    # 2001: B is a member but reports nothing: (12*100 + 30*300) / 400; coverage 400 / 650 < 2/3
    assert df.loc[2001, "value"] == pytest.approx(25.5)
    assert df.loc[2001, "coverage"] == pytest.approx(400 / 650) and df.loc[2001, "low_coverage"]
    assert (df.loc[2001, "n_members"], df.loc[2001, "n_reporting"]) == (3, 2)
    # 2002: C has left; A's weight is its 2001 population (nearest year): (14*100 + 40*250) / 350
    assert df.loc[2002, "value"] == pytest.approx(11400 / 350)
    assert "nearest year within 1" in df.loc[2002, "weight_note"]
    assert (df.loc[2002, "min_iso3"], df.loc[2002, "max_iso3"]) == ("AAA", "BBB")
    assert df["source_id"].unique().tolist() == ["syn"]


def test_unweighted_mean(con):
    df = group_series(con, "g", "X", weighted=False).set_index("year")
    assert df.loc[2000, "value"] == pytest.approx(15.0) and not df.loc[2000, "weighted"]
    assert df.loc[2002, "value"] == pytest.approx(27.0)


def test_year_range_and_unknown_indicator(con):
    assert group_series(con, "g", "X", 2001, 2001)["year"].tolist() == [2001]
    assert group_series(con, "g", "NOPE").empty


def test_missing_population_falls_back_to_member_count(con):
    con.execute("DELETE FROM observation WHERE indicator_code = 'SP.POP.TOTL' AND iso3 = 'BBB'")
    _rebuild(con)
    df = group_series(con, "g", "X").set_index("year")
    # 2001: B (not reporting) has no population: the reporters are still weighted, coverage is counted by members
    assert df.loc[2001, "value"] == pytest.approx(25.5) and df.loc[2001, "weighted"]
    assert df.loc[2001, "coverage"] == pytest.approx(2 / 3)
    assert df.loc[2001, "weight_note"] == "population unknown for BBB: coverage counted by members"
    # 2002: B reports but has no population: no honest weights, so the plain mean, said so in the shared wording
    assert df.loc[2002, "value"] == pytest.approx(27.0) and not df.loc[2002, "weighted"]
    assert df.loc[2002, "weighting"] == weighting_text(False, True, "population unknown for BBB")
    assert df.loc[2002, "weighting"].startswith("plain mean of the members reporting: population unknown for BBB")


def test_todays_members_throughout(con):
    """membership='current': today's members (A, B; C left in 2002) in every year, so joins do not move the line."""
    df = group_series(con, "g", "X", membership="current").set_index("year")
    # 2000: A and B are counted (B joined later, has no 2000 value); C is not (no longer a member)
    assert (df.loc[2000, "n_members"], df.loc[2000, "n_reporting"]) == (2, 1)
    assert df.loc[2000, "value"] == pytest.approx(10.0)
    assert (df["membership"] == "current").all()


def test_resolved_values_and_a_pinned_source(con):
    """Two sources for X in 2000: the resolved value follows the precedence; pinning a source reads only its own."""
    con.execute("INSERT INTO observation VALUES ('AAA','X',2000,11,'other','2026-01-01',?,NULL,NULL)", [SHA])
    con.execute("INSERT INTO source VALUES ('other', 'p', 't', 'https://x', 'l', 'c', 'starter', NULL, NULL)")
    _rebuild(con)
    cell = con.execute("SELECT value, source_id, n_sources, disagree FROM indicator_value "
                       "WHERE iso3='AAA' AND indicator_code='X' AND year=2000").fetchone()
    assert cell == (10.0, "syn", 2, True)  # the starter ranks below an import; 10 vs 11 is beyond the tolerance
    pinned = group_series(con, "g", "X", source_id="other").set_index("year")
    assert pinned.index.tolist() == [2000] and pinned.loc[2000, "value"] == pytest.approx(11.0)
    assert group_series(con, "g", "X").set_index("year").loc[2000, "n_disagree"] == 1


# --- the build's precomputed group_value table (etl/group_values.py) against the on-the-fly computation -------------

def assert_same(pre, fly):
    """Identical frames, to the last bit of every float (both paths add members' values in member order)."""
    pd.testing.assert_frame_equal(pre, fly, check_exact=True)


def _every_case(con, groups, codes, ranges=((None, None),)):
    for group_id in groups:
        for code in codes:
            for membership in MEMBERSHIPS:
                for weighted in (True, False):
                    for lo, hi in ranges:
                        yield dict(group_id=group_id, indicator_code=code, year_from=lo, year_to=hi,
                                   weighted=weighted, membership=membership)


@pytest.mark.parametrize("scenario", ["complete", "population missing"])
def test_precomputed_equals_on_the_fly_synthetic(con, scenario):
    if scenario == "population missing":  # B has no population at all: 2001 counted by members, 2002 unweighted
        con.execute("DELETE FROM observation WHERE indicator_code = 'SP.POP.TOTL' AND iso3 = 'BBB'")
        _rebuild(con)
    built = group_values.materialise(con)
    assert built["group_rows"] > 0
    n = 0
    for case in _every_case(con, ["g"], ["X", "SP.POP.TOTL"], [(None, None), (2001, 2001), (2001, None)]):
        pre, fly = group_series(con, **case), group_series(con, **case, precomputed=False)
        assert not pre.empty
        assert_same(pre, fly)
        n += 1
    assert n == 24
    assert group_series(con, "g", "NOPE").empty


def test_precomputed_equals_on_the_fly_on_the_starter_build(ro):
    """The real offline build: every group, both membership modes, weighted or not, for the mission's indicators."""
    assert ro.execute("SELECT count(DISTINCT group_id) FROM group_value").fetchone()[0] == \
        ro.execute("SELECT count(DISTINCT group_id) FROM country_group_member").fetchone()[0]
    groups = [r[0] for r in ro.execute("SELECT DISTINCT group_id FROM country_group_member ORDER BY 1").fetchall()]
    codes = ["HDR.HDI", "SN.ITK.DEFC.ZS", "SH.DYN.MORT", "SH.STA.MMRT", "SH.H2O.BASW.ZS", "SP.POP.TOTL"]
    compared = 0
    for case in _every_case(ro, groups, codes):
        pre, fly = group_series(ro, **case), group_series(ro, **case, precomputed=False)
        assert_same(pre, fly)
        compared += len(pre)
    assert compared > 3000


def test_group_series_reads_the_precomputed_rows_and_falls_back_when_they_do_not_apply(fresh, monkeypatch):
    path = fresh.warehouse.resolve()
    rw = duckdb.connect(str(path))
    rw.execute("UPDATE group_value SET plain_value = -1 WHERE group_id = 'asean' AND indicator_code = 'HDR.HDI'")
    rw.close()
    ro = duckdb.connect(str(path), read_only=True)
    try:
        args = dict(group_id="asean", indicator_code="HDR.HDI", weighted=False)
        assert (group_series(ro, **args)["value"] == -1).all()  # the dashboard's call reads the table
        assert (group_series(ro, **args, precomputed=False)["value"] > 0).all()
        assert (group_series(ro, **args, source_id="starter-human-development-index-undp")["value"] > 0).all()
        # today's members, a year after the build: computed afresh, not read
        monkeypatch.setattr(aggregate, "current_year", lambda: dt.date.today().year + 1)
        assert (group_series(ro, **args, membership="current")["value"] > 0).all()
        assert (group_series(ro, **args, membership="as_of_year")["value"] == -1).all()
    finally:
        ro.close()
    rw = duckdb.connect(str(path))
    rw.execute("DROP TABLE group_value")  # a warehouse published before the table existed
    rw.close()
    ro = duckdb.connect(str(path), read_only=True)
    try:
        assert (group_series(ro, **args)["value"] > 0).all()
    finally:
        ro.close()
