"""Loading a staged observation set (Parquet written by a DuckDB parser) into the warehouse being built, in SQL.

Owns :class:`StagedTable` — the staged rows of one source plus the column decisions of :func:`etl.mapping.decide`
and the rows' provenance — and :func:`insert`, which applies to every row, in DuckDB, the same rules the pandas
path applies: the mapping (catalogue code, unit factor and conversion note, a whole column rejected), the
plausible range, the pandera model's row rules (translated by :mod:`schemas.sqlrules`, with pandera's failure
text) and the reference checks (known country, known indicator). Valid rows are inserted; every other row goes to
``quarantine`` with its reason, as do the rows the parser rejected. ``series_map.rows_loaded`` is then counted.
pandera itself validates a bounded sample of the rows (:func:`sample_check`), so the SQL rules cannot drift
from the model unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from etl.mapping import ABS_LIMIT, Decision, conversion_note, range_text
from etl.parsers import StagedRows
from schemas.sqlrules import failure_sql

SAMPLE_ROWS = 20_000  # rows pandera validates directly at every load of a staged set
RECORD_LIMIT = 2000  # characters of a quarantined record or reason (as etl.build clips them)
PROVENANCE = ("source_id", "retrieved_at", "raw_sha256")
PLAN_COLUMNS = ["key", "indicator_code", "factor", "lo", "hi", "reject", "note", "range_text"]


@dataclass
class StagedTable:
    """A source's observations that stay on disk until the build inserts them."""

    rows: StagedRows
    plan: pd.DataFrame  # PLAN_COLUMNS, one row per loaded or rejected column (skipped columns are absent)
    provenance: dict = field(default_factory=dict)  # source_id, retrieved_at, raw_sha256
    rows_total: int | None = None  # staged rows (all keys) when the parser counted them

    @property
    def empty(self) -> bool:
        return self.plan.empty


def plan_frame(decisions: list[Decision]) -> pd.DataFrame:
    """The decisions of :func:`etl.mapping.decide` as a small table the insert joins on."""
    rows = []
    for d in decisions:
        if d.skip:
            continue
        m = d.mapping
        factor = m.factor if m is not None else 1.0
        code = m.indicator_code if m is not None else d.key
        rows.append({"key": d.key, "indicator_code": code, "factor": float(factor), "lo": d.lo, "hi": d.hi,
                     "reject": d.reject or None, "note": conversion_note(factor) if factor != 1.0 else None,
                     "range_text": range_text(code, d.lo, d.hi, factor)})
    frame = pd.DataFrame(rows, columns=PLAN_COLUMNS)
    return frame.astype({"factor": "float64", "lo": "float64", "hi": "float64"})


def _candidates(table: StagedTable) -> str:
    """SQL over every staged row: the warehouse columns plus ``reason`` (NULL when the row loads)."""
    # the provenance columns hold one value for every row: pandera checks them in sample_check, not 10 M times
    checked = failure_sql("observation", skip=PROVENANCE)
    return f"""
        WITH src AS ({table.rows.sql}),
        m AS (
            SELECT o.iso3, p.indicator_code, o.year, o.value * p.factor AS value, o.value AS source_value,
                   CASE WHEN p.note IS NULL THEN o.note WHEN coalesce(o.note, '') = '' THEN p.note
                        ELSE o.note || '; ' || p.note END AS note,
                   o.flag, o.indicator_code AS column_key, p.reject, p.lo, p.hi, p.range_text,
                   $source_id AS source_id, $retrieved_at AS retrieved_at, $raw_sha256 AS raw_sha256
            FROM src o JOIN _plan p ON p.key = o.indicator_code
        )
        SELECT *, coalesce(
            reject,
            CASE WHEN NOT isfinite(value) OR abs(value) > {ABS_LIMIT!r} OR value < lo OR value > hi
                 THEN 'implausible value ' || value::VARCHAR || ' ' || range_text END,
            {checked},
            CASE WHEN iso3 NOT IN (SELECT iso3 FROM country)
                 THEN 'unknown country ''' || iso3 || ''' (not in the reference tables)' END,
            CASE WHEN indicator_code NOT IN (SELECT indicator_code FROM indicator)
                 THEN 'unknown indicator ''' || indicator_code || ''' (not in the reference tables)' END
        ) AS reason
        FROM m"""


def _params(table: StagedTable, extra: dict | None = None) -> dict:
    return {**table.rows.params, **{k: table.provenance[k] for k in ("source_id", "retrieved_at", "raw_sha256")},
            **(extra or {})}


def sample_check(con, table: StagedTable) -> None:
    """pandera validates the first SAMPLE_ROWS staged rows the SQL rules accept (and so the provenance values all
    rows share): none may fail."""
    from schemas.validate import SchemaLevelError, validate_frame

    cols = "iso3, indicator_code, year, value, source_id, retrieved_at, raw_sha256, note, flag"
    sample = con.execute(f"SELECT {cols} FROM ({_candidates(table)}) WHERE reason IS NULL LIMIT {SAMPLE_ROWS}",
                         _params(table)).df()
    checked = validate_frame("observation", sample)
    if checked.n_rejected:
        raise SchemaLevelError(f"observation: pandera rejects rows the SQL rules accepted (the rules drifted from "
                               f"the model): {checked.rejected['reason'].iloc[0]}")


def insert(con, table: StagedTable, run_id: str) -> tuple[int, int]:
    """Insert the valid staged rows and quarantine the others; returns (rows loaded, rows quarantined)."""
    sid = table.provenance["source_id"]
    con.register("_plan", table.plan)
    try:
        sample_check(con, table)
        before = con.execute("SELECT count(*) FROM observation").fetchone()[0]
        con.execute(f"""
            INSERT INTO observation (iso3, indicator_code, year, value, source_id, retrieved_at, raw_sha256, note, flag)
            SELECT iso3, indicator_code, year, value, source_id, retrieved_at, raw_sha256, note, flag
            FROM ({_candidates(table)}) WHERE reason IS NULL""", _params(table))
        loaded = con.execute("SELECT count(*) FROM observation").fetchone()[0] - before
        q_before = con.execute("SELECT count(*) FROM quarantine").fetchone()[0]
        # every staged row loaded (no column skipped, none rejected): no second pass over the rows to find rejects
        all_in = (table.rows_total is not None and loaded == table.rows_total
                  and len(table.plan) == len(table.rows.keys))
        by_rules = "" if all_in else f"""
                SELECT to_json({{'iso3': iso3, 'column': column_key, 'year': year, 'value': source_value}})::VARCHAR
                       AS record, reason
                FROM ({_candidates(table)}) WHERE reason IS NOT NULL
                UNION ALL"""
        extra = {"run_id": run_id} if all_in else _params(table, {"run_id": run_id})
        con.execute(f"""
            INSERT INTO quarantine
            SELECT $run_id, $source_id, 'observation', left(record, {RECORD_LIMIT}), left(reason, {RECORD_LIMIT})
            FROM ({by_rules}
                SELECT record, reason FROM ({table.rows.rejected_sql})
            )""", {**extra, **table.rows.params, "source_id": sid})
        quarantined = con.execute("SELECT count(*) FROM quarantine").fetchone()[0] - q_before
        con.execute("""
            UPDATE series_map s SET rows_loaded = c.n
            FROM (SELECT indicator_code, count(*) AS n FROM observation WHERE source_id = $sid GROUP BY ALL) c
            WHERE s.source_id = $sid AND s.indicator_code = c.indicator_code""", {"sid": sid})
    finally:
        con.unregister("_plan")
    return loaded, quarantined
