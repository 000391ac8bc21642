"""Per-cell source resolution: one value per (country, indicator, year) out of every source's observations,
materialised at build time as ``indicator_value``, plus ``source_agreement`` (how each pair of sources of an indicator
compares on the cells both give).

The precedence, for each cell, among the sources that give it (the paper's quoted figures never take part):

1. the indicator's own source ranking, from ``series_map.role``: the publisher of record (e.g. WDI for its codes, UNDP
   for the HDI) before an aggregator that republishes it (OWID, datahub, the HDR copy of a WDI series);
2. a source that is not the bundled starter set before the starter (a live download or a later import wins);
3. the newest vintage (``source.vintage_date``: the publisher's data date, else the retrieval date);
4. the newest retrieval, then the source id (so the choice is deterministic).

Sources *disagree* on a cell when its highest and lowest values differ by more than the unit kind's tolerance
(``catalogue/unit_kinds.csv``: an absolute floor and a relative share, whichever is larger). A value at or below the
indicator's reporting floor (FAO's "<2.5"), or the chosen source's own floor where its vintage used another (the 2017
WDI copy of FAO's series floors at 5), is marked ``at_floor``.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from etl import group_values

_TOLERANCE = """
    tol AS (
        SELECT i.indicator_code, coalesce(k.abs_tolerance, 0) AS abs_tol, coalesce(k.rel_tolerance, 0.01) AS rel_tol,
               i.reporting_floor
        FROM indicator i LEFT JOIN unit_kind k USING (unit_kind)
    )"""


def _unit_kinds(con: duckdb.DuckDBPyConnection) -> None:
    """A temporary table of the unit kinds' tolerances (from the catalogue files)."""
    from etl.catalogue import load

    kinds = load().unit_kinds[["unit_kind", "abs_tolerance", "rel_tolerance"]]
    con.execute("CREATE OR REPLACE TEMP TABLE unit_kind (unit_kind VARCHAR, abs_tolerance DOUBLE, rel_tolerance DOUBLE)")
    con.executemany("INSERT INTO unit_kind VALUES (?, ?, ?)",
                    [(k, float(a), float(r)) for k, a, r in kinds.itertuples(index=False)])


def materialise(con: duckdb.DuckDBPyConnection) -> dict:
    """Fill ``indicator_value`` and ``source_agreement`` from ``observation`` (in the warehouse being built)."""
    _unit_kinds(con)
    con.execute(
        f"""
        INSERT INTO indicator_value
        WITH {_TOLERANCE},
        rank AS (  -- per source and indicator: its role for that indicator (1 publisher, 2 aggregator), its own floor
            SELECT source_id, indicator_code, min(CASE role WHEN 'publisher' THEN 1 ELSE 2 END) AS role_rank,
                   max(reporting_floor) AS source_floor
            FROM series_map GROUP BY ALL
        ),
        single AS (  -- indicators only one source gives: each cell has one observation, no ranking to do
            SELECT indicator_code FROM observation WHERE source_id <> 'paper'
            GROUP BY indicator_code HAVING count(DISTINCT source_id) = 1
        ),
        cand AS (
            SELECT o.iso3, o.indicator_code, o.year, o.value, o.source_id, o.flag, o.note, r.source_floor,
                   row_number() OVER (
                       PARTITION BY o.indicator_code, o.iso3, o.year
                       ORDER BY coalesce(r.role_rank, 2), s.kind = 'starter', s.vintage_date DESC NULLS LAST,
                                o.retrieved_at DESC, o.source_id) AS pos,
                   count(*) OVER cell AS n_sources, min(o.value) OVER cell AS low, max(o.value) OVER cell AS high
            FROM observation o
            LEFT JOIN source s USING (source_id)
            LEFT JOIN rank r USING (source_id, indicator_code)
            WHERE o.source_id <> 'paper' AND o.indicator_code NOT IN (SELECT indicator_code FROM single)
            WINDOW cell AS (PARTITION BY o.indicator_code, o.iso3, o.year)
            UNION ALL  -- the same columns without the window (all of WDI's uncatalogued series: ~95% of the rows)
            SELECT o.iso3, o.indicator_code, o.year, o.value, o.source_id, o.flag, o.note, r.source_floor,
                   1, 1, o.value, o.value
            FROM observation o
            LEFT JOIN rank r USING (source_id, indicator_code)
            WHERE o.source_id <> 'paper' AND o.indicator_code IN (SELECT indicator_code FROM single)
        )
        SELECT c.iso3, c.indicator_code, c.year, c.value, c.source_id, c.flag, c.note, c.n_sources, c.low, c.high,
               c.n_sources > 1 AND (c.high - c.low) > greatest(coalesce(t.abs_tol, 0),
                                                                coalesce(t.rel_tol, 0.01) * greatest(abs(c.low), abs(c.high))),
               coalesce(c.value <= coalesce(c.source_floor, t.reporting_floor), false)
        FROM cand c LEFT JOIN tol t USING (indicator_code)
        WHERE c.pos = 1
        ORDER BY c.indicator_code, c.iso3, c.year
        """
    )
    con.execute(
        f"""
        INSERT INTO source_agreement
        WITH {_TOLERANCE},
        multi AS (SELECT DISTINCT indicator_code FROM indicator_value WHERE n_sources > 1),
        obs AS (
            SELECT o.iso3, o.indicator_code, o.year, o.value, o.source_id
            FROM observation o SEMI JOIN multi USING (indicator_code) WHERE o.source_id <> 'paper'
        )
        SELECT a.indicator_code, a.source_id, b.source_id AS other_source, count(*) AS n_overlap,
               count(*) FILTER (WHERE abs(a.value - b.value) <= greatest(coalesce(t.abs_tol, 0),
                                      coalesce(t.rel_tol, 0.01) * greatest(abs(a.value), abs(b.value)))) AS n_agree,
               median(abs(a.value - b.value)), max(abs(a.value - b.value)),
               median(abs(a.value - b.value) / nullif(greatest(abs(a.value), abs(b.value)), 0))
        FROM obs a JOIN obs b ON a.indicator_code = b.indicator_code AND a.iso3 = b.iso3 AND a.year = b.year
                                AND a.source_id <> b.source_id
        LEFT JOIN tol t ON t.indicator_code = a.indicator_code
        GROUP BY a.indicator_code, a.source_id, b.source_id
        """
    )
    con.execute("DROP TABLE unit_kind")
    row = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE n_sources > 1), count(*) FILTER (WHERE disagree) FROM indicator_value"
    ).fetchone()
    return {"cells": row[0], "multi_source_cells": row[1], "disagreeing_cells": row[2]}


def rematerialise(con: duckdb.DuckDBPyConnection) -> dict:
    """Recompute the resolved tables, and the group aggregates made from them, after observations changed in place
    (tests that add rows to a built file)."""
    con.execute("DELETE FROM indicator_value")
    con.execute("DELETE FROM source_agreement")
    return materialise(con) | group_values.rematerialise(con)


def cell_sources(con: duckdb.DuckDBPyConnection, indicator_code: str, iso3s: list[str], year_from: int | None = None,
                 year_to: int | None = None, only_disagreeing: bool = False) -> pd.DataFrame:
    """Every source's value for the cells of ``iso3s`` (the 'sources disagree' panel): one row per cell and source,
    with the publisher, vintage, role and whether it is the value shown (``chosen``), best first within a cell."""
    return con.execute(
        """
        SELECT o.iso3, coalesce(c.name, o.iso3) AS country, o.year, o.value, o.source_id, s.publisher, s.vintage,
               s.vintage_date, s.kind, coalesce(m.role, 'aggregator') AS role, v.source_id = o.source_id AS chosen,
               v.value AS shown_value, v.disagree, o.flag, o.note
        FROM observation o
        JOIN indicator_value v USING (indicator_code, iso3, year)
        LEFT JOIN source s ON s.source_id = o.source_id
        LEFT JOIN country c ON c.iso3 = o.iso3
        LEFT JOIN (SELECT source_id, indicator_code, min(role) AS role FROM series_map GROUP BY ALL) m
               ON m.source_id = o.source_id AND m.indicator_code = o.indicator_code
        WHERE o.indicator_code = $ind AND o.source_id <> 'paper' AND o.iso3 IN (SELECT unnest($iso3s::VARCHAR[]))
          AND o.year BETWEEN coalesce($lo, -10000) AND coalesce($hi, 10000)
          AND (NOT $only OR v.disagree)
        ORDER BY country, o.year, chosen DESC, o.source_id
        """,
        {"ind": indicator_code, "iso3s": list(iso3s), "lo": year_from, "hi": year_to, "only": only_disagreeing},
    ).df()
