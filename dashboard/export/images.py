"""Chart images that carry their own credentials: PNG, SVG and PDF in three size presets.

``export_figure(chart)`` takes the dashboard's own figure (``dashboard.figures.build``) and burns in what a chart
needs once it leaves the dashboard: the title, a subtitle (unit, countries/groups, years, weighting) and the shared
footer (``dashboard.figures.footer.footer_lines``: publishers, licences, vintage and retrieval date, group
coverage, notes) plus the generation date, re-wrapped for the preset's width. ``chart_image`` renders that with the
warm kaleido engine (``dashboard.export.engine``). Pure: chart in, bytes out. The subtitle and footer are data
text (names, publishers, licences): wrapped as plain text, then each line escaped (``markup.plain_lines``), so the
image shows them as text — and links or images named in them are never made.
"""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass
from datetime import datetime

import plotly.graph_objects as go

from dashboard.export import engine, meta
from dashboard.export.meta import Chart
from dashboard.figures import build
from dashboard.figures.footer import LINE_PX, footer_lines
from dashboard.figures.markup import plain_lines

MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
FOOTER_CHAR_PX = 5.6  # average width of a 10 px footer character
SUBTITLE_CHAR_PX = 6.4  # … of a 12 px subtitle character


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    width: int  # layout pixels (CSS px; PDF pages are these at 96 px per inch)
    height: int
    scale: float  # PNG pixels per layout pixel
    short: str = ""  # what a narrow picker shows ("Half A4"); ``label`` says it in full

    @property
    def short_label(self) -> str:
        return self.short or self.label

    @property
    def png_size(self) -> tuple[int, int]:
        return round(self.width * self.scale), round(self.height * self.scale)


PRESETS = {
    "slide": Preset("slide", "16:9 slide (1920×1080 PNG)", 960, 540, 2, "16:9 slide"),
    "half_a4": Preset("half_a4", "half A4 page, landscape (210×148.5 mm)", 794, 561, 2, "Half A4"),
    "square": Preset("square", "square (1440×1440 PNG)", 720, 720, 2, "Square"),
}
DEFAULT_PRESET = "slide"


def preset_of(name: str | Preset) -> Preset:
    if isinstance(name, Preset):
        return name
    try:
        return PRESETS[name.replace("-", "_").lower()]
    except KeyError:
        raise ValueError(f"unknown size preset {name!r}; choose from {', '.join(PRESETS)}") from None


def wrap(lines: list[str], width_px: int, char_px: float) -> list[str]:
    """Lines word-wrapped to fit ``width_px`` at an average ``char_px`` per character."""
    chars = max(12, int(width_px / char_px))
    return [w for line in lines for w in (textwrap.wrap(line, chars) or [""])]


def footer_for(chart: Chart, width_px: int, generated: datetime | None = None) -> list[str]:
    """The footer's lines for an export of this width: the dashboard's footer plus the generation stamp."""
    lines = footer_lines(chart.spec) + [meta.generated_line(generated, chart.meta.warehouse_version)]
    return wrap(lines, width_px, FOOTER_CHAR_PX)


def export_figure(chart: Chart, preset: str | Preset | None = DEFAULT_PRESET, generated: datetime | None = None,
                  figure: go.Figure | None = None) -> go.Figure:
    """The chart's figure laid out for export at ``preset`` (``None``: responsive width, for HTML)."""
    p = preset_of(preset) if preset is not None else None
    fig = go.Figure(figure if figure is not None else build(chart.frame, chart.spec))
    width = p.width if p else 1100
    left = _left_px(fig)
    right = 70 if _outside_bar_text(fig) else EDGE
    sub = wrap([meta.subtitle(chart.spec, chart.frame, chart.meta.labels)], width - 2 * EDGE, SUBTITLE_CHAR_PX)
    footer = footer_for(chart, width - 2 * EDGE, generated)
    ann = next((a for a in fig.layout.annotations if a.name == "footer"), None)
    axis_px = (-int(ann.yshift or 0) if ann is not None else 40) + 6  # a little air under an axis title
    if ann is None:
        ann = go.layout.Annotation(name="footer", showarrow=False, xref="paper", yref="paper", x=0, y=0,
                                   yanchor="top", yshift=-axis_px, font={"size": 10, "color": "#555"})
        fig.add_annotation(ann)
        ann = fig.layout.annotations[-1]
    # the footer starts at the image's left edge, not the plot's: shift it left by the plot's left margin
    ann.update(text=plain_lines(footer), x=0, xanchor="left", align="left", xshift=-(left - EDGE), yshift=-axis_px)
    legend_rows = _legend_rows(fig, width - left - right) if _legend_on_top(fig) else 0
    fig.update_layout(
        title={"text": fig.layout.title.text, "x": EDGE / width, "xanchor": "left", "xref": "container",
               "y": 1 - 10 / (p.height if p else 600), "yanchor": "top", "yref": "container",
               "subtitle": {"text": plain_lines(sub), "font": {"size": 12, "color": "#444"}}},
        margin={"t": 48 + 16 * len(sub) + 22 * legend_rows + 8, "b": axis_px + len(footer) * LINE_PX + 14,
                "l": left, "r": right},
    )
    if p:
        fig.update_layout(width=p.width, height=p.height, autosize=False)
    else:
        fig.update_layout(width=None, autosize=True)
    return fig


EDGE = 14  # px of white space at the image's edges


def _left_px(fig: go.Figure) -> int:
    """Room for the y axis (tick labels, title): the plot's left margin. Generous, so plotly's automargin
    rarely has to widen it (the footer's left alignment assumes it is exactly this)."""
    types = {t.type for t in fig.data}
    if not types or types <= {"choropleth", "table"}:
        return EDGE
    labels = [html.unescape(str(v))  # escaped data text: an entity is one character on screen
              for t in fig.data if t.type == "bar" and t.orientation == "h" and t.y is not None for v in t.y]
    if labels:
        return EDGE + int(max(len(s) for s in labels) * 6.6) + 10
    titled = bool(fig.layout.yaxis.title.text)
    return EDGE + 50 + (22 if titled else 0)


def _outside_bar_text(fig: go.Figure) -> bool:
    return any(t.type == "bar" and t.text is not None and t.textposition in ("outside", "auto") for t in fig.data)


def _legend_on_top(fig: go.Figure) -> bool:
    legend = fig.layout.legend
    return fig.layout.showlegend is not False and legend.orientation == "h" and (legend.y or 0) >= 1


def _legend_rows(fig: go.Figure, width: int) -> int:
    """How many rows a horizontal legend of this width takes. Items of one ``legendgroup`` stack in a column (as
    plotly draws them); the columns are laid out left to right and wrap."""
    size = (fig.layout.legend.font.size or 12) * 0.58
    blocks: dict[str, list[float]] = {}
    for i, t in enumerate(fig.data):
        if t.name and t.showlegend is not False:
            blocks.setdefault(t.legendgroup or f"_{i}", []).append(40 + len(html.unescape(str(t.name))) * size)
    rows, line_rows, used = 0, 0, 0.0
    for items in blocks.values():
        w = max(items)
        if used and used + w > width:
            rows, line_rows, used = rows + line_rows, 0, 0.0
        used += w + 10
        line_rows = max(line_rows, len(items))
    return rows + line_rows


def chart_image(chart: Chart, fmt: str, preset: str | Preset = DEFAULT_PRESET, generated: datetime | None = None,
                figure: go.Figure | None = None) -> bytes:
    """PNG / SVG / PDF bytes of the chart (``figure``: the one already drawn for it, else built). Raises
    ``engine.EngineUnavailable`` (with the reason) without Chromium."""
    p = preset_of(preset)
    fig = export_figure(chart, p, generated, figure)
    return engine.render(fig.to_dict(), fmt, p.width, p.height, p.scale if fmt == "png" else 1)
