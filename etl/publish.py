"""Atomic publication of a built warehouse, and reading what is published.

A build is written to ``warehouses/.build-<run>.duckdb``, validated, renamed to ``warehouses/warehouse-<version>.duckdb``
and then made live by atomically replacing the symlink ``warehouse.duckdb`` (rename(2) of a new link). Readers that
already opened the previous file keep reading it; new readers see the new one. Old versions are pruned, bounded.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from etl.config import Paths

KEEP_VERSIONS = 5
STALE_BUILD_SECONDS = 6 * 3600


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def build_path(paths: Paths, run_id: str) -> Path:
    paths.warehouses.mkdir(parents=True, exist_ok=True)
    return paths.warehouses / f".build-{run_id}.duckdb"


def published_file(paths: Paths) -> Path | None:
    """The versioned file the ``warehouse.duckdb`` link points to (or the file itself), if any."""
    link = paths.warehouse
    if not link.exists():
        return None
    return link.resolve()


def publish(paths: Paths, built: Path, version: str) -> Path:
    final = paths.warehouses / f"warehouse-{version}.duckdb"
    with open(built, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(built, final)
    _fsync_dir(paths.warehouses)
    tmp_link = paths.data / f".warehouse.duckdb.{os.getpid()}.tmp"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(os.path.relpath(final, paths.data), tmp_link)
    os.replace(tmp_link, paths.warehouse)
    _fsync_dir(paths.data)
    prune(paths)
    return final


def prune(paths: Paths, keep: int = KEEP_VERSIONS) -> list[Path]:
    """Delete all but the newest ``keep`` versions (never the live one) and builds abandoned by killed runs."""
    live = published_file(paths)
    removed = []
    versions = sorted(paths.warehouses.glob("warehouse-*.duckdb"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in versions[keep:]:
        if live is not None and old.resolve() == live:
            continue
        old.unlink(missing_ok=True)
        old.with_name(old.name + ".status.json").unlink(missing_ok=True)  # etl.status's sidecar
        removed.append(old)
    now = time.time()
    for stale in paths.warehouses.glob(".build-*.duckdb*"):
        if now - stale.stat().st_mtime > STALE_BUILD_SECONDS:
            stale.unlink(missing_ok=True)
            removed.append(stale)
    return removed


def discard_abandoned_builds(paths: Paths) -> list[Path]:
    """Delete build files (with their WAL) and temporary links left by refreshes that were killed. Call only while
    holding the refresh lock: every build runs under it, so any such file found then belongs to a dead run."""
    removed = []
    stale = [*paths.warehouses.glob(".build-*.duckdb*"), *paths.data.glob(".warehouse.duckdb.*.tmp")]
    for path in stale:  # build files, their WAL, and a new link that was never swapped in
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def read_meta(path: Path) -> dict:
    import duckdb  # here, not at the top: a refresh with nothing to rebuild never opens a database

    con = duckdb.connect(str(path), read_only=True)
    try:
        return dict(con.execute("SELECT key, value FROM meta").fetchall())
    finally:
        con.close()


def published_meta(paths: Paths) -> dict | None:
    live = published_file(paths)
    if live is None:
        return None
    meta = read_meta(live)
    meta["file"] = str(live)
    return meta


def meta_rows(version: str, built_at: str, digest: str, run_id: str, sources: dict,
              inputs: str | None = None) -> list[tuple[str, str]]:
    extra = [("inputs_sha256", inputs)] if inputs else []  # etl.incremental: what the build was made from
    return extra + [
        ("version", version),
        ("built_at", built_at),
        ("content_sha256", digest),
        ("run_id", run_id),
        ("schema_version", "1"),
        ("sources", json.dumps(sources, sort_keys=True)),
    ]
