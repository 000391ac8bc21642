"""Data & sources shows what the last refresh changed: a revised published value appears with old and new value."""

import shutil

from test_dashboard_pages import page
from test_publish import _edit_paper_value

from etl.refresh import EXIT_OK, run_refresh


def test_no_revisions_message(built, monkeypatch):
    at = page(built.data, monkeypatch, "views/sources.py")
    assert not at.exception
    assert any("No published value has been revised" in i.value for i in at.info)


def test_revision_listed_after_a_refresh_changes_a_value(fresh, tmp_path, monkeypatch):
    bundled = tmp_path / "bundled"
    shutil.copytree(fresh.bundled_raw, bundled)
    _edit_paper_value(bundled, "soh2008-53", "760")  # SYNTHETIC revision of a published figure
    monkeypatch.setenv("HSDASH_BUNDLED_DIR", str(bundled))
    code, _ = run_refresh(fresh, sources=["paper"], offline=True)
    assert code == EXIT_OK
    at = page(fresh.data, monkeypatch, "views/sources.py")
    assert not at.exception
    frames = [d.value for d in at.dataframe if "old_value" in getattr(d.value, "columns", [])]
    assert frames
    changed = frames[0][["country", "year", "old_value", "new_value"]].values.tolist()
    assert changed == [["South Korea", 2005, 750.0, 760.0]]
    assert any("1** published value(s) changed" in m.value for m in at.markdown)
