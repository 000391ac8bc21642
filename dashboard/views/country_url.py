"""The Country profile's URL parameters: ``iso3`` the country, ``ind`` the indicator charted against its groups,
``g`` the groups compared with (unset: the country's main groups).
Example: ``/country?iso3=KHM&ind=SH.STA.STNT.ZS&g=asean``. Machinery: ``dashboard.urlstate``."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from dashboard.urlstate import Param

PREFIX = "cty"
KEYS = ("iso3", "ind", "g")
DEFAULT_COUNTRY = "KHM"
PREFERRED_GROUPS = ("asean", "asean_plus_3", "wb_eap", "southeast_asia", "east_asia")


def params(countries: Collection[str]) -> list[Param]:
    """``countries``: the ISO3 codes the warehouse knows, in display order."""
    first = next(iter(countries), None)
    return [
        Param("iso3", "one", DEFAULT_COUNTRY if DEFAULT_COUNTRY in countries else first),
        Param("ind", "one", None),  # None: the first preferred indicator the country has
        Param("g", "many", None),  # None: the country's main groups
    ]


def allowed(countries: Collection[str], indicators: Collection[str], groups: Collection[str]) -> dict[str, Any]:
    return {"iso3": set(countries), "ind": set(indicators), "g": set(groups)}


def main_groups(current: list[str]) -> list[str]:
    """Up to two of the groups the country belongs to now, the region's own first."""
    return [g for g in PREFERRED_GROUPS if g in current][:2] or current[:2]
