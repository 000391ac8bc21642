"""The reliability suite of issue 7 as one command: runs every scenario and prints a results table.

    python scripts/reliability.py            # everything (≈ 6 minutes on 2 cores)
    python scripts/reliability.py --quick    # fewer kills, faults, files and refreshes (≈ 2 minutes)
    make reliability

Scenarios (helpers in tests/reliability/, the same ones tests/test_reliability_*.py run under pytest):

* SIGKILL: ``hsdash import`` of a changed synthetic register killed at a random moment, 50 times; afterwards the
  published warehouse opens, validates and equals the previous or the new build; the lock is free; the next
  refresh publishes.
* live sources (wdi, hdr, oecd_dac2a) against local fault servers on 127.0.0.1: timeout, connection refused,
  429 + Retry-After, 5xx then success, permanent 5xx, HTML error page, truncated body, invalid JSON, wrong page
  count (wdi), changed columns, empty data.
* malformed import files (≥ 30): a clear error or quarantined rows with reasons, no traceback, the file kept.
* hostile inputs (issue 12, tests/reliability/hostile.py): a million columns, zip bombs, a 2 GiB line, FIFOs,
  devices and symlinks refused within 30 s and 1 GB; implausible values quarantined, jumps flagged; a bad re-import
  kept apart in raw/_rejected/; ``hsdash raw list|remove``; a quote in the data directory; import while locked;
  export to /dev/full. Each prints what the user saw, the exit code, seconds, peak memory, and that the published
  warehouse and the good raw snapshots are unchanged.
* data directory not writable / disk full: exit 4, clear message, published warehouse untouched.
* a dashboard (streamlit + Chromium) serving through 20 consecutive refreshes.

Network traffic goes only to 127.0.0.1. Every scenario has a time limit (SIGALRM) and the whole run a budget
(``--max-minutes``); the exit status is 1 when any scenario failed, 0 otherwise. Data are synthetic.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import sys
import tempfile
import textwrap
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


@dataclass
class Row:
    scenario: str
    expectation: str
    status: str  # PASS | FAIL | SKIP
    detail: str
    seconds: float


class ScenarioTimeout(Exception):
    pass


@contextmanager
def time_limit(seconds: int):
    def on_alarm(signum, frame):
        raise ScenarioTimeout(f"no result within {seconds}s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(max(1, int(seconds)))
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


class Runner:
    def __init__(self, budget_s: float, verbose: bool):
        self.rows: list[Row] = []
        self.deadline = time.monotonic() + budget_s
        self.verbose = verbose

    def run(self, scenario: str, expectation: str, fn, limit: int = 120) -> None:
        """``fn()`` returns (ok, detail) or (None, why skipped)."""
        if time.monotonic() > self.deadline:
            self._add(Row(scenario, expectation, "FAIL", "not run: the suite's time budget is used up", 0.0))
            return
        t0 = time.monotonic()
        try:
            with time_limit(min(limit, max(1, self.deadline - time.monotonic()))):
                ok, detail = fn()
            status = "SKIP" if ok is None else ("PASS" if ok else "FAIL")
        except ScenarioTimeout as exc:
            status, detail = "FAIL", f"hang: {exc}"
        except Exception as exc:  # noqa: BLE001 — a broken scenario is a failed scenario, reported, never fatal
            status, detail = "FAIL", f"{type(exc).__name__}: {exc} | {traceback.format_exc().strip().splitlines()[-3]}"
        self._add(Row(scenario, expectation, status, detail, time.monotonic() - t0))

    def _add(self, row: Row) -> None:
        self.rows.append(row)
        print(f"{row.status} {row.seconds:6.1f}s  {row.scenario} — {row.detail[:160]}", file=sys.stderr, flush=True)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


SHORTER = [(re.compile(r"/tmp/hsdash-reliability-[^/\s]+/(?:disk|imports|live|kill|dashboard)/[^/\s]+/"), "…/"),
           (re.compile(r"http://127\.0\.0\.1:\d+"), "127.0.0.1"),
           (re.compile(r"build failed, published warehouse untouched: "), "build failed: "),
           (re.compile(r"load failed \(SourceError\): |fetch failed: "), ""),
           (re.compile(r"\s+"), " ")]


def _squeeze(text: str, width: int) -> str:
    """Shorten a result to one line: temp paths and ports out, then its start and its end (the OS error)."""
    for pattern, repl in SHORTER:
        text = pattern.sub(repl, text)
    if len(text) <= width:
        return text
    head = int(width * 0.6)
    return text[:head] + " … " + text[-(width - head - 3):]


def table(rows: list[Row], width: int = 190, wrap: bool = False) -> str:
    """One line per scenario (``wrap``: the whole result, wrapped)."""
    w_s = min(46, max(len(r.scenario) for r in rows))
    w_e = min(44, max(len(r.expectation) for r in rows))
    w_r = max(30, width - w_s - w_e - 13)
    lines = [f"{'scenario':<{w_s}}  {'expectation':<{w_e}}  {'result':<{w_r}}  {'seconds':>7}",
             f"{'-' * w_s}  {'-' * w_e}  {'-' * w_r}  {'-' * 7}"]
    for r in rows:
        result = f"{r.status} — {r.detail}" if r.detail else r.status
        extra = textwrap.wrap(result, w_r)[1:] if wrap else []
        lines.append(f"{_cut(r.scenario, w_s):<{w_s}}  {_cut(r.expectation, w_e):<{w_e}}  {_squeeze(result, w_r):<{w_r}}  {r.seconds:7.1f}")
        lines += [f"{'':<{w_s}}  {'':<{w_e}}  {x}" for x in extra]
    passed = sum(r.status == "PASS" for r in rows)
    failed = sum(r.status == "FAIL" for r in rows)
    skipped = sum(r.status == "SKIP" for r in rows)
    total = sum(r.seconds for r in rows)
    lines.append(f"{len(rows)} scenarios: {passed} passed, {failed} failed, {skipped} skipped — {total:.0f}s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="10 kills, one source per fault, every 4th file, 3 refreshes")
    ap.add_argument("--only", action="append", choices=["kill", "live", "imports", "hostile", "disk", "dashboard"],
                    help="run only these groups (repeatable)")
    ap.add_argument("--kills", type=int, default=None, help="SIGKILL runs (default 50, --quick 10)")
    ap.add_argument("--max-minutes", type=float, default=40, help="time budget for the whole run (default 40)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (data directories, logs)")
    ap.add_argument("--width", type=int, default=int(os.environ.get("COLUMNS", 190)), help="table width (default 190)")
    ap.add_argument("--wrap", action="store_true", help="print each result whole, wrapped, not cut to one line")
    args = ap.parse_args(argv)
    groups = set(args.only or ["kill", "live", "imports", "hostile", "disk", "dashboard"])

    from etl import config
    from etl.refresh import run_refresh
    from reliability import dashboard, disk, hostile, kill, live, malformed

    work = Path(tempfile.mkdtemp(prefix="hsdash-reliability-"))
    runner = Runner(args.max_minutes * 60, verbose=True)
    t_start = time.monotonic()
    print(f"work folder {work}", file=sys.stderr)
    try:
        base = config.paths(work / "base")
        code, result = run_refresh(base, offline=True)
        if result is None or not result.published:
            print(f"could not build the base warehouse (exit {code}): {result and result.error}", file=sys.stderr)
            return 1

        if "kill" in groups:
            n = args.kills or (10 if args.quick else 50)

            def kills():
                rep = kill.run_kills(base, work / "kill", n=n, log=lambda m: print(m, file=sys.stderr))
                return rep.ok, rep.summary()
            runner.run(f"SIGKILL × {n} during hsdash import (random moment)",
                       "opens, valid, = previous or new; lock free",
                       kills, limit=max(600, 12 * n))

        if "live" in groups:
            cases = live.cases()
            if args.quick:  # each fault once, rotating over the sources that have it
                picked = []
                for k, fault in enumerate(live.FAULTS):
                    sources = [src for src in live.LIVE if (src, fault) in cases]
                    picked.append((sources[k % len(sources)], fault))
                cases = picked
            with live.LiveRig(base, work / "live") as rig:
                for src, fault in cases:
                    transient = live.expected_words(src, fault) is None
                    expect = ("retried: exit 0, new data published" if transient else
                              "exit 3, last good kept, fault named, others new")

                    def one(src=src, fault=fault):
                        out = rig.run(src, fault)
                        return out.ok, out.detail
                    runner.run(f"{src}: {fault}", expect, one, limit=live.HANG_BOUND + 30)

        if "imports" in groups:
            cases = malformed.CASES[::4] if args.quick else malformed.CASES
            for i, case in enumerate(cases):
                expect = ("clear error" if case.expect == malformed.ERROR else
                          "rows quarantined with reasons") + ", no traceback, file kept"

                def one(case=case, i=i):
                    out = malformed.run_case(base, work / "imports" / f"{i:02d}", case)
                    return out.ok, out.detail
                runner.run(f"import {case.name}", expect, one, limit=120)

        if "hostile" in groups:
            for i, (label, expect, fn) in enumerate(hostile.CASES):
                def one(fn=fn, i=i):
                    out = fn(base, work / "hostile" / f"{i:02d}")
                    shutil.rmtree(work / "hostile" / f"{i:02d}", ignore_errors=True)
                    return (None, out.skipped) if out.skipped else (out.ok, out.detail)
                runner.run(label, expect + "; published + good raw unchanged", one, limit=180)

        if "disk" in groups:
            expect = "exit 4, clear message, warehouse untouched"
            for label, fn in [
                ("data directory not writable: refresh", lambda d: disk.not_writable(base, d, "refresh")),
                ("data directory not writable: import", lambda d: disk.not_writable(base, d, "import")),
                ("warehouses/ not writable (state, logs are)", lambda d: disk.not_writable(base, d, "build")),
                ("data folder not writable (link cannot move)", lambda d: disk.not_writable(base, d, "link")),
                ("disk full: RLIMIT_FSIZE 1 MB (EFBIG)", lambda d: disk.fsize_limit(base, d)),
                ("disk full: small tmpfs (ENOSPC on the build)", lambda d: disk.tmpfs_full(base, d, fill=False)),
                ("disk full: tmpfs filled to the last byte", lambda d: disk.tmpfs_full(base, d, fill=True)),
            ]:
                def one(fn=fn, label=label):
                    out = fn(work / "disk" / f"{len(runner.rows):02d}")
                    return (None, out.skipped) if out.skipped else (out.ok, out.detail)
                runner.run(label, expect, one, limit=180)

        if "dashboard" in groups:
            n = 3 if args.quick else 20

            def dash():
                out = dashboard.run(base, work / "dashboard", refreshes=n)
                return (None, out.skipped) if out.skipped else (out.ok, out.detail)
            runner.run(f"dashboard serving through {n} refreshes (Chromium)",
                       "reload shows each new version, no error",
                       dash, limit=60 + 45 * n)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print(table(runner.rows, args.width, args.wrap))
    print(f"total {time.monotonic() - t_start:.0f}s (including the base build)")
    return 1 if any(r.status == "FAIL" for r in runner.rows) else 0


if __name__ == "__main__":
    sys.exit(main())
