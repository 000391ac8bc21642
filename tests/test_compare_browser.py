"""Compare in a real Chromium (Playwright) over the offline build (issue 13): the group picker finds a group by its
name or its acronym and Enter takes the group typed — never a "Select N matches" bulk action; every picked group
stays visible; and no Compare control (view selector, pickers, sliders, the options row and its popover) is cut off
at 1280, 1440 or 1920 px, in any view. Skips cleanly without Chromium or Playwright."""

from __future__ import annotations

import re

import pytest
from streamlit_app import ARGS, CHROMIUM, app_for_test

pytestmark = pytest.mark.browser

UNDERNOURISHMENT = "SN.ITK.DEFC.ZS"  # in the bundled starter set (World Bank / FAO via OWID)
CONTROLS = ('[data-testid="stSelectbox"]', '[data-testid="stMultiSelect"]', '[data-testid="stSlider"]',
            '[data-testid="stCheckbox"]', '[data-testid="stPopover"]', '[data-testid="stButtonGroup"] button')
# Every control above the chart (and, when ``popover`` is set, inside the open options popover): its box must lie
# inside the window and inside the column that holds it, and no text in it may be cut off with an ellipsis.
CLIPPED_JS = """([selectors, popover]) => {
  const vw = window.innerWidth, out = [];
  const main = document.querySelector('[data-testid="stMain"]');
  const chart = main.querySelector(
    '[data-testid="stPlotlyChart"], [data-testid="stDataFrame"], [data-testid="stAlert"]');
  const limit = chart ? chart.getBoundingClientRect().top : Infinity;
  const scope = popover ? document.querySelector('[data-testid="stPopoverBody"]') : main;
  if (!scope) return ['no popover body'];
  for (const el of scope.querySelectorAll(selectors.join(','))) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || (!popover && r.top >= limit)) continue;
    const label = (el.querySelector('[data-testid="stWidgetLabel"]') || el).innerText.split('\\n')[0].slice(0, 40);
    if (r.left < -0.5 || r.right > vw + 0.5) out.push(`${label}: outside the window (${r.left}..${r.right} of ${vw})`);
    for (const box of [el.closest('[data-testid="stColumn"]'), el.closest('[data-testid="stButtonGroup"]')]) {
      if (!box || box === el) continue;
      const b = box.getBoundingClientRect();
      if (r.left < b.left - 0.5 || r.right > b.right + 0.5)
        out.push(`${label}: cut by its ${box.dataset.testid} (${r.left}..${r.right} in ${b.left}..${b.right})`);
    }
    for (const t of el.querySelectorAll('*')) {
      const cs = getComputedStyle(t);
      if (cs.textOverflow === 'ellipsis' && t.scrollWidth > t.clientWidth + 1 && t.innerText.trim())
        out.push(`${label}: text cut off: "${t.innerText.trim().slice(0, 40)}"`);
    }
  }
  return out;
}"""


@pytest.fixture(scope="module")
def server(built, tmp_path_factory):
    with app_for_test(built.data, tmp_path_factory.mktemp("compare-browser") / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _open(browser, url: str, width: int, height: int = 900):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    expect(page.get_by_role("heading", name="Compare")).to_be_visible(timeout=60_000)
    return page


def _settled(page, view: str) -> None:
    from playwright.sync_api import expect

    main = page.locator('[data-testid="stMain"]')
    shown = main.locator('[data-testid="stDataFrame"]' if view == "table" else ".js-plotly-plot").first
    expect(shown).to_be_visible(timeout=60_000)
    page.wait_for_timeout(500)  # columns settle after the chart's first layout


def test_group_picker_finds_names_and_acronyms_and_enter_takes_the_one_typed(server, browser):
    from playwright.sync_api import expect

    page = _open(browser, f"{server}/compare?ind={UNDERNOURISHMENT}&c=KHM&g=&time=1991..2015", 1280)
    try:
        picker = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Groups")
        seen = {}
        for typed, group_id in (("ASEAN", "asean"), ("Shanghai", "sco"), ("APT", "asean_plus_3"), ("SAARC", "saarc")):
            picker.locator("input").first.click()
            page.keyboard.type(typed)
            options = page.locator('[role="option"]')
            expect(options.first).to_be_visible(timeout=10_000)
            seen[typed] = options.all_inner_texts()
            page.keyboard.press("Enter")
            page.keyboard.press("Escape")
            expect(page).to_have_url(re.compile(rf"g=[^&]*{group_id}(%2C|,|&|$)"), timeout=30_000)
        assert seen["ASEAN"][0] == "Association of Southeast Asian Nations (ASEAN)", seen["ASEAN"]
        assert seen["Shanghai"] == ["Shanghai Cooperation Organisation (SCO)"], seen["Shanghai"]
        assert not any("matches" in o or o == "Select all" for texts in seen.values() for o in texts), seen
        expect(page).to_have_url(re.compile(r"g=asean(%2C|,)sco(%2C|,)asean_plus_3(%2C|,)saarc&"), timeout=30_000)

        picker.locator("input").first.click()  # the acronym alone finds its group, as the only or first match
        page.keyboard.type("SCO")
        expect(page.locator('[role="option"]').first).to_be_visible(timeout=10_000)
        page.keyboard.press("Escape")

        tags = picker.locator("[data-tag]")
        expect(tags).to_have_count(4)
        box = picker.bounding_box()
        for i in range(4):  # every picked group is on screen, inside the picker, its name not cut off
            tag = tags.nth(i).bounding_box()
            assert tag and box["x"] - 1 <= tag["x"] and tag["x"] + tag["width"] <= box["x"] + box["width"] + 1, (i, tag)
            assert tags.nth(i).locator("span[title]").evaluate("t => t.scrollWidth <= t.clientWidth + 1"), i
        assert "Shanghai Cooperation Organisation (SCO)" in picker.inner_text()
    finally:
        page.close()


@pytest.mark.parametrize("width", [1280, 1440, 1920])
def test_no_compare_control_is_clipped(server, browser, width, tmp_path):
    query = f"ind={UNDERNOURISHMENT}&c=KHM,VNM&g=asean,east_asia,wb_eap&time=1991..2015"
    problems = {}
    page = _open(browser, f"{server}/compare?{query}&view=line", width)
    try:
        for view in ("line", "bar", "map", "scatter", "table"):
            if view != "line":
                page.locator('[data-testid="stButtonGroup"] button').filter(
                    has_text=re.compile({"bar": "Ranking"}.get(view, view.title()))).click()
                page.wait_for_url(re.compile(rf"view={view}"), timeout=30_000)
            _settled(page, view)
            found = page.evaluate(CLIPPED_JS, [list(CONTROLS), False])
            if view == "line":  # the options popover, open
                page.locator('[data-testid="stPopover"] button').first.click()
                page.locator('[data-testid="stPopoverBody"]').wait_for(timeout=10_000)
                found += page.evaluate(CLIPPED_JS, [list(CONTROLS[:4]), True])
                page.keyboard.press("Escape")
            if found:
                problems[view] = found
            page.screenshot(path=str(tmp_path / f"compare-{width}-{view}.png"))
    finally:
        page.close()
    assert not problems, problems
