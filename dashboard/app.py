"""Streamlit entry point: the router. ``st.navigation`` serves each page of ``dashboard/views/`` at its own URL
(``/compare``, ``/country``, …), so a link with a query string (``/compare?ind=…&g=asean``) opens that page in that
state; ``/`` opens Compare with the query string it was given (links made before pages had their own URLs).
Pages only lay out; data comes from ``dashboard.data``, URL state from ``dashboard.urlstate``.
"""

from __future__ import annotations

import streamlit as st

from dashboard import access, data
from dashboard.components import briefing_keeper
from dashboard.labels import human_date
from dashboard.plain import md

access.guard()  # refuses the session when access control is configured and the request is not signed in

st.set_page_config(page_title="Human Security Indicators — East & Southeast Asia", page_icon="🛡️", layout="wide")

COMPARE = st.Page("views/compare.py", title="Compare", icon=":material/monitoring:", url_path="compare")
PAGES = [
    COMPARE,
    st.Page("views/indicators.py", title="Indicators", icon=":material/menu_book:", url_path="indicators"),
    st.Page("views/country.py", title="Country profile", icon=":material/flag:", url_path="country"),
    st.Page("views/aid.py", title="Aid", icon=":material/volunteer_activism:", url_path="aid"),
    st.Page("views/tfhs.py", title="Trust Fund for Human Security", icon=":material/handshake:", url_path="tfhs"),
    st.Page("views/sources.py", title="Data & sources", icon=":material/database:", url_path="sources"),
    st.Page("views/paper.py", title="Founding paper", icon=":material/description:", url_path="paper"),
    st.Page("views/progress.py", title="Progress to targets", icon=":material/flag_circle:", url_path="progress"),
    st.Page("views/briefing.py", title="Briefing", icon=":material/slideshow:", url_path="briefing"),
]


def _home() -> None:
    """``/`` (and ``/?…``): Compare, with the query string it came with."""
    st.switch_page(COMPARE, query_params=st.query_params.to_dict())


# Streamlit serves the default page at "/" and ignores its url_path, so Compare itself must not be the default:
# /compare would then be "Page not found".
HOME = st.Page(_home, title="Home", url_path="home", default=True, visibility="hidden")

try:
    meta = data.meta()
except data.NoWarehouse as exc:
    st.error(f"No published warehouse at {md(exc.link)}. Run `hsdash refresh` first.")
    st.stop()

with st.sidebar:
    st.caption(f"Data as of {md(human_date(meta.get('built_at'), with_time=True))}",
               help=f"Warehouse version {md(meta.get('version'))}")
    briefing_keeper.keep()

st.navigation([HOME, *PAGES]).run()
