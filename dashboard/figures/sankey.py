"""Aid flows as a Sankey diagram: donors on the left, recipients on the right, link width = US$ over the period."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import COUNTRY_COLOURS, empty, finish, plain, rgba
from dashboard.figures.spec import ChartSpec


def build_sankey(data: pd.DataFrame, spec: ChartSpec) -> go.Figure:
    """``data``: one row per donor/recipient with ``donor_name``, ``recipient_name`` and ``amount_usd`` (> 0)."""
    data = data[data["amount_usd"] > 0]
    if data.empty:
        return empty(spec, "No positive flows for this donor set and recipient group")
    donors = list(dict.fromkeys(data["donor_name"]))
    recipients = list(dict.fromkeys(data.sort_values("amount_usd", ascending=False)["recipient_name"]))
    labels = donors + recipients
    index = {name: i for i, name in enumerate(donors)}
    index.update({name: len(donors) + i for i, name in enumerate(recipients)})
    colours = {d: COUNTRY_COLOURS[i % len(COUNTRY_COLOURS)] for i, d in enumerate(donors)}
    fig = go.Figure(go.Sankey(
        arrangement="snap", valueformat="$,.3s",
        node={"label": [plain(n) for n in labels], "pad": 12, "thickness": 16,
              "color": [colours.get(n, "#888") for n in donors] + ["#bbb"] * len(recipients)},
        link={"source": data["donor_name"].map(index).tolist(), "target": data["recipient_name"].map(index).tolist(),
              "value": data["amount_usd"].tolist(), "color": [rgba(colours[d], 0.35) for d in data["donor_name"]],
              "hovertemplate": "%{source.label} → %{target.label}: %{value}<extra></extra>"},
    ))
    return finish(fig, spec, axis_px=10, height=max(420, 24 * len(recipients) + 160))
