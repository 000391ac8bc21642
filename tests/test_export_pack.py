"""Briefing packs: the PowerPoint file (opened with python-pptx) and the single PDF (read with pypdf)."""

from __future__ import annotations

import io

import duckdb
import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

from dashboard.export import engine, load_chart, pack
from dashboard.figures.common import title_of
from dashboard.figures.spec import ChartSpec

STATUS = engine.status()
needs_chromium = pytest.mark.skipif(not STATUS.available, reason=f"no image engine: {STATUS.reason}")

SPECS = [
    ChartSpec("SP.DYN.LE00.IN", countries=("THA",), groups=("asean",), year_from=1962, year_to=2007),
    ChartSpec("GAPMINDER.GDPPERCAP", groups=("asean_plus_3",), year_from=1952, year_to=2007, kind="bar", year=2007),
    ChartSpec("SP.DYN.LE00.IN", groups=("asean",), year_from=1952, year_to=2007, kind="map", year=2002),
]


@pytest.fixture(scope="module")
def charts(built):
    con = duckdb.connect(str(built.warehouse.resolve()), read_only=True)
    out = [load_chart(con, s) for s in SPECS]
    con.close()
    return out


@pytest.fixture(scope="module")
def deck(charts):
    return Presentation(io.BytesIO(pack.pptx_pack(charts, "ASEAN test briefing")))


def _texts(slide) -> list[str]:
    return [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]


@needs_chromium
def test_slide_count_title_and_sources(deck, charts):
    slides = list(deck.slides)
    assert len(slides) == 1 + len(charts) + 1  # title, one per chart, sources (one source: gapminder)
    assert deck.slide_width * 9 == deck.slide_height * 16  # 16:9
    cover = " ".join(_texts(slides[0]))
    assert "ASEAN test briefing" in cover and "3 charts" in cover and "Generated " in cover
    sources = " ".join(_texts(slides[-1]))
    assert slides[-1].shapes.title.text == "Sources"
    assert "Gapminder Foundation" in sources and "CC BY 4.0" in sources and "https://www.gapminder.org/data/" in sources
    assert "charts 1, 2, 3" in sources


@needs_chromium
def test_chart_slides_have_native_picture_caption_and_notes(deck, charts):
    for slide, chart in zip(list(deck.slides)[1:-1], charts):
        pictures = [sh for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        pic = pictures[0]
        assert pic.image.content_type == "image/png"
        assert Image.open(io.BytesIO(pic.image.blob)).size == (1920, 1080)
        assert pic.width * 9 == pytest.approx(pic.height * 16, rel=1e-3)  # not distorted
        assert title_of(chart.spec) in pic._element.nvPicPr.cNvPr.get("descr")  # alt text
        caption = " ".join(_texts(slide))
        assert "Source: Gapminder Foundation" in caption and "Licence: CC BY 4.0" in caption
        assert "Data vintage" in caption
        if chart.spec.kind != "map":
            assert "members reporting hold" in caption  # group coverage
        notes = slide.notes_slide.notes_text_frame.text
        assert notes.startswith("Definitions:") and chart.meta.definitions[0]["description"] in notes
        assert "Caveats:" in notes and "Sources:" in notes and "Cite: Gapminder Foundation" in notes
    map_notes = list(deck.slides)[3].notes_slide.notes_text_frame.text
    assert "latest value up to 2002" in map_notes  # the caveat of a one-year view


@needs_chromium
def test_pdf_pack_pages(charts):
    reader = PdfReader(io.BytesIO(pack.pdf_pack(charts, "ASEAN test briefing")))
    texts = [p.extract_text() for p in reader.pages]
    assert len(texts) == 1 + len(charts) + 2  # cover, charts, sources, notes
    assert "ASEAN test briefing" in texts[0]
    for text, chart in zip(texts[1:], charts):
        assert chart.spec.indicator_name in text and "Gapminder Foundation" in text
    assert "Sources" in texts[-2] and "CC BY 4.0" in texts[-2]
    assert "definitions and caveats" in texts[-1]
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages}
    assert sizes == {(720, 405)}  # every page the 16:9 slide size (960 × 540 px at 96 dpi)
    assert reader.metadata.title == "ASEAN test briefing"


def test_pack_needs_the_engine(monkeypatch, charts):
    monkeypatch.setenv(engine.ENV, "off")
    with pytest.raises(engine.EngineUnavailable, match="switched off"):
        pack.pptx_pack(charts)
