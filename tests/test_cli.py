"""The hsdash CLI as a user runs it: help with examples, refresh exit codes, status listing sources with rows."""

import json
import os
import subprocess
import sys

import click
from click.testing import CliRunner

from etl.cli import main


def test_help_has_examples_for_every_command():
    runner = CliRunner()
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0
    commands = main.list_commands(click.Context(main))
    assert {"refresh", "status", "serve", "schedule", "import", "progress", "export", "indicators"} <= set(commands)
    for command in commands:
        assert command in top.output, command
        out = runner.invoke(main, [command, "--help"])
        assert out.exit_code == 0 and "Example" in out.output and f"hsdash {command}" in out.output, command


def test_status_lists_sources_with_row_counts(built):
    out = CliRunner().invoke(main, ["--data-dir", str(built.data), "status", "--json"])
    assert out.exit_code == 0, out.output
    status = json.loads(out.output)
    by_id = {s["source_id"]: s for s in status["sources"]}
    assert by_id["paper"]["rows"] == 53 + 17 + 6 and by_id["paper"]["status"] == "ok"
    assert by_id["gapminder"]["rows"] > 4000
    assert status["version"] and status["reference"]["countries"] > 200


def test_refresh_rejects_unknown_source(built):
    out = CliRunner().invoke(main, ["--data-dir", str(built.data), "refresh", "--source", "nope"])
    assert out.exit_code == 2 and "unknown source" in out.output


def test_console_script_runs_without_a_terminal(built):
    """As cron runs it: no TTY, plain text, documented exit code."""
    exe = os.path.join(os.path.dirname(sys.executable), "hsdash")
    proc = subprocess.run([exe, "--data-dir", str(built.data), "status"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b[" not in proc.stdout and "paper" in proc.stdout


def test_schedule_prints_installable_lines_for_this_installation(tmp_path):
    runner = CliRunner()
    cron = runner.invoke(main, ["--data-dir", str(tmp_path / "d"), "schedule", "--print", "cron", "--at", "04:05"])
    assert cron.exit_code == 0
    line = [ln for ln in cron.output.splitlines() if not ln.startswith(("#", "SHELL"))][0]
    fields = line.split()
    assert fields[:5] == ["5", "4", "*", "*", "*"]
    exe = os.path.join(os.path.dirname(sys.executable), "hsdash")
    assert exe in line and f"HSDASH_DATA_DIR={tmp_path / 'd'}" in line and os.path.isabs(exe)
    unit = runner.invoke(main, ["--data-dir", str(tmp_path / "d"), "schedule", "--print", "systemd"])
    assert unit.exit_code == 0 and f"ExecStart={exe} refresh" in unit.output
    assert "SuccessExitStatus=3 5" in unit.output and "OnCalendar=*-*-* 03:17:00" in unit.output
    bad = runner.invoke(main, ["schedule", "--print", "cron", "--at", "25:00"])
    assert bad.exit_code == 2


def test_refresh_output_is_plain_when_not_a_terminal(built, tmp_path):
    import shutil

    target = tmp_path / "data"
    shutil.copytree(built.data, target, symlinks=True)
    exe = os.path.join(os.path.dirname(sys.executable), "hsdash")
    proc = subprocess.run([exe, "--data-dir", str(target), "refresh", "--offline", "--source", "paper"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "\x1b[" not in proc.stdout and "paper: ok" in proc.stdout
    assert list((target / "logs").glob("refresh-*.log"))
