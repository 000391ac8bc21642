"""What every benchmark prints beside its figures: the machine's load (``/proc/loadavg``: 1, 5 and 15 minute
averages, running/total tasks), so a reader can tell a quiet run from a busy one. Scripts run as
``python benchmarks/bench_….py`` import it as ``common``."""

from __future__ import annotations

from pathlib import Path

LOADAVG = Path("/proc/loadavg")


def load() -> str:
    return LOADAVG.read_text().strip() if LOADAVG.exists() else "n/a"
