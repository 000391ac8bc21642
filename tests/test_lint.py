"""ruff on the whole tree (issue 12's guard rails): the rules in pyproject.toml's [tool.ruff] hold everywhere, and the
check itself catches a deliberately bad module (so a broken configuration cannot pass silently)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _ruff(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    exe = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if exe is None:
        pytest.skip("ruff is not installed (it is a test extra: pip install -e '.[test]')")
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_the_whole_tree_passes_ruff():
    result = _ruff("check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_ruff_catches_a_deliberately_bad_module(tmp_path):
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "etl").mkdir()
    (tmp_path / "etl" / "bad.py").write_text('"""Bad on purpose."""\nimport os\n\n\ndef f():\n    return undefined\n')
    result = _ruff("check", "--no-cache", "--output-format", "concise", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert "F401" in result.stdout and "F821" in result.stdout
