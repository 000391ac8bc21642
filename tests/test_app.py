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
    assert "GIARI Working Paper 2008-E-2" in captions and "139 projects have been approved" in captions
    ids = " ".join(shown(c.help) for c in at.caption if c.help)
    assert "soh2008-45" in ids  # the figure's id, for analysts, in its caption's tooltip
    assert len(at.warning) >= 8  # the flagged figures say why


def test_filters_change_what_is_shown(app):
    at = app.run()
    n_all = len(at.dataframe)
    at.toggle(key="paper_flagged").set_value(True).run()
    assert not at.exception and 0 < len(at.dataframe) < n_all
    captions = " ".join(shown(c.value) for c in at.caption)
    assert "139 projects have been approved" not in captions  # the Trust Fund count is not flagged


def test_country_figures_beside_public_series(app):
    at = app.run()
    at.selectbox(key="paper_country").select("CHN").run()
    table = at.dataframe[-1].value.set_index("name")  # columns are named for staff by the table's column config
    assert {"Human Development Index (value)", "People in extreme poverty (as published by Soh 2008)"} <= set(table.index)
    # like with like: the paper's HDI value beside the public HDI value (the starter set's UNDP file), same unit
    hdi = table.loc["Human Development Index (value)"]
    assert (hdi["public_name"] == "Human Development Index (value)").all() and hdi["public_value"].notna().all()
    # a count of people in extreme poverty has no public series of the same kind: said, not a value of another kind
    poor = table.loc["People in extreme poverty (as published by Soh 2008)"]
    assert poor["public_value"].isna().all() and poor["note"].notna().all()


def test_missing_warehouse_gives_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("HSDASH_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and "hsdash refresh" in shown(at.error[0].value)
