"""Data downloads: CSV and XLSX of exactly the rows behind a chart, the XLSX with a ``metadata`` sheet.

The rows are ``Chart.frame`` (``dashboard.chart_data.chart_frame`` for the chart's spec) unchanged except for one
thing: text cells that a spreadsheet would run as a formula get a leading apostrophe — written by
``etl.writers`` (``to_csv_bytes`` / ``to_xlsx_bytes``), the one neutraliser every CSV and XLSX of the product goes
through. Only text is touched: numbers, negative ones included, stay numbers. The ``metadata`` sheet holds what
the chart's footer says and more:
definitions, sources with licence, vintage, retrieval date and citation, caveats, and what each column means.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from openpyxl.styles import Alignment, Font

from dashboard import group_changes
from dashboard.export import meta
from dashboard.export.meta import Chart
from dashboard.figures.common import title_of
from etl import writers
from etl.writers import CSV_MIME, XLSX_MIME

__all__ = ["COLUMNS", "CSV_MIME", "XLSX_MIME", "metadata_rows", "to_csv", "to_xlsx"]

COLUMNS = {
    "series_kind": "country or group",
    "code": "ISO3 country code or group id",
    "name": "country or group name",
    "indicator_code": "indicator (see the definitions above)",
    "year": "year of the value",
    "value": "what the chart plots: the level, or with a base year the % change since it",
    "level": "the indicator's level (before any rebasing)",
    "source_id": "the source of the value (see the sources above)",
    "flag": "caveat: kept as published but doubtful, or why a group value is flagged or hidden",
    "coverage": "groups: share of the group's population that reports (0–1)",
    "low_coverage": "groups: coverage below two thirds",
    "n_members": "groups: members in that year",
    "n_reporting": "groups: members with a value",
    "weighted": "groups: population-weighted mean (else plain mean)",
    "min_code": "groups: member with the lowest value", "min_name": "groups: its name", "min_value": "groups: its value",
    "max_code": "groups: member with the highest value", "max_name": "groups: its name", "max_value": "groups: its value",
    "weighting": "groups: how the value is formed",
    "membership": "groups: which members are counted (today's throughout, or as of each year)",
    "change_note": "groups: a member joined or left, or the members reporting changed, that year",
    "first_group": "the first picked group the country belongs to (its colour on the chart)",
    "selected": "picked by name (not only as a member of a group)",
    "member_of": "groups picked that the country belongs to",
    "x_indicator_code": "scatter: indicator on the x axis", "x_value": "scatter: x value", "x_year": "scatter: its year",
    "x_source_id": "scatter: its source", "population": "scatter: population (marker size)",
    "population_year": "scatter: year of the population",
}


def to_csv(frame: pd.DataFrame) -> bytes:
    """The chart's rows as CSV (``etl.writers.to_csv_bytes``: neutralised text, CRLF, UTF-8 with a BOM)."""
    return writers.to_csv_bytes(frame)


def metadata_rows(chart: Chart, generated: datetime | None = None) -> list[list]:
    """The metadata sheet as rows (blocks separated by an empty row; first cell of a block in bold)."""
    spec, m = chart.spec, chart.meta
    labels = dict(m.labels)
    rows: list[list] = [["About this chart"],
                        ["title", title_of(spec)],
                        ["subtitle", meta.subtitle(spec, chart.frame, m.labels)],
                        ["view", spec.kind],
                        ["countries", ", ".join(labels.get(c, c) for c in spec.countries) or "–"],
                        ["groups", ", ".join(labels.get(g, g) for g in spec.groups) or "–"],
                        ["years", f"{spec.year_from}–{spec.year_to}"],
                        ["year shown", spec.year if spec.year is not None else "every year in the range"],
                        ["values", spec.value_label],
                        ["group values", ("population-weighted" if spec.weighted else "unweighted") + " mean over "
                         "members reporting; " + group_changes.membership_text(spec.membership)
                         + "; below two-thirds coverage: " + ("hidden" if spec.hide_low_coverage else "flagged")],
                        ["rows", len(chart.frame)],
                        ["generated", meta.generated_line(generated, m.warehouse_version)],
                        [],
                        ["Definitions", "name", "unit", "better", "description"]]
    rows += [[d["indicator_code"], d["name"], d["unit"], d["better"] or "no direction", d["description"]]
             for d in m.definitions]
    rows += [[], ["Sources", "publisher", "title", "licence", "vintage", "retrieved", "url", "citation"]]
    rows += [[s["source_id"], s["publisher"], s["title"], s["licence"], s["vintage"] or "not stated",
              s["retrieved_at"], s["url"], s["citation"]] for s in m.sources]
    cav = meta.caveats(chart)
    if cav:
        rows += [[], ["Caveats"]] + [["", c] for c in cav]
    rows += [[], ["Columns", "meaning"]] + [[c, COLUMNS.get(c, "")] for c in chart.frame.columns]
    return rows


def to_xlsx(chart: Chart, generated: datetime | None = None) -> bytes:
    """Workbook with sheets ``data`` (the chart's rows) and ``metadata``, written by ``etl.writers.to_xlsx_bytes``."""
    return writers.to_xlsx_bytes({"data": chart.frame, "metadata": metadata_rows(chart, generated)},
                                 style=lambda name, sheet: _style_data(sheet, chart.frame) if name == "data"
                                 else _style_metadata(sheet))


def _style_data(sheet, frame: pd.DataFrame) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for i, col in enumerate(frame.columns, start=1):
        width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200) if v is not None])
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = min(60, max(8, width + 2))


def _style_metadata(sheet) -> None:
    """First row of each block (blocks are separated by an empty row) in bold; wide, wrapped columns."""
    block_start = True
    for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row):
        filled = any(c.value is not None for c in row)
        if filled and block_start:
            for cell in row:
                cell.font = Font(bold=True)
        block_start = not filled
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 60
    for letter in "CDEFGH":
        sheet.column_dimensions[letter].width = 30
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
