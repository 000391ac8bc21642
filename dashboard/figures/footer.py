"""The footer every chart carries: publisher(s), licence, data vintage and retrieval date, coverage and notes.

One helper for all builders (and the briefing exports built on them): ``add_footer(fig, spec)`` writes a single
annotation named ``footer`` under the plot area, positioned in pixels so it sits below the axes at any height.
Publishers, licences and notes come from files and APIs: each wrapped line is escaped (``markup.plain_lines``)
before the ``<br>`` between lines is added, so they show as text.
"""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go

from dashboard.figures.markup import plain_lines
from dashboard.figures.spec import ChartSpec
from dashboard.labels import date_text

WIDTH = 115  # characters per footer line before wrapping
LINE_PX = 14


def _join(items: tuple[str, ...]) -> str:
    return "; ".join(dict.fromkeys(i for i in items if i)) or "unknown"


def footer_lines(spec: ChartSpec) -> list[str]:
    """The footer as plain text lines (also used for captions and export notes)."""
    lines = [f"Source: {_join(spec.publishers)}", f"Licence: {_join(spec.licences)}"]
    vintage = f"Data vintage: {spec.vintage or 'not stated by the publisher'}"
    if spec.retrieved:
        vintage += f" · retrieved {date_text(spec.retrieved)}"
    lines.append(vintage)
    if spec.coverage:
        lines.append(spec.coverage)
    lines.extend(spec.notes)
    return lines


def footer_text(spec: ChartSpec) -> str:
    """The footer as plotly text: the plain lines wrapped, each escaped, joined by ``<br>``."""
    wrapped = [w for line in footer_lines(spec) for w in textwrap.wrap(line, WIDTH) or [""]]
    return plain_lines(wrapped)


def add_footer(fig: go.Figure, spec: ChartSpec, *, axis_px: int = 40) -> go.Figure:
    """Add the ``footer`` annotation below the plot (``axis_px`` leaves room for tick labels and axis title)."""
    text = footer_text(spec)
    n_lines = text.count("<br>") + 1
    fig.add_annotation(
        name="footer", text=text, showarrow=False, xref="paper", yref="paper", x=0, y=0,
        xanchor="left", yanchor="top", yshift=-axis_px, align="left", font={"size": 10, "color": "#555"},
    )
    margin_b = axis_px + n_lines * LINE_PX + 12
    fig.update_layout(margin={"b": margin_b})
    return fig
