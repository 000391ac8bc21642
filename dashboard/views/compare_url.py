"""The Compare page's URL parameters, their defaults and allow-lists, and the ChartSpec they describe.

``ind`` indicator, ``more`` further indicators drawn beside it as small multiples (line view), ``c`` countries,
``g`` groups, ``time`` years (``2000..2020``), ``view`` line | bar | map | scatter | table, ``year`` (bar, map,
scatter), ``x`` scatter's x indicator (empty: chosen automatically, the one that shares most countries with the
y axis in that year), ``log``, ``base`` base year (% change), ``w`` population weights, ``lowcov`` flag | hide
groups below two-thirds coverage, ``src`` one source's values only (default: per country and year the best source),
``mem`` group members current (today's members throughout, the default: a trend compares the same countries) |
as_of_year. Example: ``/compare?ind=SH.STA.STNT.ZS&c=KHM&g=asean&time=2000..2020&view=line``. Machinery:
``dashboard.urlstate``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import pandas as pd

from dashboard.figures.spec import ChartSpec
from dashboard.urlstate import Param, clamp_range

PREFIX = "cmp"  # widget keys: cmp_ind, cmp_c, …
KEYS = ("ind", "more", "c", "g", "time", "view", "year", "x", "log", "base", "w", "lowcov", "src", "mem")
MEMBERSHIPS = ("current", "as_of_year")
MEMBERSHIP_LABELS = {"current": "Today's members throughout", "as_of_year": "As of each year"}
MAX_MORE = 5  # small multiples: the indicator plus at most this many
VIEWS = ("line", "bar", "map", "scatter", "table")
VIEW_LABELS = {"line": ":material/show_chart: Line", "bar": ":material/sort: Ranking", "map": ":material/public: Map",
               "scatter": ":material/scatter_plot: Scatter", "table": ":material/table: Table"}
PREFERRED_INDICATORS = ("SH.STA.STNT.ZS", "SN.ITK.DEFC.ZS", "HDR.HDI", "SI.POV.DDAY", "SP.DYN.LE00.IN")
PREFERRED_X = ("NY.GDP.PCAP.PP.KD", "NY.GDP.PCAP.CD", "HDR.HDI", "GAPMINDER.GDPPERCAP")
AUTO_X = ""  # the x parameter's "choose for me" value
NEAR_BEST = 0.75  # a preferred x axis is taken when it shares at least this share of the best overlap
DEFAULT_COUNTRIES = ("KHM",)
DEFAULT_GROUPS = ("asean",)


def _pick(preferred: Sequence[str], available: Sequence[str], fallback: str | None) -> str | None:
    return next((p for p in preferred if p in available), fallback)


def params(catalogue: pd.DataFrame, countries: Collection[str], groups: Collection[str]) -> list[Param]:
    """The parameters with their defaults; ``catalogue``: indicators with data, most-reported first."""
    codes = list(catalogue["indicator_code"])
    ranked = list(catalogue.sort_values("n_countries", ascending=False, kind="stable")["indicator_code"])
    ind = _pick(PREFERRED_INDICATORS, codes, ranked[0] if ranked else None)
    return [
        Param("ind", "one", ind),
        Param("more", "many", ()),
        Param("c", "many", tuple(c for c in DEFAULT_COUNTRIES if c in countries)),
        Param("g", "many", tuple(g for g in DEFAULT_GROUPS if g in groups)),
        Param("time", "range", None),  # None: the indicator's span from urlstate.DEFAULT_FROM
        Param("view", "one", "line"),
        Param("year", "int", None),  # None: the end of the time range
        Param("x", "one", AUTO_X),  # chosen by auto_x for the countries and year shown
        Param("log", "bool", False),
        Param("base", "int", None),
        Param("w", "bool", True),
        Param("lowcov", "one", "flag"),
        Param("src", "one", ""),  # "": resolved (the best source per cell)
        Param("mem", "one", "current"),
    ]


def allowed(catalogue: pd.DataFrame, countries: Collection[str], groups: Collection[str]) -> dict[str, Any]:
    codes = set(catalogue["indicator_code"])
    lo = int(catalogue["year_min"].min()) if len(catalogue) else 1900
    hi = int(catalogue["year_max"].max()) if len(catalogue) else 2100
    sources = {"", *(s for text in catalogue.get("sources", pd.Series(dtype=object)).dropna() for s in str(text).split(";"))}
    return {"ind": codes, "more": codes, "x": codes | {AUTO_X}, "c": set(countries), "g": set(groups),
            "time": (lo, hi), "year": (lo, hi),
            "base": (lo, hi), "view": set(VIEWS), "lowcov": {"flag", "hide"}, "src": sources, "mem": set(MEMBERSHIPS)}


def auto_x(overlap: pd.DataFrame, catalogue: pd.DataFrame, indicator: str) -> str | None:
    """The scatter's x axis when none is picked: among the indicators with data, the one whose values share the
    most countries with the y axis in the year shown (``overlap``: ``indicator_code``, ``n_countries``, from
    ``chart_data.x_overlap``) — a preferred one (GDP per capita, the HDI) when it comes close; counts of people
    only when nothing else overlaps. None when nothing overlaps."""
    kinds = dict(zip(catalogue["indicator_code"], catalogue.get("unit_kind", pd.Series(dtype=object))))
    n = {c: int(k) for c, k in zip(overlap["indicator_code"], overlap["n_countries"])
         if c != indicator and c in kinds and k > 0}
    if not n:
        return None
    best = max(n.values())
    preferred = [c for c in PREFERRED_X if n.get(c, 0) >= max(1, NEAR_BEST * best)]
    if preferred:
        return max(preferred, key=lambda c: (n[c], -PREFERRED_X.index(c)))
    rates = {c: k for c, k in n.items() if kinds.get(c) != "count"}
    pool = rates or n
    top = max(pool.values())
    return next(c for c in catalogue["indicator_code"] if pool.get(c) == top)


def chart_spec(values: Mapping[str, Any], row: Mapping[str, Any]) -> ChartSpec:
    """The ChartSpec for the page's values; ``row``: the indicator's catalogue entry. A line view with ``more``
    indicators is a small-multiples chart."""
    y0, y1 = clamp_range(values.get("time"), int(row["year_min"]), int(row["year_max"]))
    year = values.get("year")
    year = min(max(year, y0), y1) if year is not None else y1
    view = values.get("view") or "line"
    more = tuple(c for c in (values.get("more") or ()) if c != row["indicator_code"])[:MAX_MORE]
    kind = "multiples" if view == "line" and more else view
    base = values.get("base")
    hib = row.get("higher_is_better")
    hib = None if hib is None or pd.isna(hib) else bool(hib)
    return ChartSpec(
        indicator_code=row["indicator_code"], indicator_name=row["name"], unit=row["unit"],
        countries=tuple(values.get("c") or ()), groups=tuple(values.get("g") or ()), year_from=y0, year_to=y1,
        kind=kind, log_scale=bool(values.get("log")), base_year=base if view != "scatter" else None,
        weighted=bool(values.get("w", True)), hide_low_coverage=values.get("lowcov") == "hide",
        year=year if view in ("bar", "map", "scatter") else None,
        x_indicator_code=(values.get("x") or None) if view == "scatter" else None,
        more_indicators=more if kind == "multiples" else (),
        higher_is_better=hib, source_id=values.get("src") or None, membership=values.get("mem") or "current",
    )
