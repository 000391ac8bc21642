"""Import formats: each module of this package defines one or more :class:`Format` objects and registers them with
:func:`register`; nothing outside this package lists formats. A format knows how to recognise its files (bounded
header sniffing), which companion files travel with them, where their provenance comes from, and how to parse them
into rows whose ``indicator_code`` holds the source's own key for each column (``etl.mapping`` then decides which
catalogue indicator each column is).

Adding a format = one new module here, its catalogue/series rows and its tests.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from etl import limits
from etl.mapping import ColumnInfo
from etl.parsers import ParseResult

HEADER_BYTES = 65536  # header sniffing reads at most this much of a file


class ImportError_(ValueError):
    """The file cannot be imported (unknown format, missing companion file, unreadable)."""


@dataclass
class Detected:
    format: str
    source_id: str
    files: dict[str, Path]  # name in the raw zone -> original path
    slug: str = ""
    options: dict = field(default_factory=dict)  # kept in the snapshot manifest: every refresh repeats them


@dataclass
class Parsed:
    """One imported data set, parsed: rows under the source's own keys plus what the file says about them."""

    table: str  # observation | tfhs_project
    result: ParseResult
    dataset: str = ""  # catalogue dataset key (owid:<slug>, datapackage:<name>, csv:<stem>, wdi-bulk, hdr)
    title: str = ""
    columns: dict[str, ColumnInfo] = field(default_factory=dict)
    main: str = ""  # raw-zone name of the main file


class Format:
    """One import format. Subclasses set ``name``/``summary`` and implement the four methods."""

    name = ""
    summary = ""  # one line for --help
    priority = 50  # sniffing order: lower first (more specific formats first)
    sniffable = True  # False: only when asked for with --format

    def claims(self, path: Path, header: list[str]) -> bool:
        """Is ``path`` (a file, or a folder) in this format? ``header`` is the sniffed first line of its CSV."""
        return False

    def describe(self, path: Path, options: dict) -> Detected:
        raise NotImplementedError

    def origin(self, det: Detected) -> dict:
        """Publisher, title, URL, licence, citation, vintage of the files (from their own metadata when they have it)."""
        raise NotImplementedError

    def parse(self, files: dict, options: dict, ctx) -> Parsed:
        """``files``: raw-zone name → RawFile. Returns the parsed data set."""
        raise NotImplementedError


_REGISTRY: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    if fmt.name in _REGISTRY:
        raise ValueError(f"format {fmt.name!r} registered twice")
    _REGISTRY[fmt.name] = fmt
    return fmt


def formats() -> dict[str, Format]:
    """Every registered format (importing the modules of this package registers them)."""
    for mod in pkgutil.iter_modules(__path__):
        if not mod.name.startswith("_"):
            importlib.import_module(f"{__name__}.{mod.name}")
    return dict(sorted(_REGISTRY.items()))


def get(name: str) -> Format:
    known = formats()
    if name not in known:
        raise ImportError_(f"unknown format {name!r}; choose from {', '.join(known)}")
    return known[name]


def names() -> list[str]:
    return list(formats())


def read_prefix(path: Path, limit: int = HEADER_BYTES) -> bytes:
    """At most ``limit`` bytes from the start of a regular file (never the whole file; never a FIFO or device)."""
    try:
        return limits.read_prefix(path, limit)
    except limits.LimitError as exc:
        raise ImportError_(str(exc)) from None


def header_of(path: Path) -> list[str]:
    """The first CSV line of a file (the header), read from a bounded prefix; ``["<zip>"]`` for a zip."""
    import csv

    raw = read_prefix(path)
    if raw[:4] == b"PK\x03\x04":
        return ["<zip>"]
    text = raw.decode("utf-8-sig", errors="replace")
    lines = text.splitlines()
    for line in lines[:6]:
        cells = next(csv.reader([line]), [])
        if cells and cells[0].strip() in ("Country Name", "Entity", "iso3", "project_id"):
            return [c.strip() for c in cells]
    return [c.strip() for c in next(csv.reader([lines[0]]), [])] if lines else []


def detect(path: Path, fmt: str | None = None, options: dict | None = None) -> Detected:
    """Work out the format and the source a file (or folder) belongs to; ``fmt`` overrides the guess."""
    path = Path(path)
    options = dict(options or {})
    if not os.path.lexists(path):
        raise ImportError_(f"no such file or folder: {path}")
    try:
        st = limits.check_entry(path)  # lstat: a symlink, FIFO or device is refused before anything opens it
    except limits.LimitError as exc:
        raise ImportError_(f"refused: {exc}") from None
    if stat.S_ISREG(st.st_mode) and st.st_size == 0:
        raise ImportError_(f"{path} is empty")
    det = _describe(path, fmt, options)
    try:
        limits.check_files(det.files.values())  # every file: regular, and within the limits, before any work
    except limits.LimitError as exc:
        raise ImportError_(f"refused: {exc}; nothing was stored") from None
    return det


def _describe(path: Path, fmt: str | None, options: dict) -> Detected:
    if fmt is not None:
        return get(fmt).describe(path, options)
    header = header_of(path) if path.is_file() else []
    for candidate in sorted(formats().values(), key=lambda f: (f.priority, f.name)):
        if candidate.sniffable and candidate.claims(path, header):
            return candidate.describe(path, options)
    if path.is_dir():
        missing = [n for n in ("data.csv", "datapackage.json") if not (path / n).is_file()]
        what = "folder" + (f" without {' or '.join(missing)}" if missing else "")
    else:
        what = f"file (first line: {len(header)} fields)"
    raise ImportError_(f"cannot tell the format of {path.name}, a {what}; pass --format ({', '.join(names())})")


def check_json_object(path: Path) -> dict:
    """A companion metadata file must be a JSON object (its provenance is read from it before anything is stored)."""
    import json

    try:
        doc = json.loads(limits.read_bounded(path, limits.current().json_bytes).decode("utf-8"))
    except limits.LimitError as exc:
        raise ImportError_(f"refused: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ImportError_(f"{path.name} is not UTF-8 text ({exc.reason} at byte {exc.start}); download the data set "
                           f"again") from None
    except ValueError as exc:  # JSONDecodeError: its message gives positions only
        raise ImportError_(f"{path.name} is not valid JSON ({exc}); download the data set again") from None
    if not isinstance(doc, dict):
        raise ImportError_(f"{path.name} is not a JSON object (found {type(doc).__name__}); download the data set again")
    return doc


def slugify(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "data"
