"""Interactive HTML download: one self-contained file that opens offline, with the same title, subtitle and footer
as the image exports.

plotly.js is inlined (no CDN). A map's world topojson is inlined too, as ``window.PlotlyGeoAssets`` (which
plotly.js consults before fetching ``<topojsonURL>world_110m.json``), so the file needs nothing but a browser.
No Chromium needed: this is the export that always works. Data text (names, publishers, descriptions) reaches the
page only inside the figure, escaped by the builders (``dashboard.figures.markup``) so plotly.js shows it as text,
and in the page's ``<title>``, HTML-escaped: the file holds no link or image made from data.
"""

from __future__ import annotations

import html
import json
from datetime import datetime

from dashboard.export import images
from dashboard.export.meta import Chart
from dashboard.figures.common import title_of
from dashboard.figures.map import TOPOJSON_DIR

MIME = "text/html"


def _geo_assets(fig) -> str:
    if not any(t.type in ("choropleth", "scattergeo") for t in fig.data):
        return ""
    assets = {}
    for path in sorted(TOPOJSON_DIR.glob("*.json")):
        assets[path.stem] = json.loads(path.read_text(encoding="utf-8"))
    payload = json.dumps({"topojson": assets}, separators=(",", ":")).replace("</", "<\\/")
    return f"<script>window.PlotlyGeoAssets = {payload};</script>"


def chart_html(chart: Chart, generated: datetime | None = None) -> bytes:
    fig = images.export_figure(chart, None, generated)
    page = fig.to_html(full_html=True, include_plotlyjs=True, config={"displaylogo": False, "responsive": True},
                       default_height="92vh")
    title = title_of(chart.spec) or "hsdash chart"  # plain text (the figure's title is plotly-escaped)
    page = page.replace("<head>", f"<head><title>{html.escape(title)}</title>" + _geo_assets(fig), 1)
    return page.encode("utf-8")
