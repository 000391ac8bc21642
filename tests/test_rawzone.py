"""The raw zone keeps files immutable and their provenance verifiable."""

import hashlib
import json

import pytest

from etl.rawzone import RawZoneError, list_raw_files, new_snapshot_dir, read_origin, seal_snapshot, sealed_snapshots, store_bytes

META = dict(source_id="wdi", publisher="World Bank", title="t", url="https://api.worldbank.org/v2/x", licence="CC BY 4.0")


def test_store_writes_sidecar_with_sha256(tmp_path):
    raw = store_bytes(tmp_path / "a.json", b'{"x": 1}', **META)
    side = json.loads((tmp_path / "a.json.origin.json").read_text())
    assert side["sha256"] == hashlib.sha256(b'{"x": 1}').hexdigest() == raw.origin.sha256
    assert side["bytes"] == 8 and side["publisher"] == "World Bank" and side["retrieved_at"].endswith("Z")


def test_tampering_is_detected(tmp_path):
    store_bytes(tmp_path / "a.json", b"[1]", **META)
    (tmp_path / "a.json").write_bytes(b"[2]")
    with pytest.raises(RawZoneError, match="changed after retrieval"):
        read_origin(tmp_path / "a.json")


def test_never_overwrites_different_content(tmp_path):
    store_bytes(tmp_path / "a.json", b"[1]", **META)
    with pytest.raises(RawZoneError, match="refusing to overwrite"):
        store_bytes(tmp_path / "a.json", b"[2]", **META)
    assert (tmp_path / "a.json").read_bytes() == b"[1]"


def test_missing_sidecar_is_an_error(tmp_path):
    (tmp_path / "orphan.csv").write_text("a\n")
    with pytest.raises(RawZoneError, match="no origin sidecar"):
        read_origin(tmp_path / "orphan.csv")


def test_unsealed_snapshot_is_invisible(tmp_path):
    snap = new_snapshot_dir(tmp_path)
    store_bytes(snap / "page1.json", b"[]", **META)
    assert sealed_snapshots(tmp_path) == []
    seal_snapshot(snap)
    assert sealed_snapshots(tmp_path) == [snap]
    assert [r.path.name for r in list_raw_files(snap)] == ["page1.json"]


def test_bundled_files_match_their_sidecars():
    from etl.config import paths

    files = list_raw_files(paths().bundled_raw)
    assert {f.origin.source_id for f in files} >= {"paper", "reference"}
