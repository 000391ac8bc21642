"""The export panel in the real app (streamlit run + Chromium through Playwright): the PNG button hands over a file
named for the chart at the preset's size, "Add to briefing" then the Briefing page's PowerPoint button hands over a
pack. Files are made on click, in Streamlit's download thread, by the warm export engine. Skips cleanly without
Chromium or Playwright."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pptx import Presentation

from dashboard.export import engine
from test_browser import ARGS, CHROMIUM, server  # noqa: F401  (fixture: streamlit on 127.0.0.1 over the offline build)

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not engine.status().available,
                                                      reason=f"no image engine: {engine.status().reason}")]
QUERY = "/compare?ind=SP.DYN.LE00.IN&c=THA&g=asean&time=1962..2007&view=line"


def test_png_download_and_pptx_pack_from_the_browser(server):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1800}, accept_downloads=True)
            page.goto(server + QUERY)
            expect(page.get_by_role("heading", name="Compare")).to_be_visible(timeout=60_000)
            png_button = page.get_by_role("button", name="PNG", exact=True)
            expect(png_button).to_be_enabled(timeout=60_000)
            with page.expect_download(timeout=120_000) as png:
                png_button.click()
            assert png.value.suggested_filename == "life-expectancy-at-birth_ASEAN-THA_1962-2007.png"
            assert Image.open(png.value.path()).size == (1920, 1080)

            page.get_by_role("button", name="Add to briefing").click()
            expect(page.get_by_role("button", name="In the briefing")).to_be_visible(timeout=30_000)
            page.get_by_role("link", name="Briefing").click()
            expect(page.get_by_role("heading", name="Briefing pack")).to_be_visible(timeout=60_000)
            pptx_button = page.get_by_role("button", name="PowerPoint (.pptx)", exact=True)
            with page.expect_download(timeout=120_000) as deck_download:
                pptx_button.click()
            assert deck_download.value.suggested_filename.endswith(".pptx")
            with open(deck_download.value.path(), "rb") as fh:
                deck = Presentation(io.BytesIO(fh.read()))
            assert len(deck.slides) == 3  # title, the chart, sources
        finally:
            browser.close()
