"""Issue 12.3: a raw zone that heals. A rejected import is kept apart (raw/_rejected/<source>/) and never becomes the
source's newest snapshot; a loader falls back to the newest good snapshot; ``hsdash raw list|remove`` shows and
removes snapshots, removals recorded in the run log. Small SYNTHETIC files; no warehouse build needed."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from etl import config, formats
from etl.cli import main
from etl.imports import Rejected, store_import
from etl.rawzone import MANIFEST, REJECTED, sealed_snapshots, snapshots
from etl.sources.base import Context
from etl.sources.imported import ImportSource

ENTITY = "Entity,Year,Synthetic share of something\n"
GOOD = ENTITY + "Cambodia,2000,10.5\nViet Nam,2001,20.25\n"
PACKAGE = '{"title": "Synthetic", "sources": [{"name": "Synthetic", "link": "https://example.org/s"}]}'
SID = "owid-synthetic-dataset"


@pytest.fixture
def paths(tmp_path):
    return config.paths(tmp_path / "data")


def _dataset(tmp_path, body: str):
    ds = tmp_path / "in" / "synthetic-dataset"
    ds.mkdir(parents=True, exist_ok=True)
    (ds / "data.csv").write_text(body)
    (ds / "datapackage.json").write_text(PACKAGE)
    return ds


def _import(paths, tmp_path, body: str):
    return store_import(paths, formats.detect(_dataset(tmp_path, body)), check=True)


def test_a_rejected_import_is_kept_apart_and_never_the_newest(paths, tmp_path):
    good = _import(paths, tmp_path, GOOD)
    with pytest.raises(Rejected, match="nothing to load") as err:
        _import(paths, tmp_path, ENTITY + "Atlantis,2000,5\n")
    assert sealed_snapshots(paths.raw / SID) == [good]
    where = err.value.where
    assert where.parent == paths.raw / REJECTED / SID
    doc = json.loads((where / "_rejected.json").read_text())
    assert "unknown entity" in doc["reason"] and doc["import_format"] == "owid"
    assert not (where / MANIFEST).exists()  # never sealed


def test_the_loader_falls_back_to_the_newest_good_snapshot(paths, tmp_path):
    good = _import(paths, tmp_path, GOOD)
    bad = good.with_name("29991231T000000Z-bad")
    shutil.copytree(good, bad)
    (bad / "data.csv").chmod(0o600)
    (bad / "data.csv").write_text(GOOD + "Cambodia,2002,11\n")  # altered after sealing: its sha256 no longer matches
    loaded = ImportSource(SID, "owid").transform(Context(paths=paths, run_id="t", extract=False))
    assert "29991231T000000Z-bad" in loaded.fallback and "changed after retrieval" in loaded.fallback
    assert "loaded the previous good snapshot " + good.name in loaded.message
    assert len(loaded.tables["observation"]) == 2


def test_raw_list_and_remove(paths, tmp_path):
    good = _import(paths, tmp_path, GOOD)
    with pytest.raises(Rejected):
        _import(paths, tmp_path, ENTITY + "Atlantis,2000,5\n")
    runner = CliRunner()
    out = runner.invoke(main, ["--data-dir", str(paths.data), "raw", "list"])
    assert out.exit_code == 0 and f"{SID}/{good.name}" in out.output and "rejected" in out.output
    assert "why: " in out.output
    listed = json.loads(runner.invoke(main, ["--data-dir", str(paths.data), "raw", "list", "--json"]).output)
    rejected = next(s for s in listed if s["state"] == "rejected")
    assert rejected["ref"].startswith(f"{REJECTED}/{SID}/")

    out = runner.invoke(main, ["--data-dir", str(paths.data), "raw", "remove", f"{SID}/{good.name}"])
    assert out.exit_code == 2 and "last good snapshot" in out.output and good.exists()
    out = runner.invoke(main, ["--data-dir", str(paths.data), "raw", "remove", "nope/x"])
    assert out.exit_code == 2 and "no snapshot" in out.output

    out = runner.invoke(main, ["--data-dir", str(paths.data), "raw", "remove", rejected["ref"]])
    assert out.exit_code == 0, out.output
    assert "removed from the raw zone" in out.output
    assert [s.state for s in snapshots(paths.raw)] == ["newest"]
    run = json.loads((paths.state / "runs.jsonl").read_text().splitlines()[-1])
    assert run["action"] == "raw remove" and rejected["ref"] in run["sources"][0]["message"]
    assert run["sources"][0]["status"] == "removed"
    out = runner.invoke(main, ["--data-dir", str(paths.data), "raw", "remove", "--force", f"{SID}/{good.name}"])
    assert out.exit_code == 0 and not good.exists()


def test_raw_remove_waits_for_no_refresh(paths, tmp_path):
    from etl.refresh import refresh_lock

    good = _import(paths, tmp_path, GOOD)
    with refresh_lock(paths):
        out = CliRunner().invoke(main, ["--data-dir", str(paths.data), "raw", "remove", "--force",
                                        f"{SID}/{good.name}"])
    assert out.exit_code == 5 and "another refresh is running" in out.output and good.exists()


def test_help_has_examples():
    out = CliRunner().invoke(main, ["raw", "--help"])
    assert "hsdash raw list" in out.output and "hsdash raw remove" in out.output
    out = CliRunner().invoke(main, ["--help"])
    assert "raw" in out.output
