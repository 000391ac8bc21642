"""Scatter of two indicators for one year: x = the second indicator, y = the chosen one, bubble area = population."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import CHOSEN_COLOUR, MEMBER_COLOUR, as_plain, empty, finish, label, plain
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
    fig = go.Figure(go.Scatter(
        x=data["x_value"], y=data["value"], mode="markers+text", text=as_plain(data["name"]), textposition="top center",
        marker={"size": size, "color": [CHOSEN_COLOUR if c else MEMBER_COLOUR for c in chosen], "opacity": 0.8,
                "line": {"width": 1, "color": "#333"}},
        customdata=list(zip(data["year"], data["x_year"], data["population"])),
        hovertemplate=("<b>%{text}</b><br>y: %{y:,.4g} (%{customdata[0]})<br>x: %{x:,.4g} (%{customdata[1]})"
                       "<br>population %{customdata[2]:,.0f}<extra></extra>"),
        name=plain(spec.indicator_name or spec.indicator_code),
    ))
    axis = "log" if spec.log_scale else "linear"
    x_title = label(spec.x_indicator_name or spec.x_indicator_code or "", spec.x_unit)
    fig.update_xaxes(title_text=plain(x_title), type=axis)
    fig.update_yaxes(title_text=plain(label(spec.indicator_name or spec.indicator_code, spec.unit)), type=axis)
    fig.add_annotation(text=size_note, showarrow=False, xref="paper", yref="paper", x=1, y=1.02,
                       xanchor="right", yanchor="bottom", font={"size": 10, "color": "#777"})
    fig.update_layout(showlegend=False)
    return finish(fig, spec, axis_px=45, height=560)
