"""An unwritable data directory and a full disk, simulated at the OS boundary for a real ``hsdash`` process.

* Not writable: root ignores file modes, so the child runs with the capabilities that bypass them
  (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_CHOWN) removed from its bounding set
  (``setpriv --bounding-set=-…``) on a data directory owned by ``nobody`` without write bits: the kernel then
  refuses every write exactly as for an unprivileged user. (Switching to uid 65534 is not possible here: the
  interpreter lives under /root, mode 0700.) When not run as root the modes apply anyway and no prefix is used.
  A probe write under the same conditions must fail first, or the scenario reports it could not simulate.
* Disk full: RLIMIT_FSIZE in the child with SIGXFSZ ignored (a write past the limit fails with EFBIG), and, when
  mounting works, a small tmpfs holding the data directory (real ENOSPC), first with room for logs but not for a
  new warehouse, then filled to the last byte.

Expected every time: a clear message (no traceback), exit code 4, the published warehouse untouched (same file,
same bytes) and no half-written build left behind; after the cause is gone the next refresh publishes.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from etl import config
from etl.refresh import EXIT_FAILED

from . import synth
from .checks import Invalid, published_state, validate_published

HSDASH = str(Path(sys.executable).with_name("hsdash"))
DROP = "-dac_override,-dac_read_search,-fowner,-chown"
UID = GID = 65534


@dataclass
class Outcome:
    ok: bool
    detail: str
    skipped: str = ""


def _prefix() -> list[str] | None:
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        return None
    prefix = ["setpriv", f"--bounding-set={DROP}", "--"]
    if subprocess.run(prefix + ["true"], capture_output=True).returncode != 0:  # no CAP_SETPCAP in this container
        return None
    return prefix


def _run(cmd: list[str], env: dict, preexec=None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout, preexec_fn=preexec)


def _env(data: Path) -> dict:
    return {**os.environ, "HSDASH_DATA_DIR": str(data), "PYTHONDONTWRITEBYTECODE": "1"}


def scratch(workdir: Path) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir


def _needs_build(paths: config.Paths) -> config.Paths:
    """Forget which inputs the published build was made from, so the next refresh really builds (these scenarios are
    about a build meeting a full or read-only disk; with the record, a refresh whose inputs are unchanged builds
    nothing — etl/incremental.py)."""
    from etl.incremental import VERIFIED

    (paths.state / VERIFIED).unlink(missing_ok=True)
    return paths


def _copy(base: config.Paths, workdir: Path) -> config.Paths:
    data = scratch(workdir) / "data"
    shutil.copytree(base.data, data, symlinks=True)
    return _needs_build(config.paths(data))


def _readonly(root: Path, writable: tuple[str, ...] = ()) -> None:
    """No write bits anywhere except in the ``writable`` sub-folders (and their files); owned by nobody when we are
    root (so that root without its override capabilities is not the owner either)."""
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames, ""]:
            p = Path(dirpath) / name if name else Path(dirpath)
            if os.geteuid() == 0:
                os.lchown(p, UID, GID)
            if not p.is_symlink():
                rel = p.relative_to(root).parts[:1]
                open_ = bool(rel) and rel[0] in writable
                mode = p.stat().st_mode | (0o555 if p.is_dir() else 0o444)  # readable by all …
                p.chmod(mode | 0o666 if open_ else mode & ~0o222)  # … writable by none outside `writable`


def _restore(root: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames, ""]:
            p = Path(dirpath) / name if name else Path(dirpath)
            if not p.is_symlink():
                p.chmod(p.stat().st_mode | 0o200)


def _check(proc: subprocess.CompletedProcess, paths: config.Paths, before, words: tuple[str, ...]) -> list[str]:
    text = proc.stdout + proc.stderr
    problems = []
    if "Traceback" in text:
        problems.append("traceback: " + text.strip().splitlines()[-1][:200])
    if proc.returncode != EXIT_FAILED:
        problems.append(f"exit {proc.returncode}, expected {EXIT_FAILED}")
    missing = [w for w in words if w not in text.lower()]
    if missing:
        problems.append(f"output lacks {missing}: {text.strip()[-300:]!r}")
    if published_state(paths) != before:
        problems.append("the published warehouse changed")
    try:
        validate_published(paths)
    except Invalid as exc:
        problems.append(f"published warehouse invalid: {exc}")
    left = [p.name for p in paths.warehouses.glob(".build-*")]
    if left:
        problems.append(f"half-written build left behind: {left}")
    return problems


def _message(proc: subprocess.CompletedProcess, words: tuple[str, ...]) -> str:
    lines = [ln.strip() for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()]
    hit = next((ln for ln in lines if words and words[0] in ln.lower()), lines[-1] if lines else "(no output)")
    return f"exit {proc.returncode}: {hit}"


def output(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout + proc.stderr


def _next_run_publishes(paths: config.Paths, env: dict | None = None) -> str | None:
    """Once the cause is gone, a refresh (in this process: the failing one above was the real command) succeeds: it
    publishes, or builds and finds the content identical to the published (still valid) warehouse."""
    from etl.refresh import run_refresh

    lines: list[str] = []
    code, result = run_refresh(paths, offline=True, echo=lines.append)
    if result is None or not (result.published or result.unchanged) or code not in (0, 3):
        return f"next refresh (cause removed) exited {code}: {' | '.join(lines)[-300:]}"
    try:
        validate_published(paths)
    except Invalid as exc:
        return f"after the next refresh: {exc}"
    return None


def not_writable(base: config.Paths, workdir: Path, command: str) -> Outcome:
    """``command``: 'refresh' or 'import' (nothing writable), 'build' (state/ and logs/ writable, warehouses/ not),
    'link' (every sub-folder writable, the data folder itself not: the new file is built, the link cannot move)."""
    prefix = _prefix()
    if prefix is None:
        return Outcome(True, "", skipped="root, and setpriv cannot drop the permission-bypassing capabilities here")
    paths = _copy(base, workdir)
    register = workdir / "register.csv"
    register.write_bytes(synth.register(4242))
    register.chmod(0o644)
    if command == "link":  # new content (a new snapshot in the raw zone), so the build has something to publish
        from etl.imports import detect, store_import

        store_import(paths, detect(register, "tfhs"))
    before = published_state(paths)
    _readonly(paths.data, writable={"build": ("state", "logs"), "link": ("state", "logs", "warehouses", "raw")}.get(command, ()))
    probe_in = paths.data if command == "link" else paths.warehouses
    probe = _run(prefix + [sys.executable, "-c", f"open({str(probe_in / 'probe')!r}, 'w')"], _env(paths.data))
    if probe.returncode == 0:
        _restore(paths.data)
        return Outcome(False, "could not make the data directory unwritable (the probe write succeeded)")
    argv = {"refresh": ["refresh", "--offline"], "build": ["refresh", "--offline"], "link": ["refresh", "--offline"],
            "import": ["import", str(register), "--format", "tfhs"]}[command]
    proc = _run(prefix + [HSDASH, "--data-dir", str(paths.data), *argv], _env(paths.data))
    words = ("permission denied", str(paths.data).lower())
    problems = _check(proc, paths, before, words)
    if command == "link" and list(paths.warehouses.glob("warehouse-*.duckdb")) != [Path(before[0])]:
        problems.append(f"an unpublished version was left behind: {sorted(p.name for p in paths.warehouses.iterdir())}")
    if command in ("build", "link"):
        runs = (paths.state / "runs.jsonl").read_text().splitlines()
        if '"exit_code": 4' not in runs[-1]:
            problems.append("the failed run is not recorded in runs.jsonl")
    _restore(paths.data)
    if not problems and (err := _next_run_publishes(paths, _env(paths.data))):
        problems.append(err)
    shutil.rmtree(workdir, ignore_errors=True)
    return Outcome(not problems, "; ".join(problems) + " | " + _message(proc, words) if problems else _message(proc, words))


def fsize_limit(base: config.Paths, workdir: Path, limit: int = 1 << 20) -> Outcome:
    """Disk full via RLIMIT_FSIZE: the new warehouse cannot grow past ``limit`` bytes (EFBIG)."""
    paths = _copy(base, workdir)
    before = published_state(paths)

    def preexec():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = _run([HSDASH, "--data-dir", str(paths.data), "refresh", "--offline"], _env(paths.data), preexec)
    words = ("file too large",)
    problems = _check(proc, paths, before, words)
    if not problems and (err := _next_run_publishes(paths, _env(paths.data))):
        problems.append(err)
    shutil.rmtree(workdir, ignore_errors=True)
    return Outcome(not problems, "; ".join(problems) + " | " + _message(proc, words) if problems else _message(proc, words))


def _du(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*"))


def tmpfs_full(base: config.Paths, workdir: Path, fill: bool) -> Outcome:
    """Disk full on a real filesystem: a tmpfs just big enough for the data directory (``fill``: no byte left)."""
    mnt = scratch(workdir) / "mnt"
    mnt.mkdir()
    size = _du(base.data) + (2 << 20)
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)], capture_output=True, text=True)
    if mount.returncode != 0:
        shutil.rmtree(workdir, ignore_errors=True)
        return Outcome(True, "", skipped=f"cannot mount a tmpfs here ({mount.stderr.strip()[:80]})")
    try:
        data = mnt / "data"
        shutil.copytree(base.data, data, symlinks=True)
        paths = _needs_build(config.paths(data))
        before = published_state(paths)
        if fill:
            with open(mnt / "ballast", "wb") as fh:
                try:
                    while True:
                        fh.write(b"\0" * (1 << 16))
                        fh.flush()
                except OSError:
                    pass
            # top up the last partial block so not even a one-line log fits
            try:
                with open(mnt / "ballast2", "wb") as fh:
                    while True:
                        fh.write(b"\0")
                        fh.flush()
            except OSError:
                pass
        proc = _run([HSDASH, "--data-dir", str(paths.data), "refresh", "--offline"], _env(paths.data))
        words = ("no space left on device",)
        problems = _check(proc, paths, before, words)
        for ballast in ("ballast", "ballast2"):
            (mnt / ballast).unlink(missing_ok=True)
        # the operator makes room: the next refresh must publish
        # room for a whole new warehouse file beside the published one (the build writes a complete copy)
        subprocess.run(["mount", "-o", f"remount,size={2 * size + (64 << 20)}", str(mnt)], capture_output=True)
        if not problems and (err := _next_run_publishes(paths, _env(paths.data))):
            problems.append(err)
        return Outcome(not problems, "; ".join(problems) + " | " + _message(proc, words) if problems else _message(proc, words))
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)
