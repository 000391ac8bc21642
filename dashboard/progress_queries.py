"""Read-only queries behind the Progress page, as plain functions of a DuckDB connection (no Streamlit here).

They call the progress methods in ``etl/progress_table.py`` (the math is in ``etl/progress.py``); the page reaches
them through ``dashboard.data`` (``data.progress_matrix(…)`` etc., cached per published warehouse version).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from etl.progress_table import cell_frame, progress_table, targets


def progress_targets(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The target catalogue with the unit and name of each target's indicator (empty if the table is missing)."""
    has = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'target'").fetchone()[0]
    if not has:
        return pd.DataFrame(columns=["target_id", "label", "framework"])
    cat = targets(con)
    units = con.execute("SELECT indicator_code, name AS indicator_name, unit FROM indicator").df()
    return cat.merge(units, on="indicator_code", how="left")


def progress_groups(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Groups with at least one member, ASEAN and ASEAN+3 first."""
    return con.execute(
        """
        SELECT g.group_id, g.name, count(m.iso3) AS n_members
        FROM country_group g JOIN country_group_member m USING (group_id)
        GROUP BY g.group_id, g.name
        ORDER BY CASE g.group_id WHEN 'asean' THEN 0 WHEN 'asean_plus_3' THEN 1 ELSE 2 END, g.name
        """
    ).df()


def progress_matrix(con: duckdb.DuckDBPyConnection, group_id: str, target_ids: tuple[str, ...]) -> pd.DataFrame:
    """``etl.progress_table.progress_table`` for each target, stacked, with the unit of the indicator used."""
    frames = [progress_table(con, group_id, t) for t in target_ids]
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    units = con.execute("SELECT indicator_code, unit FROM indicator").df()
    return out.merge(units, on="indicator_code", how="left")


def progress_cell(con: duckdb.DuckDBPyConnection, group_id: str, target_id: str, iso3: str | None) -> pd.DataFrame:
    """Series, required path and extrapolation behind one cell (``iso3`` None: the group aggregate)."""
    return cell_frame(con, group_id, target_id, iso3)
