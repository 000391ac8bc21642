"""Scatter of two indicators for one year: x = the second indicator, y = the chosen one, bubble area = population;
members in their group's colour (as on every chart), countries picked by name outlined."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.bar import MEMBER_TINT
from dashboard.figures.common import (CHOSEN_COLOUR, as_plain, empty, finish, group_colour, label, plain, short_name,
                                      tint)
from dashboard.figures.spec import ChartSpec

MAX_BUBBLE_PX = 50


def build_scatter(data: pd.DataFrame, spec: ChartSpec) -> go.Figure:
    """One bubble per country with both ``value`` (y) and ``x_value`` (x); size from ``population``."""
    data = data.dropna(subset=["value", "x_value"])
    if data.empty:
        return empty(spec, f"No country has both indicators around {spec.year}")
    pop = data["population"]
    if pop.notna().any():
        size = np.sqrt(pop.fillna(pop.min()).astype(float))
        size = (size / size.max() * MAX_BUBBLE_PX).clip(lower=6)
        size_note = "bubble area: population"
    else:
        size = pd.Series(12.0, index=data.index)
        size_note = "population unknown: equal bubbles"
    chosen = data["selected"].fillna(False).astype(bool)
    groups = data["first_group"] if "first_group" in data else pd.Series(None, index=data.index)
    colours = [(group_colour(g) if c else tint(group_colour(g), MEMBER_TINT)) if isinstance(g, str) and g
               else CHOSEN_COLOUR for g, c in zip(groups, chosen)]
    fig = go.Figure(go.Scatter(
        x=data["x_value"], y=data["value"], mode="markers+text", text=as_plain(data["name"]), textposition="top center",
        marker={"size": size, "color": colours, "opacity": 0.85,
                "line": {"width": [2 if c else 0.8 for c in chosen], "color": "#333"}},
        customdata=list(zip(data["year"], data["x_year"], data["population"].map(lambda p: "unknown" if pd.isna(p)
                                                                                   else f"{p:,.0f}"),
                            as_plain(data["member_of"], "picked by name"))),
        hovertemplate=("<b>%{text}</b><br>y: %{y:,.4g} (%{customdata[0]})<br>x: %{x:,.4g} (%{customdata[1]})"
                       "<br>population %{customdata[2]}<br>%{customdata[3]}<extra></extra>"),
        name=plain(spec.indicator_name or spec.indicator_code), showlegend=False,
    ))
    axis = "log" if spec.log_scale else "linear"
    x_title = label(spec.x_indicator_name or spec.x_indicator_code or "", spec.x_unit)
    fig.update_xaxes(title_text=plain(x_title), type=axis)
    fig.update_yaxes(title_text=plain(label(spec.indicator_name or spec.indicator_code, spec.unit)), type=axis)
    names = dict(zip(groups, data["member_of"].fillna("").map(lambda m: m.split(", ")[0])))
    for group_id in spec.groups:  # the colour key: one entry per picked group that has a member here
        if group_id in names:
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", hoverinfo="skip",
                                     name=f"{plain(short_name(names[group_id]))} members",
                                     marker={"size": 11, "color": tint(group_colour(group_id), MEMBER_TINT),
                                             "line": {"width": 0.8, "color": "#333"}}))
    fig.add_annotation(text=size_note, showarrow=False, xref="paper", yref="paper", x=1, y=1.02,
                       xanchor="right", yanchor="bottom", font={"size": 10, "color": "#777"})
    fig.update_layout(showlegend=len(fig.data) > 1, legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom",
                                                            "font": {"size": 11}})
    return finish(fig, spec, axis_px=45, height=560)
