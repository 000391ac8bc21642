"""Shared styling for the chart builders: colours per series (groups keep one colour, keyed by group id, on every
chart: their line, their bar and their members' bars, map outlines and table rows), number formats, the
empty-figure message and the layout every figure gets (title, margins, footer). Every string from the data enters
a figure through ``plain`` (``dashboard.figures.markup``, re-exported here): plotly then shows it as text, never
as markup."""

from __future__ import annotations

import html
import math
import re

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from dashboard.figures.footer import add_footer
from dashboard.figures.markup import plain, plain_lines, template_text  # noqa: F401  (re-exported)
from dashboard.figures.spec import ChartSpec
from dashboard.labels import names_text

COUNTRY_COLOURS = qualitative.Safe
CHOSEN_COLOUR, MEMBER_COLOUR = "#0072B2", "#9ecae1"  # countries picked by name vs. shown as group members
NO_DATA_COLOUR = "#b0b0b0"  # picked (or a picked group's member) but no value: grey, labelled "no data"
NOT_SELECTED_COLOUR = "#f2f2f2"  # land not picked: light, no label
# Every group keeps its colour on every chart (line, ranking, map, table). Dark, saturated tones that read as
# lines on white and stay apart from the countries' lighter palette; unknown groups draw from FALLBACK by id.
GROUP_PALETTE = {
    "asean": "#1f3b73",  # navy
    "asean_plus_3": "#7a1f5c",  # plum
    "eas": "#2f6b3a",  # green
    "arf": "#8a5a00",  # ochre
    "arf_soh2008": "#a0522d",  # sienna
    "cica": "#5b3f8c",  # purple
    "sco": "#b03a2e",  # brick
    "saarc": "#0f6b6b",  # teal
    "east_asia": "#4b4b4b",  # charcoal
    "southeast_asia": "#2c6fbb",  # mid blue
    "wb_eap": "#6b7d1e",  # olive
    "dac": "#8b1e3f",  # burgundy
}
FALLBACK = ("#37474f", "#6d4c41", "#00695c", "#4527a0", "#ad1457", "#2e7d32")
GROUP_COLOURS = tuple(GROUP_PALETTE.values())  # (kept for charts that colour series, not groups)


def group_colour(group_id: str) -> str:
    """The group's colour, the same on every chart and page."""
    if group_id in GROUP_PALETTE:
        return GROUP_PALETTE[group_id]
    return FALLBACK[sum(map(ord, str(group_id))) % len(FALLBACK)]


def colour_map(names_countries: list[str], names_groups: list[str],
               group_ids: dict[str, str] | None = None) -> dict[str, str]:
    """Colours by series name: countries from a colour-blind-safe palette in the order given, groups their own
    colour (``group_ids``: name → id; without it, the palette's order)."""
    colours = {n: COUNTRY_COLOURS[i % len(COUNTRY_COLOURS)] for i, n in enumerate(names_countries)}
    ids = group_ids or {}
    colours.update({n: group_colour(ids[n]) if n in ids else GROUP_COLOURS[i % len(GROUP_COLOURS)]
                    for i, n in enumerate(names_groups)})
    return colours


def tint(hex_colour: str, amount: float) -> str:
    """``hex_colour`` mixed with white (``amount`` 0: itself, 1: white), as ``#rrggbb`` (opaque: bars and outlines
    keep their hue without showing what lies behind them)."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    mix = [round(c + (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def short_name(name: str, limit: int = 14) -> str:
    """A group's abbreviation when its name ends with one in brackets ("… (ASEAN)" → "ASEAN"), else the name."""
    m = re.search(rf"\(([A-Z][A-Za-z0-9+&-]{{1,{limit - 1}}})\)\s*$", name)
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
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–"
    return f"{value:,.{digits}g}" if abs(value) < 10 ** digits else f"{value:,.0f}"


def is_percent(unit: str) -> bool:
    """Units written right after the number as ``%``: "%", "% of population", "% change since 2000"."""
    return bool(unit) and unit.strip().startswith("%")


def value_text(value: float | None, unit: str = "", signed: bool = False) -> str:
    """A value as a table shows it: ``23.4%`` for percent units (``+12%`` for changes), ``1,234`` otherwise (the
    unit then stands in the header); missing ``–`` — never None or nan."""
    text = fmt(value)
    if text == "–":
        return text
    if signed and value > 0:
        text = "+" + text
    return text + "%" if is_percent(unit) else text


def label(name: str, unit: str) -> str:
    """``name (unit)``, unless the name already states the unit."""
    if not unit or unit.lower() in name.lower():
        return name
    return f"{name} ({unit})"


LEGEND_ROW_PX = 29


def legend_rows(fig: go.Figure, width: float) -> int:
    """Rows a horizontal legend takes at ``width`` px, as plotly lays it out: the entries of one ``legendgroup``
    stack in a column, the columns run left to right and wrap. For the top margin that keeps it off the title."""
    size = (fig.layout.legend.font.size or 12) * 0.6
    blocks: dict[str, list[float]] = {}
    for i, t in enumerate(fig.data):
        if t.name and t.showlegend is not False:
            blocks.setdefault(t.legendgroup or f"_{i}", []).append(46 + len(html.unescape(str(t.name))) * size)
    rows, line_rows, used = 0, 0, 0.0
    for items in blocks.values():
        w = max(items)
        if used and used + w > width:
            rows, line_rows, used = rows + line_rows, 0, 0.0
        used += w + 10
        line_rows = max(line_rows, len(items))
    return rows + line_rows


def title_of(spec: ChartSpec) -> str:
    """The chart's title as plain text (``finish`` escapes it for the figure; exports use it as is)."""
    if spec.title:
        return spec.title
    if spec.kind == "multiples" and spec.panels:
        title = names_text([name or code for code, name, _ in spec.panels])
        return title if len(title) <= 110 else f"{len(spec.panels)} indicators side by side"
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
