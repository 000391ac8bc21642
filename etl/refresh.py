"""A refresh as cron runs it: take the lock, build, publish, log the run, and return a documented exit code.

Exit codes: 0 every selected source ok · 3 partial (some source failed or fell back to its last good data; the rest
published) · 4 failed (nothing could be published) · 5 locked (another refresh is running).
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from collections.abc import Callable, Iterator

from etl import incremental, publish
from etl.config import Paths
from etl.rawzone import utc_now
from etl.runresult import BuildResult

EXIT_OK, EXIT_PARTIAL, EXIT_FAILED, EXIT_LOCKED = 0, 3, 4, 5


class Locked(RuntimeError):
    pass


@contextmanager
def refresh_lock(paths: Paths) -> Iterator[Path]:
    """An exclusive, non-blocking flock on ``state/refresh.lock``; the kernel drops it if the process dies."""
    paths.state.mkdir(parents=True, exist_ok=True)
    lock_path = paths.state / "refresh.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            holder = Path(lock_path).read_text().strip() or "unknown"
            raise Locked(f"another refresh is running ({holder})") from exc
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} since {utc_now()}".encode())
        yield lock_path
    finally:
        os.close(fd)


class _Log:
    """The run's log file. A write that fails (disk full) is remembered and reported, never stops the refresh."""

    def __init__(self, path: Path):
        self.fh = open(path, "w", encoding="utf-8")
        self.error: OSError | None = None

    def write(self, text: str) -> None:
        if self.error is None:
            try:
                self.fh.write(text)
                self.fh.flush()
            except OSError as exc:
                self.error = exc

    def close(self) -> None:
        try:
            self.fh.close()
        except OSError as exc:
            self.error = self.error or exc


def _why(exc: OSError) -> str:
    return f"{exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else "")


def new_run_id() -> str:
    return utc_now().replace("-", "").replace(":", "") + "-" + secrets.token_hex(3)


def exit_code(result: BuildResult) -> int:
    if result.error or not (result.published or result.unchanged):
        return EXIT_FAILED
    if any(o.status in ("failed", "kept") for o in result.outcomes):
        return EXIT_PARTIAL
    return EXIT_OK


def _record(paths: Paths, result: BuildResult, code: int, log_file: Path) -> None:
    paths.state.mkdir(parents=True, exist_ok=True)
    entry = {
        "run_id": result.run_id,
        "finished_at": utc_now(),
        "exit_code": code,
        "published": result.published,
        "unchanged": result.unchanged,
        "version": result.version,
        "revisions": result.revisions,
        "error": result.error,
        "log": str(log_file),
        "sources": [asdict(o) for o in result.outcomes],
    }
    with open(paths.state / "runs.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")


def _known(paths: Paths, sources: list[str] | None) -> list:
    """Every registered source (imports the connectors: pandas and friends); unknown ``sources`` are an error."""
    from etl.registry import registry

    known = registry(paths)
    unknown = set(sources or ()) - {s.source_id for s in known}
    if unknown:
        raise ValueError(f"unknown source(s): {', '.join(sorted(unknown))}; known: {', '.join(s.source_id for s in known)}")
    return known


def run_refresh(paths: Paths, sources: list[str] | None = None, offline: bool = False,
                echo: Callable[[str], None] = lambda m: None, extract: bool = True,
                on_source: Callable[[str], None] = lambda s: None) -> tuple[int, BuildResult | None]:
    """Run one refresh; returns (exit code, result). ``sources`` limits which are re-extracted and reloaded.

    When nothing a build reads changed since the published version and nothing will be fetched
    (:mod:`etl.incremental`), nothing is built: the run is logged and recorded with each source's status."""
    known = None
    if sources and not set(sources) <= set((incremental.recorded(paths) or {}).get("sources") or {}):
        known = _known(paths, sources)
    try:
        paths.data.mkdir(parents=True, exist_ok=True)
        with refresh_lock(paths):
            abandoned = publish.discard_abandoned_builds(paths)
            run_id = new_run_id()
            paths.logs.mkdir(parents=True, exist_ok=True)
            log_file = paths.logs / f"refresh-{run_id}.log"
            log = _Log(log_file)
            try:
                def say(msg: str) -> None:
                    log.write(f"{utc_now()} {msg}\n")
                    echo(msg)
                chosen = ", ".join(sorted(sources)) if sources else "all"
                say(f"refresh {run_id}: sources {chosen}{' (offline)' if offline else ''}")
                if abandoned:
                    say(f"removed {len(abandoned)} build file(s) abandoned by an interrupted refresh")
                result = incremental.unchanged_run(paths, run_id, sources, offline, extract, say)
                if result is None:
                    from etl.build import run_build
                    from etl.sources.base import Context

                    known = known or _known(paths, sources)
                    selected = set(sources) if sources else {s.source_id for s in known}
                    ctx = Context(paths=paths, run_id=run_id, offline=offline, extract=extract, log=say,
                                  on_source=on_source)
                    result = run_build(paths, known, selected, ctx)
                for o in result.outcomes:
                    counts = ("rows as published" if result.unchanged and o.status in ("ok", "kept") and not o.rows_loaded
                              else f"{o.rows_loaded} rows, {o.rows_quarantined} quarantined")
                    say(f"{o.source_id}: {o.status} — {counts} — {o.message}")
                for tb in result.tracebacks:
                    log.write(tb + "\n")
                if result.error:
                    say(f"build failed, published warehouse untouched: {result.error}")
                elif result.published:
                    if result.revisions:
                        say(f"{result.revisions} published value(s) revised by this refresh (see the revision table)")
                    say(f"published version {result.version}")
                else:
                    say("content unchanged; nothing republished")
                code = exit_code(result)
                say(f"exit code {code}")
            finally:
                log.close()
            if log.error:
                echo(f"warning: the log {log_file} is incomplete: {_why(log.error)}")
            try:
                _record(paths, result, code, log_file)
            except OSError as exc:
                echo(f"warning: this run is not recorded in {paths.state / 'runs.jsonl'}: {_why(exc)}")
            return code, result
    except OSError as exc:  # the lock, the log or the data directory itself cannot be written: nothing was built
        echo(f"cannot write to the data directory {paths.data}: {_why(exc)}; nothing was built, "
             f"the published warehouse is untouched")
        return EXIT_FAILED, None
    except Locked as exc:
        echo(str(exc))
        return EXIT_LOCKED, None
