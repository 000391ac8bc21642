"""Every page (but Compare, tested on its own) in AppTest on the bundled offline build, on the SYNTHETIC warehouse and
with every shared file imported: it renders, it speaks staff language — no None / nan / NaN, no snake_case header
or text, no emoji glyph, icons that are material icons — outside the "analyst details" expanders, and every chart
on it has its export panel ("Add to briefing" and the downloads)."""

from __future__ import annotations

import pytest
from pages_data import OUR_PAGES, all_imported, charts, page, staff_language_problems  # noqa: F401  (fixture)
from streamlit.testing.v1 import AppTest
from test_dashboard_synthetic import synthetic  # noqa: F401  (fixture)

# a proper name that happens to be written in snake_case: the Python package the reference tables cite as a source
PROPER_NAMES = ("country_converter",)
QUERIES = {"views/country.py": [{"iso3": "KHM"}, {"iso3": "SGP"}, {"iso3": "PRK"}],
           "views/indicators.py": [{}, {"q": "stunting"}, {"q": "water"}, {"q": "conflict"}]}


def problems(at) -> list[str]:
    return [p for p in staff_language_problems(at) if not any(name in p for name in PROPER_NAMES)]


def _cases():
    for path in OUR_PAGES:
        for query in QUERIES.get(path, [{}]):
            yield pytest.param(path, query, id=path.split("/")[1].removesuffix(".py") + "".join(
                f"-{v}" for v in query.values()))


CASES = list(_cases())


def _check(at, path):
    assert not at.exception, [e.value for e in at.exception]
    assert problems(at) == [], path
    panels = [b for b in at.button if b.key and b.key.endswith("_brief")]
    if path != "views/briefing.py":  # the Briefing page previews charts that already are in the briefing
        assert len(panels) == len(charts(at)), "every chart has its export panel"


@pytest.mark.parametrize("path, query", CASES)
def test_staff_language_on_the_bundled_build(built, monkeypatch, path, query):
    _check(page(built.data, monkeypatch, path, query), path)


@pytest.mark.parametrize("path, query", CASES)
def test_staff_language_on_the_synthetic_warehouse(synthetic, monkeypatch, path, query):  # noqa: F811
    _check(page(synthetic.data, monkeypatch, path, query), path)


@pytest.mark.parametrize("path, query", CASES)
def test_staff_language_with_every_shared_file_imported(all_imported, monkeypatch, path, query):  # noqa: F811
    _check(page(all_imported.data, monkeypatch, path, query), path)


def test_the_briefing_page_lists_charts_from_every_page_in_staff_language(built, monkeypatch):
    at = page(built.data, monkeypatch, "views/tfhs.py")
    for path, query, key in [("views/tfhs.py", {}, "tfhs_export_brief"),
                             ("views/country.py", {"iso3": "KHM"}, "cty_export_brief"),
                             ("views/aid.py", {}, "aid_paper_export_brief"),
                             ("views/indicators.py", {"q": "stunting"}, "ind_export_brief"),
                             ("views/progress.py", {}, "progress_export_brief")]:
        at.switch_page(path)
        at.query_params.clear()
        for k, v in query.items():
            at.query_params[k] = v
        at.run()
        at.button(key=key).click().run()
        assert not at.exception and at.button(key=key).disabled, path  # "In the briefing"
    at.switch_page("views/briefing.py").run()
    assert not at.exception
    assert len(at.session_state["briefing_charts"]) == 5
    assert problems(at) == []


# --- the checks themselves catch what they are for ------------------------------------------------------------------

BAD_PAGE = '''
import pandas as pd
import streamlit as st
st.title("Bad page ✅")
st.caption("last refresh None")
st.info("see oda_flow", icon="🔗")
st.dataframe(pd.DataFrame({"public_source": ["x", None], "value": [1.0, None]}))
'''


def test_the_staff_language_check_finds_none_snake_case_emoji_and_bare_missing_values():
    at = AppTest.from_string(BAD_PAGE).run()
    found = " | ".join(staff_language_problems(at))
    for expected in ("emoji in 'Bad page", "None/nan in 'last refresh None'", "snake_case 'oda_flow'",
                     "icon '🔗' is not a material icon", "snake_case header 'public_source'", "no placeholder"):
        assert expected in found, expected
