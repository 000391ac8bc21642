"""Limits on every input file, checked before any work is done on it, and the only way input files are opened.

Owns: the configurable limits (below, each with its environment variable and default), the regular-file rule
(no symlinks, FIFOs, devices, sockets — checked with ``lstat``, never following a link, and every open done with
``O_NOFOLLOW | O_NONBLOCK`` then ``fstat``-checked so a path swapped after the check cannot race it), bounded reads
and copies, and the pre-flight scan of a file (size, line length, rows, header columns; for a zip: every member's
declared size and compression ratio). Error messages name the file, positions and lengths — never its content.

=============================  ==========================  ===========  =========================================
limit                          environment variable        default      why this default
=============================  ==========================  ===========  =========================================
file size                      HSDASH_MAX_FILE_BYTES       1 GiB        WDI's bulk CSV, the largest real input, is
                                                                        ≈ 300 MB
zip member (declared size)     HSDASH_MAX_MEMBER_BYTES     1 GiB        the same file, unzipped
zip compression ratio          HSDASH_MAX_ZIP_RATIO        200          real CSVs compress 5-30×; a zip bomb 1000×+
columns (any of 6 first lines) HSDASH_MAX_COLUMNS          5,000        HDR's composite file has ≈ 1,100
line length                    HSDASH_MAX_LINE_BYTES       32 MiB       real lines are < 100 kB
rows (lines)                   HSDASH_MAX_ROWS             5,000,000    WDI's bulk CSV has ≈ 400,000
JSON companion file            HSDASH_MAX_JSON_BYTES       16 MiB       OWID metadata files are < 1 MB
=============================  ==========================  ===========  =========================================
"""

from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass, fields
from pathlib import Path

CHUNK = 1 << 20
HEADER_LINES = 6  # header sniffing looks at this many first lines (DataBank files have a preamble)
ZIP_MAGIC = b"PK\x03\x04"


class LimitError(ValueError):
    """An input file is refused: not a regular file, or beyond a limit. The message never quotes the file."""


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 1 << 30
    member_bytes: int = 1 << 30
    zip_ratio: float = 200.0
    columns: int = 5_000
    line_bytes: int = 32 << 20
    rows: int = 5_000_000
    json_bytes: int = 16 << 20


ENV = {"file_bytes": "HSDASH_MAX_FILE_BYTES", "member_bytes": "HSDASH_MAX_MEMBER_BYTES",
       "zip_ratio": "HSDASH_MAX_ZIP_RATIO", "columns": "HSDASH_MAX_COLUMNS", "line_bytes": "HSDASH_MAX_LINE_BYTES", "rows": "HSDASH_MAX_ROWS",
       "json_bytes": "HSDASH_MAX_JSON_BYTES"}


def current() -> Limits:
    """The limits in force: the defaults, each overridable by its environment variable (a positive number)."""
    values = {}
    for f in fields(Limits):
        text = os.environ.get(ENV[f.name], "").strip().replace("_", "")
        if not text:
            continue
        try:
            value = float(text) if f.name == "zip_ratio" else int(text)
        except ValueError:
            raise LimitError(f"{ENV[f.name]}={text!r} is not a number") from None
        if value <= 0:
            raise LimitError(f"{ENV[f.name]} must be positive")
        values[f.name] = value
    return Limits(**values)


def _size(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return str(n)


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
    for test, name in kinds:
        if test(mode):
            return name
    return "not a regular file"


def check_regular(path: Path) -> os.stat_result:
    """``lstat`` (never following a link): the path must be a regular file."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise LimitError(f"{Path(path).name}: no such file") from None
    if not stat.S_ISREG(st.st_mode):
        raise LimitError(f"{Path(path).name} is {_kind(st.st_mode)}; only regular files are accepted")
    return st


def check_entry(path: Path) -> os.stat_result:
    """``lstat``: the path must be a regular file or a real folder (not a link to one)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise LimitError(f"{Path(path).name}: no such file or folder") from None
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
        raise LimitError(f"{Path(path).name} is {_kind(st.st_mode)}; only regular files and folders are accepted")
    return st


def open_regular(path: Path) -> int:
    """A read-only descriptor of ``path``, opened without following a final symlink and without blocking (a FIFO
    would otherwise hang the open), then checked with ``fstat`` to be a regular file."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno in (40, 62):  # ELOOP (Linux) / ELOOP (BSD): the final component is a symlink
            raise LimitError(f"{Path(path).name} is a symbolic link; only regular files are accepted") from None
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise LimitError(f"{Path(path).name} is {_kind(st.st_mode)}; only regular files are accepted")
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return fd


def read_prefix(path: Path, limit: int) -> bytes:
    """At most ``limit`` bytes from the start of a regular file."""
    fd = open_regular(path)
    with os.fdopen(fd, "rb") as fh:
        return fh.read(limit)


def read_bounded(path: Path, limit: int) -> bytes:
    """The whole of a regular file of at most ``limit`` bytes (refused beyond, before reading it)."""
    fd = open_regular(path)
    with os.fdopen(fd, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limit:
            raise LimitError(f"{Path(path).name} is {_size(size)}, over the limit of {_size(limit)}")
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise LimitError(f"{Path(path).name} grew past the limit of {_size(limit)} while being read")
    return data


def copy_private(src: Path, dst: Path, limit: int) -> int:
    """Copy a regular file to a new file ``dst`` readable by its owner only (0600); returns the bytes copied.

    The source is opened with :func:`open_regular` and copied from that descriptor, so it is the checked file that is
    copied even if the path is swapped meanwhile; more than ``limit`` bytes are refused."""
    fd = open_regular(src)
    copied = 0
    with os.fdopen(fd, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limit:
            raise LimitError(f"{Path(src).name} is {_size(size)}, over the limit of {_size(limit)}")
        out = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
        with os.fdopen(out, "wb") as target:
            for chunk in iter(lambda: fh.read(CHUNK), b""):
                copied += len(chunk)
                if copied > limit:
                    raise LimitError(f"{Path(src).name} grew past the limit of {_size(limit)} while being copied")
                target.write(chunk)
            target.flush()
            os.fsync(target.fileno())
    return copied


def _columns(line: bytes) -> int:
    """Fields in one CSV line: the comma count bounds it; quotes are honoured only when that bound is too high."""
    return line.count(b",") + 1


def scan_lines(stream, name: str, lim: Limits) -> dict:
    """Stream a text file in chunks: the longest line, the rows and the columns of the first lines, checked
    against the limits as they are read (stops at the first breach)."""
    rows, longest, current, first_lines, columns = 0, 0, 0, [], 0
    head = bytearray()
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        start = 0
        while True:
            nl = chunk.find(b"\n", start)
            end = len(chunk) if nl < 0 else nl
            current += end - start
            if len(first_lines) < HEADER_LINES and len(head) <= lim.line_bytes:
                head += chunk[start:end]
            if current > lim.line_bytes:
                raise LimitError(f"{name}: line {rows + 1} is longer than the limit of {_size(lim.line_bytes)} "
                                 f"(HSDASH_MAX_LINE_BYTES)")
            if nl < 0:
                break
            rows += 1
            longest = max(longest, current)
            current = 0
            if len(first_lines) < HEADER_LINES:
                first_lines.append(bytes(head))
                columns = max(columns, _columns(head))
                head.clear()
                if columns > lim.columns:
                    raise LimitError(f"{name}: line {rows} has {columns:,} columns, over the limit of {lim.columns:,} "
                                     f"(HSDASH_MAX_COLUMNS)")
            if rows > lim.rows:
                raise LimitError(f"{name}: more than {lim.rows:,} lines, the limit (HSDASH_MAX_ROWS)")
            start = nl + 1
    if current:
        rows += 1
        longest = max(longest, current)
        if len(first_lines) < HEADER_LINES:
            columns = max(columns, _columns(head))
    if columns > lim.columns:
        raise LimitError(f"{name}: {columns:,} columns, over the limit of {lim.columns:,} (HSDASH_MAX_COLUMNS)")
    if rows > lim.rows:
        raise LimitError(f"{name}: more than {lim.rows:,} lines, the limit (HSDASH_MAX_ROWS)")
    return {"rows": rows, "longest_line": longest, "columns": columns}


def check_zip(fh, name: str, lim: Limits) -> dict:
    """Every member's declared size and compression ratio, from the central directory (nothing is unpacked); then
    each CSV member is streamed through :func:`scan_lines` (reads stop at the declared size)."""
    try:
        zf = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise LimitError(f"{name}: corrupt zip ({type(exc).__name__})") from None
    with zf:
        infos = zf.infolist()
        total = 0
        for k, info in enumerate(infos):
            total += info.file_size
            if info.file_size > lim.member_bytes:
                raise LimitError(f"{name}: member {k + 1} declares {_size(info.file_size)} unpacked, over the limit of "
                                 f"{_size(lim.member_bytes)} (HSDASH_MAX_MEMBER_BYTES)")
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > CHUNK and ratio > lim.zip_ratio:
                raise LimitError(f"{name}: member {k + 1} unpacks {ratio:,.0f}× its packed size, over the limit of "
                                 f"{lim.zip_ratio:,.0f}× (HSDASH_MAX_ZIP_RATIO)")
        if total > 4 * lim.member_bytes:
            raise LimitError(f"{name}: its members declare {_size(total)} in all, over {_size(4 * lim.member_bytes)}")
        stats = {"members": len(infos), "unpacked_bytes": total}
        for k, info in enumerate(infos):
            if info.filename.lower().endswith(".csv"):
                try:
                    with zf.open(info) as member:
                        scan_lines(member, f"{name} member {k + 1}", lim)
                except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
                    raise LimitError(f"{name}: corrupt zip member {k + 1} ({type(exc).__name__})") from None
    return stats


def check_file(path: Path, lim: Limits | None = None) -> dict:
    """Pre-flight check of one input file (regular, size, then zip members or lines/rows/columns). Raises
    :class:`LimitError`; returns what it measured."""
    lim = lim or current()
    path = Path(path)
    check_regular(path)
    fd = open_regular(path)
    with os.fdopen(fd, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        is_json = path.name.lower().endswith(".json")
        cap = lim.json_bytes if is_json else lim.file_bytes
        if size > cap:
            var = "HSDASH_MAX_JSON_BYTES" if is_json else "HSDASH_MAX_FILE_BYTES"
            raise LimitError(f"{path.name} is {_size(size)}, over the limit of {_size(cap)} ({var})")
        if is_json:
            return {"bytes": size}
        if fh.read(4) == ZIP_MAGIC:
            fh.seek(0)
            return {"bytes": size, **check_zip(fh, path.name, lim)}
        fh.seek(0)
        return {"bytes": size, **scan_lines(fh, path.name, lim)}


def check_files(files, lim: Limits | None = None) -> None:
    """:func:`check_file` for every path in ``files`` (an iterable of paths)."""
    lim = lim or current()
    for path in files:
        check_file(path, lim)
