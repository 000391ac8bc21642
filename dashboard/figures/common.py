"""Shared styling for the chart builders: colours per series, number formats, the empty-figure message and the
layout every figure gets (title, margins, footer). Every string from the data enters a figure through
``plain`` (``dashboard.figures.markup``, re-exported here): plotly then shows it as text, never as markup."""

from __future__ import annotations

import math
import re

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from dashboard.figures.footer import add_footer
from dashboard.figures.markup import plain, plain_lines, template_text  # noqa: F401  (re-exported)
from dashboard.figures.spec import ChartSpec

COUNTRY_COLOURS = qualitative.Safe
CHOSEN_COLOUR, MEMBER_COLOUR = "#0072B2", "#9ecae1"  # countries picked by name vs. shown as group members
GROUP_COLOURS = ("#1f3b73", "#7a1f5c", "#2f5d3a", "#8a5a00", "#4b4b4b")


def colour_map(names_countries: list[str], names_groups: list[str]) -> dict[str, str]:
    """Stable colours: countries from a colour-blind-safe palette, groups in darker tones."""
    colours = {n: COUNTRY_COLOURS[i % len(COUNTRY_COLOURS)] for i, n in enumerate(names_countries)}
    colours.update({n: GROUP_COLOURS[i % len(GROUP_COLOURS)] for i, n in enumerate(names_groups)})
    return colours


def short_name(name: str, limit: int = 14) -> str:
    """A group's abbreviation when its name ends with one in brackets ("… (ASEAN)" → "ASEAN"), else the name."""
    m = re.search(r"\(([A-Z][A-Za-z0-9+&-]{1,%d})\)\s*$" % (limit - 1), name)
    return m[1] if m else name


def as_text(column: pd.Series, blank: str = "") -> pd.Series:
    """A column as strings for hover text, missing values as ``blank`` (works for all-missing float columns too)."""
    return column.astype(object).where(column.notna(), blank).astype(str)


def as_plain(column: pd.Series, blank: str = "") -> pd.Series:
    """``as_text`` escaped for plotly (hover text, customdata, labels from the data)."""
    return as_text(column, blank).map(plain)


def rgba(hex_colour: str, alpha: float) -> str:
    if hex_colour.startswith("rgb("):
        return hex_colour.replace("rgb(", "rgba(").replace(")", f",{alpha})")
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def fmt(value: float | None, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}g}" if abs(value) < 10 ** digits else f"{value:,.0f}"


def label(name: str, unit: str) -> str:
    """``name (unit)``, unless the name already states the unit."""
    if not unit or unit.lower() in name.lower():
        return name
    return f"{name} ({unit})"


def title_of(spec: ChartSpec) -> str:
    """The chart's title as plain text (``finish`` escapes it for the figure; exports use it as is)."""
    if spec.title:
        return spec.title
    return label(spec.indicator_name or spec.indicator_code, spec.value_label)


def finish(fig: go.Figure, spec: ChartSpec, *, axis_px: int = 40, height: int = 520) -> go.Figure:
    """Title, sizes and the footer: the common last step of every builder."""
    fig.update_layout(
        title={"text": plain(title_of(spec)), "x": 0, "xanchor": "left", "y": 0.995, "yanchor": "top",
               "yref": "container", "pad": {"t": 8}, "font": {"size": 16}},
        height=height, margin={"l": 10, "r": 10, "t": 90}, template="plotly_white",
        hoverlabel={"namelength": -1},
    )
    return add_footer(fig, spec, axis_px=axis_px)


def empty(spec: ChartSpec, message: str) -> go.Figure:
    """A figure that says why it has nothing to show (exports never get a blank chart)."""
    fig = go.Figure()
    fig.add_annotation(text=plain(message), showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5,
                       font={"size": 14})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return finish(fig, spec)
