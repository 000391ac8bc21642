"""Concurrent browser sessions against one `hsdash serve`: time-to-chart per session and the server's memory.

Starts one dashboard with ``hsdash serve`` on 127.0.0.1 (a free port) over ``--data-dir``, or by default over a
throwaway warehouse built offline from the bundled sources plus every ../shared/data/owid extract imported (as
tests/conftest.py ``owid_imported`` does; removed afterwards). Then, for each N of ``--sessions`` (N=1 first: the
single-session baseline of the same run), opens N browser sessions at once — ONE Chromium with N browser contexts,
each context a separate Streamlit session — each on Compare with its own indicator and group from the URL query
string (``/compare?ind=…&g=…``), and measures

* time-to-chart: the page's navigation start → the first Plotly chart's SVG main layer is in the DOM with a size
  (``performance.now()`` recorded in the page by a MutationObserver, so Playwright's polling adds nothing);
* p50 / p95 (linear interpolation) and the ratio p95(N) / single-session time;
* the Streamlit server's resident memory (``VmRSS`` of the served pid: ``hsdash serve`` exec()s Streamlit) when idle,
  after one untimed warm-up session (the app's modules load on the first run), and while the N sessions are open;
  per extra session = (RSS with N open − RSS with 1 open) / (N − 1);
* the server's CPU seconds (utime + stime) spent per session (each session is one first script run of Compare),
  and the browser's (Playwright's driver and every Chromium process) for comparison.

The browser runs on the same machine and competes with the server for the CPU, so times at large N include
the browser's own rendering load. Sessions of one level all start together and stay open until all have a chart
(or timed out), then close. Indicator/group pairs come from the warehouse (pairs with group-member data since 2000)
and are never reused within a run, so every session runs its own queries (cold data cache) rather than the
previous level's. Sends traffic to 127.0.0.1 only and stops by itself. Not a test: absolute times depend on the
machine; the ratios are what to compare.

    .venv/bin/python benchmarks/bench_concurrency.py [--sessions 1,5,10,20] [--data-dir DIR] [--timeout 240]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HSDASH_SHARED_DIR", REPO.parent / "shared"))
HSDASH = str(Path(sys.executable).with_name("hsdash"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                 "--disable-backgrounding-occluded-windows", "--disable-component-update", "--no-first-run"]
CLK_TCK = os.sysconf("SC_CLK_TCK")

# Records, in the page, when the first Plotly chart's SVG main layer exists with a size.
PROBE = """
(() => {
  const seen = () => {
    const svg = document.querySelector('.js-plotly-plot .main-svg');
    if (!svg || window.__hsdashChartAt !== undefined) return;
    const r = svg.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) { window.__hsdashChartAt = performance.now(); observer.disconnect(); }
  };
  const observer = new MutationObserver(seen);
  observer.observe(document, {childList: true, subtree: true, attributes: true});
})();
"""


# --- the data and the server ------------------------------------------------------------------------------------------
def build_default(target: Path) -> str:
    """A throwaway warehouse: offline build of the bundled sources + every ../shared/data/owid extract imported."""
    sys.path.insert(0, str(REPO))
    from etl import config
    from etl.imports import detect, store_import
    from etl.refresh import run_refresh

    paths = config.paths(target)
    code, result = run_refresh(paths, offline=True)
    if result is None or not result.published:
        sys.exit(f"offline build failed (exit {code}): {result and result.error}")
    owid = SHARED / "data" / "owid"
    if not owid.is_dir():
        return "bundled sources only (offline build; ../shared/data/owid not found)"
    ids = []
    for folder in sorted(p for p in owid.iterdir() if p.is_dir()):
        det = detect(folder)
        store_import(paths, det)
        ids.append(det.source_id)
    code, result = run_refresh(paths, ids, extract=False)
    if result is None or not result.published:
        sys.exit(f"importing the OWID extracts failed (exit {code}): {result and result.error}")
    return f"bundled sources (offline build) + {len(ids)} OWID extracts from ../shared/data/owid"


def pairs(data_dir: Path) -> list[tuple[str, str]]:
    """(indicator, group) pairs with member data since 2000, ordered so consecutive pairs differ in both."""
    import duckdb

    con = duckdb.connect(str((data_dir / "warehouse.duckdb").resolve()), read_only=True)
    try:
        rows = con.execute("""
            SELECT o.indicator_code, m.group_id, count(*) AS n
            FROM observation o JOIN country_group_member m USING (iso3)
            WHERE o.year >= 2000 GROUP BY ALL HAVING count(*) >= 10 AND count(DISTINCT o.year) >= 2
            ORDER BY o.indicator_code, n DESC, m.group_id""").fetchall()
    finally:
        con.close()
    by_ind: dict[str, list[str]] = {}
    for ind, group, _n in rows:
        by_ind.setdefault(ind, []).append(group)
    out, k = [], 0
    while any(by_ind.values()):
        for ind in sorted(by_ind):
            if by_ind[ind]:
                groups = by_ind[ind]
                out.append((ind, groups.pop(k % len(groups))))
        k += 1
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(data_dir: Path, log: Path):
    port = free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen([HSDASH, "--data-dir", str(data_dir), "serve", "--port", str(port), "--address",
                                 "127.0.0.1"], stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    sys.exit("the dashboard did not start: " + log.read_text()[-2000:])
                time.sleep(0.25)
        yield f"http://127.0.0.1:{port}", proc.pid
    finally:
        proc.terminate()  # one SIGTERM: serve is the Streamlit process itself
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14 and 15 of stat)


def browser_cpu_seconds(server_pid: int) -> float:
    """CPU of every live process descended from this script except the server: Playwright's driver and Chromium."""
    parent, cpu = {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = _stat(int(entry.name))
            except OSError:
                continue
            parent[int(entry.name)] = int(fields[1])
            cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / CLK_TCK
    mine, frontier = set(), {os.getpid()}
    while frontier:
        frontier = {p for p, pp in parent.items() if pp in frontier and p != server_pid} - mine
        mine |= frontier
    return sum(cpu[p] for p in mine)


# --- the sessions -------------------------------------------------------------------------------------------------------
@dataclass
class Level:
    n: int
    times_ms: list[float] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    rss_open_mib: float = 0.0
    cpu_s: float = 0.0
    browser_cpu_s: float = 0.0
    wall_s: float = 0.0


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    pos = (len(s) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


class Browser:
    """Where sessions open: each in its own browser context (cold HTTP and code caches, like a first visit), or each
    in a new tab of one shared context (caches warm after the warm-up, like a returning visitor). Either way every
    page holds its own websocket, so its own Streamlit session."""

    def __init__(self, browser, isolation: str):
        self.browser, self.isolation, self.shared = browser, isolation, None

    async def new_page(self):
        if self.isolation == "context" or self.shared is None:
            context = await self.browser.new_context(viewport={"width": 1400, "height": 1000})
            await context.add_init_script(PROBE)
            if self.isolation == "tab":
                self.shared = context
            return await context.new_page()
        return await self.shared.new_page()

    async def close(self, page) -> None:
        await (page.context.close() if self.isolation == "context" else page.close())


async def open_session(where: Browser, url: str, timeout_ms: float):
    page = await where.new_page()
    try:
        await page.goto(url, wait_until="commit", timeout=timeout_ms)
        await page.wait_for_function("window.__hsdashChartAt !== undefined", timeout=timeout_ms, polling=100)
        return page, float(await page.evaluate("window.__hsdashChartAt")), None
    except Exception as exc:  # noqa: BLE001 — a timed-out session is reported, not fatal
        return page, None, f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"


async def run_level(where: Browser, base: str, chosen: list[tuple[str, str]], pid: int, timeout_ms: float) -> Level:
    level = Level(len(chosen))
    cpu0, bcpu0, t0 = cpu_seconds(pid), browser_cpu_seconds(pid), time.monotonic()
    results = await asyncio.gather(*(open_session(where, f"{base}/compare?{urlencode({'ind': ind, 'g': g})}",
                                                  timeout_ms) for ind, g in chosen))
    level.wall_s = time.monotonic() - t0
    level.rss_open_mib = rss_mib(pid)  # all N sessions still connected
    level.cpu_s = cpu_seconds(pid) - cpu0
    level.browser_cpu_s = browser_cpu_seconds(pid) - bcpu0  # measured before the pages close
    for (ind, g), (_page, ms, err) in zip(chosen, results):
        if ms is None:
            level.failed.append(f"{ind} / {g}: {err}")
        else:
            level.times_ms.append(ms)
    await asyncio.gather(*(where.close(page) for page, _ms, _err in results))
    await asyncio.sleep(3)  # let the server drop the closed sessions before the next level
    return level


async def drive(base: str, pid: int, levels: list[int], plan: list[tuple[str, str]], timeout_ms: float,
                isolation: str) -> dict:
    from playwright.async_api import async_playwright

    out: dict = {"rss_idle_mib": rss_mib(pid), "load_start": os.getloadavg()[0], "isolation": isolation}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            where = Browser(browser, isolation)
            warm, warm_ms, warm_err = await open_session(where, base + "/", timeout_ms)  # untimed warm-up
            await where.close(warm)
            if warm_ms is None:
                sys.exit(f"the warm-up session never showed a chart: {warm_err}")
            await asyncio.sleep(2)
            out["rss_warm_mib"] = rss_mib(pid)
            out["warmup_ms"] = warm_ms
            used = 0
            out["levels"] = []
            for n in levels:
                chosen = plan[used:used + n]
                used += n
                level = await run_level(where, base, chosen, pid, timeout_ms)
                out["levels"].append(level)
                print(f"  N={n}: {len(level.times_ms)} charts, {len(level.failed)} failed, "
                      f"{level.wall_s:.1f} s wall", file=sys.stderr, flush=True)
        finally:
            await browser.close()
    out["load_end"] = os.getloadavg()[0]
    return out


# --- the report ---------------------------------------------------------------------------------------------------------
def report(result: dict, note: str, levels: list[int]) -> str:
    lv: list[Level] = result["levels"]
    single = percentile(lv[0].times_ms, 0.5) if lv and lv[0].n == 1 else float("nan")
    rss1 = lv[0].rss_open_mib if lv and lv[0].n == 1 else float("nan")
    lines = [
        f"data: {note}",
        "load average (1 min) of the machine at start / end: "
        f"{result['load_start']:.1f} / {result['load_end']:.1f} (other work on the machine slows everything)",
        f"machine: {os.cpu_count()} CPUs; browser: one Chromium ({CHROMIUM}) on the same machine as the server, "
        + ("one browser context per session (cold caches)" if result["isolation"] == "context"
           else "one tab per session in one shared context (caches warm)"),
        f"server RSS idle (started, no session yet): {result['rss_idle_mib']:.0f} MiB; after one warm-up session "
        f"(closed): {result['rss_warm_mib']:.0f} MiB; warm-up time-to-chart {result['warmup_ms'] / 1000:.2f} s",
        "",
        "| sessions | charts | failed | time-to-chart p50 | p95 | max | p95 / single | server RSS, N open "
        "| RSS per extra session | server CPU per session | browser CPU per session |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for level in lv:
        t = level.times_ms
        p50, p95, mx = percentile(t, 0.5), percentile(t, 0.95), max(t) if t else float("nan")
        extra = (level.rss_open_mib - rss1) / (level.n - 1) if level.n > 1 else float("nan")
        lines.append(
            f"| {level.n} | {len(t)} | {len(level.failed)} | {p50 / 1000:.2f} s | {p95 / 1000:.2f} s | "
            f"{mx / 1000:.2f} s | {p95 / single:.2f} | {level.rss_open_mib:.0f} MiB | "
            + ("—" if level.n == 1 else f"{extra:.1f} MiB")
            + f" | {level.cpu_s / level.n:.2f} s | {level.browser_cpu_s / level.n:.2f} s |")
    for level in lv:
        for failure in level.failed:
            lines.append(f"failed at N={level.n}: {failure}")
    lines.append("single = the N=1 time of this run; p50/p95 by linear interpolation (at N=5, p95 is near the max)")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", default="1,5,10,20", help="comma-separated levels; 1 first (the baseline)")
    ap.add_argument("--data-dir", type=Path, default=None, help="serve this data directory (default: build one)")
    ap.add_argument("--timeout", type=float, default=240, help="seconds a session may take to show its chart")
    ap.add_argument("--isolation", choices=["context", "tab"], default="context",
                    help="each session in its own browser context (default: cold caches) or a tab of one context")
    ap.add_argument("--json", type=Path, default=None, help="also write the raw numbers here")
    args = ap.parse_args()
    levels = [int(x) for x in args.sessions.split(",") if x.strip()]
    if not levels or levels[0] != 1 or any(n < 1 for n in levels):
        ap.error("--sessions must start with 1 (the single-session baseline) and list positive numbers")
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} not found (apt-get install chromium)")
    tmp = None
    try:
        if args.data_dir is None:
            tmp = Path(tempfile.mkdtemp(prefix="hsdash-bench-concurrency-"))
            data_dir = tmp / "data"
            print("building a throwaway warehouse …", file=sys.stderr, flush=True)
            note = build_default(data_dir)
        else:
            data_dir, note = args.data_dir.resolve(), f"data directory {args.data_dir}"
        plan = pairs(data_dir)
        if len(plan) < sum(levels):
            sys.exit(f"only {len(plan)} indicator/group pairs with data; the levels need {sum(levels)}")
        note += f"; {len({p[0] for p in plan[:sum(levels)]})} indicators × groups over {sum(levels)} sessions"
        log = (tmp or Path(tempfile.gettempdir())) / "bench-concurrency-serve.log"
        with serving(data_dir, log) as (base, pid):
            result = asyncio.run(drive(base, pid, levels, plan, args.timeout * 1000, args.isolation))
        print(report(result, note, levels))
        if args.json:
            args.json.write_text(json.dumps({**result, "levels": [vars(lv) for lv in result["levels"]]}, indent=2))
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
