"""The dashboard's one data module: a cached read-only DuckDB connection to the published warehouse, reopened
when a new version is published, and cached query results keyed by that version.

Never writes, never talks HTTP. ``HSDASH_DATA_DIR`` (default ./data) says where the warehouse is.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from dashboard import queries


class NoWarehouse(RuntimeError):
    pass


def warehouse_link() -> Path:
    return Path(os.environ.get("HSDASH_DATA_DIR", "data")).expanduser().resolve() / "warehouse.duckdb"


def published_file() -> Path:
    """The versioned file the published link points to now (changes when a refresh publishes)."""
    link = warehouse_link()
    if not link.exists():
        raise NoWarehouse(f"No published warehouse at {link}. Run `hsdash refresh` first.")
    return link.resolve()


@st.cache_resource(max_entries=2, show_spinner=False)
def _connect(path: str) -> duckdb.DuckDBPyConnection:
    # one connection per published file: a new version is a new path, so the cache never hands back a stale DB
    return duckdb.connect(path, read_only=True)


def connection() -> duckdb.DuckDBPyConnection:
    return _connect(str(published_file())).cursor()


def version() -> str:
    return published_file().name


@st.cache_data(max_entries=64, show_spinner=False)
def _cached(fn_name: str, file: str, *args) -> pd.DataFrame | dict:
    return getattr(queries, fn_name)(_connect(file).cursor(), *args)


def load(fn_name: str, *args):
    """Run ``queries.<fn_name>(con, *args)``, cached per published version."""
    return _cached(fn_name, str(published_file()), *args)
