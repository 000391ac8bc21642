"""Keeps each browser's briefing (the charts collected with "Add to briefing", its title and size) across reloads
and browser restarts.

A browser is known by a random id in the cookie ``hsdash_briefing`` (set from the page by a tiny component the
first time, read by the server from ``st.context.cookies`` on every later visit; it carries nothing but the id).
The briefing itself stays on the server, a spec file per id (``dashboard.briefing_store``). ``keep()`` runs once per
rerun from ``app.py``, before the page: on a session's first run it loads the saved briefing; when the session
changed it (the buttons are callbacks, so the change is in session state before the script reruns) it saves it;
when another tab of the same browser saved a newer one and this session changed nothing, it loads that. A briefing
that cannot be saved (e.g. a read-only data directory) stays in the session, and the page says so.
"""

from __future__ import annotations

import streamlit as st

from dashboard import briefing_store as store
from dashboard import data
from dashboard.components.export_panel import BRIEFING_KEY
from dashboard.figures.spec import ChartSpec

COOKIE = "hsdash_briefing"
MAX_AGE_S = 400 * 24 * 3600  # browsers cap a cookie's lifetime at 400 days
DEFAULT_TITLE = "Human security briefing"
TITLE_KEY = "briefing_title"  # session_state: the pack title and size, kept outside the Briefing page's widgets
SIZE_KEY = "briefing_size"
PROBLEMS_KEY = "briefing_problems"  # what could not be loaded or saved, shown on the Briefing page
_ID_KEY, _SAVED_KEY, _MTIME_KEY = "_briefing_id", "_briefing_saved", "_briefing_mtime"
_COOKIE_OK_KEY = "_briefing_cookie"

# Sets the cookie from the page (Streamlit has no server-side Set-Cookie). The id is passed as data, never spliced
# into the code, and checked again here.
_SET_COOKIE_JS = """
export default function (component) {
  const d = component.data || {};
  if (!/^[A-Za-z0-9_-]{22,64}$/.test(d.id || "")) return;
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${d.name}=${d.id}; Max-Age=${d.maxAge}; Path=/; SameSite=Strict${secure}`;
}
"""
_set_cookie = st.components.v2.component("hsdash_briefing_cookie", js=_SET_COOKIE_JS)


def cookie_id() -> str | None:
    """The briefing id this browser sent (None when absent or not a well-formed id)."""
    value = st.context.cookies.get(COOKIE)
    return value if store.valid_id(value) else None


def briefing_id() -> str | None:
    return st.session_state.get(_ID_KEY)


def _snapshot() -> tuple:
    return (tuple(st.session_state.get(BRIEFING_KEY, [])), st.session_state.get(TITLE_KEY, DEFAULT_TITLE),
            st.session_state.get(SIZE_KEY, ""))


def labelled(specs: list[ChartSpec]) -> list[ChartSpec]:
    """The specs as "Add to briefing" stores them: names, units and direction filled in from the warehouse."""
    return [data.chart_bundle(spec)[1].selection() for spec in specs]


def apply(stored: store.Stored) -> None:
    """Make ``stored`` this session's briefing."""
    st.session_state[BRIEFING_KEY] = labelled(stored.specs)
    st.session_state[TITLE_KEY] = stored.title or DEFAULT_TITLE
    st.session_state[SIZE_KEY] = stored.size
    st.session_state[PROBLEMS_KEY] = list(stored.problems)


def _load(bid: str) -> None:
    apply(store.load(data.data_dir(), bid, data.connection()))
    st.session_state[_SAVED_KEY] = _snapshot()
    st.session_state[_MTIME_KEY] = store.modified(data.data_dir(), bid)


def _save(bid: str) -> None:
    specs, title, size = _snapshot()
    try:
        store.save(data.data_dir(), bid, list(specs), title if specs else "", size if specs else "")
    except OSError as exc:
        st.session_state[PROBLEMS_KEY] = [
            f"this briefing is kept for this session only: it cannot be saved in {store.folder(data.data_dir())} "
            f"({exc.strerror or type(exc).__name__})"]
    else:
        st.session_state[PROBLEMS_KEY] = []
    st.session_state[_SAVED_KEY] = _snapshot()
    st.session_state[_MTIME_KEY] = store.modified(data.data_dir(), bid)


def keep() -> None:
    """Load, save or reload this browser's briefing (see the module doc); call once per run, before the page."""
    bid = briefing_id()
    if bid is None:
        known = cookie_id()
        bid = known or store.new_id()
        st.session_state[_ID_KEY] = bid
        st.session_state[_COOKIE_OK_KEY] = known is not None
        _load(bid)
    elif (_snapshot() == st.session_state.get(_SAVED_KEY)
          and store.modified(data.data_dir(), bid) != st.session_state.get(_MTIME_KEY)):
        _load(bid)
    if _snapshot() != st.session_state.get(_SAVED_KEY):
        _save(bid)
    if not st.session_state.get(_COOKIE_OK_KEY):
        _set_cookie(data={"name": COOKIE, "id": bid, "maxAge": MAX_AGE_S}, key="briefing_cookie", height=0)
