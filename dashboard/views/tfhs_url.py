"""The Trust Fund page's URL parameters: ``region`` and ``cat`` (register regions and categories), ``q`` a search
in title, countries and lead agency. Example: ``/tfhs?region=Southeast Asia&cat=health&q=water``.
Machinery: ``dashboard.urlstate``."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from dashboard.urlstate import Param

PREFIX = "tfhs"
KEYS = ("region", "cat", "q")


def params() -> list[Param]:
    return [Param("region", "many", ()), Param("cat", "many", ()), Param("q", "text", "")]


def allowed(regions: Collection[str], categories: Collection[str]) -> dict[str, Any]:
    return {"region": set(regions), "cat": set(categories)}
