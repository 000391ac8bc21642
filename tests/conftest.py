"""Shared pytest fixtures: the ../shared folder (skips cleanly when absent) and throw-away data directories."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HSDASH_SHARED_DIR", REPO.parent / "shared"))


def pytest_configure(config):
    """AppTest reads the shipped .streamlit/config.toml, which hides error details from browsers
    (client.showErrorDetails = "none"): tests get them back, so a failing page names its exception."""
    from streamlit import config as st_config

    st_config.set_option("client.showErrorDetails", "full")


@pytest.fixture(scope="session")
def shared() -> Path:
    """Path to ../shared (real fixtures, OWID extracts, seeds); tests using it skip when it is not there."""
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """A warehouse built once, offline, from the bundled sources into a throw-away data directory."""
    from etl import config
    from etl.refresh import run_refresh

    paths = config.paths(tmp_path_factory.mktemp("data"))
    code, result = run_refresh(paths, offline=True)
    assert result is not None and result.published, (code, result and result.error)
    return paths


@pytest.fixture()
def ro(built):
    """A read-only connection to the session warehouse."""
    import duckdb

    con = duckdb.connect(str(built.warehouse.resolve()), read_only=True)
    yield con
    con.close()


@pytest.fixture()
def fresh(tmp_path, built):
    """A private copy of the session's data directory (published warehouse + raw zone) a test may change."""
    import shutil

    from etl import config

    target = tmp_path / "data"
    # per-browser briefings that earlier tests' sessions saved in the shared directory are not part of the copy
    shutil.copytree(built.data, target, symlinks=True, ignore=shutil.ignore_patterns("briefings"))
    return config.paths(target)


@pytest.fixture(scope="session")
def owid_imported(built, shared, tmp_path_factory):
    """The session warehouse plus every ../shared/data/owid data set imported (as `hsdash import` does)."""
    import shutil

    from etl import config
    from etl.imports import detect, store_import
    from etl.refresh import run_refresh

    target = tmp_path_factory.mktemp("owid") / "data"
    shutil.copytree(built.data, target, symlinks=True)
    paths = config.paths(target)
    ids = []
    for folder in sorted((shared / "data" / "owid").iterdir()):
        det = detect(folder)
        store_import(paths, det)
        ids.append(det.source_id)
    code, result = run_refresh(paths, ids, extract=False)
    assert result is not None and result.published, result and result.error
    return paths
