"""Streamlit entry point: the router (``st.navigation``). Pages only lay out; data comes from dashboard.data."""

from __future__ import annotations

import streamlit as st

from dashboard import data

st.set_page_config(page_title="Human Security Indicators — East & Southeast Asia", page_icon="🛡️", layout="wide")

PAGES = [
    st.Page("pages/compare.py", title="Compare", icon=":material/monitoring:", url_path="compare", default=True),
    st.Page("pages/country.py", title="Country profile", icon=":material/flag:", url_path="country"),
    st.Page("pages/aid.py", title="Aid", icon=":material/volunteer_activism:", url_path="aid"),
    st.Page("pages/tfhs.py", title="Trust Fund for Human Security", icon=":material/handshake:", url_path="tfhs"),
    st.Page("pages/sources.py", title="Data & sources", icon=":material/database:", url_path="sources"),
    st.Page("pages/paper.py", title="Founding paper", icon=":material/description:", url_path="paper"),
    st.Page("pages/progress.py", title="Progress to targets", icon=":material/flag_circle:", url_path="progress"),
    st.Page("pages/briefing.py", title="Briefing", icon=":material/slideshow:", url_path="briefing"),
]

try:
    meta = data.load("meta")
except data.NoWarehouse as exc:
    st.error(str(exc))
    st.stop()

with st.sidebar:
    st.caption(f"Warehouse version {meta.get('version')} · built {meta.get('built_at')}")

st.navigation(PAGES).run()
