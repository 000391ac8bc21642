"""Compare page in AppTest (SYNTHETIC warehouse, plus the real offline build): renders, reacts to indicator, group
and years, keeps its whole state in the URL, shrugs off bad links, and picks up a newly published warehouse."""

import base64
import json
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard_text import shown
from etl import config, publish, resolve
from test_dashboard_synthetic import synthetic  # noqa: F401  (fixture)

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
        if view == "scatter":  # the default x axis (the HDI, from the starter set) overlaps the years shown
            assert at.session_state["cmp_x"] == "HDR.HDI" and chart(at)["data"]
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
