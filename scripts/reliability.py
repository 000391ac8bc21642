"""The reliability suite of issue 7 as one command: runs every scenario and prints a results table.

    python scripts/reliability.py            # everything (≈ 5–10 minutes)
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
* data directory not writable / disk full: exit 4, clear message, published warehouse untouched.
* a dashboard (streamlit + Chromium) serving through 20 consecutive refreshes.

Network traffic goes only to 127.0.0.1. Every scenario has a time limit (SIGALRM) and the whole run a budget
(``--max-minutes``); the exit status is 1 when any scenario failed, 0 otherwise. Data are synthetic.
"""

from __future__ import annotations

import argparse
import os
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


def table(rows: list[Row], width: int = 200) -> str:
    w_s = min(46, max(len(r.scenario) for r in rows))
    w_e = min(50, max(len(r.expectation) for r in rows))
    w_r = max(30, width - w_s - w_e - 14)
    lines = [f"{'scenario':<{w_s}}  {'expectation':<{w_e}}  {'result':<{w_r}}  {'seconds':>7}",
             f"{'-' * w_s}  {'-' * w_e}  {'-' * w_r}  {'-' * 7}"]
    for r in rows:
        result = textwrap.wrap(f"{r.status} — {r.detail}", w_r) or [r.status]
        scen = textwrap.wrap(r.scenario, w_s) or [""]
        expect = textwrap.wrap(r.expectation, w_e) or [""]
        n = max(len(result), len(scen), len(expect))
        for i in range(n):
            secs = f"{r.seconds:7.1f}" if i == 0 else ""
            lines.append(f"{(scen + [''] * n)[i]:<{w_s}}  {(expect + [''] * n)[i]:<{w_e}}  {(result + [''] * n)[i]:<{w_r}}  {secs:>7}")
    passed = sum(r.status == "PASS" for r in rows)
    failed = sum(r.status == "FAIL" for r in rows)
    skipped = sum(r.status == "SKIP" for r in rows)
    total = sum(r.seconds for r in rows)
    lines.append(f"{len(rows)} scenarios: {passed} passed, {failed} failed, {skipped} skipped — {total:.0f}s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="10 kills, one source per fault, every 4th file, 3 refreshes")
    ap.add_argument("--only", action="append", choices=["kill", "live", "imports", "disk", "dashboard"],
                    help="run only these groups (repeatable)")
    ap.add_argument("--kills", type=int, default=None, help="SIGKILL runs (default 50, --quick 10)")
    ap.add_argument("--max-minutes", type=float, default=40, help="time budget for the whole run (default 40)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (data directories, logs)")
    ap.add_argument("--width", type=int, default=int(os.environ.get("COLUMNS", 200)), help="table width")
    args = ap.parse_args(argv)
    groups = set(args.only or ["kill", "live", "imports", "disk", "dashboard"])

    from etl import config
    from etl.refresh import run_refresh
    from reliability import dashboard, disk, kill, live, malformed

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
                       "published warehouse opens, validates, = previous or new build; lock free; next run publishes",
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
                              "exit 3, source kept, message names the fault, last good data kept, others published")

                    def one(src=src, fault=fault):
                        out = rig.run(src, fault)
                        return out.ok, out.detail
                    runner.run(f"{src}: {fault}", expect, one, limit=live.HANG_BOUND + 30)

        if "imports" in groups:
            cases = malformed.CASES[::4] if args.quick else malformed.CASES
            for i, case in enumerate(cases):
                expect = ("clear error, nothing loaded" if case.expect == malformed.ERROR else
                          "bad rows quarantined with reasons, the rest loaded") + "; no traceback; file kept"

                def one(case=case, i=i):
                    out = malformed.run_case(base, work / "imports" / f"{i:02d}", case)
                    return out.ok, out.detail
                runner.run(f"import {case.name}", expect, one, limit=120)

        if "disk" in groups:
            expect = "exit 4, clear message, published warehouse untouched; next run publishes"
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
                       "after each publish a reload shows the new version, no exception; server stays up",
                       dash, limit=60 + 45 * n)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print(table(runner.rows, args.width))
    print(f"total {time.monotonic() - t_start:.0f}s (including the base build)")
    return 1 if any(r.status == "FAIL" for r in runner.rows) else 0


if __name__ == "__main__":
    sys.exit(main())
