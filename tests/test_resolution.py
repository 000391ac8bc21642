"""Issue 10's 'must show': one indicator across sources, resolved per cell by the documented precedence, with
disagreements listed; mapped imports; revisions across real vintages; a starter set that makes an offline install
useful. Real files from ../shared (the tests skip without it), except where a row says SYNTHETIC."""

from __future__ import annotations

import csv
import io
import shutil

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from etl.aggregate import group_series
from etl.cli import main
from etl.progress_table import progress_table
from etl.resolve import cell_sources

ASEAN_10 = ["BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM"]  # members before Timor-Leste (2025)
HDR_HEAD = "fixtures/undp_hdr/HDR23-24_Composite_indices_complete_time_series.HEAD_32_lines.csv"
OWID_HDI = "data/owid/human-development-index-undp"


def run(paths, *args):
    return CliRunner().invoke(main, ["--data-dir", str(paths.data), *args])


def connect(paths):
    return duckdb.connect(str(paths.warehouse), read_only=True)


def _file_value(path, key_col, key, year_col, year, value_col):
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row[key_col] == key and (year_col is None or row[year_col] == str(year)):
                return float(row[value_col])
    raise KeyError((key, year))


def test_offline_starter_set_covers_the_mission_and_weights_asean(built):
    """Fresh install, no network: ≥ 8 of the 10 ASEAN members have resolved HDI, undernourishment, under-five and
    maternal mortality and basic drinking water; ASEAN's 2015 values are population-weighted, not a plain mean."""
    con = connect(built)
    try:
        for code in ("HDR.HDI", "SN.ITK.DEFC.ZS", "SH.DYN.MORT", "SH.STA.MMRT", "SH.H2O.BASW.ZS"):
            n = con.execute("SELECT count(DISTINCT iso3) FROM indicator_value WHERE indicator_code = ? "
                            "AND iso3 IN (SELECT unnest(?))", [code, ASEAN_10]).fetchone()[0]
            assert n >= 8, (code, n)
            row = group_series(con, "asean", code, 2015, 2015).iloc[0]
            assert row["weighted"] and row["weighting"].startswith("population-weighted"), (code, row["weighting"])
        kinds = dict(con.execute("SELECT source_id, kind FROM source WHERE source_id LIKE 'starter-%'").fetchall())
        assert len(kinds) == 10 and set(kinds.values()) == {"starter"}
        # population weights exist to 2024 for every ASEAN member
        years = dict(con.execute("SELECT iso3, max(year) FROM indicator_value WHERE indicator_code = 'SP.POP.TOTL' "
                                 "AND iso3 IN (SELECT unnest(?)) GROUP BY iso3", [ASEAN_10]).fetchall())
        assert set(years) == set(ASEAN_10) and min(years.values()) >= 2024
    finally:
        con.close()


def test_two_sources_newer_vintage_wins_older_fills_gaps_and_disagreement_is_listed(fresh, shared):
    """The OWID HDI file (HDR 2020 vintage, to 2017) and the UNDP HDR 2023-24 excerpt: per cell the publisher's newer
    vintage wins; the OWID file fills the years UNDP's file lacks (before 1990); the panel lists both values."""
    assert run(fresh, "import", str(shared / OWID_HDI)).exit_code == 0
    out = run(fresh, "import", str(shared / HDR_HEAD))
    assert out.exit_code == 0, out.output
    hdr_2000 = _file_value(shared / HDR_HEAD, "iso3", "ALB", None, None, "hdi_2000")
    owid_2000 = _file_value(shared / OWID_HDI / "data.csv", "Entity", "Albania", "Year", 2000, "Human Development Index (UNDP)")
    owid_1985 = _file_value(shared / OWID_HDI / "data.csv", "Entity", "Albania", "Year", 1985, "Human Development Index (UNDP)")
    assert hdr_2000 != owid_2000  # a real disagreement between the two vintages
    con = connect(fresh)
    try:
        def cell(year):
            return con.execute("SELECT value, source_id, n_sources, disagree FROM indicator_value "
                               "WHERE indicator_code = 'HDR.HDI' AND iso3 = 'ALB' AND year = ?", [year]).fetchone()

        assert cell(2000)[:2] == (hdr_2000, "hdr")  # the publisher's newer file wins
        assert cell(2000)[2] == 3 and cell(2000)[3]  # UNDP, the OWID import and the starter copy; they disagree
        assert cell(1985)[:2] == (owid_1985, "owid-human-development-index-undp")  # the import outranks the starter
        panel = cell_sources(con, "HDR.HDI", ["ALB"], 2000, 2000)
        assert panel["source_id"].tolist()[0] == "hdr" and panel["chosen"].tolist()[0]
        assert set(panel["value"]) == {hdr_2000, owid_2000}
        assert panel["publisher"].str.contains("UNDP|United Nations Development", regex=True).all()
        assert panel.loc[panel["source_id"] == "hdr", "vintage"].iloc[0] == "2023-24"
        agreement = con.execute("SELECT n_overlap, n_agree FROM source_agreement WHERE indicator_code = 'HDR.HDI' "
                                "AND source_id = 'hdr' AND other_source = 'owid-human-development-index-undp'").fetchone()
        assert agreement[0] > 500 and agreement[1] < agreement[0]
    finally:
        con.close()


def test_an_unknown_owid_file_mapped_with_indicator_feeds_aggregates_and_progress(fresh, shared, tmp_path):
    """A data set the catalogue does not know, imported with --indicator, lands under the catalogue code (factor
    applied), in the group aggregate and in the progress light."""
    folder = tmp_path / "my-child-mortality-copy"  # the real CME file under a slug the catalogue does not know
    shutil.copytree(shared / "data/owid/child-mortality-estimates-cme-info-2018", folder)
    # SYNTHETIC companion, generated from the real file: the same values per 100 instead of per 1,000
    per_100 = tmp_path / "child-deaths-per-100"
    per_100.mkdir()
    shutil.copy(folder / "datapackage.json", per_100 / "datapackage.json")
    df = pd.read_csv(folder / "data.csv")
    df = df.rename(columns={"Child Mortality Estimates (CME Info (2016))": "Under-five deaths per 100 births (synthetic)"})
    df.iloc[:, 2] = df.iloc[:, 2] / 10
    df.to_csv(per_100 / "data.csv", index=False)

    out = run(fresh, "import", str(per_100), "--indicator", "Under-five deaths per 100 births (synthetic)=SH.DYN.MORT*10")
    assert out.exit_code == 0, out.output
    assert "mapped by you to SH.DYN.MORT × 10" in out.output
    con = connect(fresh)
    try:
        real = _file_value(folder / "data.csv", "Entity", "Cambodia", "Year", 2015, "Child Mortality Estimates (CME Info (2016))")
        got = con.execute("SELECT value, note FROM observation WHERE source_id = 'owid-child-deaths-per-100' "
                          "AND indicator_code = 'SH.DYN.MORT' AND iso3 = 'KHM' AND year = 2015").fetchone()
        assert got[0] == pytest.approx(real) and "× 10" in got[1]
        kept = con.execute("SELECT options FROM (SELECT 1 AS options)").fetchone()  # noqa: F841 (manifest checked below)
        agg = group_series(con, "asean", "SH.DYN.MORT", 2015, 2015).iloc[0]
        assert "owid-child-deaths-per-100" in agg["sources"]  # the import outranks the starter copy in every cell
        table = progress_table(con, "asean", "sdg-3.2")
        members = table[table["row_kind"] == "member"]
        assert (members["band"] != "no_data").sum() >= 8
        assert members["source_id"].str.contains("owid-child-deaths-per-100").all()
    finally:
        con.close()
    manifest = next((fresh.raw / "owid-child-deaths-per-100").glob("*/_manifest.json")).read_text()
    assert '"factor": 10.0' in manifest and "SH.DYN.MORT" in manifest  # the mapping travels with the snapshot
    # a refresh repeats it
    assert run(fresh, "refresh", "--offline").exit_code in (0, 3)
    con = connect(fresh)
    try:
        assert con.execute("SELECT count(*) FROM observation WHERE source_id = 'owid-child-deaths-per-100' "
                           "AND indicator_code = 'SH.DYN.MORT'").fetchone()[0] > 5000
    finally:
        con.close()


def test_an_import_that_loads_nothing_fails(fresh, tmp_path, shared):
    """SYNTHETIC: every row is an aggregate, so nothing can load: non-zero exit, no empty indicator, reasons shown."""
    folder = tmp_path / "only-aggregates"
    folder.mkdir()
    shutil.copy(shared / OWID_HDI / "datapackage.json", folder / "datapackage.json")
    (folder / "data.csv").write_text("Entity,Year,Score\nWorld,2000,1\nEast Asia & Pacific,2000,2\n", encoding="utf-8")
    out = run(fresh, "import", str(folder))
    assert out.exit_code == 4, out.output
    assert "nothing to load" in out.output and "aggregate" in out.output
    con = connect(fresh)
    try:
        assert con.execute("SELECT count(*) FROM indicator WHERE indicator_code LIKE 'OWID.only-aggregates.%'").fetchone()[0] == 0
    finally:
        con.close()


def test_one_vintages_in_date_order_record_korea_2006_revisions(fresh, shared):
    """Three real vintages of ONE's oda_gni_ts.csv: Korea's 2006 net ODA changes twice."""
    folder = shared / "data/one/oda_gni_ts"
    for vintage in ("2025-04-16", "2025-09-02", "2026-04-09"):
        out = run(fresh, "import", str(folder / vintage / "oda_gni_ts.csv"), "--format", "csv", "--entity", "name",
                  "--year", "year", "--value", "ODA (left-axis)", "--value", "ODA/GNI (right-axis)",
                  "--publisher", "ONE Campaign (ODA dashboard, from OECD DAC data)",
                  "--url", "https://github.com/ONEcampaign/oda-dashboard", "--vintage", vintage)
        assert out.exit_code in (0, 3), out.output
    newest = _file_value(folder / "2026-04-09/oda_gni_ts.csv", "name", "Korea", "year", 2006, "ODA (left-axis)")
    con = connect(fresh)
    try:
        value = con.execute("SELECT value FROM indicator_value WHERE indicator_code = 'ODA.DONOR_NET' AND iso3 = 'KOR' "
                            "AND year = 2006").fetchone()[0]
        revs = con.execute("SELECT old_value, new_value, old_vintage, new_vintage FROM revision WHERE iso3 = 'KOR' "
                           "AND year = 2006 AND indicator_code = 'ODA.DONOR_NET' ORDER BY detected_at").fetchall()
    finally:
        con.close()
    assert value == newest
    assert len(revs) == 2 and revs[-1][1] == newest
    assert [r[3] for r in revs] == ["2025-09-02", "2026-04-09"]


def test_plain_csv_needs_its_provenance(fresh, shared):
    path = shared / "data/one/oda_gni_ts/2025-04-16/oda_gni_ts.csv"
    out = run(fresh, "import", str(path), "--format", "csv", "--entity", "name", "--year", "year", "--value", "ODA (left-axis)")
    assert out.exit_code != 0 and "--publisher" in out.output and "--url" in out.output


def test_every_indicator_has_a_name_a_unit_and_a_direction(owid_imported):
    con = connect(owid_imported)
    try:
        assert con.execute("SELECT count(*) FROM indicator WHERE name = indicator_code").fetchone()[0] == 0
        rows = con.execute("""
            SELECT indicator_code, unit, higher_is_better, direction_note FROM indicator
            WHERE indicator_code IN (SELECT DISTINCT indicator_code FROM observation)""").fetchall()
    finally:
        con.close()
    assert len(rows) > 300
    for code, unit, better, note in rows:
        assert unit and unit != "as published", code
        assert better is not None or (note and len(note) > 10), code


@pytest.mark.parametrize("target", ["mdg-1c-undernourishment", "mdg-4a-under5", "mdg-5a-maternal", "sdg-3.2", "sdg-6.1"])
def test_progress_has_a_status_for_most_asean_members(owid_imported, target):
    out = CliRunner().invoke(main, ["--data-dir", str(owid_imported.data), "progress", "--group", "ASEAN", "--target",
                                    target, "--format", "csv"])
    assert out.exit_code == 0, out.output
    table = pd.read_csv(io.StringIO(out.output))
    members = table[table["row_kind"] == "member"]
    assert (members["band"] != "no_data").sum() >= 8, members[["name", "band"]]
