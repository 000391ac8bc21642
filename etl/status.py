"""What ``hsdash status`` reports: the published version, reference counts and, per source, rows, quarantined rows
and its last run (from ``state/runs.jsonl``).

Each build writes what status shows (counts, reference totals, meta) into a sidecar beside the versioned file,
``warehouse-<version>.duckdb.status.json``, with the file's size: status reads that and checks the file's header and
size against it, without importing duckdb (most of a quick command's start-up). When the sidecar is missing, stale or
the size differs (a truncated or replaced file), it reads the warehouse itself with duckdb (``fetchall``, no pandas),
which also finds what is wrong with the file.
The sources listed are those in the warehouse, those the published build ran (``meta.sources``) and those any logged
run touched, so a source that failed before ever loading a row is still shown.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from etl.config import Paths
from etl.published import REBUILD, Unreadable, check_header, locate, open_published

RUNS_READ = 200  # the newest runs.jsonl lines read: enough for every source's last run
RUNS_MAX_BYTES = 8 << 20  # read at most the last 8 MiB of the run log
SIDECAR_MAX_BYTES = 8 << 20
SIDECAR_FORMAT = 1

COUNTS = """
WITH counts AS (
    SELECT source_id, count(*) AS n FROM observation GROUP BY ALL
    UNION ALL SELECT source_id, count(*) FROM paper_figure GROUP BY ALL
    UNION ALL SELECT source_id, count(*) FROM tfhs_project_count GROUP BY ALL
    UNION ALL SELECT source_id, count(*) FROM oda_flow GROUP BY ALL
    UNION ALL SELECT source_id, count(*) FROM tfhs_project GROUP BY ALL
    UNION ALL SELECT 'reference', count(*) FROM country
), q AS (SELECT source_id, count(*) FILTER (WHERE "table" <> 'jump (kept)') AS n,
                 count(*) FILTER (WHERE "table" = 'jump (kept)') AS f FROM quarantine GROUP BY ALL)
SELECT s.source_id, s.publisher, coalesce(sum(c.n), 0) AS rows, coalesce(any_value(q.n), 0) AS quarantined,
       coalesce(any_value(q.f), 0) AS flagged
FROM source s LEFT JOIN counts c USING (source_id) LEFT JOIN q USING (source_id)
GROUP BY s.source_id, s.publisher ORDER BY s.source_id
"""
REFERENCE = ("SELECT 'countries', count(*) FROM country UNION ALL SELECT 'groups', count(*) FROM country_group "
             "UNION ALL SELECT 'indicators', count(*) FROM indicator")


def runs(paths: Paths, limit: int = RUNS_READ) -> list[dict]:
    """The newest ``limit`` runs of ``state/runs.jsonl`` (bounded read; lines that are not JSON are skipped)."""
    path = paths.state / "runs.jsonl"
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - RUNS_MAX_BYTES))
            text = fh.read(RUNS_MAX_BYTES).decode("utf-8", errors="replace")
    except (FileNotFoundError, IsADirectoryError):
        return []
    out = []
    for line in text.splitlines()[-limit:]:
        try:
            run = json.loads(line)
        except ValueError:
            continue
        if isinstance(run, dict):
            out.append(run)
    return out


def _text(value) -> str | None:
    return None if value is None else str(value)


def last_runs(paths: Paths) -> dict[str, dict]:
    """Per source, its newest logged run that did not skip it."""
    last: dict[str, dict] = {}
    for run in runs(paths):
        for src in run.get("sources", []):
            if isinstance(src, dict) and isinstance(src.get("source_id"), str) and src.get("status") != "skipped":
                last[src["source_id"]] = {k: _text(src.get(k)) for k in ("status", "finished_at", "message")}
    return last


def _built_sources(meta: dict) -> list[str]:
    try:
        built = json.loads(meta.get("sources") or "{}")
    except ValueError:
        return []
    return sorted(built) if isinstance(built, dict) else []


def facts(con) -> dict:
    """What status shows of a warehouse, read through an open duckdb connection (at build, or as the fallback)."""
    return {"format": SIDECAR_FORMAT, "meta": dict(con.execute("SELECT key, value FROM meta").fetchall()),
            "counts": [list(r) for r in con.execute(COUNTS).fetchall()],
            "reference": dict(con.execute(REFERENCE).fetchall())}


def sidecar_path(file: Path) -> Path:
    return file.with_name(file.name + ".status.json")


def write_sidecar(file: Path, found: dict) -> Path:
    """Write ``found`` (from :func:`facts`) beside the finished, versioned ``file`` with its size (atomic)."""
    target = sidecar_path(file)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(json.dumps({**found, "bytes": file.stat().st_size}), encoding="utf-8")
    os.replace(tmp, target)
    return target


def _from_sidecar(file: Path) -> dict | None:
    """The sidecar's facts when they describe ``file`` as it is now (same size, same version), else None."""
    try:
        with open(sidecar_path(file), "rb") as fh:
            found = json.loads(fh.read(SIDECAR_MAX_BYTES + 1))
        size = file.stat().st_size
    except (OSError, ValueError):
        return None
    if not isinstance(found, dict) or found.get("format") != SIDECAR_FORMAT or found.get("bytes") != size:
        return None
    meta, counts = found.get("meta"), found.get("counts")
    if not isinstance(meta, dict) or not isinstance(counts, list) or not isinstance(found.get("reference"), dict):
        return None
    if file.name != f"warehouse-{meta.get('version')}.duckdb":
        return None
    return found


def summary_matches(paths: Paths) -> bool:
    """True when the published file starts like a DuckDB database and its build's summary still describes it (same
    version, same size) — a cheap "not truncated or replaced" check that needs no duckdb."""
    try:
        file = locate(paths)
        check_header(paths.warehouse, file, file.stat().st_size)
    except (Unreadable, OSError):
        return False
    return _from_sidecar(file) is not None


def _read(paths: Paths) -> dict:
    """:func:`facts` of the published warehouse: from its sidecar when it matches the file, else from the file."""
    file = locate(paths)
    check_header(paths.warehouse, file, file.stat().st_size)
    found = _from_sidecar(file)
    if found is not None:
        return found
    pub = open_published(paths)  # imports duckdb only when the sidecar cannot answer
    import duckdb

    try:
        return facts(pub.con)
    except duckdb.Error as exc:
        raise Unreadable(f"The published warehouse {pub.file} cannot be read ({str(exc).splitlines()[0][:300]}): "
                         f"{REBUILD}.") from None
    finally:
        pub.close()


def summary(paths: Paths) -> dict:
    """The status of the published warehouse as a JSON-ready dict; :class:`Unreadable` when it cannot be read."""
    found = _read(paths)
    rows = [tuple(r) for r in found["counts"]]
    ref = found["reference"]
    last = last_runs(paths)
    listed = {r[0] for r in rows}
    for sid in [*last, *_built_sources(found["meta"])]:  # last: in the order the refresh runs them
        if sid not in listed:
            rows.append((sid, "(no data yet)", 0, 0, 0))
            listed.add(sid)
    meta = found["meta"]
    return {
        "warehouse": str(paths.warehouse),
        "version": meta.get("version"),
        "built_at": meta.get("built_at"),
        "content_sha256": meta.get("content_sha256"),
        "reference": ref,
        "sources": [
            {"source_id": sid, "publisher": pub_name, "rows": int(n), "quarantined": int(q),
             "last_run": last.get(sid, {}).get("finished_at"), "status": last.get(sid, {}).get("status"),
             "message": last.get(sid, {}).get("message"), "flagged": int(f)}
            for sid, pub_name, n, q, f in rows
        ],
    }


def lines(status: dict) -> list[str]:
    """The plain-text report, one string per line."""
    ref = status["reference"]
    out = [f"warehouse  {status['warehouse']}", f"version    {status['version']}", f"built at   {status['built_at']}",
           f"reference  {ref.get('countries')} countries, {ref.get('groups')} groups, {ref.get('indicators')} indicators"]
    sources = status["sources"]
    width = max([len("source"), *(len(s["source_id"]) for s in sources)])
    out.append(f"{'source':<{width}}  {'status':<8} {'last run':<20} {'rows':>9} {'quarantined':>11}")
    for s in sources:
        out.append(f"{s['source_id']:<{width}}  {s['status'] or '-':<8} {s['last_run'] or '-':<20} "
                   f"{s['rows']:>9,} {s['quarantined']:>11,}")
    out += [f"{s['source_id']}: {s['message']}" for s in sources if s["status"] not in ("ok", None)]
    out += [f"{s['source_id']}: {s['flagged']:,} large year-on-year jump(s) flagged for review (loaded; listed with "
            f"the quarantine)" for s in sources if s.get("flagged")]
    return out
