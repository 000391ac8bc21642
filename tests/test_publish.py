"""Atomic publication: a failed build leaves the published warehouse untouched and readable; refreshing twice
gives the same content; readers of the old version keep working while a new one is published."""

import json
import shutil

import duckdb
import pandas as pd
import pytest

from etl import publish
from etl.build import run_build
from etl.refresh import EXIT_FAILED, EXIT_LOCKED, EXIT_OK, EXIT_PARTIAL, refresh_lock, run_refresh
from etl.registry import registry
from etl.sources.base import Context, Loaded, Source


def snapshot(paths):
    link = paths.warehouse
    return link.resolve(), link.resolve().read_bytes()


class BrokenSource(Source):
    """Produces a source row that violates NOT NULL: the insert fails midway through the build."""

    source_id = "broken"
    kind = "bundled"

    def transform(self, ctx):
        return Loaded(source={"source_id": "broken", "publisher": None, "title": "t", "url": "https://x", "licence": "l",
                              "citation": "c", "kind": "bundled"}, raw_files=[])


class ContractBreaker(Source):
    """Valid rows on their own, but their raw file is never recorded: the cross-table contract check fails."""

    source_id = "sneaky"
    kind = "bundled"

    def transform(self, ctx):
        obs = pd.DataFrame([{"iso3": "KHM", "indicator_code": "SP.POP.TOTL", "year": 2000, "value": 1.0, "source_id": "sneaky",
                             "retrieved_at": "2026-01-01T00:00:00Z", "raw_sha256": "c" * 64, "note": None, "flag": None}])
        src = {"source_id": "sneaky", "publisher": "p", "title": "t", "url": "https://x", "licence": "l", "citation": "c", "kind": "bundled"}
        return Loaded(source=src, raw_files=[], tables={"observation": obs})


@pytest.mark.parametrize("bad_source", [BrokenSource, ContractBreaker])
def test_failed_build_leaves_published_untouched(fresh, bad_source):
    before_file, before_bytes = snapshot(fresh)
    reader = duckdb.connect(str(fresh.warehouse), read_only=True)
    sources = registry() + [bad_source()]
    ctx = Context(paths=fresh, run_id="test-broken", offline=True)
    result = run_build(fresh, sources, {s.source_id for s in sources}, ctx)
    assert result.error and not result.published
    after_file, after_bytes = snapshot(fresh)
    assert after_file == before_file and after_bytes == before_bytes
    assert reader.execute("SELECT count(*) FROM paper_figure").fetchone()[0] == 53  # a running reader is unaffected
    reader.close()
    assert not list(fresh.warehouses.glob(".build-*")), "the failed build file is removed"


def test_refresh_twice_gives_the_same_content(fresh):
    before = publish.published_meta(fresh)
    code, result = run_refresh(fresh, offline=True)
    # offline with no live download yet: the live sources fail (partial), the bundled ones are ok
    failed = {o.source_id for o in result.outcomes if o.status == "failed"}
    live = {s.source_id for s in registry(fresh) if s.kind == "live"}  # from the registry, not a list kept here
    assert failed <= live and {o.status for o in result.outcomes if o.source_id not in failed} == {"ok"}
    assert code == (EXIT_PARTIAL if failed else EXIT_OK)
    assert result.digest == before["content_sha256"]  # the same data either way
    # identical content is never republished, also when live sources failed and kept their data (issue 11): the
    # retained versions stay distinct; the run, its failures and its exit code are in state/runs.jsonl
    assert result.unchanged and not result.published
    assert publish.published_meta(fresh)["version"] == before["version"]
    last = json.loads((fresh.state / "runs.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert last["run_id"] == result.run_id and last["exit_code"] == code and last["unchanged"]
    assert {s["source_id"] for s in last["sources"] if s["status"] == "failed"} == failed


def test_healthy_unchanged_refresh_does_not_republish(fresh):
    before = publish.published_meta(fresh)
    code, result = run_refresh(fresh, sources=["paper", "reference"], offline=True)
    assert code == EXIT_OK and result.unchanged and not result.published
    assert publish.published_meta(fresh)["version"] == before["version"]


def _edit_paper_value(bundled, figure_id, new_value):
    """Rewrite one figure's value in a copy of the bundled paper source (synthetic change for the test)."""
    import csv
    import io

    from etl.rawzone import read_origin, write_origin

    path = bundled / "paper" / "soh2008_figures.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    for row in rows:
        if row["figure_id"] == figure_id:
            row["value"] = new_value
    out = io.StringIO()
    writer = csv.DictWriter(out, rows[0].keys(), lineterminator="\n")
    writer.writeheader(), writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    meta = read_origin(path, verify=False).to_dict()
    meta.pop("sha256"), meta.pop("bytes")
    write_origin(path, **meta)


def test_changed_content_publishes_a_new_version_while_old_readers_keep_reading(fresh, tmp_path, monkeypatch):
    old_file = fresh.warehouse.resolve()
    reader = duckdb.connect(str(fresh.warehouse), read_only=True)
    sql = "SELECT value FROM observation WHERE source_id = 'paper' AND iso3 = 'KOR' AND year = 2005"
    assert reader.execute(sql).fetchone()[0] == 750
    bundled = tmp_path / "bundled"
    shutil.copytree(fresh.bundled_raw, bundled)
    _edit_paper_value(bundled, "soh2008-53", "751")
    monkeypatch.setenv("HSDASH_BUNDLED_DIR", str(bundled))
    code, result = run_refresh(fresh, sources=["paper"], offline=True)
    assert code == EXIT_OK and result.published
    new_file = fresh.warehouse.resolve()
    assert new_file != old_file
    assert reader.execute(sql).fetchone()[0] == 750  # a reader of the old version is undisturbed
    fresh_reader = duckdb.connect(str(fresh.warehouse), read_only=True)
    assert fresh_reader.execute(sql).fetchone()[0] == 751
    # the sources not refreshed were carried forward unchanged
    assert fresh_reader.execute("SELECT count(*) FROM observation WHERE source_id = 'gapminder'").fetchone()[0] == \
        reader.execute("SELECT count(*) FROM observation WHERE source_id = 'gapminder'").fetchone()[0]
    reader.close(), fresh_reader.close()


def test_second_refresh_is_locked_out(fresh):
    with refresh_lock(fresh):
        code, result = run_refresh(fresh, offline=True)
    assert code == EXIT_LOCKED and result is None


def test_unknown_source_is_refused(fresh):
    with pytest.raises(ValueError, match="unknown source"):
        run_refresh(fresh, sources=["nope"])


def test_no_published_warehouse_means_failed_status(tmp_path):
    from click.testing import CliRunner
    from etl.cli import main

    out = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "empty"), "status"])
    assert out.exit_code == EXIT_FAILED and "No published warehouse" in out.output


def test_revised_values_are_recorded(fresh, tmp_path, monkeypatch):
    bundled = tmp_path / "bundled"
    shutil.copytree(fresh.bundled_raw, bundled)
    _edit_paper_value(bundled, "soh2008-53", "760")  # SYNTHETIC revision of a published value
    monkeypatch.setenv("HSDASH_BUNDLED_DIR", str(bundled))
    code, result = run_refresh(fresh, sources=["paper"], offline=True)
    assert code == EXIT_OK and result.revisions == 1
    con = duckdb.connect(str(fresh.warehouse), read_only=True)
    rows = con.execute("SELECT source_id, iso3, indicator_code, year, old_value, new_value FROM revision").fetchall()
    con.close()
    assert rows == [("paper", "KOR", "SOH2008.ODA_PROVIDED_USD_M", 2005, 750.0, 760.0)]
    # a second revision keeps the first in the history
    _edit_paper_value(bundled, "soh2008-53", "770")
    code, result = run_refresh(fresh, sources=["paper"], offline=True)
    con = duckdb.connect(str(fresh.warehouse), read_only=True)
    history = con.execute("SELECT old_value, new_value FROM revision ORDER BY detected_at, new_value").fetchall()
    con.close()
    assert history == [(750.0, 760.0), (760.0, 770.0)]
