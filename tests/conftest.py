"""Shared pytest fixtures: the ../shared folder (skips cleanly when absent) and throw-away data directories."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HSDASH_SHARED_DIR", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared() -> Path:
    """Path to ../shared (real fixtures, OWID extracts, seeds); tests using it skip when it is not there."""
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found at {SHARED}")
    return SHARED
