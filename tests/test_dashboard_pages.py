"""Country profile, Aid, Trust Fund, Data & sources and the other pages in AppTest: render on the real offline build
(with the helpful messages its empty tables call for) and on the SYNTHETIC warehouse, react to their selections, keep
state in the URL. (Staff language on every page, the Indicators page and exports: test_pages_staff.py,
test_indicators_page.py, test_page_exports.py.)"""

import base64
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard_text import texts
from pages_data import charts, page
from test_dashboard_synthetic import synthetic  # noqa: F401  (fixture)

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
PAGES = ["views/compare.py", "views/indicators.py", "views/country.py", "views/aid.py", "views/tfhs.py",
         "views/sources.py", "views/paper.py", "views/progress.py", "views/briefing.py"]




def values(v) -> list:
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"])).tolist()
    return list(v or [])


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_on_the_real_offline_build(built, monkeypatch, path):
    at = page(built.data, monkeypatch, path)
    assert not at.exception, path
    assert at.title


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_on_the_synthetic_warehouse(synthetic, monkeypatch, path):
    at = page(synthetic.data, monkeypatch, path)
    assert not at.exception, path


# --- country profile ---------------------------------------------------------------------------------------------

def test_country_profile_tables_ranks_and_chart(synthetic, monkeypatch):
    at = page(synthetic.data, monkeypatch, "views/country.py", {"iso3": "KHM", "ind": "SH.STA.STNT.ZS", "g": "asean"})
    assert not at.exception
    want = at.dataframe[0].value
    row = want[want["name"].str.startswith("Prevalence of stunting")].iloc[0]
    assert row["year"] == 2020 and row["rank in ASEAN"] == "7 of 10"  # tied with Indonesia and the Philippines
    assert len(row["trend"]) == 21
    names = {t["name"] for t in charts(at)[0]["data"]}
    assert {"Cambodia", "ASEAN"} <= names

    before = charts(at)[0]
    at.selectbox(key="cty_iso3").select("VNM").run()
    assert not at.exception and at.query_params["iso3"] == "VNM"
    assert charts(at)[0] != before and "Vietnam" in {t["name"] for t in charts(at)[0]["data"]}

    at.multiselect(key="cty_g").select("asean_plus_3").run()
    assert "APT" in {t["name"] for t in charts(at)[0]["data"]} and at.query_params["g"] == "asean,asean_plus_3"


def test_country_profile_url_round_trips_and_shows_the_paper(synthetic, monkeypatch):
    at = page(synthetic.data, monkeypatch, "views/country.py", {"iso3": "CHN", "g": "eas"})
    assert not at.exception and at.selectbox(key="cty_iso3").value == "CHN"
    link = dict(at.query_params)
    again = page(synthetic.data, monkeypatch, "views/country.py", link)
    assert charts(again) == charts(at) and dict(again.query_params) == link
    assert "Beside the public series" in texts(at)  # the paper quotes Chinese figures


def test_the_freedom_from_fear_tab_shows_what_exists_or_says_why_not(built, monkeypatch):
    at = page(built.data, monkeypatch, "views/country.py", {"iso3": "KHM"})
    fear = next(t for t in at.tabs if t.label == "Freedom from fear")
    (table,) = [d.value for d in fear.dataframe]
    assert list(table["name"]) == ["Deaths in organised violence (state-based, non-state and one-sided, UCDP GED)"]
    assert table["year"].iloc[0] == 2012  # UCDP GED 19.1's latest year with recorded deaths in Cambodia
    at = page(built.data, monkeypatch, "views/country.py", {"iso3": "SGP"})
    fear = next(t for t in at.tabs if t.label == "Freedom from fear")
    said = " ".join(i.value for i in fear.info).replace("\\", "")
    assert not fear.dataframe and "No freedom from fear series has a value for Singapore" in said
    assert "Deaths in organised violence" in said and "not a measured zero" in said
    assert "Battle-related deaths" in said  # a catalogue series not in the warehouse yet, by name


# --- aid ---------------------------------------------------------------------------------------------------------

def test_aid_without_flows_explains_what_fills_them_in_words(built, monkeypatch):
    at = page(built.data, monkeypatch, "views/aid.py")
    assert not at.exception
    said = texts(at)
    assert "OECD Development Assistance Committee" in said and "Net ODA received per capita" in said
    assert "donor totals" in said.lower()
    for code in ("oda_flow", "DC.DAC", "DT.ODA.ODAT.PC.ZS", "ODA.DONOR_NET"):  # names, never codes
        assert code not in said, code


def test_aid_sankey_trend_and_scatter_follow_the_selection(synthetic, monkeypatch):
    at = page(synthetic.data, monkeypatch, "views/aid.py", {"donors": "JPN,KOR", "rg": "asean", "time": "2010..2012"})
    assert not at.exception
    _paper, _tfhs, sankey, trend, scatter = charts(at)  # the paper's aid figures and the Trust Fund come first
    assert sankey["data"][0]["type"] == "sankey" and set(sankey["data"][0]["node"]["label"][:2]) == {"Japan", "South Korea"}
    assert {t["name"] for t in trend["data"]} == {"Japan", "South Korea"}
    assert scatter["data"][0]["type"] == "scatter"

    at.multiselect(key="aid_donors").select("USA").run()
    assert "United States" in charts(at)[2]["data"][0]["node"]["label"] and at.query_params["donors"] == "JPN,KOR,USA"
    before = values(charts(at)[2]["data"][0]["link"]["value"])
    at.slider(key="aid_time").set_value((2015, 2020)).run()
    assert values(charts(at)[2]["data"][0]["link"]["value"]) != before
    at.multiselect(key="aid_donors").select("AUS").run()  # no DAC table rows: its World Bank bilateral-aid series
    assert "Australia" in charts(at)[2]["data"][0]["node"]["label"]
    assert "World Bank: Net bilateral aid flows from DAC donors, Australia" in texts(at)
    assert "DC.DAC.AUSL.CD" not in texts(at)
    y_before = values(charts(at)[4]["data"][0]["y"])
    at.selectbox(key="aid_y").select("SH.STA.STNT.ZS").run()
    assert values(charts(at)[4]["data"][0]["y"]) != y_before and at.query_params["y"] == "SH.STA.STNT.ZS"


# --- Trust Fund --------------------------------------------------------------------------------------------------

def test_tfhs_counts_beside_the_register_and_filters(synthetic, monkeypatch):
    at = page(synthetic.data, monkeypatch, "views/tfhs.py")
    assert not at.exception
    names = {t["name"] for t in charts(at)[0]["data"]}
    assert names == {"Soh (2008), as of 2007-02", "imported register (synthetic)"}
    assert len(at.dataframe[0].value) == 4
    at.multiselect(key="tfhs_cat").select("health").run()
    assert len(at.dataframe[0].value) == 2 and at.query_params["cat"] == "health"
    at.text_input(key="tfhs_q").input("project 3").run()
    assert list(at.dataframe[0].value["title"]) == ["Synthetic project 3 (health)"]
    shown = at.dataframe[0].value.iloc[0]
    assert shown["start"] == "1 Jan 2004" and shown["end"] == "31 Dec 2007" and shown["countries"] == "KHM, LAO"


def test_tfhs_on_the_real_build_shows_the_paper_counts(built, monkeypatch):
    at = page(built.data, monkeypatch, "views/tfhs.py")
    assert not at.exception
    bars = charts(at)[0]["data"]
    assert [t["name"] for t in bars] == ["Soh (2008), as of 2007-02"] and 139 in values(bars[0]["x"])
    assert "No project register imported yet" in texts(at)
    assert "soh2008-" not in texts(at)  # the paper's figure ids only in a tooltip


# --- Data & sources ----------------------------------------------------------------------------------------------

def frame_with(at, *columns):
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def test_sources_page_status_quarantine_and_the_way_to_the_indicators(synthetic, monkeypatch):
    at = page(synthetic.data, monkeypatch, "views/sources.py")
    assert not at.exception
    assert "synthetic-1" in texts(at, ("markdown",))  # the version, under analyst details
    status = frame_with(at, "source", "status_text").set_index("source")
    assert status.loc["Synthetic series for dashboard tests", "status_text"] == "loaded"
    assert status.loc["Synthetic series for dashboard tests", "observations"] > 0
    detail = frame_with(at, "source_id", "rows_quarantined").set_index("source_id")
    assert detail.loc["synthetic", "rows_quarantined"] == 3 and detail.loc["paper", "status"] == "ok"
    at.selectbox(key="src_src").select("synthetic").run()
    rows = frame_with(at, "record")
    assert set(rows["source"]) == {"Synthetic series for dashboard tests"}
    assert rows["reason"].str.contains("unknown country").all()
    assert at.query_params["src"] == "synthetic"
    at.text_input(key="src_reason").input("no such reason").run()
    assert "No row set aside matches" in texts(at)
    assert any(link.proto.page.endswith("indicators.py") or "indicators" in link.proto.page
               for link in at.get("page_link"))


def test_sources_page_rejects_a_malicious_filter(synthetic, monkeypatch):
    at = page(synthetic.data, monkeypatch, "views/sources.py", {"src": "x' OR 1=1 --", "reason": "'; DROP TABLE quarantine"})
    assert not at.exception and "ignored" in at.warning[0].value
    assert at.query_params["src"] == "" and at.query_params["reason"] == ""


# --- deep links ----------------------------------------------------------------------------------------------------

DEEP_LINKS = [  # (page, query string of a copied link, widget key → the value it must open with)
    ("views/compare.py", {"ind": "SI.POV.DDAY", "c": "VNM", "g": "asean_plus_3", "time": "2004..2016", "view": "bar",
                          "year": "2010", "x": "DT.ODA.ODAT.PC.ZS", "log": "0", "base": "", "w": "0", "lowcov": "hide",
                          "src": "synthetic", "mem": "current", "more": ""},
     {"cmp_ind": "SI.POV.DDAY", "cmp_c": ["VNM"], "cmp_g": ["asean_plus_3"], "cmp_time": (2004, 2016),
      "cmp_year": 2010, "cmp_w": False, "cmp_lowcov": "hide", "cmp_src": "synthetic", "cmp_mem": "current"}),
    ("views/country.py", {"iso3": "VNM", "ind": "SH.STA.STNT.ZS", "g": "eas"},
     {"cty_iso3": "VNM", "cty_ind": "SH.STA.STNT.ZS", "cty_g": ["eas"]}),
    ("views/aid.py", {"donors": "USA", "rg": "asean", "time": "2012..2018", "y": "SI.POV.DDAY"},
     {"aid_donors": ["USA"], "aid_rg": "asean", "aid_time": (2012, 2018), "aid_y": "SI.POV.DDAY"}),
    ("views/tfhs.py", {"region": "Southeast Asia", "cat": "health", "q": "project"},
     {"tfhs_region": ["Southeast Asia"], "tfhs_cat": ["health"], "tfhs_q": "project"}),
    ("views/sources.py", {"src": "synthetic", "tbl": "observation", "reason": "unknown"},
     {"src_src": "synthetic", "src_tbl": "observation", "src_reason": "unknown"}),
    ("views/indicators.py", {"q": "stunting", "theme": "freedom_from_want", "src": "", "cur": "1", "all": "0",
                             "ind": "SH.STA.STNT.ZS", "rg": "asean"},
     {"ind_q": "stunting", "ind_theme": ["freedom_from_want"], "ind_cur": True, "ind_ind": "SH.STA.STNT.ZS",
      "ind_rg": "asean"}),
]


@pytest.mark.parametrize("path, query, expected", DEEP_LINKS, ids=[p for p, _, _ in DEEP_LINKS])
def test_a_deep_link_opens_its_page_in_that_state(synthetic, monkeypatch, path, query, expected):
    """AppTest opens a page by its file, which the router serves at the same url_path (/compare, /country, …): the
    page's widgets take the link's values, no notice, and the URL keeps the link. (The real /compare?… request in a
    browser: tests/test_browser.py.)"""
    at = page(synthetic.data, monkeypatch, path, query)
    assert not at.exception and not at.warning
    for key, value in expected.items():
        assert at.session_state[key] == value, key
    assert dict(at.query_params) == query


def test_the_root_url_opens_compare_with_the_links_state(synthetic, monkeypatch):
    """Links made when Compare was served at / (``/?ind=…``) keep working: / switches to Compare, query string kept."""
    monkeypatch.setenv("HSDASH_DATA_DIR", str(synthetic.data))
    at = AppTest.from_file(APP, default_timeout=60)
    query = dict(DEEP_LINKS[0][1])
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception and at.title[0].value == "Compare"
    assert at.session_state["cmp_ind"] == "SI.POV.DDAY" and dict(at.query_params) == query
