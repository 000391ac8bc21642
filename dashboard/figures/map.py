"""Choropleth of values by country (ISO3): one year (``build_map``, what exports draw), or every year of the range
with a timeline that plays (``build_map_timeline``: plotly animation frames, play/pause and a year slider, one colour
scale for all years). The legend separates "no data" (picked countries or members of picked groups without a value:
grey, labelled) from "not picked" (light land, no label); members are outlined in their group's colour.

Geometry is plotly.js' world topojson, which the dashboard serves itself: pass ``PLOTLY_CONFIG`` to
``st.plotly_chart`` (exports: ``TOPOJSON_DIR``) so no CDN is asked."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import (NO_DATA_COLOUR, NOT_SELECTED_COLOUR, as_plain, empty, finish, group_colour,
                                      plain, short_name)
from dashboard.figures.spec import ChartSpec

TOPOJSON_DIR = Path(__file__).resolve().parents[1] / "static" / "topojson"
TOPOJSON_URL = "/app/static/topojson/"  # Streamlit static serving of dashboard/static/
PLOTLY_CONFIG = {"topojsonURL": TOPOJSON_URL, "displaylogo": False}
FRAME_MS = 700  # one year per this many milliseconds when the timeline plays
PICKED_OUTLINE = "#222222"


def _outline(rows: pd.DataFrame) -> tuple[list[str], list[float]]:
    """Members: their first picked group's colour; countries picked by name and in no picked group: dark."""
    groups = rows["first_group"] if "first_group" in rows else pd.Series(None, index=rows.index)
    colours = [group_colour(g) if isinstance(g, str) and g else PICKED_OUTLINE for g in groups]
    widths = [1.6 if isinstance(g, str) and g else 1.2 for g in groups]
    return colours, widths


def _scale(values: pd.Series, spec: ChartSpec) -> dict:
    """One colour scale (and colour bar) for every year shown; log when asked and possible."""
    rebased = spec.base_year is not None
    log = spec.log_scale and not rebased and bool((values > 0).all()) and not values.empty
    z = np.log10(values) if log else values
    colorbar = {"title": {"text": plain(spec.value_label), "side": "right"}, "len": 0.8}
    if log:
        ticks = list(range(math.floor(z.min()), math.ceil(z.max()) + 1))
        colorbar.update(tickvals=ticks, ticktext=[f"{10 ** t:,g}" for t in ticks])
    out = {"colorscale": "RdBu" if rebased else "YlGnBu", "reversescale": rebased and spec.higher_is_better is False,
           "colorbar": colorbar, "log": log}
    if rebased:
        bound = float(np.nanmax(np.abs(z))) if len(z) else 1.0
        out.update(zmin=-bound, zmax=bound)
    elif len(z):
        out.update(zmin=float(np.nanmin(z)), zmax=float(np.nanmax(z)))
    return out


def _traces(rows: pd.DataFrame, spec: ChartSpec, scale: dict) -> list[go.Choropleth]:
    """The values (coloured) and the picked countries without a value (grey, "no data") of one year."""
    have = rows[rows["value"].notna()]
    missing = rows[rows["value"].isna()]
    z = np.log10(have["value"]) if scale["log"] else have["value"]
    colours, widths = _outline(have)
    values = go.Choropleth(
        locations=list(have["code"]), locationmode="ISO-3", z=list(z), text=list(as_plain(have["name"])),
        customdata=list(zip(have["value"], have["year"], as_plain(have["member_of"], "picked by name"),
                            as_plain(have["flag"]))),
        hovertemplate="<b>%{text}</b>: %{customdata[0]:,.4g} (%{customdata[1]})<br>%{customdata[2]}<br>"
                      "%{customdata[3]}<extra></extra>",
        colorscale=scale["colorscale"], reversescale=scale["reversescale"], zmin=scale.get("zmin"),
        zmax=scale.get("zmax"), zmid=0 if spec.base_year is not None else None, colorbar=scale["colorbar"],
        marker={"line": {"color": colours, "width": widths}}, name="values", showlegend=False,
    )
    colours, widths = _outline(missing)
    no_data = go.Choropleth(
        locations=list(missing["code"]) or ["_"], locationmode="ISO-3", z=[0] * max(1, len(missing)),
        text=list(as_plain(missing["name"])) or [""],
        customdata=[[f] for f in as_plain(missing["flag"], "no data")] or [[""]],
        hovertemplate="<b>%{text}</b>: no data<br>%{customdata[0]}<extra></extra>",
        colorscale=[[0, NO_DATA_COLOUR], [1, NO_DATA_COLOUR]], showscale=False,
        marker={"line": {"color": colours or ["#fff"], "width": widths or [0.5]}},
        name="no data", showlegend=True, legendrank=1,
    )
    return [values, no_data]


def _keys(rows: pd.DataFrame, spec: ChartSpec) -> list[go.Scattergeo]:
    """Legend entries for the group outlines (no data of their own)."""
    names = dict(zip(rows.get("first_group", pd.Series(dtype=object)),
                     rows.get("member_of", pd.Series(dtype=object)).fillna("").map(lambda m: m.split(", ")[0])))
    out = []
    for group_id in spec.groups:
        if group_id in names:
            out.append(go.Scattergeo(lon=[None], lat=[None], mode="markers", hoverinfo="skip",
                                     name=f"{plain(short_name(names[group_id]))} members (outline)",
                                     marker={"symbol": "square-open", "size": 12, "color": group_colour(group_id),
                                             "line": {"width": 2}}))
    return out


def _geo(fig: go.Figure) -> None:
    fig.update_geos(scope="world", resolution=110, projection_type="natural earth", fitbounds="locations",
                    showcountries=True, countrycolor="#ccc", showland=True, landcolor=NOT_SELECTED_COLOUR,
                    showocean=True, oceancolor="#eaf2f8", showframe=False)
    fig.update_layout(legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "font": {"size": 11}})


def build_map(data: pd.DataFrame, spec: ChartSpec) -> go.Figure:
    """Countries coloured by ``value`` in one year; picked ones without a value grey ("no data"); the map zooms
    to the countries shown."""
    rows = data[data["series_kind"] == "country"]
    if rows.empty or rows["value"].notna().sum() == 0:
        return empty(spec, f"No country values for {spec.year} in this selection")
    fig = go.Figure(_traces(rows, spec, _scale(rows["value"].dropna(), spec)) + _keys(rows, spec))
    _geo(fig)
    return finish(fig, spec, axis_px=10, height=560)


def build_map_timeline(timeline: pd.DataFrame, spec: ChartSpec) -> go.Figure:
    """The map for every ``frame_year`` of ``timeline`` (``chart_data.map_timeline``): it opens on ``spec.year``
    (else the last year) and plays year by year; the slider picks a year."""
    if timeline.empty or timeline["value"].notna().sum() == 0:
        return empty(spec, "No country values in these years for this selection")
    years = sorted(int(y) for y in timeline["frame_year"].unique())
    start = spec.year if spec.year in years else years[-1]
    scale = _scale(timeline["value"].dropna(), spec)
    by_year = {int(y): block for y, block in timeline.groupby("frame_year")}
    every = sorted(set(timeline["code"]))  # zoom to every country of every year, not only the first frame's
    extent = go.Choropleth(locations=every, locationmode="ISO-3", z=[0] * len(every), showscale=False,
                           colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], hoverinfo="skip",
                           marker={"line": {"width": 0}}, name="extent", showlegend=False)
    fig = go.Figure(_traces(by_year[start], spec, scale) + [extent] + _keys(timeline, spec))
    fig.frames = [go.Frame(name=str(y), data=_traces(by_year[y], spec, scale), traces=[0, 1]) for y in years]
    step = {"mode": "immediate", "frame": {"duration": 0, "redraw": True}, "transition": {"duration": 0}}
    fig.update_layout(
        updatemenus=[{"type": "buttons", "direction": "left", "x": 0, "y": -0.02, "xanchor": "left", "yanchor": "top",
                      "pad": {"t": 4, "r": 8}, "showactive": False, "buttons": [
                          {"label": "Play", "method": "animate",
                           "args": [None, {"frame": {"duration": FRAME_MS, "redraw": True}, "fromcurrent": True,
                                           "transition": {"duration": 0}}]},
                          {"label": "Pause", "method": "animate", "args": [[None], step]}]}],
        sliders=[{"active": years.index(start), "x": 0.16, "len": 0.84, "y": -0.02, "yanchor": "top",
                  "pad": {"t": 4}, "currentvalue": {"prefix": "Year ", "font": {"size": 13}},
                  "steps": [{"label": str(y), "method": "animate", "args": [[str(y)], step]} for y in years]}],
    )
    _geo(fig)
    notes = tuple(re.sub(r"latest value up to \d+", "latest value up to the year shown", n) for n in spec.notes)
    return finish(fig, replace(spec, notes=notes), axis_px=86, height=620)
