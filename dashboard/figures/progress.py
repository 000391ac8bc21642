"""Progress chart for one cell of the Progress page: the observed series, the required (World Bank reference) path
from the baseline to the target, the extrapolation at the observed rate (anticipated progress) and the target.

A pure function: data in, figure out (no Streamlit, no queries). ``title``, ``unit`` and the row's source and
indicator are plain text (they come from the catalogue and the data): they are escaped here, shown as text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.markup import plain

BAND_COLOURS = {  # traffic lights, colour-blind-safe tones
    "target_met": "#1a7f37", "on_track": "#4cae4c", "acceleration_needed": "#e69f00",
    "stagnation_regression": "#c0392b", "insufficient_data": "#9e9e9e", "no_data": "#d9d9d9",
}
OBSERVED, REQUIRED, PROJECTED, TARGET = "#0072B2", "#555555", "#CC79A7", "#000000"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def progress_figure(frame: pd.DataFrame, row: Mapping, *, title: str = "", unit: str = "") -> go.Figure:
    """``frame``: columns ``year, observed, required, projected`` (indicator units); ``row``: one row of a progress
    table (band, baseline/latest/target years and values, source_id, explanation)."""
    fig = go.Figure()
    band = row.get("band", "insufficient_data")
    obs = frame.dropna(subset=["observed"]) if "observed" in frame else frame.iloc[:0]
    if not obs.empty:
        fig.add_scatter(x=obs["year"], y=obs["observed"], mode="lines+markers", name="observed",
                        line={"color": OBSERVED, "width": 2}, marker={"size": 5},
                        hovertemplate="%{x}: %{y:,.4g}<extra>observed</extra>")
    req = frame.dropna(subset=["required"]) if "required" in frame else frame.iloc[:0]
    if not req.empty:
        fig.add_scatter(x=req["year"], y=req["required"], mode="lines", name="required path (from baseline)",
                        line={"color": REQUIRED, "dash": "dash"}, hovertemplate="%{x}: %{y:,.4g}<extra>required</extra>")
    proj = frame.dropna(subset=["projected"]) if "projected" in frame else frame.iloc[:0]
    if len(proj) >= 2:
        fig.add_scatter(x=proj["year"], y=proj["projected"], mode="lines+markers", name="at the observed rate",
                        line={"color": PROJECTED, "dash": "dot"}, marker={"symbol": "circle-open"},
                        hovertemplate="%{x}: %{y:,.4g}<extra>anticipated</extra>")
    for key, label, symbol in (("baseline", "baseline", "diamond"), ("latest", "latest value used", "square")):
        year, value = row.get(f"{key}_year"), row.get(f"{key}_value")
        if not _missing(year) and not _missing(value):
            fig.add_scatter(x=[int(year)], y=[value], mode="markers", name=f"{label} ({int(year)})",
                            marker={"symbol": symbol, "size": 12, "color": BAND_COLOURS.get(band, OBSERVED),
                                    "line": {"width": 1, "color": "#000"}},
                            hovertemplate=f"{label} %{{x}}: %{{y:,.4g}}<extra></extra>")
    t_year, t_value = row.get("target_year"), row.get("target_value")
    if not _missing(t_year) and not _missing(t_value):
        fig.add_scatter(x=[int(t_year)], y=[t_value], mode="markers", name=f"target ({int(t_year)})",
                        marker={"symbol": "star", "size": 16, "color": TARGET},
                        hovertemplate="target %{x}: %{y:,.4g}<extra></extra>")
    if not fig.data:
        fig.add_annotation(text="No observations of this series for this cell", showarrow=False,
                           xref="paper", yref="paper", x=0.5, y=0.5, font={"size": 14, "color": "#666"})
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
    source = row.get("source_id")
    footer = plain(f"Source: {source} · indicator {row.get('indicator_code', '')}") if not _missing(source) else ""
    fig.update_layout(
        title={"text": plain(title), "x": 0, "xanchor": "left", "font": {"size": 15}},
        template="plotly_white", height=440, margin={"l": 10, "r": 10, "t": 50, "b": 60},
        yaxis_title=plain(unit) or None, legend={"orientation": "h", "y": -0.2},
        annotations=list(fig.layout.annotations) + ([{"text": footer, "showarrow": False, "xref": "paper",
                                                       "yref": "paper", "x": 0, "y": -0.32, "xanchor": "left",
                                                       "font": {"size": 10, "color": "#666"}}] if footer else []),
    )
    return fig
