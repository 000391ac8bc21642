"""Chart data and pure figure builders on the SYNTHETIC warehouse: the frame a chart plots, group aggregates from
etl.aggregate only, footers with provenance, the offline map, and purity (no Streamlit in builders)."""

import ast
import json
from dataclasses import replace
from pathlib import Path

import duckdb
import numpy as np
import pytest

from dashboard import chart_data
from dashboard.figures import BUILDERS, PLOTLY_CONFIG, TOPOJSON_DIR, ChartSpec, build
from dashboard.figures.footer import footer_lines
from etl.aggregate import group_series
from test_dashboard_synthetic import stunting, synthetic  # noqa: F401  (fixture)

REPO = Path(__file__).resolve().parents[1]
STUNT = "SH.STA.STNT.ZS"
BASE = ChartSpec(STUNT, countries=("KHM", "VNM"), groups=("asean",), year_from=2000, year_to=2020)


@pytest.fixture()
def con(synthetic):
    con = duckdb.connect(str(synthetic.warehouse.resolve()), read_only=True)
    yield con
    con.close()


def bundle(con, spec):
    frame = chart_data.chart_frame(con, spec)
    return frame, chart_data.with_provenance(con, spec, frame)


def test_line_frame_is_the_countries_plus_etl_aggregate(con):
    frame = chart_data.chart_frame(con, BASE)
    assert list(frame.columns) == chart_data.SERIES_COLUMNS
    khm = frame[frame["code"] == "KHM"].set_index("year")["value"]
    assert khm[2010] == pytest.approx(stunting("KHM", 2010))
    asean = frame[frame["code"] == "asean"].set_index("year")
    expected = group_series(con, "asean", STUNT, 2000, 2020).set_index("year")
    assert np.allclose(asean["value"], expected["value"]) and np.allclose(asean["coverage"], expected["coverage"])
    assert asean.loc[2000, "low_coverage"] and "low coverage" in asean.loc[2000, "flag"]
    assert (asean.loc[2010, "min_name"], asean.loc[2010, "max_name"]) == ("Singapore", "Laos")


def test_unweighted_and_hidden_low_coverage(con):
    weighted = chart_data.chart_frame(con, BASE).set_index(["code", "year"])["value"]
    plain = chart_data.chart_frame(con, replace(BASE, weighted=False)).set_index(["code", "year"])["value"]
    assert plain[("asean", 2010)] != pytest.approx(weighted[("asean", 2010)])
    assert plain[("KHM", 2010)] == weighted[("KHM", 2010)]
    hidden = chart_data.chart_frame(con, replace(BASE, hide_low_coverage=True)).set_index(["code", "year"])
    assert np.isnan(hidden.loc[("asean", 2000), "value"]) and hidden.loc[("asean", 2000), "flag"].startswith("hidden")
    assert not np.isnan(hidden.loc[("asean", 2010), "value"])


def test_change_relative_to_a_base_year(con):
    frame = chart_data.chart_frame(con, replace(BASE, base_year=2005, year_from=2005)).set_index(["code", "year"])
    assert frame.loc[("KHM", 2005), "value"] == pytest.approx(0)
    assert frame.loc[("KHM", 2015), "value"] == pytest.approx((stunting("KHM", 2015) / stunting("KHM", 2005) - 1) * 100)
    assert frame["min_value"].isna().all()  # spread is shown for levels only


def test_bar_ranks_members_and_groups_for_one_year(con):
    frame, spec = bundle(con, replace(BASE, kind="bar", year=2012))
    assert set(frame[frame["series_kind"] == "country"]["code"]) == {"BRN", "IDN", "KHM", "LAO", "MMR", "MYS", "PHL", "SGP", "THA", "VNM"}
    assert frame.set_index("code").loc["KHM", "selected"] and not frame.set_index("code").loc["LAO", "selected"]
    fig = build(frame, spec)
    labels = list(fig.layout.yaxis.categoryarray)
    assert labels[-1] == "Singapore" and labels[0] == "Laos"  # lower stunting is better: best on top, worst at the bottom
    assert any("ASEAN" in label for label in labels)


def test_scatter_has_population_bubbles(con):
    frame, spec = bundle(con, replace(BASE, kind="scatter", year=2010, x_indicator_code="DT.ODA.ODAT.PC.ZS"))
    assert list(frame.columns) == chart_data.SCATTER_COLUMNS and len(frame) == 10
    assert frame.set_index("code").loc["IDN", "population"] == pytest.approx(236e6)
    assert build(frame, spec).data[0].type == "scatter"


def test_map_draws_countries_with_local_topojson(con):
    frame, spec = bundle(con, replace(BASE, kind="map", year=2015))
    fig = build(frame, spec)
    assert fig.data[0].type == "choropleth" and fig.data[0].locationmode == "ISO-3"
    assert set(fig.data[0].locations) == set(frame["code"]) and (frame["series_kind"] == "country").all()
    assert PLOTLY_CONFIG["topojsonURL"] == "/app/static/topojson/"
    topo = json.loads((TOPOJSON_DIR / "world_110m.json").read_text())
    assert topo["type"] == "Topology" and "countries" in topo["objects"]
    ids = {g.get("id") for g in topo["objects"]["countries"]["geometries"]}
    assert {"KHM", "VNM", "IDN", "JPN"} <= ids
    assert "cdn.plot.ly" not in fig.to_json()


@pytest.mark.parametrize("kind", ["line", "bar", "map", "scatter", "table"])
def test_every_chart_carries_the_footer(con, kind):
    spec = replace(BASE, kind=kind, year=2010 if kind in ("bar", "map", "scatter") else None,
                   x_indicator_code="SI.POV.DDAY" if kind == "scatter" else None)
    frame, full = bundle(con, spec)
    fig = BUILDERS[kind](frame, full)
    footer = [a for a in fig.layout.annotations if a.name == "footer"]
    assert len(footer) == 1
    text = footer[0].text
    assert "SYNTHETIC test data" in text and "Licence: none (synthetic)" in text and "synthetic-1" in text
    if kind in ("line", "bar", "table"):
        assert "coverage" in text.lower()


def test_sankey_and_counts(con):
    spec = ChartSpec(chart_data.ODA_FLOW, countries=("JPN", "KOR"), groups=("asean",), year_from=2010, year_to=2012,
                     kind="sankey", title="flows")
    frame, full = bundle(con, spec)
    assert list(frame.columns) == chart_data.SANKEY_COLUMNS and len(frame) == 20
    jpn_khm = frame[(frame["donor"] == "JPN") & (frame["recipient"] == "KHM")]["amount_usd"].iloc[0]
    assert jpn_khm == pytest.approx(sum(1e7 + 2e6 + (y - 2005) * 1e5 for y in (2010, 2011, 2012)))
    assert build(frame, full).data[0].type == "sankey"
    counts, cfull = bundle(con, ChartSpec(chart_data.TFHS_PROJECTS, kind="counts"))
    assert {"Soh (2008), as of 2007-02", "imported register (synthetic)"} == set(counts["series"])
    assert counts[(counts["series"].str.startswith("Soh")) & (counts["region"] == "All regions")]["projects"].iloc[0] == 139
    assert build(counts, cfull).data


def test_empty_selection_gives_an_explaining_figure(con):
    spec = replace(BASE, countries=(), groups=())
    for kind in ("line", "bar", "map", "scatter", "table"):
        frame, full = bundle(con, replace(spec, kind=kind, x_indicator_code="SI.POV.DDAY"))
        assert frame.empty
        fig = BUILDERS[kind](frame, full)
        assert any("No " in (a.text or "") for a in fig.layout.annotations)
    assert footer_lines(full)[0].startswith("Source:")


def test_builders_and_chart_data_are_pure():
    modules = [*sorted((REPO / "dashboard" / "figures").glob("*.py")), REPO / "dashboard" / "chart_data.py"]
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "streamlit" for n in names), path
