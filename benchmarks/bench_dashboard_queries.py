"""Every dashboard query and chart frame, timed uncached on a given warehouse (a profile, not a test).

Streamlit caches each query per published version, so a page's *warm* render runs none of these; this is what a
*cold* render (the first viewer after a refresh) pays, and which queries scan a whole table at WDI scale. Point it
at a big warehouse, e.g. the one ``bench_groups.py --keep DIR`` leaves in ``DIR/bench-wdi-scale.duckdb``:

    .venv/bin/python benchmarks/bench_dashboard_queries.py WAREHOUSE [-n 3] [--indicator HDR.HDI]

Prints, per query, the median of N runs in ms, the observations and resolved cells in the file, and the load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from common import load

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dashboard import chart_data, progress_queries, queries  # noqa: E402
from dashboard.figures.spec import ChartSpec  # noqa: E402
from etl.aggregate import group_series  # noqa: E402

ASEAN = ("BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM")



def cases(ind: str, x_ind: str) -> list[tuple[str, object]]:
    spec = ChartSpec(ind, countries=("KHM", "VNM"), groups=("asean", "asean_plus_3"), year_from=2000, year_to=2017)
    return [
        ("indicator_catalogue (Compare, Indicators)", lambda con: queries.indicator_catalogue(con)),
        ("indicator_coverage (Indicators)", lambda con: queries.indicator_coverage(con, ind)),
        ("country_series (line)", lambda con: queries.country_series(con, ind, ASEAN, 1960, 2023, None)),
        ("latest_values (bar/map)", lambda con: queries.latest_values(con, ind, ASEAN, 2015, 5, None)),
        ("group_series asean (line)", lambda con: group_series(con, "asean", ind)),
        ("chart_frame · line", lambda con: chart_data.chart_frame(con, spec)),
        ("chart_frame · bar", lambda con: chart_data.chart_frame(con, spec.__class__(**{**spec.__dict__, "kind": "bar",
                                                                                        "year": 2015}))),
        ("chart_frame · map", lambda con: chart_data.chart_frame(con, spec.__class__(**{**spec.__dict__, "kind": "map",
                                                                                        "year": 2015}))),
        ("chart_frame · scatter", lambda con: chart_data.chart_frame(con, spec.__class__(
            **{**spec.__dict__, "kind": "scatter", "year": 2005, "x_indicator_code": x_ind}))),
        ("x_overlap (scatter axis list)", lambda con: chart_data.x_overlap(con, ind, ("KHM", "VNM"), ("asean",), 2005)),
        ("country_profile KHM", lambda con: queries.country_profile(con, "KHM")),
        ("country_ranks KHM", lambda con: queries.country_ranks(con, "KHM")),
        ("paper_beside_public KHM", lambda con: queries.paper_beside_public(con, "KHM")),
        ("oda_donors (Aid)", lambda con: queries.oda_donors(con)),
        ("source_status (Data & sources)", lambda con: queries.source_status(con)),
        ("progress_matrix asean", lambda con: progress_queries.progress_matrix(
            con, "asean", tuple(progress_queries.progress_targets(con)["target_id"]))),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("-n", type=int, default=3)
    parser.add_argument("--indicator", default="HDR.HDI")
    parser.add_argument("--x-indicator", default="SH.DYN.MORT")
    args = parser.parse_args()
    con = duckdb.connect(str(args.warehouse), read_only=True)
    obs, cells = con.execute("SELECT (SELECT count(*) FROM observation), count(*) FROM indicator_value").fetchone()
    print(f"{args.warehouse}: {obs:,} observations, {cells:,} resolved cells; load {load()}; cpus {os.cpu_count()}")
    for label, fn in cases(args.indicator, args.x_indicator):
        times = []
        for _ in range(args.n):
            t0 = time.perf_counter()
            try:
                fn(con)
            except Exception as exc:  # noqa: BLE001 — a profile reports what failed and goes on
                print(f"  {label:42} failed: {type(exc).__name__}: {str(exc)[:120]}")
                break
            times.append(time.perf_counter() - t0)
        if times:
            print(f"  {label:42} {statistics.median(times) * 1000:9.1f} ms")
    print(f"load after: {load()}")
    con.close()


if __name__ == "__main__":
    main()
