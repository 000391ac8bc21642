"""Benchmark of the briefing exports: warm PNG export (goal ≤ 0.5 s) and a 6-chart PowerPoint pack (goal ≤ 5 s),
against baselines measured in the same run — an export with a browser started for that one call (what every
export would cost without the warm server) and the engine's cold first export — with the ratios.

Run (not a test; timings depend on the machine, so they are reported, never asserted)::

    .venv/bin/python benchmarks/bench_exports.py                 # uses ./data (HSDASH_DATA_DIR) if published
    .venv/bin/python benchmarks/bench_exports.py --runs 20 --json

Data: the published warehouse if there is one, else one built offline into a temporary directory from the bundled
sources (real data: the Gapminder extract shipped with plotly). Charts: six real views of it (line, bar, map,
scatter, table, change since a base year).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GOAL_WARM_PNG = 0.5
GOAL_PACK = 5.0


def _warehouse(data_dir: str | None, scratch: str) -> tuple[Path, str]:
    from etl import config, publish
    from etl.refresh import run_refresh

    paths = config.paths(data_dir)
    file = publish.published_file(paths)
    if file is not None:
        return file, f"published warehouse {file}"
    tmp = config.paths(Path(scratch) / "data")
    code, result = run_refresh(tmp, offline=True)
    if result is None or not result.published:
        raise SystemExit(f"could not build a warehouse offline (exit {code})")
    return publish.published_file(tmp), "offline build from the bundled sources (temporary)"


def _specs():
    from dashboard.figures.spec import ChartSpec

    return [
        ChartSpec("SP.DYN.LE00.IN", countries=("THA", "VNM"), groups=("asean",), year_from=1962, year_to=2007),
        ChartSpec("GAPMINDER.GDPPERCAP", groups=("asean_plus_3",), year_from=1990, year_to=2007, kind="bar", year=2007),
        ChartSpec("SP.DYN.LE00.IN", groups=("asean_plus_3",), year_from=1952, year_to=2007, kind="map", year=2007),
        ChartSpec("SP.DYN.LE00.IN", groups=("asean_plus_3",), year_from=2007, year_to=2007, kind="scatter",
                  year=2007, x_indicator_code="GAPMINDER.GDPPERCAP"),
        ChartSpec("SP.POP.TOTL", groups=("asean",), year_from=1992, year_to=2007, kind="table"),
        ChartSpec("GAPMINDER.GDPPERCAP", countries=("KHM", "LAO", "MMR"), groups=("eas",), year_from=1972,
                  year_to=2007, base_year=1982),
    ]


def _time(fn, runs: int = 1) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=os.environ.get("HSDASH_DATA_DIR"))
    parser.add_argument("--runs", type=int, default=10, help="warm PNG exports to time (default 10)")
    parser.add_argument("--pack-runs", type=int, default=3, help="6-chart packs to time (default 3)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()

    import duckdb
    import kaleido

    from dashboard.export import engine, images, load_chart, pack
    from dashboard.figures import build

    state = engine.status()
    if not state.available:
        print(f"cannot benchmark image exports: {state.reason}", file=sys.stderr)
        return 6
    with tempfile.TemporaryDirectory(prefix="hsdash-bench-") as scratch:
        file, origin = _warehouse(args.data_dir, scratch)
        con = duckdb.connect(str(file), read_only=True)
        charts = [load_chart(con, s) for s in _specs()]
        con.close()
    line = charts[0]
    figure = build(line.frame, line.spec)  # the dashboard has drawn it already; the export starts from there
    preset = images.PRESETS["slide"]
    engine.stop()

    # baseline 1: a browser started for this one export (kaleido without the warm server)
    fig_dict = images.export_figure(line, preset, figure=figure).to_dict()
    opts = {"format": "png", "width": preset.width, "height": preset.height, "scale": preset.scale}
    oneshot = _time(lambda: kaleido.calc_fig_sync(fig_dict, opts=opts, topojson=engine.TOPOJSON_URL,
                                                  kopts={"path": state.browser, "mathjax": False}))[0]
    # baseline 2: the engine's cold first export (starts the warm server, then renders)
    cold = _time(lambda: images.chart_image(line, "png", preset, figure=figure))[0]
    # warm exports from the figure already drawn: what images.chart_image does, timed in its two steps
    warm, layout, render = [], [], []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        laid_out = images.export_figure(line, preset, figure=figure).to_dict()  # title, subtitle, footer, size
        t1 = time.perf_counter()
        png = engine.render(laid_out, "png", preset.width, preset.height, preset.scale)
        t2 = time.perf_counter()
        assert png.startswith(b"\x89PNG")
        warm.append(t2 - t0)
        layout.append(t1 - t0)
        render.append(t2 - t1)
    pptx = _time(lambda: pack.pptx_pack(charts, "Benchmark"), args.pack_runs)
    pdf = _time(lambda: pack.pdf_pack(charts, "Benchmark"), 1)
    engine.stop()

    med = statistics.median
    results = {
        "data": origin, "browser": state.browser, "load_average": os.getloadavg(), "cpus": os.cpu_count(),
        "baseline_oneshot_png_s": oneshot, "baseline_cold_first_png_s": cold,
        "warm_png_median_s": med(warm), "warm_png_min_s": min(warm), "warm_png_max_s": max(warm),
        "warm_png_layout_median_s": med(layout), "warm_png_render_median_s": med(render),
        "pptx_6_charts_median_s": med(pptx), "pptx_6_charts_runs_s": pptx, "pdf_pack_6_charts_s": pdf[0],
        "ratio_warm_to_oneshot": med(warm) / oneshot, "ratio_warm_to_cold_first": med(warm) / cold,
        "ratio_pptx_to_6_oneshot_exports": med(pptx) / (6 * oneshot),
        "goal_warm_png_s": GOAL_WARM_PNG, "goal_pptx_s": GOAL_PACK,
        "warm_png_meets_goal": med(warm) <= GOAL_WARM_PNG, "pptx_meets_goal": med(pptx) <= GOAL_PACK,
    }
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    ok = {True: "meets goal", False: "MISSES goal"}
    print(f"data:     {origin}\nbrowser:  {state.browser}\nmachine:  {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in results['load_average'])}\n")
    print(f"baseline  PNG with a browser started for the call   {oneshot:7.3f} s")
    print(f"baseline  cold first PNG (starts the warm server)    {cold:7.3f} s")
    print(f"warm PNG  median of {args.runs:<3} (min {min(warm):.3f}, max {max(warm):.3f})  {med(warm):7.3f} s   "
          f"goal ≤ {GOAL_WARM_PNG} s: {ok[results['warm_png_meets_goal']]}")
    print(f"          of which layout {med(layout):.3f} s, render {med(render):.3f} s")
    print(f"PPTX      6 charts, median of {args.pack_runs:<3}                  {med(pptx):7.3f} s   "
          f"goal ≤ {GOAL_PACK} s: {ok[results['pptx_meets_goal']]}")
    print(f"PDF pack  6 charts                                   {pdf[0]:7.3f} s")
    print(f"\nratios    warm / one-shot {results['ratio_warm_to_oneshot']:.3f} · warm / cold first "
          f"{results['ratio_warm_to_cold_first']:.3f} · PPTX / (6 one-shot PNGs) "
          f"{results['ratio_pptx_to_6_oneshot_exports']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
