"""`make up`: the port is a variable passed to `hsdash serve --port`, and a busy port stops `make up` with a clear
message before the refresh (a second `make up` used to refresh again, then fail on the busy port)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HSDASH_DATA_DIR": str(data_dir)}
    return subprocess.run(["make", "--no-print-directory", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)


def test_the_port_reaches_hsdash_serve_and_is_checked_before_the_refresh(tmp_path):
    plan = make("-n", "up", "PORT=8600", data_dir=tmp_path).stdout.splitlines()
    serve = [line for line in plan if "hsdash serve" in line]
    assert serve == [".venv/bin/hsdash serve --port 8600"]
    check = next(i for i, line in enumerate(plan) if "PORT_BUSY" in line)
    refresh = next(i for i, line in enumerate(plan) if "hsdash refresh" in line)
    assert check < refresh < plan.index(serve[0])


def test_a_busy_port_stops_make_up_before_the_refresh(tmp_path):
    with socket.socket() as server:  # stands in for a dashboard already serving
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        result = make("up", f"PORT={port}", data_dir=tmp_path / "data")
    assert result.returncode != 0
    assert (f"port {port} is in use — is the dashboard already running? open http://localhost:{port} "
            f"or use make up PORT={port + 1}") in result.stderr
    assert "refresh" not in result.stdout + result.stderr and not (tmp_path / "data").exists()


def test_a_free_port_passes_the_check(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert make("check-port", f"PORT={port}", data_dir=tmp_path).returncode == 0
