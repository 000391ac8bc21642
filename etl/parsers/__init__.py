"""Parsers: bytes of one public source's file or response in, tidy frames out. No HTTP.

Every parser returns a :class:`ParseResult`: the rows it could read, and the rows it could not read with the
reason (these go to the ``quarantine`` table — never silently dropped). Files too large for pandas (the WDI bulk
download: ~10 M cells) are streamed by DuckDB into staged Parquet instead (:mod:`etl.parsers.wdi_bulk`); their
result carries :class:`StagedRows` — SQL over those files — and an empty ``frame``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

OBSERVATION_COLUMNS = ["iso3", "indicator_code", "year", "value", "note", "flag"]


@dataclass
class StagedRows:
    """Rows kept on disk: ``sql`` selects them (:data:`OBSERVATION_COLUMNS`), ``rejected_sql`` the parser's
    rejected rows (``record, reason``); both take ``params`` (the staged files' paths)."""

    sql: str
    rejected_sql: str
    params: dict
    keys: list[str] = field(default_factory=list)  # the distinct indicator_code values


@dataclass
class ParseResult:
    frame: pd.DataFrame
    rejected: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["record", "reason"]))
    meta: dict = field(default_factory=dict)
    staged: StagedRows | None = None


class ParseError(ValueError):
    """The input as a whole is not in the expected format (wrong columns, error page, truncated body...)."""
