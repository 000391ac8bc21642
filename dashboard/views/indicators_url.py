"""The Indicators page's URL parameters: ``q`` words searched in name and definition, ``theme`` themes, ``src`` one
source ("" = any), ``cur`` curated only, ``all`` also indicators without data, ``ind`` the indicator shown, ``rg``
the region of the coverage chart.
Example: ``/indicators?q=stunting&ind=JME.STUNTED_NUMBER&rg=asean_plus_3``. Machinery: ``dashboard.urlstate``."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from dashboard.urlstate import Param

PREFIX = "ind"
KEYS = ("q", "theme", "src", "cur", "all", "ind", "rg")
REGIONS = ("asean_plus_3", "wb_eap", "asean", "eas")  # the coverage chart's default: the first the warehouse has


def params(groups: Sequence[str]) -> list[Param]:
    """``groups``: the group ids the warehouse knows, in display order."""
    region = next((g for g in REGIONS if g in groups), next(iter(groups), None))
    return [
        Param("q", "text", ""), Param("theme", "many", ()), Param("src", "one", ""), Param("cur", "bool", False),
        Param("all", "bool", False), Param("ind", "one", None), Param("rg", "one", region),
    ]


def allowed(themes: Collection[str], sources: Collection[str], indicators: Collection[str], groups: Collection[str]
            ) -> dict[str, Any]:
    return {"theme": set(themes), "src": {"", *sources}, "ind": set(indicators), "rg": set(groups)}
