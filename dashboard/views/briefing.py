"""Briefing page: the charts collected with "Add to briefing", to reorder, remove and export as one PowerPoint file or
one PDF, or as a spec file that ``hsdash export --spec`` rebuilds on a schedule; a spec file can be opened here too.
The briefing is kept on the server for this browser (dashboard/components/briefing_keeper.py), so it survives
reloads and browser restarts. Lays out only: data through dashboard.data, files from dashboard.export, strings
from the warehouse and from opened files through plain.md."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from dashboard import briefing_store, data
from dashboard.components import briefing_keeper as keeper
from dashboard.components.export_panel import briefing, chart_for
from dashboard.export import engine, images, meta, naming, pack, specfile
from dashboard.figures import PLOTLY_CONFIG, build
from dashboard.figures.common import title_of
from dashboard.plain import md

MAX_UPLOAD_MB = 1

st.title("Briefing pack")
st.caption("Charts you add with **Add to briefing** (under each chart) collect here, and stay here in this browser "
           "until you remove them. Export them together: a title slide, one slide per chart with its caption and "
           "speaker notes (definitions, caveats, sources), and a sources slide — or the same as one PDF.")
for problem in st.session_state.get(keeper.PROBLEMS_KEY, []):
    st.warning(md(problem), icon=":material/assignment_late:")

specs = briefing()


def _open(upload) -> None:
    """Replace the briefing with the charts of an uploaded spec file (the format ``hsdash export --spec`` reads)."""
    suffix = ".toml" if upload.name.lower().endswith(".toml") else ".json"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"briefing{suffix}"
        path.write_bytes(upload.getvalue()[: briefing_store.MAX_BYTES + 1])
        stored = briefing_store.read_specs(path, data.connection())
    if stored.specs:
        keeper.apply(stored)
    else:
        st.session_state[keeper.PROBLEMS_KEY] = stored.problems or ["the spec file holds no chart"]


with st.expander("Open a spec file", expanded=not specs, icon=":material/upload_file:"):
    upload = st.file_uploader("Spec file (.json or .toml, as downloaded below or written for `hsdash export --spec`)",
                              type=["json", "toml"], key="brief_upload", max_upload_size=MAX_UPLOAD_MB)
    if upload is not None:
        st.button("Open it (replaces the charts here)", key="brief_open", on_click=_open, args=(upload,),
                  icon=":material/folder_open:")

if not specs:
    st.info("No charts yet. Open **Compare**, draw a chart and press **Add to briefing** under it.")
    st.stop()


def _move(i: int, step: int) -> None:
    j = i + step
    if 0 <= j < len(specs):
        specs[i], specs[j] = specs[j], specs[i]


def _remove(i: int) -> None:
    del specs[i]


charts = []
for i, selection in enumerate(specs):
    frame, full = data.chart_bundle(selection)
    chart = chart_for(full, frame)
    charts.append(chart)
    with st.container(border=True):
        text, buttons = st.columns([10, 3], vertical_alignment="center")
        text.markdown(f"**{i + 1}. {md(title_of(full))}**")
        text.caption(md(meta.subtitle(full, frame, chart.meta.labels)) + "  \n" + md(meta.caption(chart)))
        plotted = [c for c in ("value", "projects", "amount_usd") if c in frame]  # lines…; Trust Fund; aid
        if frame.empty or not any(frame[c].notna().any() for c in plotted):
            text.warning("No data for this selection any more (the warehouse changed?): remove it or it exports "
                         "as an empty chart.")
        up, down, rm = buttons.columns(3)
        up.button("", key=f"brief_up_{i}", on_click=_move, args=(i, -1), disabled=i == 0, help="Move up",
                  icon=":material/arrow_upward:")
        down.button("", key=f"brief_down_{i}", on_click=_move, args=(i, 1), disabled=i == len(specs) - 1,
                    help="Move down", icon=":material/arrow_downward:")
        rm.button("", key=f"brief_rm_{i}", on_click=_remove, args=(i,), help="Remove from the briefing",
                  icon=":material/close:")
        with st.expander("Preview"):
            if full.kind == "table":
                st.dataframe(frame, hide_index=True, width="stretch")
            else:
                st.plotly_chart(build(frame, full), config=PLOTLY_CONFIG, key=f"brief_chart_{i}")


def _keep_title() -> None:
    st.session_state[keeper.TITLE_KEY] = st.session_state["brief_title"]


def _keep_size() -> None:
    st.session_state[keeper.SIZE_KEY] = st.session_state["brief_preset"]


st.subheader("Export")
c_title, c_size = st.columns([3, 2])
# the widgets show the kept title and size (session keys outside the widgets, so leaving the page keeps them)
st.session_state["brief_title"] = st.session_state.get(keeper.TITLE_KEY) or keeper.DEFAULT_TITLE
kept_size = st.session_state.get(keeper.SIZE_KEY)
st.session_state["brief_preset"] = kept_size if kept_size in images.PRESETS else next(iter(images.PRESETS))
title = c_title.text_input("Title (first slide)", key="brief_title", max_chars=120, on_change=_keep_title)
preset = c_size.selectbox("Chart size", list(images.PRESETS), key="brief_preset", on_change=_keep_size,
                          format_func=lambda p: images.PRESETS[p].label)
status = engine.status()
today = meta.now_utc().date()
b1, b2, b3, b4 = st.columns(4)
b1.download_button("PowerPoint (.pptx)", data=lambda: pack.pptx_pack(charts, title, preset=preset),
                   file_name=naming.pack_filename("pptx", today, title), mime=pack.PPTX_MIME, key="brief_pptx",
                   on_click="ignore", type="primary", disabled=not status.available, width="stretch",
                   help=(f"{len(charts)} chart slide(s) plus title and sources" if status.available
                         else md(status.reason)))
b2.download_button("PDF", data=lambda: pack.pdf_pack(charts, title, preset=preset),
                   file_name=naming.pack_filename("pdf", today, title), mime=pack.PDF_MIME, key="brief_pdf",
                   on_click="ignore", disabled=not status.available, width="stretch",
                   help="One PDF: cover, a page per chart, sources, notes" if status.available else md(status.reason))
b3.download_button("Spec file (.json)", data=specfile.dump_json([c.spec.selection() for c in charts], title, preset),
                   file_name=naming.pack_filename("json", today, title), mime="application/json", key="brief_spec",
                   on_click="ignore", width="stretch",
                   help="Rebuild this pack from fresh data: hsdash export --spec FILE --format pptx")
b4.button("Clear the briefing", key="brief_clear", on_click=specs.clear, width="stretch")
if not status.available:
    st.warning(f"PowerPoint and PDF packs need the image engine. {md(status.reason)}",
               icon=":material/image_not_supported:")
st.caption("Refresh this pack on a schedule: `hsdash export --spec "
           f"{naming.pack_filename('json', today, title)} --format pptx --out briefing.pptx`")
