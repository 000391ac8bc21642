"""Pure parsers: bytes of one public source's file or response in, tidy frames out. No I/O, no HTTP.

Every parser returns a :class:`ParseResult`: the rows it could read, and the rows it could not read with the
reason (these go to the ``quarantine`` table — never silently dropped).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

OBSERVATION_COLUMNS = ["iso3", "indicator_code", "year", "value", "note", "flag"]


@dataclass
class ParseResult:
    frame: pd.DataFrame
    rejected: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["record", "reason"]))
    meta: dict = field(default_factory=dict)


class ParseError(ValueError):
    """The input as a whole is not in the expected format (wrong columns, error page, truncated body...)."""
