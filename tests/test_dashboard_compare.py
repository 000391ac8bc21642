"""Compare page in AppTest (SYNTHETIC warehouse, plus the real offline build): renders, reacts to indicator, group
and years, keeps its whole state in the URL, shrugs off bad links, and picks up a newly published warehouse."""

import base64
import json
import re
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard_text import shown
from dashboard.figures.common import short_name
from etl import config, publish, resolve
from test_dashboard_synthetic import stunting, synthetic  # noqa: F401  (fixture)

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


def app(data_dir, monkeypatch, query=None) -> AppTest:
    monkeypatch.setenv("HSDASH_DATA_DIR", str(data_dir))
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def chart(at, i=0) -> dict:
    charts = at.get("plotly_chart")
    assert charts, "no chart rendered"
    return json.loads(charts[i].proto.spec)


def values(v) -> list:
    """Plain numbers from a plotly JSON array (plotly encodes numpy arrays as base64 typed arrays)."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"])).tolist()
    return list(v or [])


def series(at) -> dict:
    """Trace name → y values of the chart (bands and hidden helper traces included)."""
    return {t.get("name"): values(t.get("y")) for t in chart(at)["data"]}


@pytest.fixture()
def at(synthetic, monkeypatch):
    return app(synthetic.data, monkeypatch, {"ind": "SH.STA.STNT.ZS", "c": "KHM", "g": "asean", "time": "2000..2020"})


def test_compare_is_the_default_page_and_renders(at):
    assert not at.exception
    assert at.title[0].value == "Compare"
    spec = chart(at)
    assert {"Cambodia", "ASEAN", "ASEAN: range of members"} <= set(series(at))
    footer = next(a for a in spec["layout"]["annotations"] if a.get("name") == "footer")["text"]
    assert "SYNTHETIC" in footer and "Licence" in footer and "Data vintage" in footer and "ASEAN" in footer
    assert json.loads(at.get("plotly_chart")[0].proto.config)["topojsonURL"] == "/app/static/topojson/"


def test_changing_indicator_group_and_years_changes_the_figure(at):
    before = series(at)
    at.selectbox(key="cmp_ind").select("SI.POV.DDAY").run()
    assert not at.exception and series(at)["Cambodia"] != before["Cambodia"]
    assert at.query_params["ind"] == "SI.POV.DDAY"

    before = series(at)
    at.multiselect(key="cmp_g").select("asean_plus_3").run()
    after = series(at)
    assert "APT" in after and "APT" not in before

    at.slider(key="cmp_time").set_value((2010, 2016)).run()
    xs = {tuple(values(t["x"])) for t in chart(at)["data"] if t.get("name") == "Cambodia"}
    assert xs == {(2010, 2012, 2014, 2016)}
    assert at.query_params["time"] == "2010..2016"


def test_every_view_renders_and_the_year_matters(at):
    for view in ("bar", "map", "scatter", "table"):
        at.segmented_control(key="cmp_view").set_value(view).run()
        assert not at.exception, view
        if view == "scatter":  # the x axis is chosen for the countries shown: the HDI (starter set) overlaps them
            assert at.session_state["cmp_x"] == "" and values(chart(at)["data"][0]["x"])
            assert "Human Development Index" in chart(at)["layout"]["xaxis"]["title"]["text"]
            at.selectbox(key="cmp_x").select("DT.ODA.ODAT.PC.ZS").run()
        if view == "table":
            assert at.dataframe and not at.get("plotly_chart")
        else:
            assert chart(at)["data"], view
    at.segmented_control(key="cmp_view").set_value("map").run()
    z2020 = chart(at)["data"][0]["z"]
    at.slider(key="cmp_year").set_value(2008).run()
    assert chart(at)["data"][0]["type"] == "choropleth" and chart(at)["data"][0]["z"] != z2020
    assert at.query_params["year"] == "2008" and at.query_params["view"] == "map"


def test_toggles_weighting_log_and_base_year(at):
    asean = series(at)["ASEAN"]
    at.toggle(key="cmp_w").set_value(False).run()
    assert series(at)["ASEAN"] != asean and at.query_params["w"] == "0"
    at.toggle(key="cmp_log").set_value(True).run()
    assert chart(at)["layout"]["yaxis"]["type"] == "log"
    at.selectbox(key="cmp_base").select(2005).run()
    khm = dict(zip(values(chart(at)["data"][0]["x"]), values(chart(at)["data"][0]["y"])))
    assert khm[2005] == pytest.approx(0) and at.query_params["base"] == "2005"
    at.selectbox(key="cmp_lowcov").select("hide").run()
    assert not at.exception and at.query_params["lowcov"] == "hide"


def test_url_state_round_trips(at, synthetic, monkeypatch):
    at.multiselect(key="cmp_c").select("VNM").run()
    at.segmented_control(key="cmp_view").set_value("bar").run()
    at.slider(key="cmp_year").set_value(2011).run()
    at.toggle(key="cmp_w").set_value(False).run()
    link = dict(at.query_params)
    assert link["c"] == "KHM,VNM" and link["view"] == "bar" and link["year"] == "2011" and link["w"] == "0"

    elsewhere = app(synthetic.data, monkeypatch, link)  # a new session opening the copied link
    assert not elsewhere.exception and not elsewhere.warning
    assert chart(elsewhere) == chart(at)
    assert dict(elsewhere.query_params) == link


def test_unknown_and_malicious_parameters_are_ignored_with_a_notice(synthetic, monkeypatch):
    at = app(synthetic.data, monkeypatch, {
        "ind": "SH.STA.STNT.ZS'); DROP TABLE observation; --", "c": "KHM,<script>", "g": "nope",
        "time": "1..99999", "view": "sankey", "evil": "1"})
    assert not at.exception
    notice = shown(at.warning[0].value)
    assert "ignored" in notice and "<script>" not in notice and "DROP TABLE observation;" not in notice
    assert at.query_params["c"] == "KHM" and at.query_params["g"] == "" and at.query_params["view"] == "line"
    assert "evil" not in at.query_params
    assert chart(at)["data"]  # the defaults still draw a chart


def test_empty_selection_and_no_data_say_so(at):
    at.multiselect(key="cmp_c").set_value([]).run()
    at.multiselect(key="cmp_g").set_value([]).run()
    assert not at.exception and not at.get("plotly_chart")
    assert "Pick at least one country or group" in at.info[0].value
    at.multiselect(key="cmp_c").set_value(["JPN"]).run()
    at.selectbox(key="cmp_ind").select("SI.POV.DDAY").run()  # synthetic poverty exists for ASEAN members only
    assert not at.exception and "No data" in at.info[0].value


def test_a_newly_published_warehouse_shows_on_the_next_rerun(synthetic, tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    shutil.copytree(synthetic.data, data_dir, symlinks=True)
    paths = config.paths(data_dir)
    at = app(data_dir, monkeypatch, {"ind": "SH.STA.STNT.ZS", "c": "KHM", "g": "", "time": "2000..2020"})
    old = series(at)["Cambodia"]
    staging = paths.warehouses / ".build-v2.duckdb"
    shutil.copy(paths.warehouse.resolve(), staging)
    con = duckdb.connect(str(staging))
    con.execute("UPDATE observation SET value = value + 1 WHERE iso3 = 'KHM' AND indicator_code = 'SH.STA.STNT.ZS'")
    resolve.rematerialise(con)  # as every build does
    con.execute("UPDATE meta SET value = 'synthetic-2' WHERE key = 'version'")
    con.close()
    publish.publish(paths, staging, "synthetic-2")
    at.run()
    assert not at.exception
    assert series(at)["Cambodia"] == pytest.approx([v + 1 for v in old])
    assert "synthetic-2" in " ".join(shown(c.proto.help) for c in at.sidebar.caption)  # the version, in the tooltip


def test_renders_on_the_real_offline_build(built, monkeypatch):
    at = app(built.data, monkeypatch)
    assert not at.exception and at.title[0].value == "Compare"
    if at.get("plotly_chart"):  # Gapminder and the reference groups are bundled: a real chart with its real footer
        footer = next(a for a in chart(at)["layout"]["annotations"] if a.get("name") == "footer")["text"]
        assert "Source:" in footer and "Licence:" in footer
    else:
        assert at.info


# --- issue 13: pickers, honest group lines, the grapher's staples, staff language ---------------------------------

def _first_match(options: list[str], typed: str) -> str | None:
    """What Streamlit's ``filter_mode="contains"`` offers first (and Enter takes) for ``typed``."""
    return next((o for o in options if typed.casefold() in o.casefold()), None)


def test_pickers_find_a_group_by_name_or_acronym_and_enter_takes_the_one_typed(at):
    from streamlit.proto.SelectWidgetFilterMode_pb2 import FILTER_MODE_CONTAINS

    groups, countries = at.multiselect(key="cmp_g"), at.multiselect(key="cmp_c")
    for picker in (groups, countries):
        assert picker.proto.filter_mode == FILTER_MODE_CONTAINS  # "Shanghai" finds "Shanghai Cooperation…"
        assert picker.proto.select_all == 0 and picker.proto.wrap  # no "Select N matches" on Enter; every tag shown
    options = list(groups.options)
    assert "Shanghai Cooperation Organisation (SCO)" in options and "ASEAN Plus Three (APT)" in options
    assert _first_match(options, "Shanghai") == "Shanghai Cooperation Organisation (SCO)"
    assert _first_match(options, "ASEAN") == "Association of Southeast Asian Nations (ASEAN)"
    assert _first_match(options, "EAS") == "East Asia Summit (EAS)"  # not "…SouthEASt Asian…"
    for label in options:  # every group: its full label and its acronym ("ASEAN", "APT", not "UN M49") find it first
        assert _first_match(options, label) == label and _first_match(options, short_name(label)) == label, label
    names = list(countries.options)
    for name in names:  # "Niger" before "Nigeria", "Guinea" before "Equatorial Guinea"
        assert _first_match(names, name) == name, name
    at.multiselect(key="cmp_g").set_value(["asean", "sco", "cica"]).run()
    caption = " ".join(shown(c.value) for c in at.caption)
    assert "ASEAN: " in caption and "SCO: " in caption and "CICA: " in caption  # every pick listed, none truncated


def test_todays_members_are_the_default_and_the_choice_is_explained(at):
    assert at.query_params["mem"] == "current" and at.selectbox(key="cmp_mem").value == "current"
    captions = " ".join(shown(c.value) for c in at.caption)
    assert "today's members throughout" in captions and "does not jump when a country joins" in captions
    footer = next(a for a in chart(at)["layout"]["annotations"] if a.get("name") == "footer")["text"]
    assert "today's members throughout" in footer
    data = next(d.value for d in at.dataframe if "group members counted" in d.value.columns)
    assert set(data.loc[data["kind"] == "group", "group members counted"]) == {"today's members throughout"}


def _traces(at) -> dict:
    return {t.get("name"): t for t in chart(at)["data"]}


def test_joins_are_marked_on_the_group_line_asean_undernourishment(built, monkeypatch):
    """Real data (starter set): with members as of each year, Laos and Myanmar join ASEAN in 1997 (and Vietnam in
    1995, Cambodia in 1999): diamonds on the line at those years, the hover says who."""
    query = {"ind": "SN.ITK.DEFC.ZS", "c": "", "g": "asean", "time": "1990..2020", "view": "line", "mem": "as_of_year"}
    at = app(built.data, monkeypatch, query)
    assert not at.exception
    marks = _traces(at)["ASEAN: changes"]
    years = values(marks["x"])
    assert {1995, 1997, 1999} <= set(years)
    note = marks["customdata"][years.index(1997)][0]
    assert "Laos and Myanmar joined ASEAN in 1997" in note
    listed = next(d.value for d in at.dataframe if "what changed" in d.value.columns)
    assert any("Laos and Myanmar joined" in n for n in listed["what changed"])
    footer = next(a for a in chart(at)["layout"]["annotations"] if a.get("name") == "footer")["text"]
    assert "Laos and Myanmar joined in 1997" in footer and "Diamonds" in footer

    quiet = app(built.data, monkeypatch, {**query, "time": "2000..2015"})  # nobody joins ASEAN in these years
    assert not quiet.exception and "ASEAN: changes" not in _traces(quiet) and "ASEAN" in _traces(quiet)

    today = app(built.data, monkeypatch, {**query, "mem": "current"})  # same members throughout: nothing joins
    assert not today.exception and "ASEAN: changes" not in _traces(today)
    footer = next(a for a in chart(today)["layout"]["annotations"] if a.get("name") == "footer")["text"]
    assert "also before" in footer and "Laos and Myanmar (1997)" in footer


def test_table_view_is_countries_by_years(at):
    at.segmented_control(key="cmp_view").set_value("table").run()
    assert not at.exception and not at.get("plotly_chart")
    table = at.dataframe[0].value
    table = table.data if hasattr(table, "data") and not isinstance(table, pd.DataFrame) else table
    assert list(table.columns) == ["Country or group", *[str(y) for y in range(2000, 2021)]]
    assert list(table["Country or group"]) == ["ASEAN", "Cambodia"]  # groups first, by their acronym
    cells = {str(v) for col in table.columns[1:] for v in table[col]}
    assert not cells & {"None", "nan", "NaN", "<NA>", ""}
    khm = table.set_index("Country or group").loc["Cambodia"]
    assert khm["2010"] == f"{stunting('KHM', 2010):.3g}%"
    asean = table.set_index("Country or group").loc["ASEAN"]
    assert asean["2000"].endswith("%*") and not asean["2010"].endswith("*")  # low coverage marked


def test_map_is_a_timeline_that_plays(at):
    at.segmented_control(key="cmp_view").set_value("map").run()
    at.slider(key="cmp_time").set_value((2005, 2015)).run()
    spec = chart(at)
    assert not at.exception
    assert [f["name"] for f in spec["frames"]] == [str(y) for y in range(2005, 2016)]
    buttons = [b["label"] for m in spec["layout"]["updatemenus"] for b in m["buttons"]]
    assert buttons == ["Play", "Pause"]
    steps = spec["layout"]["sliders"][0]["steps"]
    assert [s["label"] for s in steps] == [str(y) for y in range(2005, 2016)]
    assert steps[spec["layout"]["sliders"][0]["active"]]["label"] == str(at.session_state["cmp_year"])
    first = {f["name"]: f for f in spec["frames"]}
    assert first["2005"]["data"][0]["z"] != first["2015"]["data"][0]["z"]
    no_data = next(t for t in spec["data"] if t.get("name") == "no data")
    assert no_data["showlegend"] and no_data["type"] == "choropleth"


def test_small_multiples_draw_several_indicators(at):
    at.multiselect(key="cmp_more").set_value(["SI.POV.DDAY", "DT.ODA.ODAT.PC.ZS"]).run()
    assert not at.exception and at.query_params["more"] == "SI.POV.DDAY,DT.ODA.ODAT.PC.ZS"
    spec = chart(at)
    panels = {t.get("xaxis", "x") for t in spec["data"]}
    assert len(panels) == 3  # one small chart per indicator
    titles = " ".join(a.get("text", "") for a in spec["layout"]["annotations"])
    assert "stunting" in titles.lower() and "poverty" in titles.lower()
    named = {t["name"] for t in spec["data"] if t.get("showlegend") is not False}
    assert named == {"Cambodia", "ASEAN"}  # one legend for every panel
    at.segmented_control(key="cmp_view").set_value("bar").run()
    assert not at.exception and chart(at)["data"][0]["type"] == "bar"  # other views: the first indicator


def test_compare_speaks_staff_language(at):
    for view in ("line", "bar", "map", "table"):
        at.segmented_control(key="cmp_view").set_value(view).run()
        assert not at.exception
        for frame in at.dataframe:
            value = frame.value.data if hasattr(frame.value, "data") and not isinstance(frame.value, pd.DataFrame) \
                else frame.value
            assert not [c for c in value.columns if "_" in str(c)], (view, list(value.columns))
            cells = {str(v) for c in value.columns for v in value[c] if isinstance(v, str)}
            assert not cells & {"None", "nan", "NaN", "<NA>"}, view
        texts = [shown(e.value) for e in [*at.caption, *at.markdown, *at.info, *at.warning]]
        assert not any(re.search(r"\bNone\b|\bnan\b", t) for t in texts), view
    sources = at.selectbox(key="cmp_src").options
    assert sources[0] == "Best source per country and year"
    assert any(o.startswith("SYNTHETIC test data") for o in sources[1:]) and "synthetic" not in sources
    at.segmented_control(key="cmp_view").set_value("line").run()
    footer = next(a for a in chart(at)["layout"]["annotations"] if a.get("name") == "footer")["text"]
    assert "retrieved 1 Jan 2026" in footer  # dates as people write them


def test_compare_has_no_emoji():
    text = Path(APP).with_name("views").joinpath("compare.py").read_text(encoding="utf-8")
    emoji = [c for c in text if 0x1F000 <= ord(c) <= 0x1FAFF or 0x2600 <= ord(c) <= 0x27BF]
    assert not emoji, emoji  # icons are Material symbols: they render without an emoji font
