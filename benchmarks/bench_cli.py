"""`hsdash status` start-up time, against the interpreter's own start and a bare `import duckdb`, in the same run.

Times N fresh processes (wall clock, as a user waits for the prompt) of:

* python        ``python -c pass`` (the floor: the interpreter alone)
* duckdb        ``python -c "import duckdb"`` (what status cannot avoid: it reads the warehouse)
* status empty  ``hsdash status`` on a data directory with nothing published (exit 4 with its message)
* status built  ``hsdash status`` on a data directory built offline from the bundled sources (starter set)

and prints the medians, the p95s and each status time as a ratio to the two floors. Target: status ≤ 0.3 s.
Not a test: times depend on the machine and its load (printed).

    .venv/bin/python benchmarks/bench_cli.py [-n 15] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import load

REPO = Path(__file__).resolve().parents[1]
HSDASH = [sys.executable, "-c", "import sys; from etl.cli import main; main(args=sys.argv[1:], prog_name='hsdash')"]



def timed(cmd: list[str], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, cwd=REPO, check=False)
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=15)
    parser.add_argument("--data-dir", type=Path, help="an already built data directory (else one is built offline)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cli-bench-"))
    try:
        built = args.data_dir
        if built is None:
            from etl import config
            from etl.refresh import run_refresh

            built = tmp / "built"
            code, result = run_refresh(config.paths(built), offline=True)
            if result is None or not result.published:
                sys.exit(f"offline build failed (exit {code})")
        empty = tmp / "empty"
        empty.mkdir()
        print(f"load before: {load()}  cpus: {os.cpu_count()}  n = {args.n}")
        rows = {
            "python": timed([sys.executable, "-c", "pass"], args.n),
            "duckdb": timed([sys.executable, "-c", "import duckdb"], args.n),
            "status empty": timed([*HSDASH, "--data-dir", str(empty), "status"], args.n),
            "status built": timed([*HSDASH, "--data-dir", str(built), "status"], args.n),
        }
        med = {k: statistics.median(v) for k, v in rows.items()}
        print(f"  {'':13} {'median s':>9} {'p95 s':>7} {'÷ python':>9} {'÷ duckdb':>9}")
        for label, values in rows.items():
            p95 = sorted(values)[max(0, round(0.95 * len(values)) - 1)]
            print(f"  {label:13} {med[label]:9.3f} {p95:7.3f} {med[label] / med['python']:9.1f} "
                  f"{med[label] / med['duckdb']:9.2f}")
        for label in ("status empty", "status built"):
            verdict = "met" if med[label] <= 0.3 else "NOT met"
            print(f"  {label}: median {med[label]:.3f} s (target ≤ 0.3 s): {verdict}")
        print(f"load after: {load()}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
