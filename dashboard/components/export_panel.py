"""The export panel under a chart: PNG / SVG / PDF (with a size preset), CSV, XLSX and HTML downloads, and
"Add to briefing" (the chart's selection goes into ``st.session_state[BRIEFING_KEY]``, listed on the Briefing page).

Lays out only; every file comes from the pure builders in ``dashboard.export``. Files are made when a button is
clicked (Streamlit calls the ``data`` callable then, in another thread; the image engine's lock serialises them),
so drawing the panel costs nothing. Without Chromium the image buttons are disabled and say how to enable them;
CSV, XLSX and HTML keep working.
"""

from __future__ import annotations

import threading

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import data
from dashboard.export import engine, html, images, meta, naming, tables
from dashboard.export.meta import Chart, ChartMeta
from dashboard.figures.spec import ChartSpec

BRIEFING_KEY = "briefing_charts"  # session_state: list of ChartSpec selections, in pack order
_prewarm = {"started": False}
_prewarm_lock = threading.Lock()


@st.cache_data(max_entries=128, show_spinner=False)
def _meta(version: str, spec: ChartSpec, frame: pd.DataFrame) -> ChartMeta:
    return meta.chart_meta(data.connection(), spec, frame)


def chart_for(spec: ChartSpec, frame: pd.DataFrame) -> Chart:
    """The exportable chart: ``spec`` as labelled by ``chart_data.with_provenance`` and its frame."""
    return Chart(spec, frame, _meta(data.version(), spec, frame))


def briefing() -> list[ChartSpec]:
    return st.session_state.setdefault(BRIEFING_KEY, [])


def _add(selection: ChartSpec) -> None:
    charts = briefing()
    if selection not in charts:
        charts.append(selection)


def _prewarm_engine() -> None:
    """Start Chromium in the background once per server process, so the first click is fast (not in AppTest)."""
    from streamlit import runtime

    with _prewarm_lock:
        if _prewarm["started"] or not runtime.exists() or not engine.status().available:
            return
        _prewarm["started"] = True
    threading.Thread(target=lambda: _safe(engine.warm), name="hsdash-export-warm", daemon=True).start()


def _safe(fn) -> None:
    try:
        fn()
    except Exception:  # noqa: BLE001 — a failed warm-up shows up as the engine's status on the next click
        pass


def export_panel(spec: ChartSpec, frame: pd.DataFrame, fig: go.Figure | None = None, key: str = "export") -> None:
    """Download buttons and "Add to briefing" for the chart of ``spec`` (labelled) drawn from ``frame``."""
    chart = chart_for(spec, frame)
    state = engine.status()
    if state.available:
        _prewarm_engine()
    plotted = [c for c in ("value", "projects", "amount_usd") if c in frame]  # lines…; Trust Fund counts; aid flows
    has_data = not frame.empty and any(frame[c].notna().any() for c in plotted)

    with st.container(border=True):
        c_size, c_img, c_data, c_brief = st.columns([2.2, 3, 3, 2], vertical_alignment="bottom")
        preset = c_size.selectbox("Image size", list(images.PRESETS), key=f"{key}_preset",
                                  format_func=lambda p: images.PRESETS[p].short_label,
                                  help="PNG, SVG and PDF carry title, subtitle and a footer with sources, licence, "
                                       "vintage, coverage and the date they were made. Sizes: "
                                       + "; ".join(p.label for p in images.PRESETS.values()) + ".")
        figure = fig if fig is not None and spec.kind != "table" else None
        with c_img:
            cols = st.columns(3)
            for col, fmt in zip(cols, ("png", "svg", "pdf")):
                col.download_button(
                    fmt.upper(), data=_image(chart, fmt, preset, figure), file_name=naming.filename(spec, fmt, preset),
                    mime=images.MIME[fmt], key=f"{key}_{fmt}", on_click="ignore", width="stretch",
                    disabled=not (state.available and has_data),
                    help=(f"{fmt.upper()} image, {images.PRESETS[preset].label}" if state.available
                          else f"Image export is unavailable: {state.reason}"))
        with c_data:
            cols = st.columns(3)
            cols[0].download_button("CSV", data=tables.to_csv(frame), file_name=naming.filename(spec, "csv"),
                                    mime=tables.CSV_MIME, key=f"{key}_csv", on_click="ignore", width="stretch",
                                    help="Exactly the rows behind this chart (same filters).")
            cols[1].download_button("XLSX", data=lambda: tables.to_xlsx(chart), file_name=naming.filename(spec, "xlsx"),
                                    mime=tables.XLSX_MIME, key=f"{key}_xlsx", on_click="ignore", width="stretch",
                                    help="The rows, plus a metadata sheet: definitions, sources, licences, vintage.")
            cols[2].download_button("HTML", data=lambda: html.chart_html(chart), file_name=naming.filename(spec, "html"),
                                    mime=html.MIME, key=f"{key}_html", on_click="ignore", width="stretch",
                                    disabled=not has_data, help="Interactive chart in one file that opens offline.")
        selection = spec.selection()
        added = selection in briefing()
        c_brief.button("In the briefing" if added else "Add to briefing", key=f"{key}_brief", disabled=added,
                       on_click=_add, args=(selection,), width="stretch",
                       icon=":material/check:" if added else ":material/playlist_add:",
                       help="Collect charts here, then export them together from the Briefing page.")
        if not state.available:
            st.caption(f"PNG, SVG and PDF are off: {state.reason}")
        elif added:
            st.caption(f"{len(briefing())} chart(s) in the briefing: open **Briefing** in the sidebar to export them.")


def _image(chart: Chart, fmt: str, preset: str, figure: go.Figure | None):
    return lambda: images.chart_image(chart, fmt, preset, figure=figure)
