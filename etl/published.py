"""Opening the published warehouse for reading — or saying, in one sentence, why it cannot be opened.

``hsdash status`` and ``hsdash serve`` call this before anything else: a missing warehouse, a dangling
``warehouse.duckdb`` link, a link to something that is not a regular file or not a DuckDB database, a truncated file
and a file the user may not read each end in one :class:`Unreadable` sentence that says what to do, never a traceback.
Imports duckdb only (no pandas), and only once there is a file to open: importing duckdb is most of a quick
command's start-up (its version lookup alone reads the installed packages' metadata), and a data directory with
nothing published needs none of it.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from etl.config import Paths

if TYPE_CHECKING:
    import duckdb

REBUILD = "run `hsdash refresh` to rebuild it from the raw zone"
DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file
HEADER_BYTES = 3 * 4096  # the file header and the two database headers that precede DuckDB's first block


class Unreadable(RuntimeError):
    """The published warehouse cannot be used; ``str(exc)`` is one sentence saying why and what to do."""


class NotPublished(Unreadable):
    """Nothing has been published yet (no ``warehouse.duckdb`` at all)."""


@dataclass
class Published:
    link: Path  # data/warehouse.duckdb
    file: Path  # the versioned file it points to
    con: duckdb.DuckDBPyConnection  # read-only
    meta: dict

    def close(self) -> None:
        self.con.close()


def _target(link: Path) -> Path:
    """Where the link points, for messages (the link's own text when it cannot be resolved)."""
    try:
        return link.resolve(strict=True)
    except OSError:
        raw = os.readlink(link) if link.is_symlink() else str(link)
        return Path(raw) if os.path.isabs(raw) else link.parent / raw


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def _denied(path: Path) -> str:
    return (f"The published warehouse {path} cannot be read by this user (permission denied): give this user read "
            "access to it and its folders (docs/deployment.md), or run the command as the user that owns the data.")


def locate(paths: Paths) -> Path:
    """The regular file the published link points to; :class:`Unreadable` when it is missing, dangling or odd."""
    link = paths.warehouse
    if not link.is_symlink() and not link.exists():
        raise NotPublished(f"No published warehouse at {link} yet: run `hsdash refresh` first.")
    target = _target(link)
    try:
        info = os.stat(link)
    except FileNotFoundError:
        raise Unreadable(f"The published warehouse {link} points to {target}, which does not exist: {REBUILD}.") from None
    except PermissionError:
        raise Unreadable(_denied(link)) from None
    except OSError as exc:  # a link loop
        raise Unreadable(f"The published warehouse {link} cannot be reached ({exc.strerror}): {REBUILD}.") from None
    if not stat.S_ISREG(info.st_mode):
        what = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise Unreadable(f"The published warehouse {link} points to {target}, which is {what}: {REBUILD}.")
    return target


def check_header(link: Path, file: Path, size: int) -> None:
    """Unreadable unless ``file`` starts like a DuckDB database (cheap: 12 bytes, no duckdb import)."""
    try:
        with open(file, "rb") as fh:
            head = fh.read(12)
    except PermissionError:
        raise Unreadable(_denied(file)) from None
    if head[8:12] != DUCKDB_MAGIC:
        raise Unreadable(f"The published warehouse {link} points to {file}, which is not a DuckDB database "
                         f"({size:,} bytes): {REBUILD}.")


def _check_size(con: duckdb.DuckDBPyConnection, file: Path, size: int) -> None:
    """A truncated copy still opens and even answers queries until one touches a missing block: compare the file's
    size with the blocks DuckDB says it holds."""
    block_size, total_blocks = con.execute("SELECT block_size, total_blocks FROM pragma_database_size()").fetchone()
    expected = HEADER_BYTES + int(block_size) * int(total_blocks)
    if size < expected:
        raise Unreadable(f"The published warehouse {file} is truncated ({size:,} of {expected:,} bytes): {REBUILD}.")


def open_published(paths: Paths) -> Published:
    """Open the published warehouse read-only and read its ``meta`` table; raise :class:`Unreadable` otherwise."""
    link = paths.warehouse
    file = locate(paths)
    size = file.stat().st_size
    check_header(link, file, size)
    import duckdb

    try:
        con = duckdb.connect(str(file), read_only=True)
    except duckdb.Error as exc:
        raise Unreadable(f"The published warehouse {file} cannot be opened ({_first_line(exc)}): {REBUILD}.") from None
    try:
        _check_size(con, file, size)
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    except duckdb.Error as exc:
        con.close()
        raise Unreadable(f"The published warehouse {file} is not a complete hsdash warehouse ({_first_line(exc)}): "
                         f"{REBUILD}.") from None
    except Unreadable:
        con.close()
        raise
    return Published(link=link, file=file, con=con, meta=meta)


def problem(paths: Paths) -> str | None:
    """None when the published warehouse opens; else the sentence :func:`open_published` would raise."""
    try:
        open_published(paths).close()
    except Unreadable as exc:
        return str(exc)
    return None
