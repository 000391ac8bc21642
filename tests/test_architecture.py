"""The layers, as import-linter contracts (.importlinter): etl never imports the user interface or the dashboard;
the dashboard never talks HTTP, not even through etl (transitive); schemas imports no other layer; dashboard above
etl above schemas; no import cycles inside etl or dashboard. Plus: every module opens with a docstring."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(root: Path) -> subprocess.CompletedProcess:
    """Run import-linter on the packages under ``root`` (its own .importlinter), in a clean subprocess."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT), "--config", str(root / ".importlinter"), "--no-cache"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory) -> Path:
    """A copy of the three packages and the contracts, so a test can add a bad module without touching the repo."""
    root = tmp_path_factory.mktemp("tree")
    for pkg in ("etl", "dashboard", "schemas"):
        shutil.copytree(REPO / pkg, root / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / ".importlinter", root / ".importlinter")
    return root


def test_the_tree_keeps_every_contract():
    out = lint(REPO)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "BROKEN" not in out.stdout and "KEPT" in out.stdout


@pytest.mark.parametrize("path, source, broken", [
    ("dashboard/bad_http.py", '"""Bad."""\nfrom etl import http\n', "dashboard never talks HTTP"),
    ("dashboard/bad_lazy.py", '"""Bad."""\n\n\ndef f():\n    import requests\n    return requests\n', "dashboard never talks HTTP"),
    ("etl/bad_ui.py", '"""Bad."""\nimport plotly.express as px\n', "etl never imports the user interface"),
    ("etl/bad_layer.py", '"""Bad."""\nfrom dashboard import data\n', "layers"),
    ("schemas/bad_db.py", '"""Bad."""\nimport duckdb\n', "schemas imports neither"),
    ("etl/bad_cycle_a.py", '"""Bad."""\nfrom etl import bad_cycle_b\n', "no import cycles between the modules of etl"),
])
def test_a_deliberately_bad_module_breaks_a_contract(tree_copy, path, source, broken):
    target = tree_copy / path
    target.write_text(source, encoding="utf-8")
    extra = tree_copy / "etl/bad_cycle_b.py"
    if "cycle" in path:
        extra.write_text('"""Bad."""\nfrom etl import bad_cycle_a\n', encoding="utf-8")
    try:
        out = lint(tree_copy)
    finally:
        target.unlink()
        extra.unlink(missing_ok=True)
    assert out.returncode != 0
    broken_section = out.stdout.split("Broken contracts", 1)[-1]
    assert broken in broken_section, out.stdout


def test_every_module_opens_with_a_docstring():
    missing = [
        str(p.relative_to(REPO))
        for pkg in ("etl", "schemas", "dashboard")
        for p in (REPO / pkg).rglob("*.py")
        if not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))
    ]
    assert missing == []
