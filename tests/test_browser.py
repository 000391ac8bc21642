"""A real browser on the real app: `streamlit run` on 127.0.0.1 over the offline build, Chromium through Playwright
opens Compare, picks an indicator and a group, checks the chart and the map render, and that the page never asked
any host but the local server (the map's topojson included). Skips cleanly without Chromium or Playwright."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from streamlit_app import ARGS, CHROMIUM, AppDidNotStart, running_app

LOCAL = {"127.0.0.1", "localhost"}

pytestmark = pytest.mark.browser


@pytest.fixture()
def server(built, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api")
    try:
        with running_app(built.data, tmp_path / "streamlit.log") as (url, _proc):
            yield url
    except AppDidNotStart as exc:
        pytest.fail(str(exc))


def _pick(page, testid: str, label: str, text: str) -> None:
    """Open the widget labelled ``label``, type ``text`` and take the first match."""
    widget = page.locator(f'[data-testid="{testid}"]').filter(has_text=label).first
    widget.locator("input").first.click()
    page.keyboard.type(text)
    page.locator('[role="option"]').filter(has_text=text).first.click()
    page.keyboard.press("Escape")


def test_compare_chart_and_offline_map_in_chromium(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(server + "/")
            expect(page.get_by_role("heading", name="Compare")).to_be_visible(timeout=60_000)

            _pick(page, "stSelectbox", "Indicator", "GDP per capita (Gapminder)")
            _pick(page, "stMultiSelect", "Groups", "APT")
            expect(page).to_have_url(re.compile(r"ind=GAPMINDER\.GDPPERCAP"), timeout=30_000)
            expect(page).to_have_url(re.compile(r"g=asean%2Casean_plus_3|g=asean,asean_plus_3"), timeout=30_000)

            plot = page.locator(".js-plotly-plot").first
            expect(plot.locator(".legendtext").filter(has_text=re.compile(r"^APT$"))).to_have_count(1, timeout=60_000)
            expect(plot.locator(".scatterlayer .trace").first).to_be_attached()
            expect(plot.locator(".annotation-text").filter(has_text="Gapminder")).not_to_have_count(0)

            page.locator('[data-testid="stButtonGroup"] button').filter(has_text="Map").click()
            expect(page).to_have_url(re.compile(r"view=map"), timeout=30_000)
            countries = page.locator(".js-plotly-plot .choroplethlocation")
            expect(countries.first).to_be_attached(timeout=60_000)
            assert countries.count() >= 10  # ASEAN + APT members with Gapminder data, drawn from the local topojson
            page.screenshot(path=str(tmp_path / "compare-map.png"), full_page=True)
        finally:
            browser.close()

    hosts = {urlparse(u).hostname for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")}
    print(f"request log: {len(requests)} requests, hosts {sorted(hosts)}, topojson: "
          + ", ".join(sorted({urlparse(u).path for u in requests if "topojson" in u})))
    assert hosts <= LOCAL, f"requests left the machine: {sorted(hosts - LOCAL)}"
    assert any(u.endswith("/app/static/topojson/world_110m.json") for u in requests)
    assert (tmp_path / "compare-map.png").stat().st_size > 10_000
