"""The export panel under the Compare chart and the Briefing page, in AppTest (real offline warehouse)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.export import engine

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
LINE = {"ind": "SP.DYN.LE00.IN", "c": "THA", "g": "asean", "time": "1962..2007", "view": "line"}


def app(built, monkeypatch, query: dict, chromium: str | None = None) -> AppTest:
    monkeypatch.setenv("HSDASH_DATA_DIR", str(built.data))
    if chromium is None:
        monkeypatch.delenv(engine.ENV, raising=False)
    else:
        monkeypatch.setenv(engine.ENV, chromium)
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def downloads(at) -> dict:
    return {b.label: b for b in at.get("download_button")}


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_panel_offers_every_format_under_the_chart(built, monkeypatch):
    at = app(built, monkeypatch, LINE)
    assert not at.exception
    found = downloads(at)
    assert {"PNG", "SVG", "PDF", "CSV", "XLSX", "HTML"} <= set(found)
    assert not found["CSV"].proto.disabled and not found["XLSX"].proto.disabled and not found["HTML"].proto.disabled
    assert found["PNG"].proto.disabled == (not engine.status().available)
    size = at.selectbox(key="cmp_export_preset")
    assert size.options == ["16:9 slide", "Half A4", "Square"]  # short enough for the narrow picker
    assert "1920×1080 PNG" in size.help and "210×148.5 mm" in size.help and "1440×1440 PNG" in size.help


def test_without_chromium_image_buttons_explain_and_data_still_works(built, monkeypatch):
    at = app(built, monkeypatch, LINE, chromium="/nonexistent/chromium")
    assert not at.exception
    found = downloads(at)
    for fmt in ("PNG", "SVG", "PDF"):
        assert found[fmt].proto.disabled and "apt-get install chromium" in found[fmt].help
    for fmt in ("CSV", "XLSX", "HTML"):
        assert not found[fmt].proto.disabled
    assert any("PNG, SVG and PDF are off" in c.value and "HSDASH_CHROMIUM" in c.value for c in at.caption)


def test_add_to_briefing_then_reorder_remove_and_export(built, monkeypatch):
    at = app(built, monkeypatch, LINE, chromium="off")
    button(at, "Add to briefing").click().run()
    assert button(at, "In the briefing").disabled
    at.query_params["view"] = "bar"
    at.segmented_control(key="cmp_view").set_value("bar").run()
    button(at, "Add to briefing").click().run()
    assert [s.kind for s in at.session_state["briefing_charts"]] == ["line", "bar"]

    at.switch_page("views/briefing.py").run()
    assert not at.exception and at.title[0].value == "Briefing pack"
    listed = [m.value for m in at.markdown if m.value.startswith("**")]
    assert listed[0].startswith("**1. Life expectancy at birth") and len(listed) == 2
    found = downloads(at)
    assert found["PowerPoint (.pptx)"].proto.disabled and found["PDF"].proto.disabled  # engine switched off
    assert not found["Spec file (.json)"].proto.disabled
    assert any("switched off" in w.value for w in at.warning)

    at.button(key="brief_down_0").click().run()
    assert [s.kind for s in at.session_state["briefing_charts"]] == ["bar", "line"]
    at.button(key="brief_rm_0").click().run()
    assert [s.kind for s in at.session_state["briefing_charts"]] == ["line"]
    at.button(key="brief_clear").click().run()
    assert at.session_state["briefing_charts"] == [] and "No charts yet" in at.info[0].value


@pytest.mark.skipif(not engine.status().available, reason=f"no image engine: {engine.status().reason}")
def test_briefing_pack_buttons_are_live_with_chromium(built, monkeypatch):
    at = app(built, monkeypatch, LINE)
    button(at, "Add to briefing").click().run()
    at.switch_page("views/briefing.py").run()
    found = downloads(at)
    assert not found["PowerPoint (.pptx)"].proto.disabled and not found["PDF"].proto.disabled
