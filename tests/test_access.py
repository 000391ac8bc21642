"""Optional access control (dashboard/access.py): settings, the decision per request, the real app refusing a
session without the sign-in header, a served app in Chromium letting the right user in and showing a hostile user
name as text, and the friendly message for an uncaught error when error details are off."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import access
from etl.access import (MALFORMED, NO_HEADER, NOT_ALLOWED, AccessConfigError, Decision, Settings, decide,
                         settings_from_env)

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "dashboard" / "app.py")
ON = {"HSDASH_AUTH_HEADER": "X-Forwarded-User"}


def test_off_unless_configured():
    assert settings_from_env({}) == Settings()
    assert decide(Settings(), []) == Decision(True)


def test_settings_from_the_environment():
    s = settings_from_env({**ON, "HSDASH_ALLOWED_USERS": "Alice, bob@example.org  carol"})
    assert s == Settings("X-Forwarded-User", frozenset({"alice", "bob@example.org", "carol"}))


@pytest.mark.parametrize("env, says", [
    ({"HSDASH_ALLOWED_USERS": "alice"}, "HSDASH_ALLOWED_USERS is set but HSDASH_AUTH_HEADER is not"),
    ({"HSDASH_AUTH_HEADER": "X-User: alice"}, "is not an HTTP header name"),
    ({"HSDASH_AUTH_HEADER": "X\nInjected"}, "is not an HTTP header name"),
])
def test_contradictory_or_invalid_settings_are_refused(env, says):
    with pytest.raises(AccessConfigError, match=says):
        settings_from_env(env)


@pytest.mark.parametrize("values, expected", [
    ([], Decision(False, None, NO_HEADER)),
    (["   "], Decision(False, None, NO_HEADER)),
    (["alice"], Decision(True, "alice")),
    ([" Alice "], Decision(True, "Alice")),  # the allow-list compares case-insensitively
    (["mallory"], Decision(False, "mallory", NOT_ALLOWED)),
    (["alice", "mallory"], Decision(False, None, MALFORMED)),  # a client-sent header beside the proxy's
    (["ali\x00ce"], Decision(False, None, MALFORMED)),
    (["a" * 257], Decision(False, None, MALFORMED)),
])
def test_decision_per_request(values, expected):
    assert decide(settings_from_env({**ON, "HSDASH_ALLOWED_USERS": "alice"}), values) == expected


def test_without_an_allow_list_anyone_the_proxy_signed_in_is_let_in():
    assert decide(settings_from_env(ON), ["anyone@example.org"]) == Decision(True, "anyone@example.org")


def test_the_real_app_refuses_a_session_without_the_header(built, monkeypatch):
    """AppTest sends no request headers: with access control on, the app stops at the refusal, no page runs."""
    monkeypatch.setenv("HSDASH_DATA_DIR", str(built.data))
    monkeypatch.setenv("HSDASH_AUTH_HEADER", "X-Forwarded-User")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and [e.value for e in at.error] == [NO_HEADER]
    assert not at.title and not at.get("plotly_chart")


def test_with_access_control_off_the_app_opens_as_before(built, monkeypatch):
    monkeypatch.setenv("HSDASH_DATA_DIR", str(built.data))
    monkeypatch.delenv("HSDASH_AUTH_HEADER", raising=False)
    monkeypatch.delenv("HSDASH_ALLOWED_USERS", raising=False)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and not at.error and at.title[0].value == "Compare"


def test_misconfigured_access_keeps_the_dashboard_closed(built, monkeypatch):
    monkeypatch.setenv("HSDASH_DATA_DIR", str(built.data))
    monkeypatch.setenv("HSDASH_ALLOWED_USERS", "alice")
    monkeypatch.delenv("HSDASH_AUTH_HEADER", raising=False)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and "misconfigured" in at.error[0].value and not at.title


def test_no_page_can_run_without_the_router():
    """While a ``pages/`` folder sits beside app.py, Streamlit's old multipage mode runs a fresh server's first
    request for ``/<page>`` from that folder on its own — without app.py, so without the access check (seen with
    Streamlit 1.67). The pages live in dashboard/views/, routed only by st.navigation; keep it that way."""
    assert not (REPO / "dashboard" / "pages").exists()


def test_an_uncaught_error_shows_the_friendly_message_when_details_are_off():
    from streamlit import config

    script = ("import streamlit as st\nfrom dashboard import access\n"
              "st.set_option('client.showErrorDetails', 'none')\naccess.guard()\n"
              "raise RuntimeError('secret path /srv/hsdash/data')\n")
    before = config.get_option("client.showErrorDetails")
    try:
        at = AppTest.from_string(script, default_timeout=30).run()
    finally:
        config.set_option("client.showErrorDetails", before)
    assert [e.message for e in at.exception] == [access.FRIENDLY_ERROR]
    assert "secret" not in str(at.exception[0].proto)


@pytest.mark.browser
def test_served_app_lets_the_signed_in_user_in_and_shows_names_as_text(built, tmp_path, monkeypatch):
    from streamlit_app import ARGS, CHROMIUM, AppDidNotStart, browser_ready, running_app

    browser_ready()
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("HSDASH_AUTH_HEADER", "X-Forwarded-User")
    monkeypatch.setenv("HSDASH_ALLOWED_USERS", "alice")
    hostile = "**mallory** <b>bold</b> ![x](http://127.0.0.1:9/x.png)"  # SYNTHETIC user name full of markup
    try:
        with running_app(built.data, tmp_path / "streamlit.log") as (url, _proc), sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                def open_as(user: str | None, path: str):
                    context = browser.new_context(extra_http_headers={"X-Forwarded-User": user} if user else {})
                    page = context.new_page()
                    page.goto(f"{url}/{path}")
                    return page

                # first request of a fresh server, for a page URL, unsigned: must still be refused
                page = open_as(None, "aid")
                expect(page.get_by_text(NO_HEADER)).to_be_visible(timeout=60_000)
                expect(page.get_by_role("heading", name="Aid")).to_have_count(0)

                page = open_as("Alice", "")
                expect(page.get_by_role("heading", name="Compare")).to_be_visible(timeout=60_000)
                expect(page.get_by_test_id("stSidebar").get_by_text("Signed in as Alice")).to_be_visible()

                page = open_as(hostile, "")
                expect(page.get_by_text(NOT_ALLOWED)).to_be_visible(timeout=60_000)
                expect(page.get_by_text(f"Signed in as: {hostile}", exact=True)).to_be_visible()
                assert page.locator("[data-testid='stMain'] b, [data-testid='stMain'] strong, "
                                    "[data-testid='stMain'] img").count() == 0
                expect(page.get_by_role("heading", name="Compare")).to_have_count(0)
            finally:
                browser.close()
    except AppDidNotStart as exc:
        pytest.fail(str(exc))
