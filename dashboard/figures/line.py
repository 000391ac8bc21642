"""Line chart over years, the way Our World in Data's grapher draws it: one line per country or group, each named at
its end (labels nudged apart, dropped when they cannot fit — the legend keeps every name).

A group's line keeps its colour on every chart (``common.group_colour``) and says how far to trust it: a band from
its lowest to its highest reporting member; dotted with hollow markers where less than two thirds of its population
reports; a diamond on the years when a member joined or left or the members reporting changed (hover: who — the
frame's ``change_note``, worded by ``dashboard.group_changes``). The named trace of each series carries all its
values (hover, legend); the solid and dotted strokes of a group are drawn by helper traces without a legend entry.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import (COUNTRY_COLOURS, LEGEND_ROW_PX, as_plain, empty, finish, fmt, group_colour,
                                      legend_rows, plain, rgba, short_name, template_text)
from dashboard.figures.spec import ChartSpec

LABEL_PX = 15  # vertical room one end label needs
MAX_NUDGE_PX = 40  # an end label moved further than this from its line's end is dropped (the legend has it)
LABEL_CHARS = 22  # longer names are shortened with "…" at the line's end (in full in the legend and hover)
CHAR_PX = 6.4
ASSUMED_PLOT_PX = 900  # width the label room is reserved for (the page's chart is 700–1500 px wide)
CHANGE_MARKER = "diamond-open"
HEIGHT = 520
LEGEND_PX = 720  # the narrowest chart the page draws (1280 px screen, sidebar open): the legend's rows for it


def _band(block: pd.DataFrame, name: str, colour: str, visible: bool = True) -> list[go.Scatter]:
    """The range of the group's reporting members (shown for the first group; the others' in the legend, one click
    away: several bands on top of each other hide the lines)."""
    band = block.dropna(subset=["min_value", "max_value"])
    if band.empty or band["n_reporting"].max() < 2:
        return []
    common = {"x": band["year"], "mode": "lines", "line": {"width": 0}, "legendgroup": f"{name}: range",
              "hoverinfo": "skip", "visible": True if visible else "legendonly"}
    upper = go.Scatter(y=band["max_value"], name=f"{name}: highest member", showlegend=False, **common)
    lower = go.Scatter(
        y=band["min_value"], name=f"{name}: range of members", fill="tonexty", fillcolor=rgba(colour, 0.15),
        showlegend=True, **common,
    )
    return [upper, lower]


def _source_names(block: pd.DataFrame, spec: ChartSpec) -> pd.Series:
    names = dict(spec.source_names)
    return block["source_id"].map(lambda s: names.get(s, s) if isinstance(s, str) else "")


def _wrap(text: object, width: int = 90) -> str:
    """Data text for hover: escaped line by line, lines joined by our own ``<br>``."""
    if not isinstance(text, str) or not text:
        return ""
    return "<br>".join(plain(line) for line in textwrap.wrap(text, width))


def _hover(block: pd.DataFrame, spec: ChartSpec, is_group: bool) -> tuple[list, str]:
    """customdata (escaped data text) and the template (``unit`` from the catalogue, escaped for a template)."""
    unit = template_text(spec.value_label)
    if is_group:
        notes = block["change_note"] if "change_note" in block else pd.Series(None, index=block.index, dtype=object)
        custom = list(zip(
            (block["coverage"] * 100).round(0), block["n_reporting"], block["n_members"],
            as_plain(block["min_name"], "–"), block["min_value"].map(fmt), as_plain(block["max_name"], "–"),
            block["max_value"].map(fmt), block["flag"].map(_wrap), notes.map(_wrap),
        ))
        template = (
            "<b>%{fullData.name}</b> %{x}: %{y:,.4g} " + unit + "<br>coverage %{customdata[0]}% of population "
            "(%{customdata[1]} of %{customdata[2]} members report)<br>lowest: %{customdata[3]} %{customdata[4]}"
            " · highest: %{customdata[5]} %{customdata[6]}<br>%{customdata[7]}<br>%{customdata[8]}<extra></extra>"
        )
    else:
        custom = list(zip(as_plain(_source_names(block, spec)), block["flag"].map(_wrap)))
        template = ("<b>%{fullData.name}</b> %{x}: %{y:,.4g} " + unit
                    + "<br>source: %{customdata[0]}<br>%{customdata[1]}<extra></extra>")
    return custom, template


def _dotted(years: list, values: list, low: list[bool]) -> tuple[list, list]:
    """The stretches of a line that touch a low-coverage year, as one trace with gaps (``None``) between runs."""
    xs: list = []
    ys: list = []
    last = None
    for i in range(len(years) - 1):
        if not (low[i] or low[i + 1]):
            continue
        if last != i:
            if xs:
                xs.append(None)
                ys.append(None)
            xs += [years[i]]
            ys += [values[i]]
        xs.append(years[i + 1])
        ys.append(values[i + 1])
        last = i + 1
    return xs, ys


def _group_traces(block: pd.DataFrame, name: str, colour: str) -> list[go.Scatter]:
    years = block["year"].tolist()
    values = block["value"].tolist()
    low = block["low_coverage"].fillna(False).astype(bool).tolist()
    solid = [None if low[i] else v for i, v in enumerate(values)]
    traces = [go.Scatter(x=years, y=solid, mode="lines", name=f"{name}: line", legendgroup=name, showlegend=False,
                         hoverinfo="skip", connectgaps=False, line={"color": colour, "width": 3})]
    xs, ys = _dotted(years, values, low)
    if xs:
        traces.append(go.Scatter(x=xs, y=ys, mode="lines", name=f"{name}: below two thirds coverage", legendgroup=name,
                                 showlegend=False, hoverinfo="skip", connectgaps=False,
                                 line={"color": colour, "width": 2.5, "dash": "dot"}))
    return traces


def _change_trace(block: pd.DataFrame, name: str, colour: str) -> go.Scatter | None:
    notes = block.get("change_note")
    if notes is None:
        return None
    marked = block[notes.map(lambda n: isinstance(n, str) and bool(n)) & block["value"].notna()]
    if marked.empty:
        return None
    return go.Scatter(
        x=marked["year"], y=marked["value"], mode="markers", name=f"{name}: changes", legendgroup=name,
        showlegend=False, marker={"symbol": CHANGE_MARKER, "size": 16, "color": colour, "line": {"width": 2}},
        customdata=[[_wrap(n)] for n in marked["change_note"]],
        hovertemplate="<b>" + template_text(name) + "</b> %{x}<br>%{customdata[0]}<extra></extra>",
    )


def _legend_keys(low: bool, changes: bool) -> list[go.Scatter]:
    """Legend entries that explain the marks on group lines (no data of their own)."""
    keys = []
    if changes:
        keys.append(go.Scatter(x=[None], y=[None], mode="markers", name="joined, left or reporting changed",
                               marker={"symbol": CHANGE_MARKER, "size": 12, "color": "#555", "line": {"width": 2}},
                               hoverinfo="skip", legendgroup="_keys"))
    if low:
        keys.append(go.Scatter(x=[None], y=[None], mode="lines+markers", name="below ⅔ of population reporting",
                               line={"color": "#555", "dash": "dot", "width": 2.5},
                               marker={"symbol": "circle-open", "color": "#555", "size": 8},
                               hoverinfo="skip", legendgroup="_keys"))
    return keys


def _y_range(data: pd.DataFrame, log: bool) -> tuple[float, float] | None:
    cols = ["value"] + (["min_value", "max_value"] if "min_value" in data else [])
    ys = pd.concat([pd.to_numeric(data[c], errors="coerce") for c in cols]).dropna()
    if log:
        ys = np.log10(ys[ys > 0])
    if ys.empty:
        return None
    lo, hi = float(ys.min()), float(ys.max())
    pad = (hi - lo) * 0.06 or (abs(hi) * 0.1 or 1.0)
    return lo - pad, hi + pad


def place_labels(ends: list[tuple[str, str, float]], y_range: tuple[float, float], plot_px: float
                 ) -> list[tuple[str, str, float, float]]:
    """End labels ``(text, colour, y)`` (``y`` in axis units; first = most important) placed without overlap:
    ``(text, colour, y, yshift_px)``. Labels are pushed apart; one that would end up more than ``MAX_NUDGE_PX`` from
    its line's end is dropped (the least important first), and so are those beyond what the plot's height holds."""
    lo, hi = y_range
    if plot_px < LABEL_PX or hi <= lo:
        return []
    keep = ends[: int(plot_px // LABEL_PX)]
    while keep:
        px = [(y - lo) / (hi - lo) * plot_px for _, _, y in keep]
        order = sorted(range(len(keep)), key=lambda i: px[i])
        pos: dict[int, float] = {}
        for rank, i in enumerate(order):  # push up from the bottom …
            pos[i] = max(px[i], pos[order[rank - 1]] + LABEL_PX) if rank else max(px[i], LABEL_PX / 2)
        for rank in range(len(order) - 1, -1, -1):  # … then down from the top
            i = order[rank]
            ceiling = plot_px - LABEL_PX / 2 if rank == len(order) - 1 else pos[order[rank + 1]] - LABEL_PX
            pos[i] = min(pos[i], ceiling)
        far = [i for i in range(len(keep)) if abs(pos[i] - px[i]) > MAX_NUDGE_PX]
        if not far:
            return [(t, c, y, pos[i] - px[i]) for i, (t, c, y) in enumerate(keep)]
        keep = [e for i, e in enumerate(keep) if i != max(far)]  # the least important of those pushed too far
    return []


def _end_labels(fig: go.Figure, ends: list[tuple[str, str, float]], y_range: tuple[float, float], x: float) -> None:
    layout = fig.layout
    plot_px = (layout.height or 520) - (layout.margin.t or 0) - (layout.margin.b or 0)
    for text, colour, y, shift in place_labels(ends, y_range, plot_px):
        short = text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"
        fig.add_annotation(name="end_label", text=plain(short), x=x, y=y, xref="x", yref="y", xanchor="left",
                           yanchor="middle", yshift=shift, showarrow=False, font={"size": 11, "color": colour})


def build_line(data: pd.DataFrame, spec: ChartSpec) -> go.Figure:
    """One trace per series (``name``), x = year, y = value; group bands from ``min_value``/``max_value``."""
    if data.empty or data["value"].notna().sum() == 0:
        return empty(spec, "No data for this selection")
    log = spec.log_scale and spec.base_year is None
    fig = go.Figure()
    ends: list[tuple[int, str, str, float]] = []  # (priority, label, colour, y at the end)
    n_country = n_group = 0
    any_low = any_change = False
    for full_name, block in data.groupby("name", sort=False):
        block = block.sort_values("year")
        is_group = block["series_kind"].iloc[0] == "group"
        if is_group:
            colour = group_colour(str(block["code"].iloc[0]))
            name = short_name(full_name)
        else:
            colour = COUNTRY_COLOURS[n_country % len(COUNTRY_COLOURS)]
            n_country += 1
            name = full_name
        shown = plain(name)
        low = block["low_coverage"].fillna(False).astype(bool) if is_group else pd.Series(False, index=block.index)
        if is_group and spec.base_year is None:
            fig.add_traces(_band(block, shown, colour, visible=not n_group))
        n_group += is_group
        if is_group:
            fig.add_traces(_group_traces(block, shown, colour))
        custom, template = _hover(block, spec, is_group)
        fig.add_trace(go.Scatter(
            x=block["year"], y=block["value"], name=shown, legendgroup=shown,
            mode="markers" if is_group else "lines+markers",
            line={"color": colour, "width": 2},
            marker={"symbol": ["circle-open" if x else "circle" for x in low], "size": 8 if is_group else 6,
                    "color": colour, "line": {"width": 2, "color": colour}},
            customdata=custom, hovertemplate=template, connectgaps=False,
        ))
        change = _change_trace(block, shown, colour) if is_group else None
        if change is not None:
            fig.add_trace(change)
        any_low |= bool((low & block["value"].notna()).any())
        any_change |= change is not None
        last = block.dropna(subset=["value"]).tail(1)
        if not last.empty and (not log or last["value"].iloc[0] > 0):
            y = float(last["value"].iloc[0])
            ends.append((0 if is_group else 1, name, colour, math.log10(y) if log else y))
    fig.add_traces(_legend_keys(any_low, any_change))
    years = data.loc[data["value"].notna(), "year"]
    x0 = spec.year_from if spec.year_from is not None else int(years.min())
    x1 = spec.year_to if spec.year_to is not None else int(years.max())
    last_year = int(years.max())
    longest = min(LABEL_CHARS, max((len(e[1]) for e in ends), default=0))
    label_px = longest * CHAR_PX + 8
    room = max(1.0, (x1 - x0 + 1) * label_px / max(200.0, ASSUMED_PLOT_PX - label_px))  # years of space for labels
    fig.update_xaxes(title_text="", range=[x0 - 0.5, max(x1 + 0.5, last_year + 0.6 + room)])
    y_range = _y_range(data, log)
    fig.update_yaxes(title_text=plain(spec.value_label), type="log" if log else "linear",
                     zeroline=spec.base_year is not None, range=list(y_range) if y_range else None)
    if spec.base_year is not None:
        fig.add_hline(y=0, line={"color": "#999", "width": 1})
    fig.update_layout(legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "font": {"size": 11},
                              })
    fig = finish(fig, spec, axis_px=30, height=HEIGHT)
    rows = legend_rows(fig, LEGEND_PX)
    fig.update_layout(margin={"t": 50 + LEGEND_ROW_PX * rows}, height=HEIGHT + LEGEND_ROW_PX * max(0, rows - 2))
    if y_range:
        ordered = [(label, colour, y) for _, label, colour, y in sorted(ends, key=lambda e: e[0])]
        _end_labels(fig, ordered, y_range, last_year + 0.6)
    return fig
