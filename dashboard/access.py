"""Who may open the dashboard: optional access control that needs no outside service, and the message a browser
sees when a page fails.

Off unless configured. With ``HSDASH_AUTH_HEADER`` set (e.g. ``X-Forwarded-User``, the header a single-sign-on
proxy such as oauth2-proxy — or nginx with basic auth — sets on every request it lets through), a session whose
request lacks that header is refused with one sentence and ``st.stop()``. ``HSDASH_ALLOWED_USERS`` (names separated
by commas or spaces, compared case-insensitively) narrows it to a list. The header is trusted, so the Streamlit port
must be reachable by the proxy only (docs/deployment.md). A user name is shown as text, never as markup.

:func:`settings_from_env` and :func:`decide` are pure and live in ``etl.access`` (``hsdash serve`` uses the first to
warn before it starts); :func:`guard` is the one call at the top of dashboard/app.py.
"""

from __future__ import annotations

import os

from etl.access import (  # noqa: F401 — the rules are pure and shared with `hsdash serve`
    FRIENDLY_ERROR, HEADER_ENV, USERS_ENV, AccessConfigError, Decision, Settings, decide, settings_from_env,
)


def _friendly_errors() -> None:
    """Replace Streamlit's generic text for a redacted uncaught exception (it points at "Streamlit Cloud") with ours.
    Takes effect only when ``client.showErrorDetails`` is not "full" (the shipped .streamlit/config.toml sets "none").
    The constant is Streamlit's own (private) name; tests/test_access.py notices if an upgrade renames it."""
    from streamlit.elements import exception

    if hasattr(exception, "_GENERIC_UNCAUGHT_EXCEPTION_TEXT"):
        exception._GENERIC_UNCAUGHT_EXCEPTION_TEXT = FRIENDLY_ERROR


def guard() -> str | None:
    """Refuse this session (message + ``st.stop()``) unless access control is off or lets it in; return the user."""
    import streamlit as st

    _friendly_errors()
    try:
        settings = settings_from_env(os.environ)
    except AccessConfigError as exc:  # fail closed: a misconfigured server shows nothing
        st.error("Access control is misconfigured, so the dashboard stays closed: ask its administrators.",
                 icon=":material/lock:")
        st.text(str(exc))
        st.stop()
    if settings.header is None:
        return None
    decision = decide(settings, st.context.headers.get_all(settings.header))
    if not decision.allowed:
        st.error(decision.message, icon=":material/lock:")
        if decision.user:
            st.text(f"Signed in as: {decision.user}")  # text, never markup: the name comes from a request header
        st.stop()
    st.sidebar.text(f"Signed in as {decision.user}")
    return decision.user
