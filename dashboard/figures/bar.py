"""Bar ranking for one year, best at the top: countries in the colour of the first picked group they belong to
(picked by name: the full colour; only as a member: a lighter tint; picked but in no picked group: blue), and the
groups' own values as bars in the group's colour with a whisker from the lowest to the highest member (hatched when
less than two thirds of the group's population reports). Values are written at the end of every bar."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import (CHOSEN_COLOUR, LEGEND_ROW_PX, as_plain, empty, finish, fmt, group_colour,
                                      legend_rows, plain, short_name, template_text, tint)
from dashboard.figures.spec import ChartSpec

MEMBER_TINT = 0.5  # a member shown only because its group was picked: its group's colour, half way to white
LABEL_FONT = {"size": 11, "color": "#333"}


def _order(data: pd.DataFrame, spec: ChartSpec) -> pd.DataFrame:
    # plotly draws the first category at the bottom: sort so the best ends up on top
    ascending = spec.higher_is_better is not False
    return data.sort_values("value", ascending=ascending, kind="stable")


def _country_colour(row: pd.Series) -> str:
    group = row.get("first_group")
    if not isinstance(group, str) or not group:
        return CHOSEN_COLOUR
    colour = group_colour(group)
    return colour if bool(row.get("selected")) else tint(colour, MEMBER_TINT)


def _value_label(value: float, year, spec: ChartSpec) -> str:
    text = fmt(value)
    return text if pd.isna(year) or year == spec.year else f"{text} ({int(year)})"


def _x_range(values: pd.Series, log: bool) -> list[float] | None:
    """Room at the bars' ends for their value labels (linear axes)."""
    if log or values.empty:
        return None
    lo, hi = min(0.0, float(values.min())), max(0.0, float(values.max()))
    span = (hi - lo) or 1.0
    return [lo - (0.18 * span if lo < 0 else 0), hi + 0.18 * span]


def build_bar(data: pd.DataFrame, spec: ChartSpec) -> go.Figure:
    """Horizontal bars of ``value`` by ``name`` (one row per country/group, the year each value is from)."""
    data = data.dropna(subset=["value"])
    if data.empty:
        return empty(spec, f"No values for {spec.year} in this selection")
    data = _order(data, spec)
    is_group = data["series_kind"] == "group"
    data = data.assign(label=data["name"].map(plain))  # category labels from the data: escaped
    data.loc[is_group, "label"] = [  # groups read as "ASEAN · 13% coverage (low)"
        f"<b>{plain(short_name(n))}</b> · {c:.0%} coverage" + (" (low)" if low else "")
        for n, c, low in zip(data.loc[is_group, "name"], data.loc[is_group, "coverage"],
                             data.loc[is_group, "low_coverage"].fillna(False).astype(bool))]
    fig = go.Figure()
    countries = data[data["series_kind"] == "country"]
    group_names = dict(zip(data.loc[is_group, "code"], data.loc[is_group, "name"]))
    keys = countries["first_group"] if "first_group" in countries else pd.Series(None, index=countries.index)
    rank = {g: i for i, g in enumerate(spec.groups)}
    blocks = sorted(countries.groupby(keys.fillna(""), sort=False), key=lambda kv: rank.get(kv[0], len(rank)))
    for key, block in blocks:
        name = (f"{short_name(group_names.get(key) or str(block['member_of'].dropna().iloc[0]).split(', ')[0])} members"
                if key else "countries picked")
        fig.add_trace(go.Bar(
            y=block["label"], x=block["value"], orientation="h", name=plain(name),
            marker={"color": [_country_colour(r) for _, r in block.iterrows()],
                    "line": {"width": [1.5 if bool(s) else 0 for s in block["selected"].fillna(False)],
                             "color": "#222"}},
            text=[_value_label(v, y, spec) for v, y in zip(block["value"], block["year"])], textposition="outside",
            textfont=LABEL_FONT, cliponaxis=False,
            customdata=list(zip(block["year"], as_plain(block["member_of"], "picked by name"),
                                as_plain(block["flag"]))),
            hovertemplate="<b>%{y}</b>: %{x:,.4g} (%{customdata[0]})<br>%{customdata[1]}<br>%{customdata[2]}"
                          "<extra></extra>",
        ))
    for _, row in data[is_group].iterrows():
        low = bool(row["low_coverage"])
        colour = group_colour(str(row["code"]))
        has_spread = pd.notna(row["min_value"]) and spec.base_year is None
        fig.add_trace(go.Bar(
            y=[row["label"]], x=[row["value"]], orientation="h", name=plain(short_name(row["name"])),
            marker={"color": colour, "pattern": {"shape": "/" if low else "", "fgcolor": "white", "fgopacity": 0.5,
                                                 "solidity": 0.25}},
            error_x={"type": "data", "symmetric": False, "array": [row["max_value"] - row["value"]],
                     "arrayminus": [row["value"] - row["min_value"]], "visible": True, "color": "#555"}
            if has_spread else None,
            text=[fmt(row["value"])], textposition="inside", insidetextanchor="start", constraintext="none",
            textfont={"color": "white", "size": 12},
            hovertemplate=(f"<b>{template_text(row['name'])}</b> {row['year']}: %{{x:,.4g}}<br>coverage "
                           f"{row['coverage']:.0%} of population ({row['n_reporting']} of {row['n_members']} "
                           f"members report)<br>range of members: {template_text(row['min_name'] or '–')} "
                           f"{fmt(row['min_value'])} – "
                           f"{template_text(row['max_name'] or '–')} {fmt(row['max_value'])}<extra></extra>"),
        ))
    log = spec.log_scale and spec.base_year is None
    fig.update_xaxes(title_text=plain(spec.value_label), type="log" if log else "linear",
                     range=_x_range(data["value"], log))
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(data["label"]), title_text="")
    fig.update_layout(barmode="overlay", bargap=0.25, showlegend=True,
                      legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "font": {"size": 11}})
    height = max(360, 26 * len(data) + 200)
    fig = finish(fig, spec, axis_px=58, height=height)
    rows = legend_rows(fig, 720)
    fig.update_layout(margin={"t": 50 + LEGEND_ROW_PX * rows})
    return fig
