"""Bar ranking for one year: countries (chosen ones highlighted, group members lighter) and group aggregates
(dark, with a whisker from the worst to the best member; low-coverage aggregates hatched), best at the top."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import (CHOSEN_COLOUR, GROUP_COLOURS, MEMBER_COLOUR, as_plain, empty, finish, fmt,
                                      plain, short_name, template_text)
from dashboard.figures.spec import ChartSpec


def _order(data: pd.DataFrame, spec: ChartSpec) -> pd.DataFrame:
    # plotly draws the first category at the bottom: sort so the best ends up on top
    ascending = spec.higher_is_better is not False
    return data.sort_values("value", ascending=ascending, kind="stable")


def build_bar(data: pd.DataFrame, spec: ChartSpec) -> go.Figure:
    """Horizontal bars of ``value`` by ``name`` (one row per country/group, the year each value is from)."""
    data = data.dropna(subset=["value"])
    if data.empty:
        return empty(spec, f"No values for {spec.year} in this selection")
    data = _order(data, spec)
    is_group = data["series_kind"] == "group"
    data = data.assign(label=data["name"].map(plain))  # category labels from the data: escaped
    data.loc[is_group, "label"] = [  # groups read as "ASEAN · 13% coverage ⚠"
        f"<b>{plain(short_name(n))}</b> · {c:.0%} coverage" + (" ⚠" if low else "")
        for n, c, low in zip(data.loc[is_group, "name"], data.loc[is_group, "coverage"],
                             data.loc[is_group, "low_coverage"].fillna(False).astype(bool))]
    fig = go.Figure()
    countries = data[data["series_kind"] == "country"]
    if not countries.empty:
        chosen = countries["selected"].fillna(False).astype(bool)
        label = [f"{fmt(v)}" + ("" if y == spec.year else f" ({y})") for v, y in zip(countries["value"], countries["year"])]
        fig.add_trace(go.Bar(
            y=countries["label"], x=countries["value"], orientation="h", name="countries",
            marker={"color": [CHOSEN_COLOUR if c else MEMBER_COLOUR for c in chosen]}, text=label, textposition="outside",
            customdata=list(zip(countries["year"], as_plain(countries["member_of"]), as_plain(countries["flag"]))),
            hovertemplate="<b>%{y}</b>: %{x:,.4g} (%{customdata[0]})<br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>",
        ))
    groups = data[data["series_kind"] == "group"]
    for i, (_, row) in enumerate(groups.iterrows()):
        low = bool(row["low_coverage"])
        has_spread = pd.notna(row["min_value"]) and spec.base_year is None
        fig.add_trace(go.Bar(
            y=[row["label"]], x=[row["value"]], orientation="h", name=plain(row["name"]),
            marker={"color": GROUP_COLOURS[i % len(GROUP_COLOURS)], "pattern": {"shape": "/" if low else "", "fgcolor": "white", "fgopacity": 0.5, "solidity": 0.25}},
            error_x={"type": "data", "symmetric": False, "array": [row["max_value"] - row["value"]],
                     "arrayminus": [row["value"] - row["min_value"]], "visible": True} if has_spread else None,
            text=[fmt(row["value"])], textposition="inside", insidetextanchor="end", textfont={"color": "white"},
            hovertemplate=(f"<b>{template_text(row['name'])}</b> {row['year']}: %{{x:,.4g}}<br>coverage "
                           f"{row['coverage']:.0%} of population ({row['n_reporting']} of {row['n_members']} "
                           f"members report)<br>range of members: {template_text(row['min_name'])} "
                           f"{fmt(row['min_value'])} – "
                           f"{template_text(row['max_name'])} {fmt(row['max_value'])}<extra></extra>"),
        ))
    log = spec.log_scale and spec.base_year is None
    fig.update_xaxes(title_text=plain(spec.value_label), type="log" if log else "linear")
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(data["label"]), title_text="")
    fig.update_layout(barmode="overlay", showlegend=False, bargap=0.25)
    height = max(360, 26 * len(data) + 200)
    return finish(fig, spec, axis_px=58, height=height)
