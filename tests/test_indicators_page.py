"""The Indicators page (AppTest): search by word stems in name and definition, filters by theme, source and curated,
the indicator in full (unit, direction or why none, definition, sources), the countries × years heat strip checked
cell by cell against the warehouse, the link into Compare, and deep links."""

from __future__ import annotations

import base64

import duckdb
import numpy as np
import pytest
from dashboard_text import texts
from pages_data import all_imported, charts, page  # noqa: F401  (fixture)
from test_dashboard_synthetic import synthetic  # noqa: F401  (fixture)

PAGE = "views/indicators.py"


def results(at):
    return at.dataframe[0].value


def decode(v) -> np.ndarray:
    """A plotly array from the figure JSON (plain lists, or typed arrays with an optional shape)."""
    if isinstance(v, dict) and "bdata" in v:
        arr = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        return arr.reshape([int(x) for x in str(v["shape"]).split(",")]) if "shape" in v else arr
    return np.array(v, dtype=float)


def catalogue(paths) -> dict:
    con = duckdb.connect(str(paths.warehouse.resolve()), read_only=True)
    try:
        rows = con.execute("SELECT indicator_code, name, description FROM indicator").fetchall()
        return {c: (n, d or "") for c, n, d in rows}
    finally:
        con.close()


@pytest.mark.parametrize("words, expected, stem", [
    ("stunting", "Number of children under 5 who are stunted", "stunt"),
    ("poverty", "Intensity of multidimensional poverty (global MPI)", "poverty"),
    ("hunger", "Global Hunger Index score", "hunger"),
    ("water", "Prevalence of undernourishment (% of population)", None),  # not a water series: must not match
])
def test_search_finds_by_word_stems_in_name_or_definition(built, monkeypatch, words, expected, stem):
    at = page(built.data, monkeypatch, PAGE, {"q": words})
    assert not at.exception
    found = results(at)
    assert len(found) > 0 and at.query_params["q"] == words
    if stem is None:
        assert expected not in set(found["name"])
        assert found["name"].str.lower().str.contains("water").any()
        return
    assert expected in set(found["name"])
    known = catalogue(built)
    by_name = {n: d for n, d in known.values()}
    for name in found["name"]:  # every match has the stem in its name or its definition
        assert stem in (name + " " + by_name[name]).lower(), name


def test_name_matches_come_before_definition_matches(built, monkeypatch):
    at = page(built.data, monkeypatch, PAGE, {"q": "stunting"})
    names = list(results(at)["name"])
    in_name = [("stunt" in n.lower()) for n in names]
    assert in_name == sorted(in_name, reverse=True)  # all name matches first
    assert at.session_state["ind_ind"] == "JME.STUNTED_NUMBER"  # the first match is shown


def test_filters_theme_source_curated_and_without_data(built, monkeypatch):
    at = page(built.data, monkeypatch, PAGE, {"theme": "freedom_from_fear"})
    assert set(results(at)["theme_name"]) == {"Freedom from fear"}
    assert "Deaths in organised violence (state-based, non-state and one-sided, UCDP GED)" in set(results(at)["name"])
    with_data = len(results(at))
    at.toggle(key="ind_all").set_value(True).run()
    assert len(results(at)) > with_data and at.query_params["all"] == "1"  # WDI's battle deaths etc., no data yet

    at = page(built.data, monkeypatch, PAGE, {"src": "starter-conflict-deaths-by-country-ucdp-2019"})
    ucdp = "Deaths in organised violence (state-based, non-state and one-sided, UCDP GED)"
    assert list(results(at)["name"]) == [ucdp]
    assert "Conflict deaths by country – UCDP (2019) · bundled starter copy" in at.selectbox(key="ind_src").options

    at = page(built.data, monkeypatch, PAGE, {"cur": "1", "all": "1"})
    everything = page(built.data, monkeypatch, PAGE, {"all": "1"})
    assert 0 < len(results(at)) <= len(results(everything))


def test_the_indicator_in_full(built, monkeypatch):
    at = page(built.data, monkeypatch, PAGE, {"ind": "UCDP.GED_DEATHS"})
    said = texts(at).replace("**", "")
    assert at.subheader[0].value.startswith("Deaths in organised violence")
    assert "Unit deaths" in said and "Direction Lower is better" in said and "Theme Freedom from fear" in said
    assert "Definition The sum of UCDP's 'best' estimates" in said
    assert "Caveats Includes one-sided violence" in said
    sources = next(d.value for d in at.dataframe if "agrees" in d.value.columns)
    assert list(sources["source"]) == ["Conflict deaths by country – UCDP (2019) · bundled starter copy"]
    assert list(sources["vintage_text"]) == ["7 Jun 2019"]  # the file's 07/06/2019, parsed by the loader


def test_an_indicator_without_a_better_direction_says_why(all_imported, monkeypatch):  # noqa: F811
    at = page(all_imported.data, monkeypatch, PAGE, {"ind": "ODA.DONOR_NET"})
    said = texts(at).replace("**", "")
    assert "Direction No better direction: Context series: a donor's aid volume is reported" in said
    assert "MDG/SDG SDG 17.2.1" in said


def test_the_heat_strip_is_the_warehouse_cell_by_cell(built, monkeypatch):
    at = page(built.data, monkeypatch, PAGE, {"ind": "JME.STUNTED_NUMBER", "rg": "asean_plus_3"})
    assert not at.exception
    (fig,) = charts(at)
    heat = fig["data"][0]
    assert heat["type"] == "heatmap"
    z, years, rows = decode(heat["z"]), list(decode(heat["x"]).astype(int)), heat["y"]
    con = duckdb.connect(str(built.warehouse.resolve()), read_only=True)
    try:
        members = dict(con.execute("SELECT c.name, m.iso3 FROM country_group_member m JOIN country c USING (iso3) "
                                   "WHERE m.group_id = 'asean_plus_3' AND m.left_year IS NULL").fetchall())
        cells = {(i, y): v for i, y, v in con.execute(
            "SELECT iso3, year, value FROM indicator_value WHERE indicator_code = 'JME.STUNTED_NUMBER'").fetchall()}
    finally:
        con.close()
    assert set(rows) <= set(members)
    checked = 0
    for r, name in enumerate(rows):
        for c, year in enumerate(years):
            want = cells.get((members[name], year))
            if want is None:
                assert np.isnan(z[r, c]), (name, year)  # grey: no value that year
            else:
                assert z[r, c] == pytest.approx(want), (name, year)
                checked += 1
    assert checked > 20
    assert "Add to briefing" in [b.label for b in at.button if b.key == "ind_export_brief"]


def test_the_compare_link_carries_the_indicator_and_the_region(built, monkeypatch):
    at = page(built.data, monkeypatch, PAGE, {"ind": "SN.ITK.DEFC.ZS", "rg": "asean"})
    link = next(p for p in at.get("page_link") if "compare" in p.proto.page)
    query = dict(pair.split("=", 1) for pair in link.proto.query_string.split("&")) if link.proto.query_string else {}
    assert query.get("ind") == "SN.ITK.DEFC.ZS" and query.get("g") == "asean" and query.get("view") == "line"


def test_choosing_an_indicator_and_a_region_keeps_them_in_the_url(synthetic, monkeypatch):  # noqa: F811
    at = page(synthetic.data, monkeypatch, PAGE, {"q": "stunting"})
    at.selectbox(key="ind_ind").select("SH.STA.STNT.ZS").run()
    at.selectbox(key="ind_rg").select("asean").run()
    assert at.query_params["ind"] == "SH.STA.STNT.ZS" and at.query_params["rg"] == "asean"
    heat = charts(at)[0]["data"][0]
    assert set(heat["y"]) <= {"Brunei Darussalam", "Cambodia", "Indonesia", "Laos", "Malaysia", "Myanmar",
                              "Philippines", "Singapore", "Thailand", "Timor-Leste", "Vietnam"}
    again = page(synthetic.data, monkeypatch, PAGE, dict(at.query_params))
    assert charts(again) == charts(at)


def test_a_bad_link_is_ignored_with_a_notice(built, monkeypatch):
    at = page(built.data, monkeypatch, PAGE, {"ind": "NOT.A.CODE", "theme": "bogus", "q": "<script>"})
    assert not at.exception and "ignored" in at.warning[0].value
    assert at.session_state["ind_ind"] != "NOT.A.CODE" and at.query_params["q"] == ""


def test_no_match_says_what_to_try(built, monkeypatch):
    at = page(built.data, monkeypatch, PAGE, {"q": "zzzqqq"})
    assert not at.exception and "No indicator matches" in texts(at)


@pytest.mark.parametrize("hay", ["prevalence of stunting, height for age", "children who are stunted",
                                 "number of hungry people", "drinking water services", "poverty headcount ratio"])
@pytest.mark.parametrize("words", ["stunting", "stunted", "hunger", "hungry", "water", "waters", "poverty", "poor",
                                   "drinking water", "stunting children"])
def test_the_pages_search_is_the_command_lines(hay, words):
    """dashboard.search restates etl.indicators_cli's rule (the dashboard must not import that module's HTTP)."""
    from dashboard.search import matches as page
    from etl.indicators_cli import matches as cli

    assert page(hay, words) == cli(hay, words)
