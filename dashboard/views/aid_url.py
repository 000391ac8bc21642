"""The Aid page's URL parameters: ``donors`` (ISO3 or DAC donor codes), ``rg`` the recipient group, ``time`` years,
``y`` the need indicator plotted against ODA per capita. Example: ``/aid?donors=JPN,KOR&rg=asean&time=2000..2020``.
Machinery: ``dashboard.urlstate``."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from dashboard.urlstate import Param

PREFIX = "aid"
KEYS = ("donors", "rg", "time", "y")
DEFAULT_DONORS = ("JPN", "KOR")
DEFAULT_GROUP = "asean"


def params(donors: Sequence[str], groups: Sequence[str], years: tuple[int, int], outcomes: Sequence[str]
           ) -> list[Param]:
    """``donors``, ``groups``: codes in display order; ``years``: the span the flows cover; ``outcomes``: the need
    indicators with data."""
    lo, hi = years
    return [
        Param("donors", "many", tuple(d for d in DEFAULT_DONORS if d in donors) or tuple(donors)[:2]),
        Param("rg", "one", DEFAULT_GROUP if DEFAULT_GROUP in groups else next(iter(groups), None)),
        Param("time", "range", (max(lo, hi - 20), hi)),
        Param("y", "one", outcomes[0] if outcomes else None),
    ]


def allowed(donors: Collection[str], groups: Collection[str], years: tuple[int, int], outcomes: Collection[str]
            ) -> dict[str, Any]:
    return {"donors": set(donors), "rg": set(groups), "time": years, "y": set(outcomes)}
