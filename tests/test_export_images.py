"""PNG / SVG / PDF / HTML exports of real charts: size presets, burned-in title, subtitle and sources, offline maps,
the warm engine under concurrent use, and what happens without Chromium."""

from __future__ import annotations

import io
import json
import re
import threading

import duckdb
import pytest
from PIL import Image
from pypdf import PdfReader

from dashboard.export import engine, html, images, load_chart
from dashboard.figures.spec import ChartSpec

STATUS = engine.status()
needs_chromium = pytest.mark.skipif(not STATUS.available, reason=f"no image engine: {STATUS.reason}")

LINE = ChartSpec("SP.DYN.LE00.IN", countries=("THA",), groups=("asean",), year_from=1962, year_to=2007)
MAP = ChartSpec("SP.DYN.LE00.IN", groups=("asean",), year_from=1952, year_to=2007, kind="map", year=2007)


@pytest.fixture(scope="module")
def charts(built):
    con = duckdb.connect(str(built.warehouse.resolve()), read_only=True)
    out = {"line": load_chart(con, LINE), "map": load_chart(con, MAP)}
    con.close()
    return out


def _svg_text(svg: bytes) -> str:
    """The SVG's visible text (plotly writes each line as its own <text>/<tspan>), entities decoded."""
    text = " ".join(re.findall(r">([^<>]+)<", svg.decode("utf-8")))
    return text.replace("&amp;", "&").replace("&#39;", "'").replace("&quot;", '"')


@needs_chromium
@pytest.mark.parametrize("preset", sorted(images.PRESETS))
def test_png_has_the_preset_size(charts, preset):
    png = images.chart_image(charts["line"], "png", preset)
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG"
    assert img.size == images.PRESETS[preset].png_size
    assert len(img.getcolors(1 << 20) or range(1000)) > 50  # a drawn chart, not a blank page


@needs_chromium
def test_svg_carries_title_subtitle_sources_and_generation_date(charts):
    chart = charts["line"]
    svg = images.chart_image(chart, "svg", "slide")
    text = _svg_text(svg)
    assert "Life expectancy at birth, total (years)" in text  # title
    assert "Thailand" in text and "ASEAN" in text and "1962–2007" in text  # subtitle: who and when
    assert "population-weighted mean" in text  # subtitle: how group values are formed
    assert "Source: Gapminder Foundation" in text and "Licence: CC BY 4.0" in text
    assert "Data vintage: plotly" in text and "retrieved " in text
    assert "members reporting hold" in text  # the group's coverage
    assert re.search(r"Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC by hsdash from warehouse ", text)
    width = re.search(rb'<svg[^>]*width="(\d+)"', svg)
    assert width and int(width[1]) == images.PRESETS["slide"].width


@needs_chromium
def test_pdf_is_one_page_of_the_preset_size_with_the_footer(charts):
    pdf = images.chart_image(charts["line"], "pdf", "half_a4")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    mm = 25.4 / 72  # PDF points → mm: half A4 landscape is 210 × 148.5 mm
    assert float(box.width) * mm == pytest.approx(210, abs=1) and float(box.height) * mm == pytest.approx(148.5, abs=1)
    text = reader.pages[0].extract_text()
    assert "Life expectancy at birth" in text and "Gapminder Foundation" in text and "CC BY 4.0" in text


@needs_chromium
def test_map_draws_offline_from_the_local_topojson(charts):
    chart = charts["map"]
    svg = images.chart_image(chart, "svg", "square").decode("utf-8")
    shaded = re.findall(r'class="choroplethlocation"[^>]* d="M', svg)
    world = json.loads((engine.TOPOJSON_DIR / "world_110m.json").read_text(encoding="utf-8"))
    on_map = {g.get("id") for g in world["objects"]["countries"]["geometries"]}
    expected = set(chart.frame.loc[chart.frame["value"].notna(), "code"]) & on_map  # 110m drops Singapore
    missing = set(chart.frame.loc[chart.frame["value"].isna(), "code"]) & on_map  # picked, no value: "no data"
    grey = re.findall(r'class="choroplethlocation"[^>]* fill="rgb\(176, 176, 176\)"', svg)
    assert len(expected) >= 7 and len(shaded) == len(expected) + len(missing)  # every member drawn, with geometry
    assert len(grey) == len(missing)  # those without a value in the "no data" grey
    assert engine.TOPOJSON_URL.startswith("file://") and "cdn" not in engine.TOPOJSON_URL


@needs_chromium
def test_the_warm_engine_serves_concurrent_exports(charts):
    """Streamlit sessions export from several threads at once: every caller gets its own, complete image."""
    results: dict[int, bytes] = {}
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            results[i] = images.chart_image(charts["line" if i % 2 else "map"], "png", "square")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors and len(results) == 4
    assert engine.running()
    for png in results.values():
        assert Image.open(io.BytesIO(png)).size == images.PRESETS["square"].png_size
    assert results[0] != results[1]  # the map and the line chart, not one answer handed to both


def test_html_opens_offline_and_carries_the_footer(charts):
    page = html.chart_html(charts["map"]).decode("utf-8")
    assert not re.search(r"<script[^>]+src=\"https?://", page)  # nothing loaded from the network
    assert "window.PlotlyGeoAssets" in page and '"world_110m"' in page  # the map's geometry is inline
    assert "Gapminder Foundation" in page and "Generated " in page


# --- without Chromium --------------------------------------------------------------------------------------------

def test_without_chromium_the_reason_says_how_to_enable(monkeypatch, charts):
    monkeypatch.setenv(engine.ENV, "/nonexistent/chromium")
    state = engine.status()
    assert not state.available
    assert "/nonexistent/chromium" in state.reason and "apt-get install chromium" in state.reason
    assert "CSV, XLSX and HTML" in state.reason
    with pytest.raises(engine.EngineUnavailable, match="apt-get install chromium"):
        images.chart_image(charts["line"], "png")
    monkeypatch.setenv(engine.ENV, "off")
    assert "switched off" in engine.status().reason
    assert b"Gapminder Foundation" in html.chart_html(charts["line"])  # HTML still works


def test_no_browser_found(monkeypatch):
    from choreographer.browsers.chromium import Chromium

    monkeypatch.delenv(engine.ENV, raising=False)
    monkeypatch.setattr(Chromium, "find_browser", classmethod(lambda cls, **kw: None))
    state = engine.status()
    assert not state.available and "No Chrome or Chromium browser was found" in state.reason
