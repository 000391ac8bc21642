"""Checks of what the dashboard would serve: the published warehouse opens, is internally consistent (its stored
content digest matches its rows, the cross-table contract holds, every table passes its pandera model) and which
rows a source has in it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from etl import publish, warehouse
from etl.config import Paths
from schemas.models import MODELS
from schemas.validate import validate_frame


class Invalid(AssertionError):
    """The published warehouse is missing, unreadable or fails validation."""


_VALIDATED: set = set()  # (table, content hash) pairs that passed their model in this process


def validate_published(paths: Paths, seen: set | None = None) -> dict:
    """Open the published warehouse read-only and validate it; return its meta (plus ``file``).

    ``seen``: (table, content hash) pairs already validated (default: all this process validated); a table with
    identical rows is not validated twice (the pandera models take seconds, a refresh changes a few tables)."""
    seen = _VALIDATED if seen is None else seen
    link = paths.warehouse
    if not link.is_symlink():
        raise Invalid(f"{link} is not the published symlink")
    target = link.resolve()
    if not target.exists():
        raise Invalid(f"{link} points at a missing file {target}")
    try:
        con = duckdb.connect(str(target), read_only=True)
    except duckdb.Error as exc:
        raise Invalid(f"published warehouse does not open: {exc}") from exc
    try:
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        if target.name != f"warehouse-{meta.get('version')}.duckdb":
            raise Invalid(f"file {target.name} does not carry its meta version {meta.get('version')}")
        digest = warehouse.content_digest(con)
        if digest != meta.get("content_sha256"):
            raise Invalid(f"content digest {digest[:12]} ≠ meta content_sha256 {str(meta.get('content_sha256'))[:12]}")
        problems = warehouse.contract_problems(con)
        if problems:
            raise Invalid("contract: " + "; ".join(problems))
        for table in MODELS:
            frame = con.execute(f'SELECT * FROM "{table}"').df()
            if frame.empty:
                continue
            key = (table, hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest())
            if key in seen:
                continue
            checked = validate_frame(table, frame)
            if not checked.n_rejected:
                seen.add(key)
            if checked.n_rejected:
                raise Invalid(f"{table}: {checked.n_rejected} rows fail the model, e.g. {checked.rejected['reason'].iloc[0]}")
    finally:
        con.close()
    meta["file"] = str(target)
    return meta


def published_state(paths: Paths) -> tuple[str, str] | None:
    """(file the link points to, sha256 of its bytes): equal before and after means untouched."""
    live = publish.published_file(paths)
    if live is None:
        return None
    return str(live), hashlib.sha256(Path(live).read_bytes()).hexdigest()


def query(paths: Paths, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(paths.warehouse.resolve()), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def last_status(paths: Paths, source_id: str) -> tuple[str, str]:
    rows = query(paths, "SELECT status, message FROM etl_run WHERE source_id = ? ORDER BY finished_at DESC, run_id DESC LIMIT 1",
                 [source_id])
    return rows[0] if rows else ("(none)", "")
