"""Group aggregates precomputed at build: ``group_value`` holds, for every group × indicator × year × membership mode
(``as_of_year``: the members of each year; ``current``: today's members throughout), what
:func:`etl.aggregate.group_series` computes on the fly from the resolved values — the population-weighted and the
plain mean, whether weights are honest (``weightable``), member and reporter counts, coverage, the spread, the
sources and the weighting note.

Why: with all of WDI loaded (≈10 M observations) a group line computed per request joins members, values and
population weights at every chart; reading one sorted table is a fraction of that (benchmarks/bench_groups.py).
The rules are exactly those documented in :mod:`etl.aggregate` (a test compares both on real and synthetic data);
pinned sources and warehouses built before this table existed are still computed on the fly there.

Built in set-based steps: membership expanded per year, each member country's nearest population per year
(computed once, not once per group and indicator), indicator-independent member statistics per group and year,
then one join of the reporting members with ``indicator_value``. Stored sorted by indicator, group, membership and
year, so one chart's rows sit together and the zone maps on ``indicator_code`` skip every other row group (sorted
by group first, a read touched the three row groups around its group instead of one).
"""

from __future__ import annotations

import duckdb

from etl.aggregate import (COVERAGE, MAIN_SOURCE, PLAIN_MEAN, REPORTERS, SOURCES, SPREAD, SUM_POP, WEIGHT_NOTE,
                           WEIGHT_SERIES, WEIGHT_WINDOW, WEIGHTED_MEAN, current_year)

_TEMP = ("gv_years", "gv_members", "gv_pop", "gv_stats")


def materialise(con: duckdb.DuckDBPyConnection, today: int | None = None) -> dict:
    """Fill ``group_value`` from ``indicator_value`` and ``country_group_member`` (in the warehouse being built)."""
    args = {"today": today if today is not None else current_year(), "weight": WEIGHT_SERIES[0],
            "window": WEIGHT_WINDOW}
    con.execute("CREATE OR REPLACE TEMP TABLE gv_years AS SELECT DISTINCT year FROM indicator_value")
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE gv_members AS  -- membership expanded per year, in both modes
        SELECT m.group_id, md.membership, y.year, m.iso3
        FROM gv_years y
        CROSS JOIN (VALUES ('as_of_year'), ('current')) AS md(membership)
        JOIN country_group_member m
          ON (m.joined_year IS NULL OR m.joined_year <= CASE WHEN md.membership = 'current' THEN $today ELSE y.year END)
         AND (m.left_year IS NULL OR m.left_year > CASE WHEN md.membership = 'current' THEN $today ELSE y.year END)
        """, {"today": args["today"]})
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE gv_pop AS  -- each member country's nearest resolved population, per year
        SELECT k.iso3, k.year,
               arg_min(p.value, abs(p.year - k.year) * 2 + (p.year > k.year)::INTEGER) AS pop,
               min(abs(p.year - k.year)) AS dist
        FROM (SELECT DISTINCT iso3, year FROM gv_members) k
        JOIN indicator_value p
          ON p.indicator_code = $weight AND p.iso3 = k.iso3 AND p.year BETWEEN k.year - $window AND k.year + $window
        GROUP BY k.iso3, k.year
        """, {"weight": args["weight"], "window": args["window"]})
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE gv_stats AS  -- per group, mode and year: what does not depend on the indicator
        SELECT group_id, membership, year, count(*) AS n_members, count(pop) AS n_pop, {SUM_POP} AS sum_pop,
               string_agg(iso3, ', ' ORDER BY iso3) FILTER (WHERE pop IS NULL) AS unknown
        FROM (SELECT m.*, w.pop FROM gv_members m LEFT JOIN gv_pop w USING (iso3, year))
        GROUP BY group_id, membership, year
        """)
    con.execute(
        f"""
        INSERT INTO group_value
        WITH reporting AS (  -- every member with a value, per group, mode, indicator and year
            SELECT m.group_id, m.membership, v.indicator_code, m.year, m.iso3, v.value, v.source_id, v.disagree,
                   w.pop, w.dist
            FROM gv_members m
            JOIN indicator_value v ON v.iso3 = m.iso3 AND v.year = m.year
            LEFT JOIN gv_pop w ON w.iso3 = m.iso3 AND w.year = m.year
        ),
        agg AS (
            SELECT group_id, membership, indicator_code, year, count(*) AS n_reporting,
                   count(*) FILTER (WHERE pop IS NULL) AS n_unweighted, {REPORTERS} AS rep, {SPREAD},
                   count(*) FILTER (WHERE disagree) AS n_disagree, max(dist) AS max_dist
            FROM reporting
            GROUP BY group_id, membership, indicator_code, year
        )
        SELECT group_id, membership, indicator_code, year,
               CASE WHEN n_unweighted = 0 THEN {WEIGHTED_MEAN} END, {PLAIN_MEAN}, n_unweighted = 0,
               n_members, n_reporting, {COVERAGE}, min_iso3, min_value, max_iso3, max_value, {MAIN_SOURCE},
               {SOURCES}, n_disagree, {WEIGHT_NOTE}, $weight, $window, $today
        FROM agg JOIN gv_stats USING (group_id, membership, year)
        ORDER BY indicator_code, group_id, membership, year
        """, args)
    for table in _TEMP:
        con.execute(f"DROP TABLE {table}")
    row = con.execute("SELECT count(*), count(DISTINCT group_id), count(DISTINCT indicator_code) FROM group_value")
    rows, groups, indicators = row.fetchone()
    return {"group_rows": rows, "groups": groups, "indicators": indicators}


def rematerialise(con: duckdb.DuckDBPyConnection) -> dict:
    """Recompute ``group_value`` after ``indicator_value`` changed in place."""
    con.execute("DELETE FROM group_value")
    return materialise(con)
