"""Small multiples: several indicators at once, one small line chart per indicator in a grid, each with its own unit
and y axis, sharing the countries and groups (same colour for a series in every panel; one legend). Exported as one
figure like any other chart. ``data``: the line rows of every indicator (``chart_data`` for kind ``multiples``)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.figures.common import COUNTRY_COLOURS, empty, finish, group_colour, plain, short_name, template_text
from dashboard.figures.spec import ChartSpec

PANEL_PX = 260
TITLES_ROOM = 0.1  # share of the plot area kept free above the first row for its panel titles (so they never meet
# the chart's title or an export's subtitle, whatever the figure's size)
TITLE_CHARS = 48


def _panels(data: pd.DataFrame, spec: ChartSpec) -> list[tuple[str, str, str]]:
    if spec.panels:
        return list(spec.panels)
    return [(c, c, "") for c in spec.indicator_codes if c in set(data["indicator_code"])]


def _title(name: str, unit: str) -> str:
    """The panel's title: the indicator's name (shortened), and its unit on a second line unless the name says it."""
    text = plain(name if len(name) <= TITLE_CHARS else name[: TITLE_CHARS - 1].rstrip() + "…")
    if not unit or unit.lower() in name.lower():
        return text
    return f"{text}<br><span style='font-size:10px;color:#666'>{plain(unit)}</span>"


def build_multiples(data: pd.DataFrame, spec: ChartSpec) -> go.Figure:
    """A grid of line charts, one per indicator of ``spec`` (``indicator_code`` then ``more_indicators``)."""
    if data.empty or data["value"].notna().sum() == 0:
        return empty(spec, "No data for this selection")
    panels = _panels(data, spec)
    cols = 1 if len(panels) == 1 else (2 if len(panels) <= 4 else 3)
    rows = math.ceil(len(panels) / cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[_title(n, u) for _, n, u in panels],
                        horizontal_spacing=0.08, vertical_spacing=min(0.3, 0.5 / rows))
    colours: dict[str, str] = {}
    n_country = 0
    for name, kind, code in data[["name", "series_kind", "code"]].drop_duplicates("name").itertuples(index=False):
        if kind == "group":
            colours[name] = group_colour(str(code))
        else:
            colours[name] = COUNTRY_COLOURS[n_country % len(COUNTRY_COLOURS)]
            n_country += 1
    legend_done: set[str] = set()
    for i, (code, _, unit) in enumerate(panels):
        r, c = divmod(i, cols)
        block = data[data["indicator_code"] == code]
        for name, series in block.groupby("name", sort=False):
            series = series.sort_values("year")
            is_group = series["series_kind"].iloc[0] == "group"
            label = plain(short_name(name) if is_group else name)
            low = series["low_coverage"].fillna(False).astype(bool) if is_group else [False] * len(series)
            fig.add_trace(go.Scatter(
                x=series["year"], y=series["value"], name=label, legendgroup=label, mode="lines+markers",
                showlegend=label not in legend_done, connectgaps=False,
                line={"color": colours[name], "width": 3 if is_group else 2},
                marker={"size": 6, "color": colours[name], "symbol": ["circle-open" if x else "circle" for x in low],
                        "line": {"width": 1.5, "color": colours[name]}},
                hovertemplate="<b>%{fullData.name}</b> %{x}: %{y:,.4g} " + template_text(unit) + "<extra></extra>",
            ), row=r + 1, col=c + 1)
            legend_done.add(label)
    for i in range(len(panels), rows * cols):  # the grid's empty cells
        r, c = divmod(i, cols)
        fig.update_xaxes(visible=False, row=r + 1, col=c + 1)
        fig.update_yaxes(visible=False, row=r + 1, col=c + 1)
    if spec.year_from is not None and spec.year_to is not None:
        fig.update_xaxes(range=[spec.year_from - 0.5, spec.year_to + 0.5])
    fig.update_annotations(font={"size": 12})
    for axis in fig.layout:
        if axis.startswith("yaxis"):
            d0, d1 = fig.layout[axis].domain
            fig.layout[axis].domain = [d0 * (1 - TITLES_ROOM), d1 * (1 - TITLES_ROOM)]
    for title in fig.layout.annotations:  # the panel titles follow their panels down
        title.y = title.y * (1 - TITLES_ROOM)
    # one legend for every panel, to the right of the grid (plotly widens the margin for it, in exports too)
    fig.update_layout(legend={"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top",
                              "font": {"size": 11}})
    fig = finish(fig, spec, axis_px=30, height=PANEL_PX * rows + 160)
    fig.update_layout(margin={"t": 60})
    return fig
