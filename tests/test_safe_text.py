"""Issue 12: strings from files and APIs are TEXT in every figure and export — never markup, never a link.

Figures and exports are built from the hostile-labelled warehouse (``hostile_data``: real numbers, SYNTHETIC labels
such as ``<a href="https://evil.example">World Bank</a>``) and checked where it matters: the figure JSON holds only our
own tags (``<b>``, ``<br>``, ``<extra>``) and shows every hostile label literally once plotly decodes it; the HTML
export has no link or image element, and in a real Chromium the rendered chart has none either; SVG and PDF images
show the labels as typed and hold no link; PowerPoint links only URLs that pass ``safe_http_url``.
"""

from __future__ import annotations

import html
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from pptx import Presentation
from pypdf import PdfReader

from dashboard.export import engine, images, load_chart, pack
from dashboard.export import html as html_export
from dashboard.export.meta import ChartMeta
from dashboard.figures import ChartSpec, build
from dashboard.figures.common import title_of
from dashboard.figures.markup import plain, plain_lines, template_text
from dashboard.figures.progress import progress_figure
from etl.urls import safe_http_url
from hostile_data import (COUNTRIES, DDE, FORMULA, HOSTILE, IMG, INDICATOR, LINK, MD_IMAGE, SCRIPT_URL, TEMPLATE,
                          hostile)  # noqa: F401  (fixture)

STATUS = engine.status()
needs_chromium = pytest.mark.skipif(not STATUS.available, reason=f"no image engine: {STATUS.reason}")
OUR_TAGS = {"<b>", "</b>", "<br>", "<extra>", "</extra>"}
TAG = re.compile(r"<[^<>]*>")
MEMBERS = tuple(COUNTRIES)
SPECS = {
    "line": ChartSpec(INDICATOR, countries=MEMBERS, groups=("asean",), year_from=1990, year_to=2007),
    "bar": ChartSpec(INDICATOR, countries=MEMBERS, groups=("asean",), year_from=1990, year_to=2007, kind="bar",
                     year=2007),
    "map": ChartSpec(INDICATOR, countries=MEMBERS, year_from=1990, year_to=2007, kind="map", year=2007),
    "scatter": ChartSpec(INDICATOR, countries=MEMBERS, year_from=1990, year_to=2007, kind="scatter", year=2007,
                         x_indicator_code="GAPMINDER.GDPPERCAP"),
    "table": ChartSpec(INDICATOR, countries=MEMBERS, groups=("asean",), year_from=2002, year_to=2007, kind="table"),
}


@pytest.fixture(scope="module")
def charts(hostile):  # noqa: F811
    con = duckdb.connect(str(hostile.warehouse.resolve()), read_only=True)
    try:
        return {kind: load_chart(con, spec) for kind, spec in SPECS.items()}
    finally:
        con.close()


def strings(obj):
    """Every string in a JSON-like structure."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from strings(v)


def foreign_tags(texts) -> set[str]:
    """Tags plotly would interpret that are not our own formatting."""
    return {t for s in texts for t in TAG.findall(s)} - OUR_TAGS


def shown(texts) -> str:
    """What plotly displays: our tags removed, then entities decoded; whitespace normalised (wrapping)."""
    return " ".join(" ".join(html.unescape(TAG.sub(" ", s)) for s in texts).split())


def assert_text_only(figure_json: dict, expected: tuple[str, ...]) -> None:
    texts = list(strings(figure_json))
    assert foreign_tags(texts) == set()
    visible = shown(texts)
    for label in expected:
        assert " ".join(label.split()) in visible, label


# --- the escaping function ----------------------------------------------------------------------------------------

def test_plain_escapes_exactly_what_plotly_reads_as_markup():
    assert plain(LINK) == '&lt;a href="https://evil.example"&gt;World Bank&lt;/a&gt;'
    assert plain("&lt;b&gt;") == "&amp;lt;b&amp;gt;"  # ready-made entities stay as typed
    assert plain(MD_IMAGE) == MD_IMAGE and plain(FORMULA) == FORMULA  # nothing plotly would interpret
    assert plain(None) == "" and plain(2007) == "2007"
    assert plain_lines(["a<b", "c&d"]) == "a&lt;b<br>c&amp;d"
    assert template_text("50 %{y}") == "50 &#37;{y}"
    for label in HOSTILE:
        assert html.unescape(plain(label)) == label and not TAG.search(plain(label))


# --- every builder --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(SPECS))
def test_builders_show_hostile_labels_as_text(charts, kind):
    chart = charts[kind]
    assert not chart.frame.empty and set(COUNTRIES.values()) & set(chart.frame["name"])
    fig = build(chart.frame, chart.spec)
    expected = (LINK, IMG, SCRIPT_URL)  # publisher, licence, vintage (footer); the title names IMG and LINK too
    if kind in ("line", "bar", "table"):
        expected += (DDE, FORMULA, MD_IMAGE, TEMPLATE)  # group and member names
    assert_text_only(json.loads(fig.to_json()), expected)
    assert html.unescape(fig.layout.title.text) == title_of(chart.spec)
    assert title_of(chart.spec).startswith("Life expectancy <img")


def test_line_traces_and_hover_keep_names_and_flags_literal(charts):
    fig = build(charts["line"].frame, charts["line"].spec)
    names = {html.unescape(t.name) for t in fig.data if t.showlegend is not False}
    assert set(COUNTRIES.values()) | {DDE} <= names
    tha = next(t for t in fig.data if html.unescape(t.name) == LINK)
    assert any(html.unescape(str(c[1])) == "-2+3 " + LINK for c in tha.customdata)  # the flag, escaped once


def test_data_written_into_a_hover_template_names_no_variable(charts):
    """The bar chart writes a group's name into its hovertemplate: ``%{…}`` in the name must not be substituted."""
    chart = charts["bar"]
    frame = chart.frame.assign(name=chart.frame["name"].where(chart.frame["series_kind"] != "group", TEMPLATE))
    fig = build(frame, chart.spec)
    group = next(t for t in fig.data if t.name and html.unescape(t.name) == TEMPLATE)
    assert "%{customdata" not in group.hovertemplate and "&amp;amp;" in group.hovertemplate
    assert html.unescape(group.hovertemplate).startswith(f"<b>{TEMPLATE}</b>")


def test_sankey_counts_and_progress_figures():
    sankey = pd.DataFrame({"donor": ["AAA", "BBB"], "donor_name": [LINK, DDE], "recipient": ["CCC", "DDD"],
                           "recipient_name": [IMG, TEMPLATE], "amount_usd": [1e6, 2e6], "measure": "206",
                           "price_basis": "constant", "source_id": "synthetic"})  # SYNTHETIC
    fig = build(sankey, ChartSpec("SYNTHETIC.ODA", kind="sankey", publishers=(LINK,), licences=(IMG,)))
    assert_text_only(json.loads(fig.to_json()), (LINK, DDE, IMG, TEMPLATE))
    assert [html.unescape(n) for n in fig.data[0].node.label] == [LINK, DDE, TEMPLATE, IMG]

    counts = pd.DataFrame({"series": [LINK, LINK], "region": [IMG, "Southeast Asia"], "category": [FORMULA, "health"],
                           "projects": [3, 4], "source_id": "synthetic"})  # SYNTHETIC
    fig = build(counts, ChartSpec("SYNTHETIC.TFHS", kind="counts", notes=(MD_IMAGE,)))
    assert_text_only(json.loads(fig.to_json()), (LINK, IMG, FORMULA, MD_IMAGE))

    frame = pd.DataFrame({"year": [2015, 2020], "observed": [50.0, 40.0], "required": [50.0, 45.0],
                          "projected": [50.0, 40.0]})  # SYNTHETIC
    row = {"band": "on_track", "baseline_year": 2015, "baseline_value": 50.0, "latest_year": 2020,
           "latest_value": 40.0, "target_year": 2030, "target_value": 25.0, "source_id": LINK,
           "indicator_code": IMG}
    fig = progress_figure(frame, row, title=f"{LINK}: {DDE}", unit=TEMPLATE)
    assert_text_only(json.loads(fig.to_json()), (f"{LINK}: {DDE}", TEMPLATE, f"Source: {LINK} · indicator {IMG}"))


def test_empty_figure_message_and_spec_title_are_text():
    spec = ChartSpec(INDICATOR, countries=("THA",), title=LINK, publishers=(IMG,))
    fig = build(pd.DataFrame(columns=["name", "value", "series_kind", "year"]), spec)
    assert_text_only(json.loads(fig.to_json()), (LINK, IMG))


# --- exports --------------------------------------------------------------------------------------------------------

def test_export_figure_subtitle_and_footer_are_text(charts):
    chart = charts["line"]
    fig = images.export_figure(chart, "slide")
    assert_text_only(json.loads(fig.to_json()), HOSTILE)
    subtitle = html.unescape(TAG.sub(" ", fig.layout.title.subtitle.text))
    assert DDE in subtitle and "Source" not in subtitle
    footer = next(a for a in fig.layout.annotations if a.name == "footer")
    assert f"Source: {LINK}" in shown([footer.text]) and f"Licence: {IMG}" in shown([footer.text])


class _Elements(HTMLParser):
    """Start tags of an HTML page (script and style contents are text to this parser)."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def _plotly_args(page: str) -> list:
    """The JSON arguments of ``Plotly.newPlot(id, data, layout, config)`` in an exported page."""
    start = page.index("Plotly.newPlot(") + len("Plotly.newPlot(")
    decoder, args, i = json.JSONDecoder(), [], start
    for _ in range(4):
        while page[i] in " \n\r\t,":
            i += 1
        value, i = decoder.raw_decode(page, i)
        args.append(value)
    return args


@pytest.mark.parametrize("kind", ["line", "bar", "map"])
def test_html_export_has_no_link_or_image_from_data(charts, kind):
    chart = charts[kind]
    page = html_export.chart_html(chart).decode("utf-8")
    parser = _Elements()
    parser.feed(page)
    assert {tag for tag, _ in parser.tags} <= {"html", "head", "meta", "title", "style", "body", "div", "script"}
    assert not [a for _, attrs in parser.tags for a in attrs.values() if a and "evil.example" in a]
    assert parser.title == title_of(chart.spec)  # the tab shows the literal title
    _id, data, layout, _config = _plotly_args(page)
    assert_text_only({"data": data, "layout": layout}, (LINK, IMG, SCRIPT_URL))


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium not installed")
def test_html_export_in_chromium_renders_labels_as_text(charts, tmp_path):
    """plotly.js itself: the rendered chart has no <a>, no <img>, asks no outside host, and shows the labels."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from streamlit_app import ARGS, CHROMIUM

    chart = charts["line"]
    out = tmp_path / "chart.html"
    out.write_bytes(html_export.chart_html(chart))
    requests: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(out.as_uri())
            page.wait_for_selector(".js-plotly-plot .gtitle", timeout=30_000)
            found = page.evaluate("""() => ({
                links: [...document.querySelectorAll('.js-plotly-plot a')].map(a => a.getAttribute('href')
                        || a.getAttribute('xlink:href')).filter(h => h !== null),
                images: document.querySelectorAll('img, svg image').length,
                title: document.querySelector('.gtitle').textContent,
                legend: [...document.querySelectorAll('.legendtext')].map(e => e.textContent),
                footer: [...document.querySelectorAll('.annotation-text')].map(e => e.textContent).join(' '),
                tab: document.title})""")
        finally:
            browser.close()
    assert found["links"] == [] and found["images"] == 0
    assert found["title"] == title_of(chart.spec) and found["tab"] == title_of(chart.spec)
    assert set(COUNTRIES.values()) | {DDE} <= set(found["legend"])
    assert f"Source: {LINK}" in " ".join(found["footer"].split())
    assert not [u for u in requests if "evil.example" in u or u.endswith("/x")]


@needs_chromium
def test_svg_and_pdf_images_show_labels_as_typed(charts):
    chart = charts["bar"]
    svg = ET.fromstring(images.chart_image(chart, "svg", "slide"))
    tags = {el.tag.rsplit("}", 1)[-1] for el in svg.iter()}
    assert "a" not in tags and "image" not in tags
    assert not [v for el in svg.iter() for v in el.attrib.values() if "evil.example" in v]
    text = " ".join(" ".join(el.itertext()) for el in svg.iter() if el.tag.endswith("}text"))
    visible = " ".join(text.split())
    assert title_of(chart.spec) in visible and f"Source: {LINK}" in visible and DDE in visible

    # a PDF keeps no link from an SVG anyway (kaleido prints an image); what can go wrong is the text: shown as typed
    pdf = PdfReader(io.BytesIO(images.chart_image(chart, "pdf", "slide")))
    assert title_of(chart.spec) in " ".join(pdf.pages[0].extract_text().split())


@needs_chromium
def test_pptx_pack_is_plain_text_and_links_only_safe_urls(charts):
    good = "https://www.gapminder.org/data/"
    sources = ({"source_id": "a", "publisher": LINK, "title": MD_IMAGE, "licence": IMG, "citation": FORMULA,
                "vintage": "v1", "retrieved_at": "2026-01-01", "url": SCRIPT_URL},
               {"source_id": "b", "publisher": "World Bank", "title": "WDI", "licence": "CC BY 4.0", "citation": "",
                "vintage": "", "retrieved_at": "2026-01-01", "url": "https://worldbank.org@evil.example/"},
               {"source_id": "c", "publisher": "Gapminder", "title": "x", "licence": "CC BY 4.0", "citation": "",
                "vintage": "", "retrieved_at": "2026-01-01", "url": good})
    base = charts["line"]
    chart = replace(base, meta=ChartMeta(base.meta.definitions, sources, "hostile-1", base.meta.labels),
                    spec=replace(base.spec, title=LINK + "\x01"))
    deck = Presentation(io.BytesIO(pack.pptx_pack([chart], title=IMG)))
    links = [r.hyperlink.address for s in deck.slides for sh in s.shapes if sh.has_text_frame
             for p in sh.text_frame.paragraphs for r in p.runs if r.hyperlink.address]
    external = [rel.target_ref for s in deck.slides for rel in s.part.rels.values() if rel.is_external]
    assert links == [good] and external == [good]
    text = "\n".join(sh.text_frame.text for s in deck.slides for sh in s.shapes if sh.has_text_frame)
    for label in (LINK, MD_IMAGE, IMG, SCRIPT_URL, "https://worldbank.org@evil.example/"):
        assert label in text  # shown as typed, as text
    notes = "\n".join(s.notes_slide.notes_text_frame.text for s in deck.slides)
    assert f"{LINK}: {FORMULA}" in notes and f"• {LINK}: {MD_IMAGE}" in notes  # citation; publisher and title


@needs_chromium
def test_pdf_pack_shows_titles_and_sources_as_typed(charts):
    pdf = PdfReader(io.BytesIO(pack.pdf_pack([charts["line"], charts["bar"]], title=LINK)))
    cover = " ".join(pdf.pages[0].extract_text().split())
    assert cover.startswith(LINK) and f"1. {title_of(charts['line'].spec)}" in cover
    sources = " ".join(pdf.pages[3].extract_text().split())  # cover, two charts, then sources
    assert IMG in sources and SCRIPT_URL in sources and "<a href=\"https://evil.example" in sources  # (cells wrap)


# --- which URLs may become links ------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "https://databank.worldbank.org/source/world-development-indicators", "http://hdr.undp.org/data?x=1#y",
    "https://sdmx.oecd.org:443/public/rest/data/OECD.DCD.FSD,DSD_DAC2@DF_DAC2A,", "https://[2001:db8::1]/x",
    "https://en.wikipedia.org/wiki/ASEAN_(disambiguation)", "HTTPS://EXAMPLE.ORG/%3Cb%3E"])
def test_safe_http_url_accepts_plain_http_urls(url):
    assert safe_http_url(url) == url and safe_http_url(f"  {url}\n") == url


@pytest.mark.parametrize("url", [
    SCRIPT_URL, "JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>", "ftp://example.org/x",
    "file:///etc/passwd", "//evil.example/x", "https:evil.example", "https:/evil.example", "https://",
    "https://user:pw@example.org/", "https://worldbank.org@evil.example/", "https://example.org\\@evil.example",
    "https://exa mple.org", "https://example.org/a b", "https://example.org/\x00", "https://example.org/\u202ephp",
    "https://exаmple.org/", "https://example.org/<img>", 'https://example.org/"onmouseover="x',
    "https://example.org:99999/", "https://example.org:x/", "https://-bad-.org/", "https://example.org/%zz",
    "https://" + "a" * 2050 + ".org", "", None, 42])
def test_safe_http_url_refuses_everything_else(url):
    assert safe_http_url(url) is None
