"""Issue 12: every CSV and XLSX the product writes goes through ONE neutraliser (``etl.writers``).

Two halves. The source tree: no module but ``etl/writers.py`` uses a CSV/XLSX writing primitive, and the modules
that hand out tables through it are exactly the writers walked below (a new writer makes this test fail until it is
added here). The behaviour: each of those writers — the export panel's CSV and XLSX, Compare's "Download CSV",
the Progress page's CSV (both in AppTest, the bytes taken from the download buttons), ``hsdash export --format
csv|xlsx`` and ``hsdash progress --format csv`` — is fed the hostile-labelled warehouse (``hostile_data``: formula
text in country, group and indicator names, flags, publisher and citation) and every cell it writes is checked:
no text cell starts a formula, the hostile labels arrive with the apostrophe, and numbers stay numbers.
(Briefing packs write PowerPoint and PDF, no table; their text is covered by test_safe_text.py.)
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from etl import writers
from etl.cli import main
from hostile_data import COUNTRIES, DDE, FORMULA, hostile  # noqa: F401  (fixture)

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "dashboard" / "app.py")
PRODUCT = ("etl", "dashboard", "schemas", "scripts")
PRIMITIVE = re.compile(r"(?<!\btables)\.to_csv\(|\.to_excel\(|csv\.writer\(|csv\.DictWriter\(|\bWorkbook\("
                       r"|load_workbook|xlsxwriter|ExcelWriter|openpyxl\.writer")
THE_WRITER = "etl/writers.py"
NOT_OUTPUTS = {  # writes CSV, but no table handed to people: the committed reference data the build reads back
    "scripts/build_reference.py": "generator of data/raw/reference/*.csv (inputs; neutralising would alter them)",
}
CALL = re.compile(r"\bto_csv_bytes\(|\bto_xlsx_bytes\(|\btables\.to_csv\(|\btables\.to_xlsx\(")
WRITERS = {  # module → what the behavioural tests below feed
    "dashboard/export/tables.py": "export panel / hsdash export: CSV and XLSX (+ metadata sheet)",
    "dashboard/export/__init__.py": "chart_bytes: hsdash export --format csv|xlsx",
    "dashboard/components/export_panel.py": "the export panel's CSV and XLSX buttons",
    "dashboard/views/compare.py": "Compare: Download CSV (exactly what is shown)",
    "dashboard/views/progress.py": "Progress: Download as CSV",
    "etl/progress_cli.py": "hsdash progress --format csv",
    "etl/indicators_cli.py": "hsdash indicators --format csv",
}
QUERY = {"ind": "SP.DYN.LE00.IN", "c": ",".join(COUNTRIES), "g": "asean", "time": "1990..2007", "view": "line"}


def _product_files():
    for top in PRODUCT:
        for path in sorted((REPO / top).rglob("*.py")):
            yield path.relative_to(REPO).as_posix(), path.read_text(encoding="utf-8")


def test_one_module_writes_csv_and_xlsx():
    users = {rel for rel, text in _product_files() if PRIMITIVE.search(text)}
    assert users - set(NOT_OUTPUTS) == {THE_WRITER}


def test_the_writers_walked_here_are_all_the_writers():
    callers = {rel for rel, text in _product_files() if CALL.search(text)} - {THE_WRITER, *NOT_OUTPUTS}
    assert callers == set(WRITERS)


def test_the_scans_catch_a_writer(tmp_path, monkeypatch):
    """The two scans above see a new module that writes a CSV itself or through the writers."""
    (tmp_path / "dashboard").mkdir()
    (tmp_path / "dashboard" / "new_page.py").write_text("st.download_button('x', frame.to_csv(index=False))\n")
    (tmp_path / "etl").mkdir()
    (tmp_path / "etl" / "new_cli.py").write_text("click.echo(writers.to_csv_bytes(frame))\n")
    monkeypatch.setattr(__import__(__name__), "REPO", tmp_path)
    monkeypatch.setattr(__import__(__name__), "PRODUCT", ("etl", "dashboard"))
    assert {rel for rel, text in _product_files() if PRIMITIVE.search(text)} == {"dashboard/new_page.py"}
    assert {rel for rel, text in _product_files() if CALL.search(text)} == {"etl/new_cli.py"}


# --- the checks every output must pass -------------------------------------------------------------------------------

def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def check_csv(raw: bytes, hostile_labels: tuple[str, ...]) -> list[list[str]]:
    """Every cell of a CSV: numbers, or text that starts no formula; each hostile label present, neutralised."""
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) > 1
    cells = [c for row in rows for c in row]
    starts_formula = [c for c in cells if c.startswith(writers.FORMULA_START) and not _is_number(c)]
    assert starts_formula == []
    for label in hostile_labels:
        assert any(c.startswith("'" + label) for c in cells), label
    return rows


def check_xlsx(raw: bytes, hostile_labels: tuple[str, ...]) -> None:
    wb = load_workbook(io.BytesIO(raw))
    cells = [c for sheet in wb.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []  # nothing a spreadsheet would run
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert [t for t in texts if t.startswith(writers.FORMULA_START)] == []
    for label in hostile_labels:
        assert any(t.startswith("'" + label) for t in texts), label
    values = [c.value for c in wb["data"]["F"][1:]]  # column F: value
    assert wb["data"]["F1"].value == "value" and all(isinstance(v, float) for v in values if v is not None)


def test_the_writers_themselves_keep_negative_numbers():
    frame = pd.DataFrame({"name": [FORMULA, "-0.5", "ok"], "value": [-0.5, -1e-9, 2.0],
                          "mixed": [-0.5, "=1+1", None]})  # SYNTHETIC
    back = pd.read_csv(io.BytesIO(writers.to_csv_bytes(frame)), encoding="utf-8-sig")
    assert list(back["name"]) == ["'" + FORMULA, "'-0.5", "ok"] and list(back["value"]) == [-0.5, -1e-9, 2.0]
    assert list(back["mixed"][:2]) == ["-0.5", "'=1+1"]  # a number inside a text column stays a number
    sheet = load_workbook(io.BytesIO(writers.to_xlsx_bytes({"data": frame})))["data"]
    assert [sheet.cell(r, 2).value for r in (2, 3, 4)] == [-0.5, -1e-9, 2.0] and sheet.cell(2, 3).value == -0.5
    assert sheet.cell(3, 3).value == "'=1+1" and sheet.cell(3, 3).data_type == "s"
    assert writers.to_csv_bytes(frame, bom=False).startswith(b"name,value,mixed\r\n")


# --- the dashboard's buttons (AppTest; the bytes each download button hands over) ------------------------------------

class _Recording(MediaFileManager):
    """Streamlit's own media file manager, remembered so the test can read what a download button serves."""
    made: list[MediaFileManager] = []

    def __init__(self, storage):
        super().__init__(storage)
        _Recording.made.append(self)


def _served(at: AppTest, label: str) -> bytes:
    button = next(b for b in at.get("download_button") if b.label == label)
    manager = _Recording.made[-1]
    if button.proto.deferred_file_id:  # made on click: run the callable the button registered
        data = manager._deferred_callables[button.proto.deferred_file_id]["callable"]()  # noqa: SLF001
    else:
        data = manager._storage.get_file(button.proto.url.rsplit("/", 1)[-1]).content  # noqa: SLF001
    return data if isinstance(data, bytes) else data.encode("utf-8")


@pytest.fixture()
def app(hostile, monkeypatch):  # noqa: F811
    monkeypatch.setattr("streamlit.testing.v1.app_test.MediaFileManager", _Recording)
    monkeypatch.setenv("HSDASH_DATA_DIR", str(hostile.data))
    monkeypatch.setenv("HSDASH_CHROMIUM", "off")
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in QUERY.items():
        at.query_params[k] = v
    return at


def test_compare_page_and_export_panel_downloads(app):
    at = app.run()
    assert not at.exception, at.exception
    shown = check_csv(_served(at, "Download CSV (exactly what is shown)"), (FORMULA, DDE, "-2+3 "))
    panel = check_csv(_served(at, "CSV"), (FORMULA, DDE, "-2+3 "))
    assert shown == panel  # the same rows, the same neutralised cells
    header, rows = shown[0], shown[1:]
    values = [float(r[header.index("value")]) for r in rows if r[header.index("value")]]
    assert len(values) > 20 and all(40 < v < 90 for v in values)  # life expectancy, numbers intact
    check_xlsx(_served(at, "XLSX"), (FORMULA, DDE, "-2+3 "))  # names; the flag that starts with "-"


def test_progress_page_download(app):
    at = app.run()
    at.switch_page("views/progress.py").run()
    assert not at.exception, at.exception
    rows = check_csv(_served(at, "Download as CSV"), ())
    header = rows[0]
    names = [r[header.index("name")] for r in rows[1:]]
    assert any(n.startswith("'" + FORMULA) for n in names) or any(n.startswith("'" + DDE) for n in names), names


# --- the command line ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_hsdash_export_tables(hostile, tmp_path, fmt):  # noqa: F811
    out = tmp_path / f"life.{fmt}"
    result = CliRunner().invoke(main, ["--data-dir", str(hostile.data), "export", "--indicator", "SP.DYN.LE00.IN",
                                       "--group", "asean", *sum((["--country", c] for c in COUNTRIES), []),
                                       "--from", "1990", "--to", "2007", "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    if fmt == "csv":
        check_csv(out.read_bytes(), (FORMULA, DDE, "-2+3 "))
    else:
        check_xlsx(out.read_bytes(), (FORMULA, DDE, "-2+3 "))


def test_hsdash_progress_csv(hostile):  # noqa: F811
    result = CliRunner().invoke(main, ["--data-dir", str(hostile.data), "progress", "--group", "asean", "--target",
                                       "sdg-3.2", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = check_csv(result.output.encode("utf-8"), (FORMULA, DDE))
    assert not result.output.startswith("\ufeff")  # a stream: no byte-order mark
    header = rows[0]
    assert {"name", "band", "ratio", "required_rate"} <= set(header)


def test_hsdash_indicators_csv(hostile):  # noqa: F811
    result = CliRunner().invoke(main, ["--data-dir", str(hostile.data), "indicators", "life expectancy", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = check_csv(result.output.encode("utf-8"), ())
    header = rows[0]
    assert rows[1][header.index("unit")].startswith("<a href")  # markup is just text in a CSV …
    assert "years" in rows[1][header.index("unit")] and int(rows[1][header.index("countries")]) > 100
