"""The SIGKILL harness: ``hsdash import`` of a changed SYNTHETIC Trust Fund register (copy into the raw zone, build,
publish), SIGKILLed at a random moment, N times in a row on one data directory. After every kill: the published
warehouse opens, passes validation and equals either the previous build or the new one (never a mixture), the
raw zone's sealed snapshots still verify, and the refresh lock is free. At the end a fresh ``hsdash refresh``
process (cron's next run) succeeds and publishes the newest sealed register."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from etl import config
from etl.rawzone import list_raw_files, sealed_snapshots
from etl.refresh import Locked, refresh_lock

from . import synth
from .checks import Invalid, query, validate_published

ZYGOTE = Path(__file__).with_name("zygote.py")
REPO = Path(__file__).resolve().parents[2]
SOURCE = "tfhs-register"


@dataclass
class KillReport:
    kills: int = 0
    outcomes: dict = field(default_factory=dict)  # what the published warehouse was after each attempt -> count
    failures: list = field(default_factory=list)
    leftovers: dict = field(default_factory=dict)
    final: str = ""
    seed: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        parts = ", ".join(f"{v} {k}" for k, v in sorted(self.outcomes.items()))
        text = f"{self.kills} killed, every time valid: {parts}; seed {self.seed}; {self.final}"
        if self.failures:
            text += f"; FAILURES {len(self.failures)}: " + " | ".join(self.failures[:3])
        return text


class Zygote:
    def __init__(self, env: dict):
        self.proc = subprocess.Popen([sys.executable, str(ZYGOTE)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, env=env, cwd=REPO)

    def run(self, argv: list[str], out: Path, kill_after: float | None, timeout: float = 120, on_start=None) -> dict:
        self.proc.stdin.write(json.dumps({"argv": argv, "out": str(out), "kill_after": kill_after, "timeout": timeout}) + "\n")
        self.proc.stdin.flush()
        started = self.proc.stdout.readline()
        if not started:
            raise RuntimeError("the fork server died")
        watcher = on_start(json.loads(started)["started"]) if on_start else None
        line = self.proc.stdout.readline()
        if watcher is not None:
            watcher.stop.set()
            watcher.join()
        if not line:
            raise RuntimeError("the fork server died")
        return json.loads(line)

    def close(self) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class KillAfterSwitch(threading.Thread):
    """Watches the published link; once the child switched it to a new version, SIGKILLs the child after a random
    few milliseconds (the child is then pruning, recording the run or printing its report)."""

    def __init__(self, link: Path, pid: int, delay: float):
        super().__init__(daemon=True)
        self.link, self.pid, self.delay = link, pid, delay
        self.before = os.readlink(link)
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            if os.readlink(self.link) != self.before:
                time.sleep(self.delay)
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                return
            time.sleep(0.0005)


def _started(thread: threading.Thread) -> threading.Thread:
    thread.start()
    return thread


def _projects(paths) -> set:
    return set(query(paths, "SELECT project_id, budget_usd FROM tfhs_project WHERE source_id = ?", [SOURCE]))


def _sealed_ok(paths, checked: set) -> str | None:
    """Every sealed snapshot of the register verifies (files present, sha256 as recorded); ``checked``: snapshots
    verified before (sealed files never change, so each is read once)."""
    try:
        for snap in sealed_snapshots(paths.raw / SOURCE):
            if snap in checked:
                continue
            checked.add(snap)
            listed = json.loads((snap / "_manifest.json").read_text())["files"]
            got = {str(r.path.relative_to(snap)): r.origin.sha256 for r in list_raw_files(snap)}
            if got != listed:
                return f"snapshot {snap.name}: files {sorted(got)} ≠ manifest {sorted(listed)}"
    except Exception as exc:  # noqa: BLE001
        return f"raw zone: {exc}"
    return None


def run_kills(base: config.Paths, workdir: Path, n: int = 50, seed: int | None = None,
              log=lambda msg: None) -> KillReport:
    """Copy ``base`` into ``workdir`` and run ``n`` killed imports on it (see the module docstring)."""
    seed = int(os.environ.get("HSDASH_RELIABILITY_SEED", seed if seed is not None else random.SystemRandom().randrange(10**6)))
    rng = random.Random(seed)
    report = KillReport(seed=seed)
    data = workdir / "data"
    shutil.copytree(base.data, data, symlinks=True)
    paths = config.paths(data)
    env = {**os.environ, "HSDASH_DATA_DIR": str(data), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    zyg = Zygote(env)
    seen: set = set()
    try:
        def do_import(k: int, kill_after: float | None, on_start=None) -> dict:
            reg = workdir / f"register-{k:04d}.csv"
            reg.write_bytes(synth.register(k))
            return zyg.run(["--data-dir", str(data), "import", str(reg), "--format", "tfhs"], workdir / f"out-{k:04d}.txt",
                           kill_after, on_start=on_start)

        # calibration: two complete imports give the duration the kill moments are spread over
        durations = []
        for k in (0, 1):
            rep = do_import(k, None)
            if rep["exit"] != 0:
                report.failures.append(f"calibration import {k} exited {rep['exit']}: {(workdir / f'out-{k:04d}.txt').read_text()[-300:]}")
                return report
            durations.append(rep["elapsed"])
        meta = validate_published(paths, seen)
        previous = (meta["content_sha256"], _projects(paths))
        log(f"kill harness: one import takes {min(durations):.2f}s; seed {seed}")
        k, checked = 2, set()
        while report.kills < n and k < 3 * n + 2:
            # a random moment within the run (up to the shortest recent complete run, so nearly every attempt is
            # killed; one that finishes first is checked the same way and not counted); every fifth attempt is
            # killed a random 0–40 ms after it switched the link, a moment uniform sampling almost never hits
            if k % 5:
                delay = rng.uniform(0, 0.95 * min(durations[-5:]))
                rep = do_import(k, delay)
                where = f"run {k} killed at {delay:.3f}s"
            else:
                delay = rng.uniform(0, 0.04)
                rep = do_import(k, None, on_start=lambda pid, d=delay: _started(KillAfterSwitch(paths.warehouse, pid, d)))
                where = f"run {k} killed {delay * 1000:.0f} ms after the switch"
            out_text = (workdir / f"out-{k:04d}.txt").read_text(errors="replace")
            if rep["killed"]:
                report.kills += 1
            else:
                durations.append(rep["elapsed"])
                if rep["exit"] != 0:
                    report.failures.append(f"{where}: finished first but exited {rep['exit']}: {out_text[-200:]}")
            if "Traceback" in out_text:
                report.failures.append(f"{where}: traceback in output: {out_text[-300:]}")
            try:
                meta = validate_published(paths, seen)
            except Invalid as exc:
                report.failures.append(f"{where}: {exc}")
                k += 1
                continue
            projects = _projects(paths)
            if meta["content_sha256"] == previous[0] and projects == previous[1]:
                outcome = "previous"
            elif projects == synth.expected_projects(k):
                outcome = "new"
                previous = (meta["content_sha256"], projects)
            else:
                report.failures.append(f"{where}: published register is neither the previous one nor register {k}")
                k += 1
                continue
            if not rep["killed"]:
                outcome = "finished first (not counted)"
            elif outcome == "previous":
                outcome = "previous (killed while storing the file)" if "stored " not in out_text else "previous (killed while building)"
            else:
                outcome = "new (killed after the switch)"
            report.outcomes[outcome] = report.outcomes.get(outcome, 0) + 1
            bad = _sealed_ok(paths, checked)
            if bad:
                report.failures.append(f"{where}: {bad}")
            try:
                with refresh_lock(paths):
                    pass
            except Locked as exc:
                report.failures.append(f"{where}: stale lock: {exc}")
            k += 1
        if report.kills < n:
            report.failures.append(f"only {report.kills} of {n} runs could be killed in {k - 2} attempts")
    finally:
        zyg.close()
    left_before = len(list(paths.warehouses.glob(".build-*")))
    # cron's next run: a fresh interpreter, nothing forked
    t0 = time.monotonic()
    proc = subprocess.run([str(Path(sys.executable).with_name("hsdash")), "--data-dir", str(data), "refresh", "--offline",
                           "--source", SOURCE, "--source", "paper"], capture_output=True, text=True, timeout=120, env=env)
    newest = sealed_snapshots(paths.raw / SOURCE)[-1]
    from etl.parsers.tfhs import parse_register

    expect = {(r.project_id, r.budget_usd) for r in parse_register((newest / next(iter(json.loads((newest / "_manifest.json").read_text())["files"]))).read_bytes()).frame.itertuples()}
    if proc.returncode != 0:
        report.failures.append(f"next refresh exited {proc.returncode}: {proc.stdout[-300:]} {proc.stderr[-300:]}")
    elif _projects(paths) != expect:
        report.failures.append("next refresh did not publish the newest sealed register")
    else:
        try:
            validate_published(paths, seen)
            report.final = f"next refresh exit 0 in {time.monotonic() - t0:.1f}s, newest register published"
        except Invalid as exc:
            report.failures.append(f"after the next refresh: {exc}")
    report.leftovers = {
        "abandoned build files before / after the next refresh": f"{left_before} / {len(list(paths.warehouses.glob('.build-*')))}",
        "unsealed snapshots": sum(1 for p in (paths.raw / SOURCE).iterdir() if p.is_dir() and not (p / "_manifest.json").exists()),
        "versions kept": len(list(paths.warehouses.glob("warehouse-*.duckdb"))),
    }
    if list(paths.warehouses.glob(".build-*")):
        report.failures.append("the next refresh left abandoned build files in warehouses/")
    report.final += "; " + ", ".join(f"{k} {v}" for k, v in report.leftovers.items())
    return report
