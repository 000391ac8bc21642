"""The dashboard renders from the published warehouse (AppTest, no browser)."""

import pytest
from dashboard_text import shown
from streamlit.testing.v1 import AppTest

from pathlib import Path

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


@pytest.fixture()
def app(built, monkeypatch):
    """The app switched to the founding-paper page (Compare is the default page)."""
    monkeypatch.setenv("HSDASH_DATA_DIR", str(built.data))
    at = AppTest.from_file(APP, default_timeout=60).run()
    return at.switch_page("views/paper.py")


def test_paper_page_renders_with_citations(app):
    at = app.run()
    assert not at.exception
    assert at.title[0].value.startswith("Founding paper")
    captions = " ".join(shown(c.value) for c in at.caption)
    assert "GIARI Working Paper 2008-E-2" in captions
    assert "soh2008-45" in captions and "139 projects have been approved" in captions
    assert len(at.warning) >= 8  # the flagged figures say why


def test_filters_change_what_is_shown(app):
    at = app.run()
    n_all = len(at.dataframe)
    at.toggle(key="paper_flagged").set_value(True).run()
    assert not at.exception and 0 < len(at.dataframe) < n_all
    captions = " ".join(shown(c.value) for c in at.caption)
    assert "soh2008-45" not in captions  # Trust Fund count is not flagged


def test_country_figures_beside_public_series(app):
    at = app.run()
    at.selectbox(key="paper_country").select("CHN").run()
    table = at.dataframe[-1].value
    assert {"HDR.HDI", "SOH2008.POOR_MILLION"} <= set(table["indicator_code"])


def test_missing_warehouse_gives_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("HSDASH_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and "hsdash refresh" in shown(at.error[0].value)
