"""The chart data as a plotly table (for briefing exports; the page itself shows an interactive st.dataframe)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import as_text, empty, finish, fmt, plain
from dashboard.figures.spec import ChartSpec

MAX_ROWS = 60


def table_view(data: pd.DataFrame) -> pd.DataFrame:
    """The readable columns of a chart frame: series, year, value, coverage, members reporting, flag."""
    view = pd.DataFrame({
        "series": data["name"], "year": data["year"], "value": data["value"],
        "coverage": data["coverage"].map(lambda c: "" if pd.isna(c) else f"{c:.0%}"),
        "reporting": [("" if pd.isna(n) else f"{int(n)} of {int(m)}") for n, m in zip(data["n_reporting"], data["n_members"])],
        "note": as_text(data["flag"]),
    })
    return view.sort_values(["series", "year"], kind="stable").reset_index(drop=True)


def build_table(data: pd.DataFrame, spec: ChartSpec) -> go.Figure:
    if data.empty:
        return empty(spec, "No data for this selection")
    view = table_view(data)
    shown = view.head(MAX_ROWS)
    cells = [shown[c].map(fmt) if c == "value" else shown[c].astype(str).map(plain) for c in shown.columns]
    fig = go.Figure(go.Table(
        header={"values": [c if c != "value" else plain(spec.value_label) for c in shown.columns], "align": "left",
                "fill_color": "#e8eef6"},
        cells={"values": cells, "align": "left"},
    ))
    if len(view) > MAX_ROWS:
        fig.add_annotation(text=f"first {MAX_ROWS} of {len(view)} rows", showarrow=False, xref="paper", yref="paper",
                           x=1, y=1.02, xanchor="right", yanchor="bottom", font={"size": 10})
    return finish(fig, spec, axis_px=0, height=min(900, 140 + 22 * len(shown) + 120))
