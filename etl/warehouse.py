"""Low-level warehouse file operations: create from the contract DDL, insert frames, carry a source's rows forward
from the published file, check the contract, and fingerprint the content.

Only the build writes, and only into a new, unpublished file.
"""

from __future__ import annotations

import hashlib
import importlib.resources
from pathlib import Path

import duckdb
import pandas as pd

# table -> column naming the source that owns its rows (None: the whole table belongs to `reference`)
OWNER = {
    "source": "source_id",
    "raw_file": "source_id",
    "country": None,
    "country_classification": "source_id",
    "country_group": None,
    "country_group_member": None,
    "indicator": "defined_by",
    "indicator_alias": None,
    "series_map": "source_id",
    "target": None,
    "observation": "source_id",
    "paper_figure": "source_id",
    "tfhs_project_count": "source_id",
    "oda_flow": "source_id",
    "tfhs_project": "source_id",
    "quarantine": "source_id",
}
REFERENCE_TABLES = ("country", "country_group", "country_group_member", "indicator_alias", "target")
DERIVED_TABLES = ("indicator_value", "source_agreement", "group_value")  # computed by every build, never carried
DATA_TABLES = tuple(t for t in OWNER if t != "quarantine")
PRIMARY_KEYS = {
    "source": ["source_id"],
    "raw_file": ["source_id", "path"],
    "country": ["iso3"],
    "country_classification": ["iso3", "source_id"],
    "country_group": ["group_id"],
    "country_group_member": ["group_id", "iso3"],
    "indicator": ["indicator_code"],
    "indicator_alias": ["old_code"],
    "series_map": ["source_id", "source_column"],
    "target": ["target_id"],
    "observation": ["iso3", "indicator_code", "year", "source_id"],
    "paper_figure": ["figure_id"],
    "tfhs_project_count": ["as_of", "region", "category", "source_id"],
    "oda_flow": ["donor", "recipient", "year", "measure", "price_basis", "source_id"],
    "tfhs_project": ["project_id", "source_id"],
}


# keys the DDL does not index (too large: all of WDI is ~10 M rows); the contract checks them instead
UNINDEXED_KEYS = {"observation": PRIMARY_KEYS["observation"], "indicator_value": ["indicator_code", "iso3", "year"]}


def ddl() -> str:
    return importlib.resources.files("schemas").joinpath("warehouse.sql").read_text(encoding="utf-8")


BUILD_MEMORY = "640MB"  # DuckDB spills to disk beyond this: a build's memory does not grow with all of WDI


def create(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute(f"SET memory_limit = '{BUILD_MEMORY}'")
    con.execute("SET enable_progress_bar = false")
    con.execute(ddl())
    return con


def columns(con: duckdb.DuckDBPyConnection, table: str, catalog: str | None = None) -> list[str]:
    """Column names of ``table`` in ``catalog`` (default: the database being built, not an attached one).

    Read from a zero-row query's description: about 8× faster than information_schema, which a build asked
    ~130 times per refresh."""
    where = f'"{catalog}"."main"."{table}"' if catalog else f'"{table}"'
    return [d[0] for d in con.execute(f"SELECT * FROM {where} LIMIT 0").description]


def insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> int:
    """Insert the contract's columns of ``frame`` (missing optional columns become NULL)."""
    if frame is None or frame.empty:
        return 0
    cols = columns(con, table)
    data = frame.reindex(columns=cols).astype(object).where(frame.reindex(columns=cols).notna(), None)
    con.register("_incoming", data)
    try:
        quoted = ", ".join(f'"{c}"' for c in cols)
        con.execute(f'INSERT INTO "{table}" ({quoted}) SELECT {quoted} FROM _incoming')
    finally:
        con.unregister("_incoming")
    return len(frame)


def attach_published(con: duckdb.DuckDBPyConnection, published: Path | None) -> bool:
    """Attach the published warehouse read-only as ``pub`` (for carrying rows forward)."""
    if published is None or not published.exists():
        return False
    con.execute("ATTACH ? AS pub (READ_ONLY)", [str(published.resolve())])  # bound: a path may contain a quote
    return True


def published_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("SELECT table_name FROM information_schema.tables WHERE table_catalog = 'pub'").fetchall()
    return {r[0] for r in rows}


def carry_forward(con: duckdb.DuckDBPyConnection, source_id: str) -> int:
    """Copy ``source_id``'s rows from the attached published warehouse into the new one. Returns data rows copied."""
    available = published_tables(con)
    copied = 0
    for table, owner in OWNER.items():
        if table not in available:
            continue
        if owner is None and source_id != "reference":
            continue
        pub_cols = set(columns(con, table, catalog="pub"))
        cols = [c for c in columns(con, table) if c in pub_cols]
        quoted = ", ".join(f'"{c}"' for c in cols)
        where = "" if owner is None else f'WHERE "{owner}" = ?'
        params = [] if owner is None else [source_id]
        before = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        verb = "INSERT OR IGNORE" if table in PRIMARY_KEYS and table not in UNINDEXED_KEYS else "INSERT"
        con.execute(f'{verb} INTO "{table}" ({quoted}) SELECT {quoted} FROM pub."{table}" {where}', params)
        after = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        if table in ("observation", "paper_figure", "oda_flow", "tfhs_project", "tfhs_project_count", "country"):
            copied += after - before
    return copied


def record_revisions(con: duckdb.DuckDBPyConnection, run_id: str, detected_at: str) -> int:
    """Compare the new observations with the attached published ones: every changed or vanished value becomes a
    ``revision`` row (the history of earlier revisions is carried over). Returns the number of new revisions."""
    if "revision" in published_tables(con):
        con.execute("INSERT INTO revision SELECT * FROM pub.revision")
    before = con.execute("SELECT count(*) FROM revision").fetchone()[0]
    con.execute(
        """
        INSERT INTO revision
        SELECT ?, ?, o.source_id, o.iso3, o.indicator_code, o.year, o.value, n.value,
               ps.vintage, ns.vintage, o.raw_sha256, n.raw_sha256
        FROM pub.observation o
        LEFT JOIN observation n USING (iso3, indicator_code, year, source_id)
        LEFT JOIN pub.source ps ON ps.source_id = o.source_id
        LEFT JOIN source ns ON ns.source_id = o.source_id
        WHERE n.value IS DISTINCT FROM o.value
        """,
        [run_id, detected_at],
    )
    return con.execute("SELECT count(*) FROM revision").fetchone()[0] - before


def published_etl_runs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    if "etl_run" not in published_tables(con):
        return pd.DataFrame()
    return con.execute("SELECT * FROM pub.etl_run").df()


def contract_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Checks no single frame can make: references between tables, and that every observation has provenance."""
    checks = {
        "observation rows whose country is not in `country`": "SELECT count(*) FROM observation o ANTI JOIN country c USING (iso3)",
        "observation rows whose indicator is not in `indicator`": "SELECT count(*) FROM observation o ANTI JOIN indicator i USING (indicator_code)",
        "observation rows whose source is not in `source`": "SELECT count(*) FROM observation o ANTI JOIN source s USING (source_id)",
        "observation rows without publisher, URL, retrieval date or raw sha256": (
            "SELECT count(*) FROM observation o LEFT JOIN source s USING (source_id) "
            "WHERE s.publisher IS NULL OR s.url IS NULL OR o.retrieved_at IS NULL OR length(o.raw_sha256) <> 64"
        ),
        "observation rows whose raw file is not recorded in `raw_file`": (
            "SELECT count(*) FROM observation o ANTI JOIN raw_file r ON r.source_id = o.source_id AND r.sha256 = o.raw_sha256"
        ),
        "group members not in `country`": "SELECT count(*) FROM country_group_member m ANTI JOIN country c USING (iso3)",
        "group members whose group is not in `country_group`": "SELECT count(*) FROM country_group_member m ANTI JOIN country_group g USING (group_id)",
        "paper figures whose source is not in `source`": "SELECT count(*) FROM paper_figure p ANTI JOIN source s USING (source_id)",
        "series mappings whose indicator is not in `indicator`": "SELECT count(*) FROM series_map m ANTI JOIN indicator i USING (indicator_code)",
        "observation rows (of a source other than the paper) without a resolved value": (  # rows, not cells: no
            "SELECT count(*) FROM observation o ANTI JOIN indicator_value v USING (indicator_code, iso3, year) "
            "WHERE o.source_id <> 'paper'"  # DISTINCT over ~10 M rows (all of WDI) just to count them
        ),
        "indicators with data but neither a direction nor the reason there is none": (
            "SELECT count(*) FROM indicator i WHERE i.higher_is_better IS NULL AND coalesce(i.direction_note, '') = '' "
            "AND i.indicator_code IN (SELECT DISTINCT indicator_code FROM observation)"
        ),
    }
    for table, key in UNINDEXED_KEYS.items():  # distinct 64-bit hashes of the key: ~3× cheaper than of the key
        cols = ", ".join(f'"{c}"' for c in key)     # (a false alarm needs a hash collision: p ≈ 2e-6 at 10 M rows)
        checks[f"{table} rows repeating a key ({', '.join(key)})"] = (
            f'SELECT count(*) - count(DISTINCT hash({cols})) FROM "{table}"')
    problems = []
    for label, sql in checks.items():
        n = con.execute(sql).fetchone()[0]
        if n:
            problems.append(f"{n} {label}")
    return problems


def content_digest(con: duckdb.DuckDBPyConnection, catalog: str = "main") -> str:
    """sha256 over every data table's row count and order-independent sums of two 64-bit hashes of each row,
    computed in DuckDB (a Python pass over ~10 M observation rows took longer than the whole build): equal digests
    mean equal published content. DuckDB's hash() may change between DuckDB versions: a version upgrade then
    republishes once."""
    digest = hashlib.sha256(b"content-2")
    for table in DATA_TABLES:
        cols = ", ".join(f'"{c}"' for c in columns(con, table, catalog=None if catalog == "main" else catalog))
        row = con.execute(
            f"SELECT count(*), coalesce(sum(hash({cols})::HUGEINT), 0), "
            f"coalesce(sum(hash('salt', {cols})::HUGEINT), 0) FROM {catalog}.\"{table}\"").fetchone()
        digest.update(f"{table}:{row[0]}:{row[1]}:{row[2]};".encode())
    return digest.hexdigest()
