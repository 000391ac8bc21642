"""The briefing survives reloads: kept on the server per browser as a spec file (dashboard.briefing_store), loaded by
a new session that brings the browser's id (dashboard/components/briefing_keeper.py), opened from an uploaded spec
file on the Briefing page. The real browser round trip (cookie, reload, restart) is in tests/test_browser.py."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from dashboard_text import texts
from streamlit.testing.v1 import AppTest

from dashboard import briefing_store as store
from dashboard.components import briefing_keeper
from dashboard.export import engine, specfile
from dashboard.figures.spec import ChartSpec

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
LINE = {"ind": "SP.DYN.LE00.IN", "c": "THA", "g": "asean", "time": "1962..2007", "view": "line"}
SPEC = ChartSpec("SP.DYN.LE00.IN", countries=("THA",), groups=("asean",), year_from=1962, year_to=2007)


@pytest.fixture()
def data_dir(fresh):
    return fresh.data


def app(data_dir, monkeypatch, query: dict | None = None, cookie: str | None = None) -> AppTest:
    """A new session (a new tab, or the same browser after a reload when ``cookie`` is its briefing id)."""
    monkeypatch.setenv("HSDASH_DATA_DIR", str(data_dir))
    monkeypatch.setenv(engine.ENV, "off")
    # AppTest cannot send cookies: stand in for the browser's part only (reading the id it sent)
    monkeypatch.setattr(briefing_keeper, "cookie_id", lambda: cookie)
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


# --- the store -----------------------------------------------------------------------------------------------------

def test_save_then_load_round_trips_through_the_spec_file_format(data_dir, ro):
    bid = store.new_id()
    bar = replace(SPEC, kind="bar", year=2002, weighted=False)
    store.save(data_dir, bid, [SPEC, bar], "ASEAN life expectancy", "half_a4")
    path = store.path_for(data_dir, bid)
    assert path.parent == data_dir / "state" / "briefings" and path.is_file()
    settings, charts = specfile.load_file(path)  # what `hsdash export --spec FILE` reads
    assert settings["title"] == "ASEAN life expectancy" and [c["kind"] for c in charts] == ["line", "bar"]
    loaded = store.load(data_dir, bid, ro)
    assert loaded.specs == [SPEC, bar] and loaded.title == "ASEAN life expectancy" and loaded.size == "half_a4"
    assert loaded.problems == []
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind

    store.save(data_dir, bid, [])
    assert not path.exists() and store.load(data_dir, bid, ro).specs == []


@pytest.mark.parametrize("bad", ["", "short", "../../warehouse", "a/b" * 12, "x" * 65, "é" * 30, None])
def test_only_well_formed_ids_name_a_file(data_dir, bad):
    assert not store.valid_id(bad)
    with pytest.raises(ValueError):
        store.path_for(data_dir, bad)


def test_a_failed_write_keeps_the_previous_briefing(data_dir, ro, monkeypatch):
    bid = store.new_id()
    store.save(data_dir, bid, [SPEC], "first")
    before = store.path_for(data_dir, bid).read_bytes()

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError):
        store.save(data_dir, bid, [SPEC, replace(SPEC, kind="table")], "second")
    assert store.path_for(data_dir, bid).read_bytes() == before
    assert len(list(store.folder(data_dir).iterdir())) == 1


def test_unusable_files_are_reported_not_raised(data_dir, ro):
    folder = store.folder(data_dir)
    folder.mkdir(parents=True)
    cases = {
        "garbage": b"\x00not json at all",
        "wrong_shape": b'{"charts": "line"}',
        "too_big": b'{"charts": [' + b" " * (store.MAX_BYTES + 1) + b"]}",
        "unknown_indicator": json.dumps({"charts": [{"indicator": "NO.SUCH.CODE", "groups": ["asean"]},
                                                    specfile.to_mapping(SPEC)]}).encode(),
    }
    for name, content in cases.items():
        bid = name.ljust(22, "x")
        store.path_for(data_dir, bid).write_bytes(content)
        loaded = store.load(data_dir, bid, ro)
        assert loaded.problems, name
        assert loaded.specs == ([SPEC] if name == "unknown_indicator" else []), name
    link = "symlink".ljust(22, "x")
    store.path_for(data_dir, link).symlink_to(store.path_for(data_dir, "unknown_indicator".ljust(22, "x")))
    refused = store.load(data_dir, link, ro)
    assert refused.specs == [] and "not a regular file" in refused.problems[0]


# --- the app ---------------------------------------------------------------------------------------------------------

def test_a_new_session_of_the_same_browser_finds_its_briefing(data_dir, ro, monkeypatch):
    first = app(data_dir, monkeypatch, LINE)
    button(first, "Add to briefing").click().run()
    first.segmented_control(key="cmp_view").set_value("bar").run()
    button(first, "Add to briefing").click().run()
    bid = first.session_state["_briefing_id"]
    added = list(first.session_state["briefing_charts"])
    assert [s.kind for s in added] == ["line", "bar"] and store.path_for(data_dir, bid).is_file()

    again = app(data_dir, monkeypatch, {**LINE, "view": "bar"}, cookie=bid)  # reload: the browser sends its id
    assert not again.exception
    assert list(again.session_state["briefing_charts"]) == added  # labelled exactly as "Add to briefing" stored them
    assert button(again, "In the briefing").disabled

    again.switch_page("views/briefing.py").run()
    listed = [m.value for m in again.markdown if m.value.startswith("**")]
    assert len(listed) == 2 and listed[0].startswith("**1. Life expectancy at birth")
    again.button(key="brief_down_0").click().run()
    again.text_input(key="brief_title").input("Thailand in ASEAN").run()
    saved = store.load(data_dir, bid, ro)
    assert [s.kind for s in saved.specs] == ["bar", "line"] and saved.title == "Thailand in ASEAN"

    stranger = app(data_dir, monkeypatch, LINE)  # another browser: no cookie, its own empty briefing
    assert stranger.session_state["briefing_charts"] == [] and stranger.session_state["_briefing_id"] != bid


def test_clearing_removes_the_saved_briefing(data_dir, monkeypatch):
    at = app(data_dir, monkeypatch, LINE)
    button(at, "Add to briefing").click().run()
    bid = at.session_state["_briefing_id"]
    at.switch_page("views/briefing.py").run()
    at.button(key="brief_clear").click().run()
    assert not store.path_for(data_dir, bid).exists()
    assert app(data_dir, monkeypatch, cookie=bid).session_state["briefing_charts"] == []


def test_a_briefing_that_cannot_be_saved_stays_in_the_session_and_says_so(data_dir, monkeypatch):
    (data_dir / "state").mkdir(exist_ok=True)
    store.folder(data_dir).write_text("a file where the folder should be")  # mkdir fails, whoever runs the test
    at = app(data_dir, monkeypatch, LINE)
    button(at, "Add to briefing").click().run()
    assert not at.exception and len(at.session_state["briefing_charts"]) == 1
    at.switch_page("views/briefing.py").run()
    assert "kept for this session only" in texts(at, ("warning",))


def test_opening_a_spec_file_replaces_the_briefing(data_dir, ro, monkeypatch):
    at = app(data_dir, monkeypatch)
    at.switch_page("views/briefing.py").run()
    assert "No charts yet" in texts(at, ("info",))
    spec_file = specfile.dump_json([SPEC, replace(SPEC, kind="map", year=2007, countries=())], "Opened pack")
    at.file_uploader(key="brief_upload").set_value(("pack.json", spec_file.encode(), "application/json")).run()
    at.button(key="brief_open").click().run()
    assert not at.exception
    assert [s.kind for s in at.session_state["briefing_charts"]] == ["line", "map"]
    assert at.text_input(key="brief_title").value == "Opened pack"
    saved = store.load(data_dir, at.session_state["_briefing_id"], ro)
    assert [s.kind for s in saved.specs] == ["line", "map"]

    bad = b'{"charts": [{"indicator": "NOPE", "groups": ["asean"]}]}'
    at.file_uploader(key="brief_upload").set_value(("bad.json", bad, "application/json")).run()
    at.button(key="brief_open").click().run()
    assert [s.kind for s in at.session_state["briefing_charts"]] == ["line", "map"]  # unchanged
    assert "NOPE" in texts(at, ("warning",))

