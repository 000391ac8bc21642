"""Read-only SQL over the published warehouse, as plain functions of a DuckDB connection (no Streamlit here).

Parameters are always bound, never interpolated. The cached wrappers live in ``dashboard/data.py``.
"""

from __future__ import annotations

import duckdb
import pandas as pd


def meta(con: duckdb.DuckDBPyConnection) -> dict:
    return dict(con.execute("SELECT key, value FROM meta").fetchall())


def paper_figures(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        """
        SELECT p.*, coalesce(c.name, p.subject) AS display_subject, s.citation AS paper_citation
        FROM paper_figure p LEFT JOIN country c USING (iso3) LEFT JOIN source s USING (source_id)
        ORDER BY p.figure_id
        """
    ).df()


def paper_beside_public(con: duckdb.DuckDBPyConnection, iso3: str) -> pd.DataFrame:
    """The paper's country observations with the nearest-year public value of the same or related indicator."""
    return con.execute(
        """
        WITH paper AS (
            SELECT o.iso3, o.indicator_code, o.year, o.value, o.flag, i.name, i.unit,
                   coalesce(i.related_indicator, o.indicator_code) AS public_code
            FROM observation o JOIN indicator i USING (indicator_code)
            WHERE o.source_id = 'paper' AND o.iso3 = ?
        ), public AS (
            SELECT o.iso3, o.indicator_code, o.year, o.value, o.source_id
            FROM observation o WHERE o.source_id <> 'paper' AND o.iso3 = ?
        )
        SELECT p.indicator_code, p.name, p.unit, p.year, p.value AS paper_value, p.flag,
               p.public_code, pub.year AS public_year, pub.value AS public_value, pub.source_id AS public_source
        FROM paper p
        LEFT JOIN LATERAL (
            SELECT * FROM public q WHERE q.indicator_code = p.public_code
            ORDER BY abs(q.year - p.year), q.year LIMIT 1
        ) pub ON TRUE
        ORDER BY p.indicator_code, p.year
        """,
        [iso3, iso3],
    ).df()


def sources(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT * FROM source ORDER BY source_id").df()
