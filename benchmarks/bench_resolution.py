"""What per-cell source resolution costs in a full offline build with every shared file imported (issue 10).

Builds a data directory offline from the bundled sources (the starter set), stores as `hsdash import` does every
real file in ../shared/data: each OWID data set in data/owid/, the World Bank population package in
data/datahub/population and the three ONE ODA vintages (in date order, one build each, as the revision test does),
then times N full offline rebuilds of everything (``hsdash refresh --offline``: every source loaded from the raw
zone, validated, written, resolved, checked, fingerprinted) and, inside each, the two derived steps:

* resolution   ``etl.resolve.materialise``: one value per country × indicator × year, plus source agreement
* group values ``etl.group_values.materialise``: the precomputed group aggregates read by the dashboard

and prints their medians and ratios to the whole build (target: resolution ≤ 20% of the build). Real data only.
Not a test: times depend on the machine and its load (printed); the ratios are what to compare.

    .venv/bin/python benchmarks/bench_resolution.py [-n 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import load

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("HSDASH_SHARED_DIR", REPO.parent / "shared"))

from etl import config, group_values, resolve  # noqa: E402
from etl.imports import detect, store_import  # noqa: E402
from etl.refresh import run_refresh  # noqa: E402

ONE = SHARED / "data" / "one" / "oda_gni_ts"
ONE_OPTIONS = {"entity": "name", "year": "year", "values": ["ODA (left-axis)", "ODA/GNI (right-axis)"],
               "publisher": "ONE Campaign (ODA dashboard, from OECD DAC data)",
               "url": "https://github.com/ONEcampaign/oda-dashboard"}



def build(paths: config.Paths, sources: list[str] | None = None, offline: bool = True) -> float:
    t0 = time.perf_counter()
    code, result = run_refresh(paths, sources, offline=offline, extract=sources is None)
    if result is None or result.error:
        sys.exit(f"build failed (exit {code}): {result and result.error}")
    return time.perf_counter() - t0


def import_everything(paths: config.Paths) -> list[str]:
    """Store every shared file as `hsdash import` would, and load them (one build for OWID + population, then one per
    ONE vintage in date order, so their revisions are recorded)."""
    ids = []
    for folder in [*sorted(p for p in (SHARED / "data" / "owid").iterdir() if p.is_dir()),
                   SHARED / "data" / "datahub" / "population"]:
        det = detect(folder)
        store_import(paths, det)
        ids.append(det.source_id)
    build(paths, ids)
    for vintage in sorted(p.name for p in ONE.iterdir() if p.is_dir()):
        det = detect(ONE / vintage / "oda_gni_ts.csv", "csv", {**ONE_OPTIONS, "vintage": vintage})
        store_import(paths, det)
        build(paths, [det.source_id])
        ids.append(f"{det.source_id} ({vintage})")
    return ids


class Stopwatch:
    """Wraps a module function so every call's duration is recorded (the build calls it through the module)."""

    def __init__(self, module, name: str):
        self.module, self.name, self.calls = module, name, []
        self.original = getattr(module, name)
        setattr(module, name, self)

    def __call__(self, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return self.original(*args, **kwargs)
        finally:
            self.calls.append(time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3, help="timed full offline builds")
    parser.add_argument("--keep", type=Path, help="build into this data directory and keep it (else a temp dir)")
    args = parser.parse_args()
    if not (SHARED / "data").is_dir():
        sys.exit(f"../shared/data not found at {SHARED}")
    data_dir = args.keep or Path(tempfile.mkdtemp(prefix="resolution-bench-"))
    try:
        paths = config.paths(data_dir)
        print(f"load before: {load()}  cpus: {os.cpu_count()}")
        t_starter = build(paths)
        imported = import_everything(paths)
        print(f"starter build {t_starter:.1f} s; imported {len(imported)} shared files: {', '.join(imported)}")
        res = Stopwatch(resolve, "materialise")
        grp = Stopwatch(group_values, "materialise")
        totals = []
        for _ in range(args.n):
            totals.append(build(paths))
        import duckdb

        con = duckdb.connect(str(paths.warehouse), read_only=True)
        obs, cells, multi, dis, gv = con.execute(
            "SELECT (SELECT count(*) FROM observation), count(*), count(*) FILTER (WHERE n_sources > 1), "
            "count(*) FILTER (WHERE disagree), (SELECT count(*) FROM group_value) FROM indicator_value").fetchone()
        con.close()
        print(f"warehouse: {obs:,} observations → {cells:,} resolved cells ({multi:,} given by more than one source, "
              f"{dis:,} disagreeing); {gv:,} group_value rows")
        whole, r, g = statistics.median(totals), statistics.median(res.calls), statistics.median(grp.calls)
        print(f"{args.n} full offline builds, median s: whole build {whole:.2f} (runs: "
              f"{', '.join(f'{t:.2f}' for t in totals)}), resolution {r:.2f}, group values {g:.2f}")
        print(f"  resolution / whole build: {r / whole:.1%} (target ≤ 20%)")
        print(f"  group values / whole build: {g / whole:.1%}; both derived steps: {(r + g) / whole:.1%}")
        print(f"load after: {load()}")
    finally:
        if args.keep is None:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
