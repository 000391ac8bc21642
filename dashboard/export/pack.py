"""Briefing packs: several charts as one PowerPoint file (python-pptx) or one PDF.

PowerPoint: a title slide; one slide per chart — the chart as a native picture (PNG from the image engine, with
title, subtitle and footer burned in, alt text set), a caption with source, licence, vintage and coverage, and
speaker notes with definitions, caveats and citations; then the sources slide(s). PDF: the same pages — title,
one vector page per chart, sources and notes as tables — rendered by the same engine and joined with pypdf.
Pure: a list of ``meta.Chart`` in, bytes out. Needs the image engine (raises ``engine.EngineUnavailable``).

Data text is text: in PowerPoint every string is a plain text run (python-pptx escapes it for XML; characters XML
cannot hold are replaced), and the only hyperlinks are source URLs that pass ``etl.urls.safe_http_url`` — any other
URL stays plain text. In the PDF, titles, names and sources are escaped for plotly (``dashboard.figures.markup``).
"""

from __future__ import annotations

import io
import re
from datetime import datetime

import plotly.graph_objects as go
from pptx import Presentation
from pptx.util import Emu, Inches, Pt

from dashboard.export import engine, images, meta
from dashboard.export.meta import Chart
from dashboard.figures.common import title_of
from dashboard.figures.markup import plain, plain_lines
from dashboard.labels import human_date
from etl.urls import safe_http_url

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PDF_MIME = "application/pdf"
SLIDE_W, SLIDE_H = Emu(12192000), Emu(6858000)  # PowerPoint's 16:9 (13.333 × 7.5 in)
MARGIN = Inches(0.4)
CAPTION_H = Inches(0.85)
SOURCES_PER_SLIDE = 5
BLANK, TITLE_ONLY, TITLE_SLIDE = 6, 5, 0
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters an XML attribute cannot hold
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def slide_text(text: object) -> str:
    """Text as a slide shows it: Windows and old-Mac line ends (``\\r\\n``, ``\\r``, common in descriptions that
    came from files) become line breaks, and other control characters are dropped — python-pptx would otherwise
    write them as literal escapes such as ``_x000D_`` into speaker notes and captions."""
    return _NOT_TEXT.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))


def sources_of(charts: list[Chart]) -> list[tuple[dict, list[int]]]:
    """Every source used, once, with the (1-based) numbers of the charts that use it."""
    seen: dict[str, tuple[dict, list[int]]] = {}
    for i, chart in enumerate(charts, start=1):
        for s in chart.meta.sources:
            entry = seen.setdefault(s["source_id"], (s, []))
            if i not in entry[1]:
                entry[1].append(i)
    return list(seen.values())


def source_parts(s: dict, used_by: list[int]) -> tuple[str, str, str]:
    """A source's line as (text before the URL, the URL as the data has it, text after it)."""
    url = (s["url"] or "").strip()
    before = (f"{s['publisher']} — {s['title']}. Licence: {s['licence'] or 'not stated'}. Vintage: "
              f"{s['vintage'] or 'not stated'}. Retrieved {human_date(s['retrieved_at'], blank='unknown')}. ")
    after = (" " if url else "") + f"(chart{'s' if len(used_by) > 1 else ''} {', '.join(map(str, used_by))})"
    return before, url, after


def _cover_lines(charts: list[Chart], generated: datetime | None) -> tuple[str, list[str]]:
    versions = sorted({c.meta.warehouse_version for c in charts if c.meta.warehouse_version})
    stamp = meta.generated_line(generated, ", ".join(versions))
    return stamp, [f"{i}. {title_of(c.spec)} — {meta.subtitle(c.spec, c.frame, c.meta.labels)}"
                   for i, c in enumerate(charts, start=1)]


# --- PowerPoint --------------------------------------------------------------------------------------------------

def _text(frame, lines: list[str], size: int, bold_first: bool = False) -> None:
    frame.word_wrap = True
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.text = slide_text(line)
        para.font.size = Pt(size)
        para.font.bold = bold_first and i == 0


def _place_title(slide, text: str, top: int | None = None, height: int | None = None, size: int = 30) -> None:
    top = Inches(0.35) if top is None else top
    height = Inches(1.0) if height is None else height
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = MARGIN, top, SLIDE_W - 2 * MARGIN, height
    title.text = slide_text(text)
    title.text_frame.paragraphs[0].font.size = Pt(size)


def _chart_slide(prs, chart: Chart, png: bytes, preset: images.Preset, generated: datetime | None, n: int) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[BLANK])
    box_w, box_h = SLIDE_W - 2 * MARGIN, SLIDE_H - 2 * Inches(0.2) - CAPTION_H
    ratio = preset.width / preset.height
    width, height = (box_w, int(box_w / ratio)) if box_w / box_h <= ratio else (int(box_h * ratio), box_h)
    pic = slide.shapes.add_picture(io.BytesIO(png), Emu(int((SLIDE_W - width) / 2)), Inches(0.2), width, height)
    pic.name = f"Chart {n}"
    alt = f"{title_of(chart.spec)}. {meta.subtitle(chart.spec, chart.frame, chart.meta.labels)}"
    pic._element.nvPicPr.cNvPr.set("descr", _NOT_XML.sub("\ufffd", alt))
    cap = slide.shapes.add_textbox(MARGIN, Inches(0.2) + height + Inches(0.08), SLIDE_W - 2 * MARGIN, CAPTION_H)
    cap.name = "Caption"
    _text(cap.text_frame, [meta.caption(chart)], 11)
    slide.notes_slide.notes_text_frame.text = slide_text(meta.notes(chart, generated))


def pptx_pack(charts: list[Chart], title: str = "Human security briefing", generated: datetime | None = None,
              preset: str | images.Preset = "slide") -> bytes:
    """Title slide, one slide per chart, sources slide(s)."""
    generated = generated or meta.now_utc()
    p = images.preset_of(preset)
    pngs = [images.chart_image(c, "png", p, generated) for c in charts]  # fails early, before any layout work
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    stamp, listing = _cover_lines(charts, generated)

    cover = prs.slides.add_slide(prs.slide_layouts[TITLE_SLIDE])
    _place_title(cover, title, top=Inches(2.2), height=Inches(1.4), size=40)
    sub = cover.placeholders[1]
    sub.left, sub.top, sub.width, sub.height = MARGIN, Inches(3.7), SLIDE_W - 2 * MARGIN, Inches(1.6)
    _text(sub.text_frame, [f"{len(charts)} chart{'s' if len(charts) != 1 else ''} · East and Southeast Asia", stamp], 18)
    cover.notes_slide.notes_text_frame.text = slide_text("Charts in this pack:\n" + "\n".join(listing))

    for n, (chart, png) in enumerate(zip(charts, pngs), start=1):
        _chart_slide(prs, chart, png, p, generated, n)

    entries = sources_of(charts)
    chunks = [entries[i:i + SOURCES_PER_SLIDE] for i in range(0, len(entries), SOURCES_PER_SLIDE)] or [[]]
    for k, chunk in enumerate(chunks, start=1):
        slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
        _place_title(slide, "Sources" + (f" ({k}/{len(chunks)})" if len(chunks) > 1 else ""), height=Inches(0.9))
        body = slide.shapes.add_textbox(MARGIN, Inches(1.4), SLIDE_W - 2 * MARGIN, SLIDE_H - Inches(1.8))
        body.name = "Sources"
        _sources(body.text_frame, chunk, [stamp] if k == len(chunks) else [])
        slide.notes_slide.notes_text_frame.text = slide_text("\n\n".join(
            f"{s['publisher'] or s['title']}: {s['citation'] or s['title']}" for s, _ in chunk))
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def _sources(frame, chunk: list[tuple[dict, list[int]]], tail: list[str], size: int = 14) -> None:
    """One paragraph per source; its URL a hyperlink only when ``safe_http_url`` accepts it."""
    if not chunk:
        _text(frame, ["No data source (the charts are empty)."] + tail, size)
        return
    frame.word_wrap = True
    for i, (s, used) in enumerate(chunk):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        before, url, after = source_parts(s, used)
        for text, link in ((before, None), (url, safe_http_url(url)), (after, None)):
            if not text:
                continue
            run = para.add_run()
            run.text = slide_text(text)
            run.font.size = Pt(size)
            if link:
                run.hyperlink.address = link
    for line in tail:
        para = frame.add_paragraph()
        para.text = slide_text(line)
        para.font.size = Pt(size)


# --- PDF ---------------------------------------------------------------------------------------------------------

def _cover_figure(title: str, charts: list[Chart], generated: datetime | None, p: images.Preset) -> go.Figure:
    stamp, listing = _cover_lines(charts, generated)
    fig = go.Figure()
    fig.add_annotation(text=f"<b>{plain(title)}</b>", x=0, y=0.9, xref="paper", yref="paper", xanchor="left",
                       showarrow=False, font={"size": 26})
    fig.add_annotation(text=plain(stamp), x=0, y=0.8, xref="paper", yref="paper", xanchor="left", showarrow=False,
                       font={"size": 13, "color": "#444"})
    wrapped = images.wrap(listing, p.width - 80, 6.4)  # the same wrapping as subtitles
    fig.add_annotation(text=plain_lines(wrapped), x=0, y=0.7, xref="paper", yref="paper", xanchor="left",
                       yanchor="top", align="left", showarrow=False, font={"size": 12})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(template="plotly_white", margin={"l": 40, "r": 40, "t": 40, "b": 40})
    return fig


def _table_figure(heading: str, header: list[str], columns: list[list[str]], widths: list[float],
                  page_width: int) -> go.Figure:
    """A table page; cell text (plain text, lines separated by ``\\n``) wrapped and escaped here (plotly does not
    wrap lines that hold a line break)."""
    usable = page_width - 60
    columns = [[_cell_text(v, usable * w / sum(widths)) for v in col] for col, w in zip(columns, widths)]
    fig = go.Figure(go.Table(
        columnwidth=widths,
        header={"values": [f"<b>{h}</b>" for h in header], "align": "left", "fill": {"color": "#e8edf3"}},
        cells={"values": columns, "align": "left", "font": {"size": 10}, "height": 22},
    ))
    fig.update_layout(title={"text": heading, "x": 0.02}, template="plotly_white",
                      margin={"l": 24, "r": 24, "t": 60, "b": 24})
    return fig


def _cell_text(value: str, width_px: float) -> str:
    """Plain text → plotly text: each line wrapped to ``width_px``, then escaped, joined by ``<br>``."""
    lines = str(value).split("\n")
    return plain_lines(images.wrap(lines, int(width_px - 12), 5.4))


def _pages_of(rows: list[tuple[str, ...]], widths: list[float], p: images.Preset) -> list[list[tuple[str, ...]]]:
    """Rows split into pages by their wrapped height (a table figure does not flow onto a next page)."""
    budget = (p.height - 130) // 13  # text lines that fit under the heading and header row
    usable = p.width - 60
    pages: list[list[tuple[str, ...]]] = [[]]
    used = 0
    for row in rows:
        lines = max(_cell_text(v, usable * w / sum(widths)).count("<br>") + 1 for v, w in zip(row, widths)) + 1
        if pages[-1] and used + lines > budget:
            pages.append([])
            used = 0
        pages[-1].append(row)
        used += lines
    return [page for page in pages if page]


def pdf_pack(charts: list[Chart], title: str = "Human security briefing", generated: datetime | None = None,
             preset: str | images.Preset = "slide") -> bytes:
    """One PDF: cover, one page per chart (vector), sources, notes (definitions and caveats per chart)."""
    from pypdf import PdfReader, PdfWriter

    generated = generated or meta.now_utc()
    p = images.preset_of(preset)

    def pdf(fig: go.Figure) -> bytes:
        return engine.render(fig.to_dict(), "pdf", p.width, p.height)

    pages = [pdf(_cover_figure(title, charts, generated, p))]
    pages += [images.chart_image(c, "pdf", p, generated) for c in charts]
    entries = sources_of(charts)
    for k in range(0, max(len(entries), 1), SOURCES_PER_SLIDE):
        chunk = entries[k:k + SOURCES_PER_SLIDE]
        cols = [[s["publisher"] for s, _ in chunk], [s["title"] for s, _ in chunk], [s["licence"] for s, _ in chunk],
                [f"{s['vintage'] or 'not stated'}; retrieved {human_date(s['retrieved_at'], blank='unknown')}"
                 for s, _ in chunk],
                [s["url"] for s, _ in chunk], [", ".join(map(str, used)) for _, used in chunk]]
        pages.append(pdf(_table_figure("Sources", ["Publisher", "Title", "Licence", "Vintage", "URL", "Charts"],
                                       cols, [2.2, 2.4, 2.2, 1.6, 2.4, 0.8], p.width)))
    rows = [(f"{i}. {title_of(c.spec)}",
             "\n".join(f"{d['name']} ({d['unit'] or 'no unit'}): {d['description']}" for d in c.meta.definitions),
             "\n".join(meta.caveats(c)) or "–") for i, c in enumerate(charts, start=1)]
    widths = [1.6, 3, 3]
    for chunk in _pages_of(rows, widths, p):
        pages.append(pdf(_table_figure("Notes: definitions and caveats", ["Chart", "Definitions", "Caveats"],
                                       [list(col) for col in zip(*chunk)], widths, p.width)))
    writer = PdfWriter()
    for page in pages:
        for pg in PdfReader(io.BytesIO(page)).pages:
            writer.add_page(pg)
    writer.add_metadata({"/Title": title, "/Producer": "hsdash", "/Subject": meta.generated_line(generated)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
