"""Counts of Trust Fund for Human Security projects by region and category: the paper's 2007 figures beside any
imported project register, as grouped horizontal bars."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import GROUP_COLOURS, as_plain, empty, finish, plain, template_text
from dashboard.figures.spec import ChartSpec

def build_counts(data: pd.DataFrame, spec: ChartSpec) -> go.Figure:
    """``data``: ``region``, ``category``, ``projects`` and ``series`` (e.g. "Soh (2008), as of 2007-02")."""
    if data.empty:
        return empty(spec, "No project counts for this selection")
    data = data.assign(label=as_plain(data["region"]) + " · " + as_plain(data["category"]))
    fig = go.Figure()
    for i, (series, block) in enumerate(data.groupby("series", sort=False)):
        fig.add_trace(go.Bar(
            y=block["label"], x=block["projects"], orientation="h", name=plain(series), text=block["projects"],
            textposition="outside", marker={"color": GROUP_COLOURS[i % len(GROUP_COLOURS)]},
            hovertemplate="%{y}: %{x} projects<extra>" + template_text(series) + "</extra>",
        ))
    labels = list(dict.fromkeys(data.sort_values(["region", "category"], ascending=False)["label"]))
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=labels, title_text="")
    fig.update_xaxes(title_text="projects")  # under the tick labels: the footer starts below it (axis_px)
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": 1.08, "x": 0})
    return finish(fig, spec, axis_px=58, height=max(360, 30 * len(labels) * max(1, data["series"].nunique()) + 200))
