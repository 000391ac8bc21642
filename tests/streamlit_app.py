"""Start the real dashboard (`streamlit run dashboard/app.py`) on 127.0.0.1 for browser tests, wait until it is
healthy, and stop it afterwards. Shared by tests/test_browser.py and the reliability suite."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from collections.abc import Iterator

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


class AppDidNotStart(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(data_dir: Path, log_path: Path, extra_args: tuple[str, ...] = (), wait_s: float = 60
                ) -> Iterator[tuple[str, subprocess.Popen]]:
    """Yield (url, process) of a dashboard serving ``data_dir``; raise AppDidNotStart with the log's tail."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "HSDASH_DATA_DIR": str(data_dir)}
    with open(log_path, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
             *extra_args],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + wait_s
            while True:
                try:
                    if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                        break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise AppDidNotStart("streamlit did not start: " + Path(log_path).read_text()[-2000:]) from None
                    time.sleep(0.25)
            yield url, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def browser_ready() -> None:
    """Skip the calling test without Chromium or Playwright (the browser tests' one precondition)."""
    import pytest

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api")


@contextmanager
def app_for_test(data_dir: Path, log_path: Path) -> Iterator[str]:
    """:func:`running_app` for a pytest fixture: yields the URL; skips without a browser (:func:`browser_ready`);
    fails the test with the log's tail when the app does not start."""
    import pytest

    browser_ready()
    try:
        with running_app(data_dir, log_path) as (url, _proc):
            yield url
    except AppDidNotStart as exc:
        pytest.fail(str(exc))
