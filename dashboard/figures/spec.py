"""ChartSpec: everything a chart (and its briefing export) needs to know besides the data itself.

The selection (indicator, countries, groups, years, kind and toggles) decides which rows ``dashboard.chart_data``
returns; the provenance fields (publishers, licences, vintage, retrieval date, coverage) only label the figure.
Specs are frozen and made of tuples/scalars, so they hash (Streamlit caches chart data keyed by them).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

KINDS = ("line", "bar", "map", "scatter", "table", "multiples", "coverage")  # coverage: countries × years heat strip


@dataclass(frozen=True)
class ChartSpec:
    indicator_code: str
    indicator_name: str = ""
    unit: str = ""
    countries: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    kind: str = "line"
    log_scale: bool = False
    base_year: int | None = None  # None: levels; else % change relative to this year
    weighted: bool = True  # group aggregates: population-weighted (else plain) mean
    hide_low_coverage: bool = False  # group values below two-thirds coverage: hidden (else flagged)
    source_id: str | None = None  # None: per cell the best source (resolved); else only this source's values
    membership: str = "as_of_year"  # group members: "as_of_year" (as each year) or "current" (today's, throughout)
    year: int | None = None  # the one year of bar / map / scatter views (None: latest in range)
    x_indicator_code: str | None = None  # scatter: the indicator on the x axis
    more_indicators: tuple[str, ...] = ()  # multiples: the indicators drawn beside indicator_code, one panel each
    x_indicator_name: str = ""
    x_unit: str = ""
    higher_is_better: bool | None = None
    title: str = ""
    # provenance, filled in from the warehouse by chart_data.with_provenance
    publishers: tuple[str, ...] = ()
    licences: tuple[str, ...] = ()
    vintage: str = ""
    retrieved: str = ""
    coverage: str = ""
    notes: tuple[str, ...] = field(default=())
    source_names: tuple[tuple[str, str], ...] = ()  # (source_id, publisher): hover text names the publisher
    panels: tuple[tuple[str, str, str], ...] = ()  # multiples: (indicator_code, name, unit) per panel, in order

    def __post_init__(self) -> None:
        if self.kind not in KINDS + ("sankey", "counts"):
            raise ValueError(f"unknown chart kind {self.kind!r}")
        if self.membership not in ("as_of_year", "current"):
            raise ValueError(f"unknown membership {self.membership!r}")

    def selection(self) -> ChartSpec:
        """The spec without its provenance labels: what decides the data (a stable cache key)."""
        return replace(self, publishers=(), licences=(), vintage="", retrieved="", coverage="", notes=(), title="",
                       source_names=(), panels=())

    @property
    def indicator_codes(self) -> tuple[str, ...]:
        """Every indicator the chart draws: the main one, then a small-multiples chart's others."""
        return tuple(dict.fromkeys((self.indicator_code, *self.more_indicators)))

    @property
    def value_label(self) -> str:
        if self.base_year is not None:
            return f"% change since {self.base_year}"
        if self.kind == "multiples":
            return "each indicator in its own unit"
        return self.unit or "value"
