"""Coverage heat strip: countries × years of one indicator, each cell coloured by its value, grey where the country
has no value that year — which members report which years, at a glance (the Indicators page; exported like any
chart). ``data`` is the line-chart frame of the countries in ``spec.countries`` (``chart_data`` gives it for kind
``coverage`` as for ``line``); rows follow the order of ``spec.countries``."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import empty, finish, plain
from dashboard.figures.spec import ChartSpec

NO_VALUE = "#e4e4e4"


def coverage_title(spec: ChartSpec) -> str:
    return spec.title or f"{spec.indicator_name or spec.indicator_code}: values by country and year"


def build_coverage(data: pd.DataFrame, spec: ChartSpec) -> go.Figure:
    spec = replace(spec, title=coverage_title(spec))
    rows = data[data["series_kind"] == "country"].dropna(subset=["value"]) if not data.empty else data
    if rows.empty:
        return empty(spec, "No value for these countries in these years")
    order = {c: i for i, c in enumerate(spec.countries)}
    names = (rows.drop_duplicates("code").assign(order=lambda f: f["code"].map(order).fillna(len(order)))
             .sort_values(["order", "name"])["name"].tolist())
    lo = int(spec.year_from if spec.year_from is not None else rows["year"].min())
    hi = int(spec.year_to if spec.year_to is not None else rows["year"].max())
    years = list(range(lo, hi + 1))
    grid = rows.pivot_table(index="name", columns="year", values="value", aggfunc="first").reindex(
        index=names, columns=years)
    unit = plain(spec.unit)
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy(), x=years, y=[plain(n) for n in names], colorscale="Blues", xgap=1, ygap=1,
        hoverongaps=False, colorbar={"title": {"text": unit, "side": "right"}, "thickness": 12},
        hovertemplate="%{y}, %{x}: %{z:,.4g}" + (f" {unit}" if unit else "") + "<extra></extra>",
    ))
    fig.add_trace(go.Scatter(  # a legend entry for the grey cells (no data point of its own)
        x=[None], y=[None], mode="markers", name="no value that year",
        marker={"symbol": "square", "size": 12, "color": NO_VALUE}, hoverinfo="skip"))
    fig.update_yaxes(autorange="reversed", type="category", title_text="", showgrid=False)
    fig.update_xaxes(title_text="", dtick=5 if len(years) > 12 else 1, showgrid=False, zeroline=False)
    fig.update_layout(plot_bgcolor=NO_VALUE, showlegend=True,
                      legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0})
    return finish(fig, spec, axis_px=30, height=max(320, 24 * len(names) + 230))
