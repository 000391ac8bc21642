"""CSV and XLSX downloads: exactly the chart's rows, a metadata sheet, and no spreadsheet formula injection."""

from __future__ import annotations

import io
import math

import duckdb
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from dashboard.chart_data import chart_frame
from dashboard.export import load_chart, tables
from dashboard.export.meta import Chart, ChartMeta
from dashboard.figures.spec import ChartSpec
from etl import writers

LINE = ChartSpec("SP.DYN.LE00.IN", countries=("THA", "VNM"), groups=("asean",), year_from=1960, year_to=2007)
BAR = ChartSpec("GAPMINDER.GDPPERCAP", countries=("CHN",), groups=("asean_plus_3",), year_from=1990, year_to=2007,
                kind="bar", year=2007)


@pytest.fixture(scope="module")
def charts(built):
    con = duckdb.connect(str(built.warehouse.resolve()), read_only=True)
    yield {"line": load_chart(con, LINE), "bar": load_chart(con, BAR), "con": con}
    con.close()


def _same(expected, got, rel: float = 0.0) -> bool:
    """One cell: missing ↔ empty, numbers equal (to ``rel``), everything else as text."""
    if expected is None or (isinstance(expected, float) and math.isnan(expected)) or expected is pd.NA:
        return got is None or (isinstance(got, float) and math.isnan(got))
    if isinstance(expected, (bool, np.bool_)):
        return got == bool(expected)
    if isinstance(expected, (int, float, np.integer, np.floating)):
        return math.isclose(float(got), float(expected), rel_tol=rel, abs_tol=0.0)
    return str(got) == str(expected)


def _assert_rows_equal(frame: pd.DataFrame, header: list, rows: list[list], rel: float = 0.0) -> None:
    assert header == list(frame.columns)
    assert len(rows) == len(frame)
    for i, (record, row) in enumerate(zip(frame.itertuples(index=False, name=None), rows)):
        for col, expected, got in zip(frame.columns, record, row):
            assert _same(expected, got, rel), (i, col, expected, got)


@pytest.mark.parametrize("kind", ["line", "bar"])
def test_xlsx_data_sheet_reads_back_equal_to_the_chart_data(charts, kind):
    chart = charts[kind]
    assert len(chart.frame) > 3 and (chart.frame["series_kind"] == "group").any()
    # the rows are exactly what chart_frame gives for the chart's spec (same filters)
    pd.testing.assert_frame_equal(chart.frame, chart_frame(charts["con"], chart.spec))
    wb = load_workbook(io.BytesIO(tables.to_xlsx(chart)))
    assert wb.sheetnames == ["data", "metadata"]
    values = list(wb["data"].iter_rows(values_only=True))
    # XLSX stores numbers with 16 significant digits (openpyxl's "%.16g"; Excel shows 15): equal to that precision
    _assert_rows_equal(chart.frame, list(values[0]), [list(r) for r in values[1:]], rel=1e-15)


def test_xlsx_metadata_sheet_has_definitions_sources_licences_and_vintage(charts):
    chart = charts["line"]
    wb = load_workbook(io.BytesIO(tables.to_xlsx(chart)))
    cells = [c for row in wb["metadata"].iter_rows(values_only=True) for c in row if c is not None]
    text = "\n".join(map(str, cells))
    definition = chart.meta.definitions[0]
    assert definition["indicator_code"] == "SP.DYN.LE00.IN" and definition["description"] in text
    source = chart.meta.sources[0]
    assert source["source_id"] == "gapminder"
    for field in ("publisher", "licence", "vintage", "url", "citation"):
        assert source[field] and source[field] in text, field
    assert "CC BY 4.0" in text and source["retrieved_at"] in text
    assert "Definitions" in cells and "Sources" in cells and "Columns" in cells
    assert "population-weighted" in text and chart.spec.coverage in text  # how group values are formed, coverage
    assert "Generated" in text and chart.meta.warehouse_version in text


def test_csv_reads_back_equal_to_the_chart_data(charts):
    chart = charts["line"]
    raw = tables.to_csv(chart.frame)
    assert raw.startswith("\ufeff".encode())  # BOM: Excel reads accents right
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", keep_default_na=True)
    _assert_rows_equal(chart.frame, list(back.columns),
                       [[None if (isinstance(v, float) and math.isnan(v)) else v for v in r]
                        for r in back.itertuples(index=False, name=None)])


# --- formula injection (synthetic rows, made here) ---------------------------------------------------------------

def _synthetic() -> pd.DataFrame:
    """Synthetic test data: text cells crafted to look like formulas, next to negative numbers."""
    return pd.DataFrame({
        "name": ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1:A2)", "\tTAB", "\rCR",
                 "Viet Nam", "Côte d'Ivoire"],
        "value": [-1.5, -2.0, 3.25, 0.0, -0.001, 7.0, -12.0, float("nan")],
        "year": [2000, 2001, 2002, 2003, 2004, 2005, 2006, 2007],
        "flag": [None, "-low coverage", "=1", None, None, None, "ok", None],
    })


def test_neutralise_touches_text_only():
    assert writers.neutralise("=1+1") == "'=1+1"
    for bad in ("+1", "-1", "@x", "\tx", "\rx", "\nx", "\0x", "＝1+1", "＋1", "－1", "＠SUM(A1)"):
        assert writers.neutralise(bad) == "'" + bad
    assert writers.neutralise("Viet Nam") == "Viet Nam" and writers.neutralise("") == ""
    assert writers.neutralise(-3.5) == -3.5 and writers.neutralise(-7) == -7 and writers.neutralise(None) is None


def test_csv_neutralises_formula_text_but_keeps_negative_numbers():
    frame = _synthetic()
    back = pd.read_csv(io.BytesIO(tables.to_csv(frame)), encoding="utf-8-sig")
    assert list(back["name"][:6]) == ["'" + s for s in frame["name"][:6]]
    assert list(back["name"][6:]) == ["Viet Nam", "Côte d'Ivoire"]
    assert back["flag"][1] == "'-low coverage" and back["flag"][2] == "'=1" and back["flag"][6] == "ok"
    assert back["value"].dtype.kind == "f"
    np.testing.assert_array_equal(back["value"].to_numpy(), frame["value"].to_numpy())
    text = [v for col in ("name", "flag") for v in back[col] if isinstance(v, str)]
    assert len(text) == 11 and not any(v.startswith(writers.FORMULA_START) for v in text)


def test_xlsx_writes_no_formula_and_keeps_negative_numbers():
    frame = _synthetic()
    chart = Chart(ChartSpec("SYNTHETIC.TEST", countries=("THA",), year_from=2000, year_to=2007), frame, ChartMeta())
    wb = load_workbook(io.BytesIO(tables.to_xlsx(chart)))
    sheet = wb["data"]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # nothing Excel would run
    names = [sheet.cell(r, 1).value for r in range(2, 10)]
    assert names[:6] == ["'" + s for s in frame["name"][:6]] and names[6] == "Viet Nam"
    numbers = [sheet.cell(r, 2).value for r in range(2, 10)]
    assert numbers[:7] == [-1.5, -2.0, 3.25, 0.0, -0.001, 7.0, -12.0] and numbers[7] is None
    assert all(sheet.cell(r, 2).data_type == "n" for r in range(2, 9))
    assert sheet.cell(3, 4).value == "'-low coverage"
    # metadata text from outside (an imported file's citation, say) is neutralised too
    hostile = Chart(chart.spec, frame, ChartMeta(sources=({"source_id": "s", "publisher": "=cmd|'/c calc'!A1",
                                                          "title": "t", "url": "", "licence": "", "citation": "",
                                                          "vintage": "", "retrieved_at": ""},)))
    meta_cells = [c for row in load_workbook(io.BytesIO(tables.to_xlsx(hostile)))["metadata"].iter_rows()
                  for c in row]
    assert not [c.coordinate for c in meta_cells if c.data_type == "f"]
    assert "'=cmd|'/c calc'!A1" in [c.value for c in meta_cells]
