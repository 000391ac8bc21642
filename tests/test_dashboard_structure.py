"""The dashboard's structure (issue 13): the router declares every page with its own url_path, no private Streamlit
API, one data module of typed functions the pages call directly (no string dispatch), and no import cycle among the
dashboard's modules, lazy imports inside functions included."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from dashboard import data

REPO = Path(__file__).resolve().parents[1]
DASHBOARD = REPO / "dashboard"


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The dashboard modules ``path`` imports, at the top or inside a function (``from pkg import sub``: the module
    ``pkg.sub``; ``from mod import name``: ``mod``)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = {f"{node.module}.{a.name}" for a in node.names} & modules
            out |= subs
            if len(subs) < len(node.names):
                out.add(node.module)
    return out & modules


def import_graph(root: Path = DASHBOARD) -> dict[str, set[str]]:
    paths = {_module_name(p): p for p in root.rglob("*.py")}
    return {name: _imports(path, set(paths)) - {name} for name, path in paths.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_no_import_cycle_in_the_dashboard():
    graph = import_graph()
    assert "dashboard.queries" in graph["dashboard.chart_data"]  # chart_data composes the queries …
    assert not graph["dashboard.queries"] & {"dashboard.chart_data", "dashboard.data"}  # … never the other way
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle(tmp_path, monkeypatch):
    pkg = tmp_path / "dashboard"
    pkg.mkdir()
    (pkg / "a.py").write_text('"""a"""\nfrom dashboard import b\n')
    (pkg / "b.py").write_text('"""b"""\ndef f():\n    from dashboard.a import x\n')
    monkeypatch.setattr(__import__(__name__), "REPO", tmp_path)
    assert cycles(import_graph(pkg)) == [["dashboard.a", "dashboard.b", "dashboard.a"]]


def test_the_router_gives_every_page_its_own_url_path_and_uses_no_private_api():
    tree = ast.parse((DASHBOARD / "app.py").read_text(encoding="utf-8"))
    pages = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "Page"]
    files = {}
    for call in pages:
        kw = {k.arg: k.value for k in call.keywords}
        assert "url_path" in kw, ast.unparse(call)
        if isinstance(call.args[0], ast.Constant):
            files[kw["url_path"].value] = call.args[0].value
    views = sorted(p.name for p in (DASHBOARD / "views").glob("*.py") if p.stem != "__init__" and "_url" not in p.stem)
    assert sorted(Path(f).name for f in files.values()) == views  # every view is routed …
    assert all(Path(f).stem == path for path, f in files.items())  # … at /<its name>
    assert not (DASHBOARD / "pages").exists()  # a pages/ folder would switch Streamlit's old multipage mode back on
    source = "\n".join(p.read_text(encoding="utf-8") for p in DASHBOARD.rglob("*.py"))
    assert "PagesManager" not in source and "pages_manager" not in source


def test_pages_call_typed_data_functions_that_exist():
    assert not hasattr(data, "load")  # no string dispatch
    called = set()
    for path in (DASHBOARD / "views").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "data"):
                called.add(node.func.attr)
    assert {"indicator_catalogue", "chart_bundle", "progress_matrix", "run_log"} <= called
    for name in sorted(called):
        fn = getattr(data, name)
        assert callable(fn), name
        assert "con" not in inspect.signature(fn).parameters, name  # the connection is data.py's business


@pytest.mark.parametrize("name, params", [("indicator_catalogue", []), ("chart_bundle", ["spec"]),
                                          ("progress_matrix", ["group_id", "target_ids"]),
                                          ("quarantine_rows", ["source_id", "table", "reason", "limit"])])
def test_data_functions_keep_the_querys_signature_and_doc(name, params):
    fn = getattr(data, name)
    assert list(inspect.signature(fn).parameters) == params
    assert fn.__doc__ or name == "quarantine_rows"
