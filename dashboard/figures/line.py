"""Line chart over years: one line per country or group; a group's line carries its spread (band from the worst
to the best reporting member) and marks low-coverage years with hollow markers."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import as_plain, colour_map, empty, finish, plain, rgba, short_name, template_text
from dashboard.figures.spec import ChartSpec


def _names(data: pd.DataFrame, kind: str) -> list[str]:
    return list(dict.fromkeys(data.loc[data["series_kind"] == kind, "name"]))


def _band(block: pd.DataFrame, name: str, colour: str) -> list[go.Scatter]:
    band = block.dropna(subset=["min_value", "max_value"])
    if band.empty or band["n_reporting"].max() < 2:
        return []
    common = {"x": band["year"], "mode": "lines", "line": {"width": 0}, "legendgroup": name, "hoverinfo": "skip"}
    upper = go.Scatter(y=band["max_value"], name=f"{name}: highest member", showlegend=False, **common)
    lower = go.Scatter(
        y=band["min_value"], name=f"{name}: range of members", fill="tonexty", fillcolor=rgba(colour, 0.15),
        showlegend=True, **common,
    )
    return [upper, lower]


def _hover(block: pd.DataFrame, unit: str, is_group: bool) -> tuple[list, str]:
    """customdata (escaped data text) and the template (``unit`` from the catalogue, escaped for a template)."""
    unit = template_text(unit)
    if is_group:
        custom = list(zip(
            (block["coverage"] * 100).round(0), block["n_reporting"], block["n_members"],
            as_plain(block["min_name"], "–"), block["min_value"], as_plain(block["max_name"], "–"),
            block["max_value"], as_plain(block["flag"]),
        ))
        template = (
            "<b>%{fullData.name}</b> %{x}: %{y:,.4g} " + unit + "<br>coverage %{customdata[0]}% of population "
            "(%{customdata[1]} of %{customdata[2]} members report)<br>lowest: %{customdata[3]} %{customdata[4]:,.4g}"
            " · highest: %{customdata[5]} %{customdata[6]:,.4g}<br>%{customdata[7]}<extra></extra>"
        )
    else:
        custom = list(zip(as_plain(block["source_id"]), as_plain(block["flag"])))
        template = "<b>%{fullData.name}</b> %{x}: %{y:,.4g} " + unit + "<br>source: %{customdata[0]} %{customdata[1]}<extra></extra>"
    return custom, template


def build_line(data: pd.DataFrame, spec: ChartSpec) -> go.Figure:
    """One trace per series (``name``), x = year, y = value; group bands from ``min_value``/``max_value``."""
    if data.empty or data["value"].notna().sum() == 0:
        return empty(spec, "No data for this selection")
    colours = colour_map(_names(data, "country"), _names(data, "group"))
    unit = spec.value_label
    fig = go.Figure()
    for full_name, block in data.groupby("name", sort=False):
        block = block.sort_values("year")
        is_group = block["series_kind"].iloc[0] == "group"
        colour = colours.get(full_name, "#333")
        name = plain(short_name(full_name) if is_group else full_name)
        if is_group and spec.base_year is None:
            for trace in _band(block, name, colour):
                fig.add_trace(trace)
        low = block["low_coverage"].fillna(False).astype(bool) if is_group else pd.Series(False, index=block.index)
        custom, template = _hover(block, unit, is_group)
        fig.add_trace(go.Scatter(
            x=block["year"], y=block["value"], name=name, legendgroup=name, mode="lines+markers",
            line={"color": colour, "width": 3 if is_group else 2, "dash": "solid"},
            marker={"symbol": ["circle-open" if x else "circle" for x in low], "size": 8 if is_group else 6,
                    "color": colour, "line": {"width": 2, "color": colour}},
            customdata=custom, hovertemplate=template, connectgaps=False,
        ))
    fig.update_xaxes(title_text="", range=[spec.year_from - 0.5, spec.year_to + 0.5] if spec.year_from and spec.year_to else None)
    log = spec.log_scale and spec.base_year is None
    fig.update_yaxes(title_text=plain(unit), type="log" if log else "linear", zeroline=spec.base_year is not None)
    if spec.base_year is not None:
        fig.add_hline(y=0, line={"color": "#999", "width": 1})
    fig.update_layout(legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "font": {"size": 11}})
    return finish(fig, spec, axis_px=30)
