"""Where things live: the data directory (``HSDASH_DATA_DIR``, default ``./data``) and the bundled raw zone.

Bundled sources (the founding paper's figures, the reference tables) are committed in the repository's
``data/raw/``; a data directory elsewhere (tests, a server install) still reads them from there unless
``HSDASH_BUNDLED_DIR`` points somewhere else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Paths:
    data: Path

    @property
    def raw(self) -> Path:
        return self.data / "raw"

    @property
    def warehouse(self) -> Path:
        """The published warehouse: a symlink swapped atomically onto a versioned file in ``warehouses/``."""
        return self.data / "warehouse.duckdb"

    @property
    def warehouses(self) -> Path:
        return self.data / "warehouses"

    @property
    def state(self) -> Path:
        return self.data / "state"

    @property
    def logs(self) -> Path:
        return self.data / "logs"

    @property
    def bundled_raw(self) -> Path:
        return Path(os.environ.get("HSDASH_BUNDLED_DIR", REPO_ROOT / "data" / "raw"))


def paths(data_dir: str | os.PathLike | None = None) -> Paths:
    """Resolve the data directory: explicit argument, else ``HSDASH_DATA_DIR``, else ``./data``."""
    chosen = data_dir or os.environ.get("HSDASH_DATA_DIR") or "data"
    return Paths(Path(chosen).expanduser().resolve())
