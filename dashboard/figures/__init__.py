"""Pure figure builders: ``build_<kind>(data: pd.DataFrame, spec: ChartSpec) -> go.Figure``, no Streamlit.

``data`` is exactly what ``dashboard.chart_data.chart_frame(con, spec)`` returns for ``spec`` (line, bar, map,
scatter, table, multiples, coverage), or the aid / Trust Fund frames for ``sankey`` / ``counts``. The page's map
plays a timeline (``map.build_map_timeline`` over ``chart_data.map_timeline``); its exports show the chosen year.
Every figure carries the shared
``footer`` annotation (publishers, licence, vintage, coverage). Briefing exports call ``build(data, spec)``.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.bar import build_bar
from dashboard.figures.counts import build_counts
from dashboard.figures.coverage import build_coverage
from dashboard.figures.line import build_line
from dashboard.figures.map import PLOTLY_CONFIG, TOPOJSON_DIR, build_map
from dashboard.figures.multiples import build_multiples
from dashboard.figures.sankey import build_sankey
from dashboard.figures.scatter import build_scatter
from dashboard.figures.spec import ChartSpec
from dashboard.figures.table import build_table

BUILDERS = {
    "line": build_line, "bar": build_bar, "map": build_map, "scatter": build_scatter, "table": build_table,
    "sankey": build_sankey, "counts": build_counts, "multiples": build_multiples, "coverage": build_coverage,
}

__all__ = ["BUILDERS", "ChartSpec", "PLOTLY_CONFIG", "TOPOJSON_DIR", "build", *(f"build_{k}" for k in BUILDERS)]


def build(data: pd.DataFrame, spec: ChartSpec) -> go.Figure:
    """The figure for ``spec.kind``."""
    return BUILDERS[spec.kind](data, spec)
