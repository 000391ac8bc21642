"""The dashboard's one data module: every read the pages make, as typed functions they call directly
(``data.indicator_catalogue()``, ``data.chart_bundle(spec)``, …).

Each function runs its query (``dashboard.queries``, ``dashboard.progress_queries``, ``dashboard.chart_data``) on a
cached read-only DuckDB connection to the published warehouse and caches the result with ``st.cache_data`` keyed by
the published file: a refresh that publishes a new version is a new file, so the next rerun misses the cache and
reads the new data; nothing needs restarting. Never writes, never talks HTTP. ``HSDASH_DATA_DIR`` (default ./data)
says where the warehouse is.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

import duckdb
import pandas as pd
import streamlit as st

from dashboard import chart_data, progress_queries, queries

P = ParamSpec("P")
R = TypeVar("R")


class NoWarehouse(RuntimeError):
    def __init__(self, link: Path):
        super().__init__(f"No published warehouse at {link}. Run `hsdash refresh` first.")
        self.link = link


def data_dir() -> Path:
    return Path(os.environ.get("HSDASH_DATA_DIR", "data")).expanduser().resolve()


def warehouse_link() -> Path:
    return data_dir() / "warehouse.duckdb"


def published_file() -> Path:
    """The versioned file the published link points to now (changes when a refresh publishes)."""
    link = warehouse_link()
    if not link.exists():
        raise NoWarehouse(link)
    return link.resolve()


@st.cache_resource(max_entries=2, show_spinner=False)
def _connect(path: str) -> duckdb.DuckDBPyConnection:
    # one connection per published file: a new version is a new path, so the cache never hands back a stale DB
    return duckdb.connect(path, read_only=True)


def connection() -> duckdb.DuckDBPyConnection:
    return _connect(str(published_file())).cursor()


def version() -> str:
    return published_file().name


def _per_version(query: Callable[Concatenate[duckdb.DuckDBPyConnection, P], R]) -> Callable[P, R]:
    """``query(con, *args)`` as ``fn(*args)``: run on the published warehouse, cached per published file.

    ``st.cache_data`` keys a function by its module, qualified name and source; the runner below is the same code
    for every query, so it gets the query's own name (else two queries called with equal arguments would share
    one cache entry).
    """

    def run(file: str, *args, **kwargs):
        return query(_connect(file).cursor(), *args, **kwargs)

    run.__qualname__ = run.__name__ = f"{query.__module__}.{query.__qualname__}"
    cached = st.cache_data(max_entries=64, show_spinner=False)(run)

    @functools.wraps(query)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        return cached(str(published_file()), *args, **kwargs)

    sig = inspect.signature(query)
    call.__signature__ = sig.replace(parameters=list(sig.parameters.values())[1:])  # type: ignore[attr-defined]
    return call


# --- warehouse, reference tables and the catalogue ----------------------------------------------------------------
meta = _per_version(queries.meta)
indicator_catalogue = _per_version(queries.indicator_catalogue)
indicator_sources = _per_version(queries.indicator_sources)
cell_sources = _per_version(queries.cell_sources)
countries = _per_version(queries.countries)
groups = _per_version(queries.groups)
memberships = _per_version(queries.memberships)
group_members = _per_version(queries.group_members)
source_names = _per_version(queries.source_names)

# --- Indicators (the browser page) ----------------------------------------------------------------------------------
indicator_coverage = _per_version(queries.indicator_coverage)
source_agreement = _per_version(queries.source_agreement)

# --- charts (Compare, Country, Aid, Trust Fund, Briefing) -----------------------------------------------------------
chart_bundle = _per_version(chart_data.chart_bundle)
map_timeline = _per_version(chart_data.map_timeline)
x_overlap = _per_version(chart_data.x_overlap)

# --- Country profile and the founding paper -----------------------------------------------------------------------
country_profile = _per_version(queries.country_profile)
country_ranks = _per_version(queries.country_ranks)
paper_figures = _per_version(queries.paper_figures)
paper_beside_public = _per_version(queries.paper_beside_public)

# --- Aid and the Trust Fund ---------------------------------------------------------------------------------------
oda_donors = _per_version(queries.oda_donors)
tfhs_counts = _per_version(queries.tfhs_counts)
tfhs_projects = _per_version(queries.tfhs_projects)

# --- Data & sources -------------------------------------------------------------------------------------------------
source_status = _per_version(queries.source_status)
quarantine_summary = _per_version(queries.quarantine_summary)
quarantine_rows = _per_version(queries.quarantine_rows)
revisions = _per_version(queries.revisions)

# --- Progress towards MDG/SDG targets -------------------------------------------------------------------------------
progress_targets = _per_version(progress_queries.progress_targets)
progress_groups = _per_version(progress_queries.progress_groups)
progress_matrix = _per_version(progress_queries.progress_matrix)
progress_cell = _per_version(progress_queries.progress_cell)


# --- the refresh run log (a state file beside the warehouse, not in it) ---------------------------------------------

def run_log_file() -> Path:
    return data_dir() / "state" / "runs.jsonl"


def run_log(limit: int = 200) -> pd.DataFrame:
    """The last ``limit`` refresh runs, newest first (re-read when the log file changes)."""
    file = run_log_file()
    mtime = file.stat().st_mtime if file.is_file() else 0.0
    return _run_log(str(file), mtime, limit)


@st.cache_data(max_entries=4, show_spinner=False)
def _run_log(path: str, mtime: float, limit: int = 200) -> pd.DataFrame:
    """The last ``limit`` refresh runs from ``<data dir>/state/runs.jsonl`` (``mtime`` only keys the cache)."""
    file = Path(path)
    if not file.is_file():
        return pd.DataFrame(columns=["run_id", "finished_at", "exit_code", "published", "version", "error", "sources"])
    with file.open("rb") as f:  # bounded: only the log's tail (a run's line is well under 4 KB)
        f.seek(max(0, f.seek(0, os.SEEK_END) - limit * 4096))
        tail = f.read(limit * 4096).decode("utf-8", errors="replace")
    rows = []
    for line in tail.splitlines()[-limit:]:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        sources = entry.get("sources") or []
        rows.append({
            "run_id": entry.get("run_id"), "finished_at": entry.get("finished_at"), "exit_code": entry.get("exit_code"),
            "published": entry.get("published"), "version": entry.get("version"), "error": entry.get("error"),
            "sources": ", ".join(f"{s.get('source_id')}: {s.get('status')}" for s in sources),
        })
    return pd.DataFrame(rows).iloc[::-1].reset_index(drop=True)
