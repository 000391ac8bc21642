"""What a source is: ``extract`` puts raw files (with origins) into the raw zone; ``transform`` turns the latest
good raw files into warehouse rows carrying their provenance. Sources never write the warehouse themselves.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable

import pandas as pd

from etl.config import Paths
from etl.rawzone import RawFile
from etl.vintage import to_date


@dataclass
class Context:
    paths: Paths
    run_id: str
    offline: bool = False
    extract: bool = True  # False: load what the raw zone holds without fetching (imports)
    log: Callable[[str], None] = lambda msg: None
    on_source: Callable[[str], None] = lambda source_id: None  # progress hook: a source starts


@dataclass
class Loaded:
    """The rows one source contributes to a build."""

    source: dict
    raw_files: list[RawFile]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    rejected: list[tuple[str, pd.DataFrame]] = field(default_factory=list)  # (table, frame[record, reason])
    message: str = ""
    report: dict = field(default_factory=dict)  # parser facts for the import report (entities mapped, reconciliation…)
    fallback: str = ""  # the newest raw snapshot could not be loaded (why): an older good one was


class SourceError(RuntimeError):
    """A source could not produce data this run (network down, upstream error, bad file). Its last good data is kept."""


class Source:
    source_id: str = ""
    kind: str = "bundled"  # bundled | package | live | import
    description: str = ""

    def extract(self, ctx: Context) -> str:
        """Fetch new raw files into the raw zone; return a one-line message. Bundled sources have nothing to fetch."""
        return "bundled with the code; nothing to fetch"

    def transform(self, ctx: Context) -> Loaded:
        raise NotImplementedError


def provenance(raw: RawFile) -> dict:
    """The provenance columns every row carries: which source, when retrieved, the raw file's sha256."""
    return {"source_id": raw.origin.source_id, "retrieved_at": raw.origin.retrieved_at, "raw_sha256": raw.origin.sha256}


def source_row(raw: RawFile, kind: str, **overrides) -> dict:
    o = raw.origin
    row = {
        "source_id": o.source_id,
        "publisher": o.publisher,
        "title": o.title,
        "url": o.url,
        "licence": o.licence,
        "citation": o.citation or f"{o.publisher}. {o.title}. {o.url} (retrieved {o.retrieved_at[:10]}).",
        "kind": kind,
        "vintage": o.vintage or None,
        "vintage_date": to_date(o.vintage),  # unknown stays unknown: the retrieval date is not the data's vintage
    }
    row.update(overrides)
    return row


def read_csv_raw(raw: RawFile, **kwargs) -> pd.DataFrame:
    """Read a raw CSV keeping text as text (no 'NA' → NaN surprises: Namibia's ISO2 is NA)."""
    data = Path(raw.path).read_bytes()
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[""], **kwargs)


def find(files: list[RawFile], name: str) -> RawFile:
    for raw in files:
        if raw.path.name == name:
            return raw
    raise SourceError(f"raw file {name} not found")
