"""An unreadable published warehouse (truncated, garbage, a dangling link, a link to a directory) makes `hsdash status`
and `hsdash serve` say so in one sentence with what to do, exit 4, and never print a traceback."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from etl.cli import main
from etl.published import open_published, problem

HSDASH = str(Path(sys.executable).with_name("hsdash"))


def _truncate(paths, keep) -> None:
    live = paths.warehouse.resolve()
    data = live.read_bytes()
    live.write_bytes(data[:keep(len(data))])


def _garbage(paths) -> None:
    target = paths.warehouses / "not-a-database.duckdb"
    target.write_text("iso3,value\nKHM,1\n" * 500)  # SYNTHETIC: a CSV where the warehouse should be
    _relink(paths, target)


def _relink(paths, target) -> None:
    paths.warehouse.unlink()
    os.symlink(os.path.relpath(target, paths.data), paths.warehouse)


DAMAGE = {
    "truncated to half": (lambda p: _truncate(p, lambda n: n // 2), "is truncated"),
    "last block cut short": (lambda p: _truncate(p, lambda n: n - 1000), "is truncated"),
    "header only": (lambda p: _truncate(p, lambda n: 4096), "cannot be opened"),
    "empty file": (lambda p: _truncate(p, lambda n: 0), "not a DuckDB database"),
    "not a DuckDB file": (_garbage, "not a DuckDB database"),
    "dangling link": (lambda p: p.warehouse.resolve().unlink(), "which does not exist"),
    "link to a directory": (lambda p: _relink(p, p.warehouses), "which is a directory"),
}


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_status_says_what_is_wrong_and_what_to_do(fresh, case):
    damage, expected = DAMAGE[case]
    damage(fresh)
    out = CliRunner().invoke(main, ["--data-dir", str(fresh.data), "status"])
    assert out.exit_code == 4, out.output
    assert expected in out.output and "run `hsdash refresh` to rebuild it from the raw zone." in out.output
    assert len(out.output.strip().splitlines()) == 1 and "Traceback" not in out.output
    assert problem(fresh) == out.output.strip()


@pytest.mark.parametrize("case", ["truncated to half", "dangling link"])
def test_console_scripts_exit_4_without_a_traceback(fresh, case, tmp_path):
    """As a person or cron runs them: the real console script, a clean message on stderr, nothing else."""
    DAMAGE[case][0](fresh)
    status = subprocess.run([HSDASH, "--data-dir", str(fresh.data), "status"], capture_output=True, text=True,
                            timeout=120)
    assert status.returncode == 4 and status.stdout == ""
    assert "hsdash refresh" in status.stderr and "Traceback" not in status.stderr
    # serve checks before it starts Streamlit: it must exit at once (a timeout here means it started serving)
    serve = subprocess.run([HSDASH, "--data-dir", str(fresh.data), "serve", "--port", "9"], capture_output=True,
                           text=True, timeout=60)
    assert serve.returncode == 4 and serve.stderr.strip() == status.stderr.strip()


def test_a_good_warehouse_opens(built):
    """The truncation check compares the file with the blocks DuckDB reports: a sound file must pass it."""
    assert problem(built) is None
    pub = open_published(built)
    try:
        assert pub.meta["version"] and pub.file == built.warehouse.resolve()
    finally:
        pub.close()


def test_nothing_published_keeps_its_own_message(tmp_path):
    out = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "empty"), "status"])
    assert out.exit_code == 4 and out.output.strip() == (
        f"No published warehouse at {tmp_path / 'empty' / 'warehouse.duckdb'} yet: run `hsdash refresh` first.")


def test_unreadable_by_this_user_names_the_permission(fresh):
    """Root reads every file, so as root the command runs without the capabilities that bypass file modes."""
    prefix = []
    if os.geteuid() == 0:
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
        if shutil.which("setpriv") is None or subprocess.run(prefix + ["true"]).returncode != 0:
            pytest.skip("root, and setpriv cannot drop the capabilities that bypass file modes here")
    live = fresh.warehouse.resolve()
    live.chmod(0)
    try:
        out = subprocess.run(prefix + [HSDASH, "--data-dir", str(fresh.data), "status"], capture_output=True,
                             text=True, timeout=120)
    finally:
        live.chmod(0o444)
    assert out.returncode == 4 and "Traceback" not in out.stderr
    assert "cannot be read by this user (permission denied)" in out.stderr
