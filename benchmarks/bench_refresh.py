"""No-op refresh: `hsdash refresh --offline` repeated on a data directory that holds a WDI-shaped import.

Uses the data directory bench_ingest.py left (``<work>/data-x1``: the bundled sources plus the SYNTHETIC 1× WDI file
imported), or any ``--data-dir``. Runs the refresh ``-n`` times, each in a fresh child whose peak RSS is read with
getrusage(RUSAGE_CHILDREN), and prints per run: seconds, peak RSS, exit code, whether a new version was published,
and how many versions the warehouses folder keeps. The first run after an import may build once (the import
reloaded one source only, so it vouches for no inputs); every later one must publish nothing and take ≤ 2 s.

    nice -n 10 .venv/bin/python benchmarks/bench_refresh.py [--data-dir /tmp/hsdash-bench-ingest/data-x1] [-n 4]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from bench_ingest import HSDASH, measured  # noqa: E402
from common import load  # noqa: E402


def published(data: Path) -> str:
    link = data / "warehouse.duckdb"
    return link.resolve().name if link.exists() else ""


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", default="/tmp/hsdash-bench-ingest/data-x1")
    ap.add_argument("-n", type=int, default=4)
    args = ap.parse_args(argv)
    data = Path(args.data_dir)
    if not published(data):
        sys.exit(f"{data} holds no published warehouse: run benchmarks/bench_ingest.py first")
    env = {**os.environ, "HSDASH_DATA_DIR": str(data)}
    load_before = load()
    print(f"offline refresh of {data} (SYNTHETIC WDI-shaped import present); load average {load_before}")
    for k in range(1, args.n + 1):
        before = published(data)
        m = measured([HSDASH, "refresh", "--offline"], env=env)
        after = published(data)
        versions = len(list((data / "warehouses").glob("warehouse-*.duckdb")))
        last = [line for line in m["out"].splitlines() if line.strip()][-2:]
        print(f"  run {k}: {m['seconds']:6.2f} s  peak RSS {m['rss_mb']:6.1f} MB  exit {m['rc']}  "
              f"new version published: {'YES' if after != before else 'no'}  versions kept: {versions}  "
              f"| {' / '.join(last)[:140]}")
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
