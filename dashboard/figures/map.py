"""Choropleth of one year's values by country (ISO3). Geometry is plotly.js' world topojson, which the dashboard
serves itself: pass ``PLOTLY_CONFIG`` to ``st.plotly_chart`` (exports: ``TOPOJSON_DIR``) so no CDN is asked."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import as_plain, empty, finish, plain
from dashboard.figures.spec import ChartSpec

TOPOJSON_DIR = Path(__file__).resolve().parents[1] / "static" / "topojson"
TOPOJSON_URL = "/app/static/topojson/"  # Streamlit static serving of dashboard/static/
PLOTLY_CONFIG = {"topojsonURL": TOPOJSON_URL, "displaylogo": False}


def build_map(data: pd.DataFrame, spec: ChartSpec) -> go.Figure:
    """Countries coloured by ``value``; the map zooms to the countries shown."""
    data = data[(data["series_kind"] == "country")].dropna(subset=["value"])
    if data.empty:
        return empty(spec, f"No country values for {spec.year} in this selection")
    log = spec.log_scale and spec.base_year is None and (data["value"] > 0).all()
    z = np.log10(data["value"]) if log else data["value"]
    colorbar = {"title": {"text": plain(spec.value_label), "side": "right"}}
    if log:
        ticks = list(range(math.floor(z.min()), math.ceil(z.max()) + 1))
        colorbar.update(tickvals=ticks, ticktext=[f"{10 ** t:,g}" for t in ticks])
    # levels: darker = more; change since a base year: diverging around 0, blue = improvement when direction is known
    rebased = spec.base_year is not None
    fig = go.Figure(go.Choropleth(
        locations=data["code"], locationmode="ISO-3", z=z, text=as_plain(data["name"]),
        customdata=list(zip(data["value"], data["year"], as_plain(data["flag"]))),
        hovertemplate="<b>%{text}</b>: %{customdata[0]:,.4g} (%{customdata[1]})<br>%{customdata[2]}<extra></extra>",
        colorscale="RdBu" if rebased else "YlGnBu", reversescale=rebased and spec.higher_is_better is False,
        zmid=0 if rebased else None,
        marker={"line": {"color": "#fff", "width": 0.5}}, colorbar=colorbar,
    ))
    fig.update_geos(scope="world", resolution=110, projection_type="natural earth", fitbounds="locations",
                    showcountries=True, countrycolor="#ccc", showland=True, landcolor="#f2f2f2",
                    showocean=True, oceancolor="#eaf2f8", showframe=False)
    return finish(fig, spec, axis_px=10, height=560)
