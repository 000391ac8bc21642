"""Chart data and pure figure builders on the SYNTHETIC warehouse: the frame a chart plots, group aggregates from
etl.aggregate only, footers with provenance, the offline map, and purity (no Streamlit in builders); group colours,
joins and coverage changes on group lines, end labels, the wide table, the map timeline and small multiples."""

import ast
import json
from dataclasses import replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from dashboard import chart_data, group_changes
from dashboard.export import meta, specfile
from dashboard.figures import BUILDERS, PLOTLY_CONFIG, TOPOJSON_DIR, ChartSpec, build
from dashboard.figures.bar import MEMBER_TINT
from dashboard.figures.common import group_colour, tint
from dashboard.figures.footer import footer_lines
from dashboard.figures.line import LABEL_PX, MAX_NUDGE_PX, place_labels
from dashboard.figures.map import build_map_timeline
from dashboard.figures.table import MAX_EXPORT_YEARS, readable, wide_table
from dashboard.views import compare_url
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


# --- issue 13: colours, honest group lines, end labels, the wide table, map timeline, small multiples ------------

def test_a_group_keeps_its_colour_on_every_chart(con):
    spec = replace(BASE, groups=("asean", "asean_plus_3"))
    line = build(*bundle(con, spec))
    traces = {t.name: t for t in line.data}
    assert traces["ASEAN"].marker.color == group_colour("asean")
    assert traces["APT"].marker.color == group_colour("asean_plus_3")
    assert group_colour("asean") != group_colour("asean_plus_3")
    frame, full = bundle(con, replace(spec, kind="bar", year=2012))
    bar = build(frame, full)
    asean_bar = next(t for t in bar.data if t.name == "ASEAN")
    assert asean_bar.marker.color == group_colour("asean")
    members = next(t for t in bar.data if t.name == "ASEAN members")  # first picked group wins for its members
    shown = dict(zip(members.y, members.marker.color))
    assert shown["Laos"] == tint(group_colour("asean"), MEMBER_TINT)  # only a member: lighter
    assert shown["Cambodia"] == group_colour("asean")  # picked by name too: the full colour
    apt = next(t for t in bar.data if t.name == "APT members")  # ASEAN members are in APT too: ASEAN, picked first
    assert set(apt.y) == {"China", "Japan", "South Korea"}
    assert set(apt.marker.color) == {tint(group_colour("asean_plus_3"), MEMBER_TINT)}
    frame, full = bundle(con, replace(spec, kind="map", year=2012))
    outline = dict(zip(build(frame, full).data[0].locations, build(frame, full).data[0].marker.line.color))
    assert outline["LAO"] == group_colour("asean") and outline["JPN"] == group_colour("asean_plus_3")


def test_low_coverage_is_dotted_and_hollow_on_the_line(con):
    frame, spec = bundle(con, BASE)
    fig = build(frame, spec)
    traces = {t.name: t for t in fig.data}
    dotted = traces["ASEAN: below two thirds coverage"]
    assert dotted.line.dash == "dot" and [x for x in dotted.x if x is not None] == list(range(2000, 2006))
    asean = traces["ASEAN"]
    symbols = dict(zip(asean.x, asean.marker.symbol))
    assert symbols[2001] == "circle-open" and symbols[2010] == "circle"
    solid = traces["ASEAN: line"]
    assert solid.line.dash is None and all(y is None for x, y in zip(solid.x, solid.y) if x < 2005)
    assert np.allclose([y for y in asean.y], frame[frame["code"] == "asean"].sort_values("year")["value"])


def test_lines_are_named_at_their_ends_without_overlap(con):
    frame, spec = bundle(con, replace(BASE, countries=("KHM", "VNM", "LAO")))
    labels = [a for a in build(frame, spec).layout.annotations if a.name == "end_label"]
    assert {a.text for a in labels} == {"Cambodia", "Vietnam", "Laos", "ASEAN"}
    assert all(a.x == 2020.6 and a.xanchor == "left" for a in labels)
    # three lines ending at almost the same value are pushed apart; one that would move too far is dropped
    placed = place_labels([("A", "#000", 10.0), ("B", "#000", 10.1), ("C", "#000", 10.2)], (0, 100), 400)
    centres = sorted(y / 100 * 400 + shift for _, _, y, shift in placed)
    assert len(placed) == 3 and all(b - a >= LABEL_PX - 1e-9 for a, b in zip(centres, centres[1:]))
    crowd = [(str(i), "#000", 50.0, ) for i in range(12)]
    kept = place_labels(crowd, (0, 100), 400)
    assert 0 < len(kept) < 12 and all(abs(shift) <= MAX_NUDGE_PX for *_, shift in kept)
    assert [t for t, *_ in kept] == [str(i) for i in range(len(kept))]  # the most important are kept


def test_year_notes_name_who_joined_and_how_coverage_changed():
    """group_changes on a SYNTHETIC group of three (no warehouse): a join, a member that starts reporting and
    coverage crossing two thirds are each said once, in the year they change the line."""
    members = pd.DataFrame({"iso3": ["AAA", "BBB", "CCC"], "name": ["Aland", "Bland", "Cland"],
                            "joined_year": [1990, 1990, 1997], "left_year": [None, None, None]})
    rows = pd.DataFrame({"year": [1995, 1996, 1997, 1998], "coverage": [0.5, 0.9, 0.95, 0.95],
                         "n_reporting": [1, 2, 3, 3], "n_members": [2, 2, 3, 3],
                         "low_coverage": [True, False, False, False]})
    reporting = {1995: {"AAA"}, 1996: {"AAA", "BBB"}, 1997: {"AAA", "BBB", "CCC"}, 1998: {"AAA", "BBB", "CCC"}}
    notes = group_changes.year_notes(rows, members, reporting, "as_of_year", "G")
    assert set(notes) == {1996, 1997}
    assert notes[1996].startswith("members reporting 1 → 2 of 2; Bland starts reporting; "
                                  "population covered 50% → 90%")
    assert notes[1996].endswith("now two thirds or more")
    assert notes[1997] == "Cland joined G in 1997: counted from then"  # a joiner's first report is its join
    today = group_changes.year_notes(rows, members, {y: {"AAA", "BBB", "CCC"} for y in rows["year"]}, "current", "G")
    assert today == {1996: "members reporting 1 → 2 of 2; population covered 50% → 90%, now two thirds or more"}
    assert group_changes.summary("G", {}, members, 1995, 1998, "current") == \
        "G: today's members in every year, also before Cland (1997) joined."
    assert group_changes.summary("G", notes, members, 1995, 1998, "as_of_year") == \
        "G: Cland joined in 1997; members reporting change in 1996."
    assert group_changes.year_notes(rows.iloc[0:0], members, {}, "as_of_year", "G") == {}


def test_change_notes_travel_with_the_frame_footer_and_subtitle(con):
    frame, spec = bundle(con, replace(BASE, membership="current"))
    asean = frame[frame["code"] == "asean"].set_index("year")
    assert "Indonesia, Malaysia, Philippines, Thailand and Vietnam start reporting" in asean.loc[2005, "change_note"]
    assert asean["change_note"].notna().sum() == 1 and set(asean["membership"]) == {"today's members throughout"}
    fig = build(frame, spec)
    marks = next(t for t in fig.data if t.name == "ASEAN: changes")
    assert list(marks.x) == [2005] and "start reporting" in marks.customdata[0][0]
    assert any("members reporting change in 2005" in line for line in footer_lines(spec))
    assert "today's members throughout" in meta.subtitle(spec, frame)


def test_wide_table_rows_are_series_and_columns_years(con):
    frame, spec = bundle(con, replace(BASE, kind="table"))
    wide = wide_table(frame, spec)
    assert list(wide.columns) == ["Country or group", *[str(y) for y in range(2000, 2021)]]
    assert list(wide["Country or group"]) == ["ASEAN", "Cambodia", "Vietnam"]
    assert wide.set_index("Country or group").loc["Vietnam", "2000"] == "–"  # late reporter: no value, not nan
    assert not {str(v) for v in wide.to_numpy().ravel()} & {"None", "nan", "NaN", "<NA>"}
    table = build(frame, spec).data[0]
    assert table.type == "table" and len(table.header.values) == 1 + MAX_EXPORT_YEARS - 1  # 21 years → every 2nd
    assert table.header.values[-1] == "2020"
    assert not [c for c in readable(frame).columns if "_" in c]


def test_map_marks_no_data_apart_from_not_picked_and_plays(con):
    spec = ChartSpec("SI.POV.DDAY", countries=("JPN", "KHM"), groups=("asean",), year_from=2004, year_to=2012,
                     kind="map", year=2010)
    frame, full = bundle(con, spec)
    assert frame.set_index("code").loc["JPN", "flag"] == "no data from 2005 to 2010"  # picked, no value
    fig = build(frame, full)
    values, no_data = fig.data[0], fig.data[1]
    assert "JPN" not in values.locations and list(no_data.locations) == ["JPN"] and no_data.showlegend
    assert fig.layout.geo.landcolor == "#f2f2f2"  # not picked: light, no legend entry
    timeline = chart_data.map_timeline(con, full)
    assert sorted(timeline["frame_year"].unique()) == list(range(2004, 2013))
    assert list(timeline.columns) == chart_data.TIMELINE_COLUMNS
    played = build_map_timeline(timeline, full)
    assert [f.name for f in played.frames] == [str(y) for y in range(2004, 2013)]
    assert played.layout.sliders[0].steps[played.layout.sliders[0].active].label == "2010"
    zs = [f.data[0].z for f in played.frames]
    assert zs[0] != zs[-1] and played.data[0].zmin == min(min(z) for z in zs if z)
    assert "latest value up to the year shown" in played.layout.annotations[-1].text


def test_small_multiples_one_panel_per_indicator(con):
    spec = replace(BASE, kind="multiples", more_indicators=("SI.POV.DDAY", "DT.ODA.ODAT.PC.ZS"))
    frame, full = bundle(con, spec)
    assert list(frame.columns) == chart_data.SERIES_COLUMNS
    assert set(frame["indicator_code"]) == {STUNT, "SI.POV.DDAY", "DT.ODA.ODAT.PC.ZS"}
    assert [p[0] for p in full.panels] == [STUNT, "SI.POV.DDAY", "DT.ODA.ODAT.PC.ZS"]
    fig = build(frame, full)
    assert len({t.xaxis for t in fig.data}) == 3
    assert sum(1 for t in fig.data if t.showlegend) == 3  # Cambodia, Vietnam, ASEAN: one legend
    assert any(a.name == "footer" for a in fig.layout.annotations)
    mapping = specfile.to_mapping(full.selection())  # a briefing keeps it
    assert mapping["kind"] == "multiples" and mapping["more"] == ["SI.POV.DDAY", "DT.ODA.ODAT.PC.ZS"]
    assert specfile.to_spec(mapping, specfile.Resolver(con)).more_indicators == full.more_indicators


def test_scatter_x_default_overlaps_the_countries_shown(con):
    overlap = chart_data.x_overlap(con, STUNT, ("KHM",), ("asean",), 2010)
    n = dict(zip(overlap["indicator_code"], overlap["n_countries"]))
    assert n["DT.ODA.ODAT.PC.ZS"] == 10 and STUNT not in n
    catalogue = pd.DataFrame({"indicator_code": ["HDR.HDI", "DT.ODA.ODAT.PC.ZS", "SP.POP.TOTL", STUNT],
                              "unit_kind": ["index_0_1", "usd", "count", "percent"]})
    assert compare_url.auto_x(overlap, catalogue, STUNT) == ("HDR.HDI" if n.get("HDR.HDI", 0) >= 8 else
                                                             "DT.ODA.ODAT.PC.ZS")
    none_preferred = pd.DataFrame({"indicator_code": ["SP.POP.TOTL", "DT.ODA.ODAT.PC.ZS"], "n_countries": [13, 10]})
    assert compare_url.auto_x(none_preferred, catalogue, STUNT) == "DT.ODA.ODAT.PC.ZS"  # a rate before a count
    assert compare_url.auto_x(none_preferred.iloc[:1], catalogue, STUNT) == "SP.POP.TOTL"  # a count if nothing else
    assert compare_url.auto_x(none_preferred.iloc[0:0], catalogue, STUNT) is None
