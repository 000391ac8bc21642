"""The layers: etl never imports streamlit/plotly; dashboard never talks HTTP; schemas imports none of them."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RULES = {
    "etl": {"streamlit", "plotly", "kaleido"},
    "dashboard": {"requests", "urllib3", "urllib", "http", "httpx", "aiohttp", "socket", "etl.http"},
    "schemas": {"streamlit", "plotly", "requests", "urllib3", "duckdb", "etl", "dashboard"},
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def violations(package: str) -> list[str]:
    banned = RULES[package]
    found = []
    for path in sorted((REPO / package).rglob("*.py")):
        for name in imports_of(path):
            if any(name == b or name.startswith(b + ".") for b in banned):
                found.append(f"{path.relative_to(REPO)} imports {name}")
    return found


@pytest.mark.parametrize("package", sorted(RULES))
def test_layer_rules(package):
    assert violations(package) == []


def test_checker_catches_a_violation(tmp_path, monkeypatch):
    """The scan itself works: a module importing a banned package is reported."""
    fake = tmp_path / "etl"
    fake.mkdir()
    (fake / "bad.py").write_text("import plotly.express as px\nfrom streamlit import cache_data\n")
    monkeypatch.setattr(__import__(__name__), "REPO", tmp_path)
    assert sorted(violations("etl")) == ["etl/bad.py imports plotly.express", "etl/bad.py imports streamlit"]


def test_every_module_opens_with_a_docstring():
    missing = [
        str(p.relative_to(REPO))
        for pkg in ("etl", "schemas", "dashboard")
        for p in (REPO / pkg).rglob("*.py")
        if not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))
    ]
    assert missing == []
