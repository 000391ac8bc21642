"""Issue 7: the dashboard (``streamlit run`` on 127.0.0.1) serves through 20 consecutive refreshes, each publishing a
new version; Chromium reloads after each and sees the new version in the sidebar, never an exception. Skips
cleanly without Chromium or Playwright. See tests/reliability/dashboard.py."""

import pytest

from reliability import dashboard

pytestmark = pytest.mark.browser


def test_dashboard_serves_through_twenty_refreshes(built, tmp_path):
    why = dashboard.unavailable()
    if why:
        pytest.skip(why)
    out = dashboard.run(built, tmp_path / "dash", refreshes=20, log=print)
    assert out.ok, out.detail
    print(out.detail)
