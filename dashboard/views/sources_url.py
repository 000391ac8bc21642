"""The Data & sources page's URL parameters, filters of the quarantined rows: ``src`` source, ``tbl`` table,
``reason`` text the reason contains. Example: ``/sources?src=wdi&tbl=observation&reason=unknown``.
Machinery: ``dashboard.urlstate``."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from dashboard.urlstate import Param

PREFIX = "src"
KEYS = ("src", "tbl", "reason")


def params() -> list[Param]:
    return [Param("src", "one", ""), Param("tbl", "one", ""), Param("reason", "text", "")]


def allowed(sources: Collection[str], tables: Collection[str]) -> dict[str, Any]:
    return {"src": {"", *sources}, "tbl": {"", *tables}}
