"""Commands import only what they use: `hsdash status` and `hsdash --help` load neither pandas, pandera, plotly nor
streamlit; the entry-point commands are listed from a short-help table and imported only when invoked."""

import importlib.metadata
import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from etl import cli
from etl.cli import ENTRY_POINT_GROUP, PLUGIN_HELP, main

HEAVY = ("pandas", "pandera", "plotly", "streamlit")


# What the console script runs, plus a hook that writes the names in sys.modules when the process exits.
WRAPPER = """
import atexit, json, sys
path = sys.argv[1]
atexit.register(lambda: open(path, "w").write(json.dumps(sorted(sys.modules))))
from etl.cli import main
main(args=sys.argv[2:], prog_name="hsdash")
"""


def imported_modules(tmp_path, *args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run ``hsdash ARGS`` in a fresh interpreter and return it with every module it imported."""
    out = tmp_path / "modules.json"
    proc = subprocess.run([sys.executable, "-c", WRAPPER, str(out), *args], capture_output=True, text=True, timeout=120)
    return proc, set(json.loads(out.read_text()))


def heavy_in(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def test_status_imports_no_pandas_pandera_plotly_or_streamlit(fresh, tmp_path):
    from etl.status import sidecar_path

    sidecar_path(fresh.warehouse.resolve()).unlink()  # no summary beside the file: status reads the warehouse
    proc, modules = imported_modules(tmp_path, "--data-dir", str(fresh.data), "status")
    assert proc.returncode == 0 and "paper" in proc.stdout, proc.stderr[-2000:]
    assert "duckdb" in modules and "etl.status" in modules  # the parse works: it did see the real imports
    assert heavy_in(modules) == []


def test_status_reads_the_builds_summary_without_duckdb_and_says_the_same(fresh, tmp_path):
    from etl.status import sidecar_path

    proc, modules = imported_modules(tmp_path, "--data-dir", str(fresh.data), "status", "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "etl.status" in modules and "duckdb" not in modules and heavy_in(modules) == []
    side = sidecar_path(fresh.warehouse.resolve())
    side.rename(side.with_suffix(".off"))
    again, modules = imported_modules(tmp_path, "--data-dir", str(fresh.data), "status", "--json")
    assert "duckdb" in modules
    assert json.loads(again.stdout) == json.loads(proc.stdout)


def test_a_truncated_warehouse_is_not_vouched_for_by_its_summary(fresh, tmp_path):
    file = fresh.warehouse.resolve()
    with open(file, "r+b") as fh:
        fh.truncate(file.stat().st_size // 2)
    proc, modules = imported_modules(tmp_path, "--data-dir", str(fresh.data), "status")
    assert proc.returncode == 4 and "duckdb" in modules  # the size no longer matches: the file itself was checked
    assert "truncated" in proc.stderr or "cannot" in proc.stderr, proc.stderr


def test_status_with_nothing_published_does_not_even_import_duckdb(tmp_path):
    """Importing duckdb is most of a quick command's start-up; with nothing to open, status needs none of it."""
    proc, modules = imported_modules(tmp_path, "--data-dir", str(tmp_path / "empty"), "status")
    assert proc.returncode == 4 and "No published warehouse" in proc.stderr
    assert "etl.status" in modules and "duckdb" not in modules and heavy_in(modules) == []


def test_help_lists_every_command_without_importing_them(tmp_path):
    proc, modules = imported_modules(tmp_path, "--help")
    assert proc.returncode == 0
    for name in ("export", "import", "indicators", "progress", "refresh", "serve", "status"):
        assert f"  {name} " in proc.stdout, name
    assert heavy_in(modules) == [] and "dashboard.export_cli" not in modules and "etl.import_cli" not in modules


def test_a_plugin_command_still_imports_what_it_needs(tmp_path):
    proc, modules = imported_modules(tmp_path, "progress", "--help")
    assert proc.returncode == 0 and "hsdash progress" in proc.stdout
    assert "etl.progress_cli" in modules


def test_short_help_table_matches_the_entry_points_and_their_commands():
    declared = {ep.name: ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    assert set(declared) == set(PLUGIN_HELP)
    for name, ep in declared.items():
        command = ep.load()
        for limit in (45, 80, 10_000):
            assert command.get_short_help_str(limit) == click.Command(name, help=PLUGIN_HELP[name]).get_short_help_str(limit), name


def test_exit_code_matches_the_refresh_contract():
    from etl.refresh import EXIT_FAILED

    assert cli.EXIT_FAILED == EXIT_FAILED


def test_a_plugin_that_fails_to_import_says_why_and_the_rest_still_works(monkeypatch, built):
    broken = importlib.metadata.EntryPoint(name="broken", value="hsdash_no_such_module:cmd", group=ENTRY_POINT_GROUP)
    real = main._entry_points()
    monkeypatch.setattr(type(main), "_entry_points", lambda self: {**real, "broken": broken})
    runner = CliRunner()
    try:
        out = runner.invoke(main, ["broken", "x"])
        assert out.exit_code == 1 and "hsdash broken is unavailable: ModuleNotFoundError" in out.output
        assert runner.invoke(main, ["--data-dir", str(built.data), "status"]).exit_code == 0
    finally:
        main.commands.pop("broken", None)  # the group caches what it resolved


def test_unknown_command_is_a_usage_error():
    out = CliRunner().invoke(main, ["no-such-command"])
    assert out.exit_code == 2 and "No such command" in out.output


@pytest.mark.parametrize("address, warned", [("localhost", False), ("127.0.0.1", False), ("::1", False),
                                             ("0.0.0.0", True), ("10.1.2.3", True), ("dash.example", True)])
def test_serve_warns_when_listening_beyond_loopback_without_access_control(tmp_path, address, warned):
    env = {"HSDASH_AUTH_HEADER": "", "HSDASH_ALLOWED_USERS": ""}
    out = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "none"), "serve", "--address", address], env=env)
    assert out.exit_code == 4 and "No published warehouse" in out.output  # stops before starting anything
    assert ("WARNING: serving on" in out.output) is warned


def test_serve_with_access_control_notes_the_trusted_header_instead(tmp_path):
    env = {"HSDASH_AUTH_HEADER": "X-Forwarded-User", "HSDASH_ALLOWED_USERS": ""}
    out = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "none"), "serve", "--address", "0.0.0.0"], env=env)
    assert out.exit_code == 4 and "WARNING" not in out.output and "trusts the X-Forwarded-User header" in out.output


def test_serve_refuses_contradictory_access_settings(tmp_path):
    env = {"HSDASH_AUTH_HEADER": "", "HSDASH_ALLOWED_USERS": "alice"}
    out = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "none"), "serve"], env=env)
    assert out.exit_code == 2 and "HSDASH_ALLOWED_USERS is set but HSDASH_AUTH_HEADER is not" in out.output
