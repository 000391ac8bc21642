"""Page render times in AppTest, against baselines measured in the same run.

Builds a warehouse offline from the bundled sources into a temporary data directory, adds the OWID extracts from
../shared/data/owid with ``hsdash import`` when that command and folder exist (``--no-owid`` skips them), then times
every dashboard page (Compare in each view, the Indicators page browsing and searching, the Briefing page holding a
pack of four charts) in Streamlit's AppTest:

* cold      the first render after clearing Streamlit's data cache (queries run)
* warm      median of N reruns of the page in one session (what an interaction costs; cached data)
* session   median of N new sessions opening the page (AppTest start, default page, then this page; only the last
            run is timed)

and prints each warm median as a ratio to an empty page and to the founding-paper page timed the same way.
Not a test: timings depend on the machine; the ratios are what to compare between runs.

    .venv/bin/python benchmarks/bench_pages.py [-n 7] [--no-owid] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # quiet AppTest's bare-mode notices
REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "dashboard" / "app.py")
OWID = Path(os.environ.get("HSDASH_SHARED_DIR", REPO.parent / "shared")) / "data" / "owid"
CMP = {"ind": "HDR.HDI", "c": "KHM,VNM", "g": "asean,asean_plus_3", "time": "2000..2017", "year": "2015",
       "x": "SP.DYN.LE00.IN", "w": "1", "log": "0", "base": "", "lowcov": "flag"}
PAGES = [  # (label, page path, query)
    ("compare · line", "views/compare.py", {**CMP, "view": "line"}),
    ("compare · ranking", "views/compare.py", {**CMP, "view": "bar"}),
    ("compare · map", "views/compare.py", {**CMP, "view": "map"}),
    ("compare · scatter", "views/compare.py", {**CMP, "view": "scatter", "year": "2005"}),
    ("compare · table", "views/compare.py", {**CMP, "view": "table"}),
    ("indicators · browse", "views/indicators.py", {}),
    ("indicators · search", "views/indicators.py", {"q": "stunting", "rg": "asean_plus_3"}),
    ("country profile", "views/country.py", {"iso3": "KHM", "g": "asean,wb_eap"}),
    ("aid", "views/aid.py", {}),
    ("trust fund", "views/tfhs.py", {}),
    ("data & sources", "views/sources.py", {}),
    ("founding paper", "views/paper.py", {}),
    ("progress", "views/progress.py", {}),
    ("briefing · 4 charts", "views/briefing.py", {}),
]
BRIEFING = [  # what the briefing page lists when it is timed (a staffer's pack: charts from four pages)
    dict(indicator_code="SN.ITK.DEFC.ZS", countries=("KHM",), groups=("asean",), year_from=1991, year_to=2015),
    dict(indicator_code="HDR.HDI", groups=("asean", "asean_plus_3"), year_from=2000, year_to=2017, kind="bar"),
    dict(indicator_code="tfhs_projects", indicator_name="Trust Fund for Human Security projects", unit="projects",
         kind="counts"),
    dict(indicator_code="JME.STUNTED_NUMBER", countries=("KHM", "LAO", "VNM"), year_from=1990, year_to=2016,
         kind="coverage"),
]
EMPTY_PAGE = "import streamlit as st\nst.write('baseline')\n"


def build_warehouse(data_dir: Path, owid: bool) -> str:
    from etl import config
    from etl.cli import main
    from etl.refresh import run_refresh

    paths = config.paths(data_dir)
    code, result = run_refresh(paths, offline=True)
    if result is None or not result.published:
        sys.exit(f"offline build failed (exit {code}): {result and result.error}")
    note = "bundled sources (offline build)"
    if owid and main.get_command(None, "import") is not None and OWID.is_dir():
        folders = sorted(p for p in OWID.iterdir() if p.is_dir())
        for folder in folders:
            try:
                main(["--data-dir", str(data_dir), "import", str(folder)], standalone_mode=False)
            except SystemExit:
                pass  # partial imports exit 3 by design; what loaded is published
        note += f" + {len(folders)} OWID extracts via hsdash import"
    elif owid:
        note += " (no OWID imports: `hsdash import` or ../shared/data/owid missing)"
    return note


def _new(query: dict, page: str | None):
    from streamlit.testing.v1 import AppTest

    from dashboard.figures.spec import ChartSpec

    at = AppTest.from_file(APP, default_timeout=120).run()
    if page == "views/briefing.py":
        at.session_state["briefing_charts"] = [ChartSpec(**b) for b in BRIEFING]
    if page:
        at.switch_page(page)
    at.query_params.clear()
    at.query_params.update(query)
    return at


def _timed(at) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return elapsed


def _quiet() -> None:
    """Silence Streamlit's bare-mode notices ("missing ScriptRunContext") from timing outside a server."""
    import streamlit.runtime.scriptrunner_utils.script_run_context  # noqa: F401  (creates the logger)

    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)


def measure(page: str, query: dict, n: int) -> dict:
    import streamlit as st

    _quiet()

    st.cache_data.clear()
    at = _new(query, page)
    cold = _timed(at)
    warm = statistics.median(_timed(at) for _ in range(n))
    sessions = statistics.median(_timed(_new(query, page)) for _ in range(n))
    return {"cold": cold, "warm": warm, "session": sessions}


def measure_empty(n: int) -> float:
    from streamlit.testing.v1 import AppTest

    _quiet()

    at = AppTest.from_string(EMPTY_PAGE).run()
    return statistics.median(_timed(at) for _ in range(n))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=7, help="runs per median (default 7)")
    parser.add_argument("--no-owid", action="store_true", help="bundled sources only")
    parser.add_argument("--data-dir", type=Path, help="use this already built data directory")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="hsdash-bench-") as tmp:
        if args.data_dir:
            data_dir, note = args.data_dir.resolve(), f"existing data directory {args.data_dir}"
        else:
            data_dir = Path(tmp) / "data"
            note = build_warehouse(data_dir, owid=not args.no_owid)
        os.environ["HSDASH_DATA_DIR"] = str(data_dir)
        import duckdb

        con = duckdb.connect(str((data_dir / "warehouse.duckdb").resolve()), read_only=True)
        n_obs, n_ind = con.execute("SELECT count(*), count(DISTINCT indicator_code) FROM observation").fetchone()
        con.close()
        print(f"warehouse: {note}; {n_obs:,} observations of {n_ind} indicators")
        print(f"median of {args.n} runs per figure; AppTest, Streamlit cache as in production\n")

        empty = measure_empty(args.n)
        results = {label: measure(page, query, args.n) for label, page, query in PAGES}
        paper = results["founding paper"]["warm"]
        print(f"{'page':<20}{'cold ms':>9}{'warm ms':>9}{'session ms':>12}{'× empty':>9}{'× paper':>9}  < 1 s")
        print(f"{'(empty page)':<20}{'':>9}{empty * 1000:>9.0f}{'':>12}{1:>9.1f}{empty / paper:>9.2f}")
        for label, r in results.items():
            ok = "yes" if max(r["warm"], r["session"]) < 1 else "NO"
            print(f"{label:<20}{r['cold'] * 1000:>9.0f}{r['warm'] * 1000:>9.0f}{r['session'] * 1000:>12.0f}"
                  f"{r['warm'] / empty:>9.1f}{r['warm'] / paper:>9.2f}  {ok}")


if __name__ == "__main__":
    main()
