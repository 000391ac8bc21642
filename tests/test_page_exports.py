"""Exports of the pages' own charts: the Trust Fund counts, aid flows, the paper's figures and the coverage heat strip
survive a briefing's reload (the spec file keeps them, with their names); speaker notes and captions carry no
``_x000D_`` from text with Windows line ends; briefing subtitles name the two UN regions apart."""

from __future__ import annotations

import io
from dataclasses import replace

import duckdb
import pytest
from pptx import Presentation

from dashboard import briefing_store
from dashboard.chart_data import ODA_FLOW, TFHS_PROJECTS
from dashboard.export import engine, load_chart, meta, pack, specfile
from dashboard.figures import ChartSpec

needs_chromium = pytest.mark.skipif(not engine.status().available, reason="no image engine")

PAGE_CHARTS = [
    ChartSpec(TFHS_PROJECTS, indicator_name="Trust Fund for Human Security projects", unit="projects", kind="counts"),
    ChartSpec(ODA_FLOW, indicator_name="Net ODA disbursements", unit="US$", countries=("JPN", "KOR"),
              groups=("asean",), year_from=2005, year_to=2020, kind="sankey"),
    ChartSpec(ODA_FLOW, indicator_name="Net ODA disbursements", unit="US$", countries=("JPN",), groups=("asean",),
              year_from=2005, year_to=2020, kind="line"),
    ChartSpec("JME.STUNTED_NUMBER", countries=("KHM", "LAO", "VNM"), year_from=1990, year_to=2016, kind="coverage"),
    ChartSpec("SOH2008.ODA_PROVIDED_USD_M", countries=("KOR",), source_id="paper", year_from=2005, year_to=2006),
]


@pytest.fixture()
def con(built):
    c = duckdb.connect(str(built.warehouse.resolve()), read_only=True)
    yield c
    c.close()


def test_the_pages_charts_survive_a_briefing_reload(built, con, tmp_path):
    specs = [s.selection() for s in PAGE_CHARTS]
    briefing = briefing_store.new_id()
    briefing_store.save(tmp_path, briefing, specs, "Pages")
    stored = briefing_store.load(tmp_path, briefing, con)
    assert stored.problems == [] and stored.specs == specs  # equal selections: "In the briefing" after a reload


@pytest.mark.parametrize("chart, why", [
    ({"indicator": TFHS_PROJECTS, "kind": "line"}, "drawn as counts"),
    ({"indicator": ODA_FLOW, "kind": "sankey", "groups": ["ASEAN"]}, "need donors"),
    ({"indicator": ODA_FLOW, "kind": "map", "countries": ["JPN"], "groups": ["ASEAN"]}, "sankey or line"),
])
def test_page_charts_refuse_what_they_cannot_draw(con, chart, why):
    with pytest.raises(specfile.SpecError, match=why):
        specfile.to_spec(specfile.normalise(chart), specfile.Resolver(con))


def test_the_page_charts_load_with_their_names_and_data(con):
    counts = load_chart(con, PAGE_CHARTS[0].selection())
    assert counts.spec.indicator_name == "Trust Fund for Human Security projects"
    assert counts.frame["projects"].max() == 139
    paper = load_chart(con, PAGE_CHARTS[4].selection())
    assert dict(zip(paper.frame["year"], paper.frame["value"])) == {2005: 750.0, 2006: 450.0}
    assert any("Waseda" in p for p in paper.spec.publishers)


def test_subtitles_name_the_two_un_regions_apart(con):
    chart = load_chart(con, ChartSpec("SN.ITK.DEFC.ZS", groups=("east_asia", "southeast_asia"), year_from=2000,
                                      year_to=2015))
    sub = meta.subtitle(chart.spec, chart.frame, chart.meta.labels)
    assert "Eastern Asia (UN M49)" in sub and "South-eastern Asia (UN M49)" in sub
    asean = load_chart(con, ChartSpec("SN.ITK.DEFC.ZS", groups=("asean", "arf_soh2008"), year_from=2000, year_to=2015))
    sub = meta.subtitle(asean.spec, asean.frame, asean.meta.labels)
    assert sub.split(" · ")[1].startswith("ASEAN, ARF participants as listed in Soh (2008)")  # not "2008"


@pytest.mark.parametrize("text, slide", [
    ("one\r\ntwo", "one\ntwo"), ("one\rtwo", "one\ntwo"), ("bell\x07 and\x0b tab\tkept", "bell and tab\tkept"),
])
def test_slide_text_turns_line_ends_into_breaks_and_drops_controls(text, slide):
    assert pack.slide_text(text) == slide


@needs_chromium
def test_speaker_notes_and_captions_carry_no_x000d(con):
    chart = load_chart(con, ChartSpec("SN.ITK.DEFC.ZS", groups=("asean",), year_from=2000, year_to=2015))
    crlf = tuple({**d, "description": "First line of a file's description.\r\nSecond line."}
                 for d in chart.meta.definitions)
    chart = replace(chart, meta=replace(chart.meta, definitions=crlf))
    deck = Presentation(io.BytesIO(pack.pptx_pack([chart], "Line ends\r\ntest")))
    for slide in deck.slides:
        xml = slide.notes_slide.notes_text_frame._txBody.xml
        texts = " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
        assert "_x000D_" not in xml and "_x000D_" not in texts
    notes = deck.slides[1].notes_slide.notes_text_frame.text
    assert "First line of a file's description.\nSecond line." in notes
