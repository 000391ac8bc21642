"""Group aggregates, implemented once (SQL over the warehouse) and used by every page, export and progress table.

For a group, an indicator and each year:

* values are the resolved ones (``indicator_value``: one value per country and year, chosen across sources by
  :mod:`etl.resolve`), or one source's own observations when the caller pins ``source_id``;
* members are, with ``membership="as_of_year"``, the countries that belong to the group **in that year**
  (``joined_year <= year`` and, if they left, ``left_year > year``; a NULL year means "for the whole period the
  definition covers"); with ``membership="current"``, today's members in every year (so a line does not jump when
  a country joins);
* the value is the population-weighted mean over members that report (``weighted=False``: the plain mean). When a
  reporting member's population is unknown the year falls back to the plain mean, and :func:`weighting_text` says so
  in the same words wherever the value is shown;
* ``coverage`` is the share of the members' population that reports (by count when no population is known);
  below ``MIN_COVERAGE`` (two thirds) the row is flagged ``low_coverage``;
* ``min_*``/``max_*`` give the lowest and highest reporting member (the spread inside the group).

Population weights are the resolved total population (``SP.POP.TOTL`` from whichever source gives it: the World
Bank, a copy of it, Gapminder, UN/OWID), from the same year or, failing that, the nearest year within
``WEIGHT_WINDOW`` years (equally near: the earlier) — reported in ``weight_note``. Sums and means add the members in
code order and ties (lowest/highest member, main source) go to the first code, so results are reproducible to the
last bit.

Every build precomputes these figures for every group, indicator, year and membership mode (``group_value``,
:mod:`etl.group_values`, from the same SQL fragments defined here); :func:`group_series` reads that table and
computes on the fly only for a pinned source or where the table does not apply.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

MIN_COVERAGE = 2 / 3
WEIGHT_SERIES = ("SP.POP.TOTL",)
WEIGHT_WINDOW = 5
MEMBERSHIPS = ("as_of_year", "current")

COLUMNS = [
    "group_id", "indicator_code", "year", "value", "weighted", "n_members", "n_reporting", "coverage", "low_coverage",
    "min_iso3", "min_value", "max_iso3", "max_value", "source_id", "sources", "n_disagree", "weight_series",
    "weight_note", "weighting", "membership",
]


# The figures of one group and year, as SQL over a row holding: n_members, n_pop (members with a population), sum_pop,
# n_reporting, n_unweighted (reporters without a population), rep (the reporters' code, value, population and source,
# sorted by code), max_dist (the farthest population year used), unknown (members without a population). One text
# for the on-the-fly query below and the build's etl/group_values.py, so both give the same numbers to the last bit:
# sums and means add the members in code order; ties (smallest/largest member, main source) go to the first by code.
REPORTERS = "list_sort(list({'i': iso3, 'v': value, 'p': pop, 's': source_id}) FILTER (WHERE value IS NOT NULL))"
SUM_POP = "list_sum(list_transform(list_sort(list({'i': iso3, 'p': pop})), lambda e: e.p))"
SPREAD = ("arg_min(iso3, {'v': value, 'i': iso3}) FILTER (WHERE value IS NOT NULL) AS min_iso3, min(value) AS min_value, "
          "arg_max(iso3, {'v': value, 'i': iso3}) FILTER (WHERE value IS NOT NULL) AS max_iso3, max(value) AS max_value")
WEIGHTED_MEAN = "list_sum(list_transform(rep, lambda e: e.v * e.p)) / list_sum(list_transform(rep, lambda e: e.p))"
PLAIN_MEAN = "list_avg(list_transform(rep, lambda e: e.v))"
COVERAGE = ("CASE WHEN n_pop = n_members THEN list_sum(list_transform(rep, lambda e: e.p)) / sum_pop "
            "ELSE n_reporting / n_members END")
MAIN_SOURCE = "list_aggregate(list_sort(list_transform(rep, lambda e: e.s)), 'mode')"
SOURCES = "array_to_string(list_sort(list_distinct(list_transform(rep, lambda e: e.s))), ';')"
WEIGHT_NOTE = ("CASE WHEN n_pop < n_members THEN 'population unknown for ' || unknown "
               "|| CASE WHEN n_unweighted = 0 THEN ': coverage counted by members' ELSE '' END "
               "WHEN max_dist > 0 THEN 'population from the nearest year within ' || max_dist || ' year(s)' END")
FRAGMENTS = dict(REPORTERS=REPORTERS, SUM_POP=SUM_POP, SPREAD=SPREAD, WEIGHTED_MEAN=WEIGHTED_MEAN, PLAIN_MEAN=PLAIN_MEAN,
                 COVERAGE=COVERAGE, MAIN_SOURCE=MAIN_SOURCE, SOURCES=SOURCES, WEIGHT_NOTE=WEIGHT_NOTE)

_ON_THE_FLY = """
        WITH cells AS (  -- the resolved values, or one source's own
            SELECT iso3, year, value, source_id, disagree FROM indicator_value
            WHERE $src IS NULL AND indicator_code = $ind AND year BETWEEN $lo AND $hi
            UNION ALL
            SELECT iso3, year, value, source_id, false FROM observation
            WHERE $src IS NOT NULL AND indicator_code = $ind AND source_id = $src AND year BETWEEN $lo AND $hi
        ),
        years AS (SELECT DISTINCT year FROM cells),
        members AS (
            SELECT y.year, m.iso3
            FROM years y JOIN country_group_member m
              ON m.group_id = $grp
             AND (m.joined_year IS NULL OR m.joined_year <= CASE WHEN $current THEN $today ELSE y.year END)
             AND (m.left_year IS NULL OR m.left_year > CASE WHEN $current THEN $today ELSE y.year END)
        ),
        pop_best AS (  -- per member and year: the resolved population of the nearest year within the window
            SELECT m.year, m.iso3, arg_min(p.value, abs(p.year - m.year) * 2 + (p.year > m.year)::INTEGER) AS pop,
                   min(abs(p.year - m.year)) AS dist  -- equally near years: the earlier one
            FROM members m JOIN indicator_value p
              ON p.iso3 = m.iso3 AND p.indicator_code = $weight AND abs(p.year - m.year) <= $window
            GROUP BY m.year, m.iso3
        ),
        vals AS (
            SELECT m.year, m.iso3, c.value, c.source_id, c.disagree, w.pop, w.dist
            FROM members m
            LEFT JOIN cells c ON c.iso3 = m.iso3 AND c.year = m.year
            LEFT JOIN pop_best w ON w.iso3 = m.iso3 AND w.year = m.year
        ),
        agg AS (
            SELECT year, count(*) AS n_members, count(pop) AS n_pop, {SUM_POP} AS sum_pop,
                   count(value) AS n_reporting, count(value) FILTER (WHERE pop IS NULL) AS n_unweighted,
                   {REPORTERS} AS rep, {SPREAD}, count(*) FILTER (WHERE disagree) AS n_disagree,
                   max(dist) FILTER (WHERE value IS NOT NULL) AS max_dist,
                   string_agg(iso3, ', ' ORDER BY iso3) FILTER (WHERE pop IS NULL) AS unknown
            FROM vals
            GROUP BY year
            HAVING count(value) > 0
        )
        SELECT $grp AS group_id, $ind AS indicator_code, year,
               CASE WHEN $weighted AND n_unweighted = 0 THEN {WEIGHTED_MEAN} ELSE {PLAIN_MEAN} END AS value,
               $weighted AND n_unweighted = 0 AS weighted, n_members, n_reporting, {COVERAGE} AS coverage,
               min_iso3, min_value, max_iso3, max_value, {MAIN_SOURCE} AS source_id, {SOURCES} AS sources,
               n_disagree, $weight AS weight_series, {WEIGHT_NOTE} AS weight_note
        FROM agg
        ORDER BY year
""".format(**FRAGMENTS)


def weighting_text(weighted: bool, requested: bool = True, weight_note: str | None = None) -> str:
    """How a group value was computed, in the words used everywhere (captions, footers, export subtitles, CSV)."""
    if not requested:
        return "plain mean of the members reporting (weighting switched off)"
    if weighted:
        return "population-weighted mean of the members reporting" + (f" ({weight_note})" if weight_note else "")
    return "plain mean of the members reporting: " + (weight_note or "a member's population is unknown") + ", so no weights"


def current_year() -> int:
    return dt.date.today().year


def members_by_year(con: duckdb.DuckDBPyConnection, group_id: str, years: list[int],
                    membership: str = "as_of_year") -> pd.DataFrame:
    """Membership of ``group_id`` in each of ``years`` (time-aware, or today's members in every year)."""
    return con.execute(
        """
        SELECT y.year, m.iso3
        FROM unnest(?::INTEGER[]) AS y(year)
        JOIN country_group_member m
          ON m.group_id = ? AND (m.joined_year IS NULL OR m.joined_year <= CASE WHEN ? THEN ? ELSE y.year END)
         AND (m.left_year IS NULL OR m.left_year > CASE WHEN ? THEN ? ELSE y.year END)
        ORDER BY y.year, m.iso3
        """,
        [years, group_id, membership == "current", current_year(), membership == "current", current_year()],
    ).df()


def has_data(con: duckdb.DuckDBPyConnection, indicator_code: str, source_id: str | None = None) -> bool:
    if source_id:
        sql, args = "SELECT 1 FROM observation WHERE indicator_code = ? AND source_id = ? LIMIT 1", [indicator_code, source_id]
    else:
        sql, args = "SELECT 1 FROM indicator_value WHERE indicator_code = ? LIMIT 1", [indicator_code]
    return con.execute(sql, args).fetchone() is not None


def group_series(
    con: duckdb.DuckDBPyConnection,
    group_id: str,
    indicator_code: str,
    year_from: int | None = None,
    year_to: int | None = None,
    weighted: bool = True,
    source_id: str | None = None,
    membership: str = "as_of_year",
    precomputed: bool = True,
) -> pd.DataFrame:
    """One row per year with data for any member: the aggregate, its coverage and spread (see module doc).

    Read from the build's ``group_value`` table (etl/group_values.py) when it applies; computed here when pinned to
    one source, when ``precomputed=False``, or when the warehouse holds no precomputed rows that apply."""
    if membership not in MEMBERSHIPS:
        raise ValueError(f"membership must be one of {MEMBERSHIPS}")
    lo = year_from if year_from is not None else -10_000
    hi = year_to if year_to is not None else 10_000
    if precomputed and source_id is None:
        df = _read_precomputed(con, group_id, indicator_code, lo, hi, weighted, membership)
        if df is not None:
            return df
    return _finish(_compute(con, group_id, indicator_code, lo, hi, weighted, source_id, membership), weighted,
                   membership)


def _finish(df: pd.DataFrame, weighted: bool, membership: str) -> pd.DataFrame:
    df["low_coverage"] = df["coverage"] < MIN_COVERAGE
    df["weighted"] = df["weighted"].astype(bool)
    df["weighting"] = _weighting(df, weighted)
    df["membership"] = membership
    return df[COLUMNS]


def _weighting(df: pd.DataFrame, requested: bool) -> list[str]:
    return [weighting_text(w, requested, n if isinstance(n, str) else None)
            for w, n in zip(df["weighted"], df["weight_note"])]


def _precomputed_applies(con: duckdb.DuckDBPyConnection, membership: str) -> bool:
    """``group_value`` was filled, with today's weighting rules and (for today's members) today's year."""
    state = con.execute("SELECT weight_series, weight_window, current_year FROM group_value LIMIT 1").fetchone()
    if state is None or (state[0], state[1]) != (WEIGHT_SERIES[0], WEIGHT_WINDOW):
        return False
    return membership != "current" or state[2] == current_year()


def _read_precomputed(con: duckdb.DuckDBPyConnection, group_id: str, indicator_code: str, lo: int, hi: int,
                      weighted: bool, membership: str) -> pd.DataFrame | None:
    """The rows of ``group_value``, in the columns of :data:`COLUMNS`; None when they do not apply (a warehouse
    published before the table existed, or built with other weighting rules or, for today's members, last year).
    One query when rows come back: their own columns say they apply; the table's state is read only when none do."""
    try:
        df = con.execute(
            """
            SELECT group_id, indicator_code, year,
                   CASE WHEN $weighted AND weightable THEN weighted_value ELSE plain_value END AS value,
                   $weighted AND weightable AS weighted, n_members::BIGINT AS n_members,
                   n_reporting::BIGINT AS n_reporting, coverage, coverage < $min_cov AS low_coverage, min_iso3,
                   min_value, max_iso3, max_value, source_id, sources, n_disagree::BIGINT AS n_disagree,
                   weight_series, weight_note, NULL::VARCHAR AS weighting, $membership AS membership
            FROM group_value
            WHERE group_id = $grp AND membership = $membership AND indicator_code = $ind AND year BETWEEN $lo AND $hi
              AND weight_series = $weight AND weight_window = $window
              AND ($membership <> 'current' OR current_year = $today)
            ORDER BY year
            """,
            {"grp": group_id, "membership": membership, "ind": indicator_code, "lo": lo, "hi": hi,
             "weighted": weighted, "min_cov": MIN_COVERAGE, "weight": WEIGHT_SERIES[0], "window": WEIGHT_WINDOW,
             "today": current_year()},
        ).df()
    except duckdb.CatalogException:  # a warehouse published before the table existed
        return None
    if df.empty:  # no data for the group, or no precomputed rows that apply
        if not _precomputed_applies(con, membership):
            return None
        return _finish(df.drop(columns=["low_coverage", "weighting", "membership"]), weighted, membership)
    df["weighting"] = _weighting(df, weighted)
    return df


def _compute(con: duckdb.DuckDBPyConnection, group_id: str, indicator_code: str, lo: int, hi: int, weighted: bool,
             source_id: str | None, membership: str) -> pd.DataFrame:
    """The aggregate computed from the values themselves (the rules of the module doc; etl/group_values.py
    precomputes the same for every group and indicator)."""
    return con.execute(
        _ON_THE_FLY,
        {"ind": indicator_code, "src": source_id, "grp": group_id, "lo": lo, "hi": hi, "weighted": weighted,
         "weight": WEIGHT_SERIES[0], "window": WEIGHT_WINDOW, "current": membership == "current", "today": current_year()},
    ).df()
