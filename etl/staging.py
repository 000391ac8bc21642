"""The staging cache: each raw snapshot is parsed once, into files beside the build, and reused while unchanged.

Owns ``data/staging/<source>/<key>/``, where ``key`` is the sha256 of the raw file(s) (as recorded in their origin
sidecars) and the parser version: a refresh whose raw files and parser are unchanged reads the staged Parquet
instead of parsing again; a new snapshot (another sha256) or a parser version bump stages afresh. A staging folder
appears under its final name only once complete (written under a temporary name, then renamed), so a killed run
never leaves a half-written entry that a later run would trust; other entries of the same source are then removed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from collections.abc import Callable

from etl.config import Paths
from etl.rawzone import RawFile

DONE = "meta.json"  # written last by every stager: its presence marks a complete entry


def root(paths: Paths) -> Path:
    return paths.data / "staging"


def key(raw_files: list[RawFile], parser_version: str) -> str:
    digest = hashlib.sha256(parser_version.encode())
    for raw in raw_files:
        digest.update(f"\n{raw.path.name}\t{raw.origin.sha256}".encode())
    return digest.hexdigest()[:32]


def staged(paths: Paths, source_id: str, raw_files: list[RawFile], parser_version: str,
           stage: Callable[[Path], object]) -> tuple[Path, bool]:
    """The staging folder for ``raw_files`` (staging them with ``stage(folder)`` on a miss); True on a hit."""
    folder = root(paths) / source_id
    final = folder / key(raw_files, parser_version)
    if (final / DONE).is_file():
        return final, True
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".tmp-{final.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        stage(tmp)
        if not (tmp / DONE).is_file():
            raise RuntimeError(f"staging of {source_id} wrote no {DONE}")
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for other in folder.iterdir():  # earlier snapshots, parser versions, leftovers of killed runs
        if other != final and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)
    return final, False
