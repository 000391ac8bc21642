"""Helpers for the page tests (AppTest): a warehouse with every shared file imported, a page runner, and what a
reader sees of a page — the visible texts (outside the "analyst details" expanders), table headers and text cells,
widget labels and options — with the checks of staff language: no None / nan / NaN, no snake_case, no emoji.

Test modules import the ``all_imported`` fixture from here (``from pages_data import all_imported``)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from dashboard_text import shown
from streamlit.testing.v1 import AppTest

from dashboard.components import briefing_keeper

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
ONE_VINTAGE = "2026-04-09"
ONE_ARGS = ["--format", "csv", "--entity", "name", "--year", "year", "--value", "ODA (left-axis)", "--value",
            "ODA/GNI (right-axis)", "--publisher", "ONE Campaign (ODA dashboard, from OECD DAC data)",
            "--url", "https://github.com/ONEcampaign/oda-dashboard", "--vintage", ONE_VINTAGE]
OUR_PAGES = ["views/indicators.py", "views/country.py", "views/aid.py", "views/tfhs.py", "views/sources.py",
             "views/paper.py", "views/progress.py", "views/briefing.py"]

NOT_A_VALUE = re.compile(r"(?<![\w.])(None|nan|NaN|NaT|<NA>)(?![\w])")
SNAKE = re.compile(r"(?<![\w./:-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/])")
# pictographs and dingbats render as boxes where no emoji font is installed (U+2190-21FF arrows and U+2192 → are
# ordinary text; U+2600-27BF symbols/dingbats, U+1F000+ pictographs and the emoji variation selector are not)
EMOJI = re.compile("[\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\U0001f000-\U0001faff\ufe0f]")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)*\1")
_URL = re.compile(r"\S*(?:://|www\.)\S*")


@pytest.fixture(scope="session")
def all_imported(owid_imported, shared, tmp_path_factory):
    """The owid_imported warehouse plus the other shared files: the ONE Campaign's donor ODA table (its newest
    vintage) and the datahub World Bank population file, imported as `hsdash import` does."""
    from etl import config
    from etl.cli import main

    target = tmp_path_factory.mktemp("all_imported") / "data"
    shutil.copytree(owid_imported.data, target, symlinks=True, ignore=shutil.ignore_patterns("briefings"))
    one = shared / "data" / "one" / "oda_gni_ts" / ONE_VINTAGE / "oda_gni_ts.csv"
    for args in (["import", str(one), *ONE_ARGS], ["import", str(shared / "data" / "datahub" / "population")]):
        out = CliRunner().invoke(main, ["--data-dir", str(target), *args])
        assert out.exit_code in (0, 3), out.output
    return config.paths(target)


def page(data_dir: Path, monkeypatch, path: str, query: dict | None = None, timeout: int = 120) -> AppTest:
    """Open ``path`` (a view) with ``query`` as its URL's query string; no briefing cookie (nothing saved)."""
    monkeypatch.setenv("HSDASH_DATA_DIR", str(data_dir))
    monkeypatch.setattr(briefing_keeper, "cookie_id", lambda: None)
    at = AppTest.from_file(APP, default_timeout=timeout).run()
    at.switch_page(path)
    at.query_params.clear()
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


# --- what a reader sees --------------------------------------------------------------------------------------------

def _children(node):
    return list(getattr(node, "children", {}).values())


def visible_nodes(node, skip_analyst: bool = True):
    """Every element of the page, depth first, leaving out what sits in an expander whose label says it is for
    analysts (it is collapsed, and ids belong there)."""
    if type(node).__name__ == "Expander" and skip_analyst and "analyst" in (node.proto.label or "").lower():
        return
    if type(node).__name__ == "Expander" and skip_analyst and "for analysts" in (node.proto.label or "").lower():
        return
    yield node
    for child in _children(node):
        yield from visible_nodes(child, skip_analyst)


def _markdown_text(value: str) -> str:
    """Markdown as read: code spans (commands such as `hsdash import …`) and URLs dropped, escapes undone."""
    return shown(_URL.sub(" ", _CODE_SPAN.sub(" ", value)))


def page_texts(at) -> list[str]:
    """Titles, headings, markdown, captions, alerts, widget labels and options, button labels, tab labels: as read."""
    out = []
    for node in visible_nodes(at._tree):
        kind = type(node).__name__
        proto = getattr(node, "proto", None)
        if kind in ("Markdown", "Caption", "Title", "Header", "Subheader", "Divider", "Latex"):
            out.append(_markdown_text(node.value))
        elif kind in ("Info", "Warning", "Error", "Success", "Exception"):
            out.append(_markdown_text(node.value))
        elif kind in ("Selectbox", "Multiselect", "Radio", "SelectSlider"):
            out.append(_markdown_text(proto.label))
            out += [str(o) for o in node.options]
        elif kind in ("Button", "DownloadButton", "Toggle", "Checkbox", "TextInput", "Slider", "PageLink",
                      "Expander", "Tab", "NumberInput", "FileUploader"):
            label = getattr(proto, "label", "") if proto is not None else ""
            out.append(_markdown_text(label or ""))
    return [t for t in out if t]


def table_headers(frame) -> list[str]:
    """The headers a table shows: each column's configured label, else its name (the index hidden or labelled)."""
    config = json.loads(frame.proto.columns or "{}")
    value = frame.value if isinstance(frame.value, pd.DataFrame) else frame.value.data  # a Styler: its data
    out = []
    for col in value.columns:
        c = config.get(str(col), {})
        if c.get("hidden"):
            continue
        out.append(c.get("label") or str(col))
    return out


def table_cells(frame) -> list[str]:
    """Every text cell of a table (numbers are drawn with the table's placeholder when missing)."""
    value = frame.value if isinstance(frame.value, pd.DataFrame) else frame.value.data  # a Styler: its data
    return [v for col in value.columns for v in value[col] if isinstance(v, str)]


def tables(at):
    return [n for n in visible_nodes(at._tree) if type(n).__name__ == "Dataframe"]


def staff_language_problems(at) -> list[str]:
    """Everything on the page that is not staff language: None/nan shown, snake_case, emoji glyphs; tables whose
    missing numbers would show as None (no placeholder)."""
    problems = []
    texts = page_texts(at)
    for frame in tables(at):
        headers = table_headers(frame)
        cells = table_cells(frame)
        problems += [f"snake_case header {h!r}" for h in headers if SNAKE.search(h)]
        problems += [f"None-like cell {c!r}" for c in cells if NOT_A_VALUE.fullmatch(c.strip())]
        value = frame.value.data if not isinstance(frame.value, pd.DataFrame) else frame.value
        if value.isna().to_numpy().any() and not frame.proto.placeholder:
            problems.append(f"table {headers[:3]} has missing values and no placeholder")
        texts += headers + [c for c in cells if len(c) < 200]
    for text in texts:
        if NOT_A_VALUE.search(text):
            problems.append(f"None/nan in {text[:120]!r}")
        if EMOJI.search(text):
            problems.append(f"emoji in {text[:120]!r}")
        if SNAKE.search(text):
            problems.append(f"snake_case {SNAKE.search(text)[0]!r} in {text[:120]!r}")
    for node in visible_nodes(at._tree):
        icon = getattr(getattr(node, "proto", None), "icon", "") or ""
        if icon and not icon.startswith(":material/"):
            problems.append(f"{type(node).__name__} icon {icon!r} is not a material icon")
    return problems
