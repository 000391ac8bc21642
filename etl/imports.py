"""Imports of downloaded files (air-gapped offices): detect the format and copy the file(s) into the raw zone as a
sealed snapshot with origin sidecars and the import's options. Loading them is :mod:`etl.sources.imported`.

Formats live in :mod:`etl.formats` (one module each, self-registering). Each imported data set is its own source
(``owid-<slug>``, ``owid-grapher-<slug>``, ``datapackage-<name>``, ``csv-<stem>``, ``wdi-bulk``, ``tfhs-register``);
an HDR file becomes a new snapshot of the ``hdr`` source. The options given at import (``--indicator`` mappings, the
columns of a generic CSV, its provenance) are stored in the snapshot's manifest, so every refresh repeats them.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from etl import catalogue, formats, limits
from etl.formats import Detected, ImportError_  # noqa: F401 — re-exported for the CLI and tests
from etl.rawzone import new_snapshot_dir, reject_snapshot, seal_snapshot, utc_now, write_origin
from etl.sources.base import SourceError

def detect(path: Path, fmt: str | None = None, options: dict | None = None) -> Detected:
    return formats.detect(path, fmt, options)


def check_user_mappings(det: Detected, cat: catalogue.Catalogue) -> None:
    """``--indicator`` mappings must name catalogue indicators (old codes are translated)."""
    for column, target in (det.options.get("indicators") or {}).items():
        code = cat.canonical(target["indicator_code"])
        if not cat.known(code):
            near = cat.search(code.split(".")[-1].replace("_", " "))["indicator_code"].head(5).tolist()
            raise ImportError_(f"--indicator {column}={target['indicator_code']}: no such indicator in the catalogue"
                               + (f" (similar: {', '.join(near)})" if near else "") + "; `hsdash indicators` lists them")
        target["indicator_code"] = code


class Rejected(ImportError_):
    """The file was stored but cannot be loaded: its snapshot was moved to ``raw/_rejected/`` (``where``)."""

    def __init__(self, message: str, where: Path):
        super().__init__(message)
        self.where = where


def check_loadable(paths, det: Detected, snap: Path) -> None:
    """Parse and map the stored (not yet sealed) copies exactly as a refresh will: raises ``SourceError`` with the
    reason when nothing could be loaded from them."""
    from etl.rawzone import list_raw_files
    from etl.sources.base import Context
    from etl.sources.imported import load_files

    ctx = Context(paths=paths, run_id="import-check", extract=False)
    load_files(det.source_id, det.format, list_raw_files(snap), ctx, "import", {**det.options, "slug": det.slug})


def store_import(paths, det: Detected, check: bool = False) -> Path:
    """Copy the file(s) into a new sealed snapshot of the source; the originals are never moved or changed.

    Each file is copied from a descriptor opened without following links and checked to be a regular file (a path
    swapped for a link after :func:`detect` cannot race it), into a file private to the service account (0600, in
    0700 folders); the provenance is then read from those private copies, never from the paths again."""
    fmt = formats.get(det.format)
    snap = new_snapshot_dir(paths.raw / det.source_id)
    try:
        cap = limits.current()
        for name, src in det.files.items():
            limits.copy_private(src, snap / name, cap.json_bytes if name.endswith(".json") else cap.file_bytes)
        origin = fmt.origin(replace(det, files={name: snap / name for name in det.files}))
        for name, src in det.files.items():
            notes = (origin.get("notes", "") + f" Imported from {src} at {utc_now()}.").strip()
            write_origin(snap / name, source_id=det.source_id, **{**origin, "notes": notes})
        info = {"import_format": det.format, "slug": det.slug, "options": det.options,
                "imported_from": str(det.files[next(iter(det.files))])}
        if check:
            try:
                check_loadable(paths, det, snap)
            except (SourceError, ValueError, KeyError, TypeError) as exc:  # never sealed, so never seen by loaders
                reason = str(exc) if isinstance(exc, SourceError) else f"cannot be parsed ({type(exc).__name__}: {exc})"
                where = reject_snapshot(paths.raw, snap, det.source_id, reason[:2000], info)
                raise Rejected(reason[:2000], where) from None
        seal_snapshot(snap, info)
    except Rejected:
        raise
    except limits.LimitError as exc:
        shutil.rmtree(snap, ignore_errors=True)
        raise ImportError_(f"refused: {exc}; nothing was stored") from None
    except BaseException:  # e.g. disk full: leave no half-copied snapshot behind
        shutil.rmtree(snap, ignore_errors=True)
        raise
    return snap
