"""Briefings kept on the server, one per browser: ``<data dir>/state/briefings/<id>.json``, where ``<id>`` is a random
token the browser keeps in a cookie (``dashboard/components/briefing_keeper.py`` does that part).

The file is a spec file, the format of ``dashboard/export/specfile.py`` (``hsdash export --spec FILE`` rebuilds the
pack from it; the Briefing page downloads and opens the same format); there is no second format. Writes are atomic
(a temporary file in the same folder, fsync, rename), so a crash leaves the previous briefing or the new one, never
half of one. Reads are bounded (a regular file of at most ``MAX_BYTES``) and a file that cannot be used is reported,
not raised. This is state, not the warehouse: the warehouse stays read-only. No Streamlit here.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dashboard.export import specfile
from dashboard.figures.spec import ChartSpec

_ID = re.compile(r"[A-Za-z0-9_-]{22,64}")
MAX_BYTES = 256 * 1024  # a briefing of MAX_CHARTS charts is a few KB
MAX_CHARTS = 50


@dataclass
class Stored:
    """What a briefing file holds: the charts (resolved against the warehouse), its title and size, and why any
    chart or the file itself could not be used."""

    specs: list[ChartSpec] = field(default_factory=list)
    title: str = ""
    size: str = ""
    problems: list[str] = field(default_factory=list)


def new_id() -> str:
    return secrets.token_urlsafe(24)  # 32 characters of A-Z a-z 0-9 _ -


def valid_id(value: object) -> bool:
    return isinstance(value, str) and _ID.fullmatch(value) is not None


def folder(data_dir: Path) -> Path:
    return Path(data_dir) / "state" / "briefings"


def path_for(data_dir: Path, briefing_id: str) -> Path:
    if not valid_id(briefing_id):
        raise ValueError("not a briefing id")
    return folder(data_dir) / f"{briefing_id}.json"


def save(data_dir: Path, briefing_id: str, specs: list[ChartSpec], title: str = "", size: str = "") -> None:
    """Write the briefing atomically; an empty briefing removes its file. Raises OSError when it cannot be written."""
    target = path_for(data_dir, briefing_id)
    if not specs:
        target.unlink(missing_ok=True)
        return
    text = specfile.dump_json(list(specs)[:MAX_CHARTS], title, size)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # file names are the ids: not for other users
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _usable(path: Path) -> str | None:
    """Why the file at ``path`` must not be read (None: a regular file of at most MAX_BYTES)."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return ""
    except OSError as exc:
        return f"cannot read the saved briefing: {exc.strerror or exc}"
    if not stat.S_ISREG(info.st_mode):
        return "the saved briefing is not a regular file; it was ignored"
    if info.st_size > MAX_BYTES:
        return f"the saved briefing is larger than {MAX_BYTES // 1024} KB; it was ignored"
    return None


def read_specs(path: Path, con: duckdb.DuckDBPyConnection) -> Stored:
    """The charts of a spec file, each resolved against the warehouse; a chart that no longer resolves (its
    indicator or group is gone) is left out and named in ``problems``."""
    why = _usable(path)
    if why is not None:
        return Stored(problems=[why] if why else [])
    try:
        settings, charts = specfile.load_file(path)
    except specfile.SpecError as exc:
        return Stored(problems=[f"the spec file cannot be used: {exc}"])
    except Exception as exc:  # noqa: BLE001 — a hostile file (wrong JSON shape, nesting) must not break the page
        return Stored(problems=[f"the spec file cannot be used ({type(exc).__name__})"])
    out = Stored(title=str(settings.get("title") or ""), size=str(settings.get("size") or ""))
    resolver = specfile.Resolver(con)
    for i, chart in enumerate(charts[:MAX_CHARTS], start=1):
        try:
            out.specs.append(specfile.to_spec(specfile.merge(settings["defaults"], chart), resolver))
        except specfile.SpecError as exc:
            out.problems.append(f"chart {i} left out: {exc}")
        except Exception as exc:  # noqa: BLE001 — as above, per chart
            out.problems.append(f"chart {i} left out ({type(exc).__name__})")
    if len(charts) > MAX_CHARTS:
        out.problems.append(f"only the first {MAX_CHARTS} charts were kept")
    return out


def load(data_dir: Path, briefing_id: str, con: duckdb.DuckDBPyConnection) -> Stored:
    """The briefing saved for ``briefing_id`` (empty when there is none)."""
    return read_specs(path_for(data_dir, briefing_id), con)


def modified(data_dir: Path, briefing_id: str) -> int:
    """The file's modification time in ns (0 when absent): another tab of the same browser may have saved it."""
    try:
        return path_for(data_dir, briefing_id).stat().st_mtime_ns
    except OSError:
        return 0
