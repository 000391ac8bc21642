"""Group aggregates, implemented once (SQL over the warehouse) and used by every page, export and progress table.

For a group, an indicator and each year:

* members are the countries that belong to the group **in that year** (``joined_year <= year`` and, if they left,
  ``left_year > year``; a NULL year means "for the whole period the definition covers");
* the value is the population-weighted mean over members that report (``weighted=False``: the plain mean);
* ``coverage`` is the share of the members' population that reports (by count when no population is known);
  below ``MIN_COVERAGE`` (two thirds) the row is flagged ``low_coverage``;
* ``min_*``/``max_*`` give the best and worst reporting member (the spread inside the group).

Population weights come from one series per year, the first of ``WEIGHT_SERIES`` that knows every member (else the
one that knows most), taken from the same year or, failing that, the nearest year within ``WEIGHT_WINDOW`` years —
this choice is reported in ``weight_note``. Values come from one source per indicator: the caller's, else the
non-paper source with the most observations of it (the paper's quoted figures are never averaged).
"""

from __future__ import annotations

import duckdb
import pandas as pd

MIN_COVERAGE = 2 / 3
WEIGHT_SERIES = ("SP.POP.TOTL", "GAPMINDER.POP", "HDR.POP_TOTAL")
WEIGHT_WINDOW = 5

COLUMNS = [
    "group_id", "indicator_code", "year", "value", "weighted", "n_members", "n_reporting", "coverage", "low_coverage",
    "min_iso3", "min_value", "max_iso3", "max_value", "source_id", "weight_series", "weight_note",
]


def preferred_source(con: duckdb.DuckDBPyConnection, indicator_code: str) -> str | None:
    row = con.execute(
        "SELECT source_id FROM observation WHERE indicator_code = ? AND source_id <> 'paper' "
        "GROUP BY source_id ORDER BY count(*) DESC, source_id LIMIT 1",
        [indicator_code],
    ).fetchone()
    return row[0] if row else None


def members_by_year(con: duckdb.DuckDBPyConnection, group_id: str, years: list[int]) -> pd.DataFrame:
    """Membership of ``group_id`` in each of ``years`` (time-aware)."""
    return con.execute(
        """
        SELECT y.year, m.iso3
        FROM unnest(?::INTEGER[]) AS y(year)
        JOIN country_group_member m
          ON m.group_id = ? AND (m.joined_year IS NULL OR m.joined_year <= y.year)
         AND (m.left_year IS NULL OR m.left_year > y.year)
        ORDER BY y.year, m.iso3
        """,
        [years, group_id],
    ).df()


def group_series(
    con: duckdb.DuckDBPyConnection,
    group_id: str,
    indicator_code: str,
    year_from: int | None = None,
    year_to: int | None = None,
    weighted: bool = True,
    source_id: str | None = None,
) -> pd.DataFrame:
    """One row per year with data for any member: the aggregate, its coverage and spread (see module doc)."""
    source_id = source_id or preferred_source(con, indicator_code)
    if source_id is None:
        return pd.DataFrame(columns=COLUMNS)
    lo = year_from if year_from is not None else -10_000
    hi = year_to if year_to is not None else 10_000
    df = con.execute(
        """
        WITH years AS (
            SELECT DISTINCT year FROM observation
            WHERE indicator_code = $ind AND source_id = $src AND year BETWEEN $lo AND $hi
        ),
        members AS (
            SELECT y.year, m.iso3
            FROM years y JOIN country_group_member m
              ON m.group_id = $grp AND (m.joined_year IS NULL OR m.joined_year <= y.year)
             AND (m.left_year IS NULL OR m.left_year > y.year)
        ),
        pop AS (  -- every candidate weight: member, year, series, distance in years
            SELECT m.year, m.iso3, o.indicator_code AS series, o.value AS pop, abs(o.year - m.year) AS dist,
                   list_position($weights, o.indicator_code) AS rank
            FROM members m JOIN observation o
              ON o.iso3 = m.iso3 AND o.indicator_code IN (SELECT unnest($weights))
             AND abs(o.year - m.year) <= $window AND o.source_id <> 'paper'
        ),
        pop_best AS (  -- per member, year, series: the nearest year's value
            SELECT year, iso3, series, rank, arg_min(pop, dist) AS pop, min(dist) AS dist
            FROM pop GROUP BY year, iso3, series, rank
        ),
        series_choice AS (  -- per year: the series knowing most members, ties by priority
            SELECT year, arg_max(series, n * 100 - rank) AS series, max_by(max_dist, n * 100 - rank) AS max_dist
            FROM (SELECT year, series, rank, count(*) AS n, max(dist) AS max_dist FROM pop_best GROUP BY ALL)
            GROUP BY year
        ),
        weights AS (
            SELECT b.year, b.iso3, b.pop, s.series, s.max_dist
            FROM pop_best b JOIN series_choice s ON s.year = b.year AND s.series = b.series
        ),
        vals AS (
            SELECT m.year, m.iso3, o.value, w.pop, w.series, w.max_dist
            FROM members m
            LEFT JOIN observation o
              ON o.iso3 = m.iso3 AND o.year = m.year AND o.indicator_code = $ind AND o.source_id = $src
            LEFT JOIN weights w ON w.iso3 = m.iso3 AND w.year = m.year
        )
        SELECT
            $grp AS group_id, $ind AS indicator_code, year,
            CASE WHEN $weighted AND count(value) FILTER (WHERE pop IS NULL) = 0
                 THEN sum(value * pop) / sum(pop) FILTER (WHERE value IS NOT NULL)
                 ELSE avg(value) END AS value,
            $weighted AND count(value) FILTER (WHERE pop IS NULL) = 0 AS weighted,
            count(*) AS n_members,
            count(value) AS n_reporting,
            CASE WHEN count(pop) = count(*) THEN sum(pop) FILTER (WHERE value IS NOT NULL) / sum(pop)
                 ELSE count(value) / count(*) END AS coverage,
            arg_min(iso3, value) AS min_iso3, min(value) AS min_value,
            arg_max(iso3, value) AS max_iso3, max(value) AS max_value,
            $src AS source_id,
            any_value(series) AS weight_series,
            CASE WHEN count(pop) < count(*) THEN 'population unknown for ' || (count(*) - count(pop)) || ' member(s): coverage counted by members'
                 WHEN max(max_dist) > 0 THEN 'population from the nearest year within ' || max(max_dist) || ' year(s)'
                 ELSE NULL END AS weight_note
        FROM vals
        GROUP BY year
        HAVING count(value) > 0
        ORDER BY year
        """,
        {"ind": indicator_code, "src": source_id, "grp": group_id, "lo": lo, "hi": hi, "weighted": weighted,
         "weights": list(WEIGHT_SERIES), "window": WEIGHT_WINDOW},
    ).df()
    df["low_coverage"] = df["coverage"] < MIN_COVERAGE
    df["weighted"] = df["weighted"].astype(bool)
    return df[COLUMNS]
