"""Briefing exports: a chart leaves the dashboard with everything a reader needs to trust it.

Pure builders (chart in, bytes out; no Streamlit, no HTTP), shared by the dashboard's export panel, the Briefing
page and ``hsdash export``:

* ``meta``    — ``load_chart(con, spec)``: the chart's rows, labelled spec and metadata; subtitle, caption, notes
* ``images``  — PNG / SVG / PDF with title, subtitle and footer burned in; size presets (``PRESETS``)
* ``engine``  — kaleido + system Chromium: one warm server, a lock, ``status()`` with a human reason
* ``tables``  — CSV and XLSX (with a metadata sheet) through ``etl.writers``, text cells neutralised against
  formula injection
* ``html``    — a self-contained interactive HTML file (works without Chromium)
* ``pack``    — the briefing pack as PowerPoint or one PDF
* ``naming``  — file names that say what the export is (``stunting_ASEAN_2000-2022.png``)
* ``files``   — where ``hsdash export`` may write, and atomic writes
* ``specfile`` — chart specs from command-line options and (bounded, checked) JSON/TOML spec files

Data text (names, publishers, descriptions) is text in every format: escaped for plotly in images and HTML
(``dashboard.figures.markup``), plain runs in PowerPoint, neutralised cells in CSV/XLSX (``etl.writers``).
"""

from __future__ import annotations

from dashboard.export.engine import EngineUnavailable, status
from dashboard.export.images import DEFAULT_PRESET, PRESETS
from dashboard.export.meta import Chart, load_chart

FORMATS = ("png", "svg", "pdf", "csv", "xlsx", "html", "pptx")
PACK_FORMATS = ("pptx", "pdf")

__all__ = ["Chart", "DEFAULT_PRESET", "EngineUnavailable", "FORMATS", "PACK_FORMATS", "PRESETS", "chart_bytes",
           "load_chart", "mime", "status"]


def mime(fmt: str) -> str:
    from dashboard.export import html, images, pack, tables

    return {**images.MIME, "csv": tables.CSV_MIME, "xlsx": tables.XLSX_MIME, "html": html.MIME,
            "pptx": pack.PPTX_MIME}[fmt]


def chart_bytes(chart: Chart, fmt: str, preset: str = DEFAULT_PRESET, generated=None) -> bytes:
    """One chart in any single-chart format (``pptx``: a pack of this one chart)."""
    from dashboard.export import html, images, pack, tables

    if fmt in ("png", "svg", "pdf"):
        return images.chart_image(chart, fmt, preset, generated)
    if fmt == "csv":
        return tables.to_csv(chart.frame)
    if fmt == "xlsx":
        return tables.to_xlsx(chart, generated)
    if fmt == "html":
        return html.chart_html(chart, generated)
    if fmt == "pptx":
        return pack.pptx_pack([chart], generated=generated, preset=preset)
    raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
