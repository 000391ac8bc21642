"""A real browser on the real app: `streamlit run` on 127.0.0.1 over the offline build, Chromium through Playwright
opens Compare, picks an indicator and a group, checks the chart and the map render, and that the page never asked
any host but the local server (the map's topojson included); deep links to every page open that page in that state
on a fresh server; the briefing survives a reload and a browser restart. Skips cleanly without Chromium or
Playwright."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from streamlit_app import ARGS, CHROMIUM, app_for_test

LOCAL = {"127.0.0.1", "localhost"}

pytestmark = pytest.mark.browser


@pytest.fixture()
def server(built, tmp_path):
    with app_for_test(built.data, tmp_path / "streamlit.log") as url:
        yield url


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


LINE = "ind=SP.DYN.LE00.IN&c=THA&g=asean&time=1962..2007&view=line"
DEEP = {  # url path and query string → the page's heading
    "/compare?" + LINE: "Compare",
    "/country?iso3=VNM&ind=SP.DYN.LE00.IN&g=asean": "Country profile",
    "/aid?rg=asean&time=2000..2020": "Aid",
    "/tfhs": "Trust Fund for Human Security",
    "/sources?src=paper": "Data & sources",
    "/paper": "Founding paper: Soh (2008)",
    "/progress": "Progress towards MDG and SDG targets",
    "/briefing": "Briefing pack",
}


def _opened(page, url: str, heading: str) -> None:
    from playwright.sync_api import expect

    page.goto(url)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Page not found")).to_have_count(0)


def test_deep_links_open_their_page_in_that_state(server):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            # the first request a fresh server sees is a page URL with a query string (the case that used to fail)
            _opened(page, server + "/compare?" + LINE, "Compare")
            expect(page).to_have_url(re.compile(r"/compare\?.*ind=SP\.DYN\.LE00\.IN"))
            picked = page.locator('[data-testid="stSelectbox"]').filter(has_text="Indicator").locator("input").first
            expect(picked).to_have_value(re.compile("Life expectancy"))
            plot = page.locator(".js-plotly-plot").first
            expect(plot.locator(".legendtext").filter(has_text=re.compile(r"^Thailand$"))).to_have_count(1, timeout=60_000)

            _opened(page, server + "/country?iso3=VNM&ind=SP.DYN.LE00.IN&g=asean", "Country profile")
            country = page.locator('[data-testid="stSelectbox"]').filter(has_text="Country").locator("input").first
            expect(country).to_have_value("Vietnam")
            expect(page).to_have_url(re.compile(r"/country\?.*iso3=VNM"))
            for url, heading in DEEP.items():
                _opened(page, server + url, heading)
                expect(page).to_have_url(re.compile(re.escape(url.split("?")[0]) + r"(\?|$)"))
            # a link from before pages had their own URLs: / with Compare's query string
            _opened(page, server + "/?" + LINE.replace("THA", "VNM"), "Compare")
            expect(page).to_have_url(re.compile(r"/compare\?.*c=VNM"))
        finally:
            browser.close()


def _briefing_titles(page) -> list[str]:
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name="Briefing pack", exact=True)).to_be_visible(timeout=60_000)
    items = page.locator('[data-testid="stMarkdownContainer"] strong').filter(has_text=re.compile(r"^\d+\. "))
    page.wait_for_timeout(500)
    return items.all_inner_texts()


def test_the_briefing_survives_a_reload_and_a_browser_restart(server):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1600})
            page = context.new_page()
            _opened(page, server + "/compare?" + LINE, "Compare")
            add = page.get_by_role("button", name="Add to briefing")
            add.click()
            expect(page.get_by_role("button", name="In the briefing")).to_be_disabled(timeout=30_000)
            page.locator('[data-testid="stButtonGroup"] button').filter(has_text="Ranking").click()
            expect(page).to_have_url(re.compile(r"view=bar"), timeout=30_000)
            add.click()
            expect(page.get_by_role("button", name="In the briefing")).to_be_disabled(timeout=30_000)

            page.reload()
            expect(page.get_by_role("heading", name="Compare", exact=True)).to_be_visible(timeout=60_000)
            expect(page.get_by_role("button", name="In the briefing")).to_be_disabled(timeout=60_000)
            page.goto(server + "/briefing")
            kept = _briefing_titles(page)
            assert len(kept) == 2 and all("Life expectancy" in t for t in kept), kept

            saved = context.storage_state()  # the browser's cookies, as a restarted browser keeps them
            context.close()
            restarted = browser.new_context(storage_state=saved)
            page = restarted.new_page()
            page.goto(server + "/briefing")
            assert _briefing_titles(page) == kept
            restarted.close()

            stranger = browser.new_context().new_page()  # another browser: its own, empty briefing
            _opened(stranger, server + "/briefing", "Briefing pack")
            expect(stranger.get_by_text("No charts yet")).to_be_visible(timeout=30_000)
        finally:
            browser.close()
