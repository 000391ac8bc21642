"""CSV and XLSX writing for every table the product hands out: one neutraliser, two thin writers.

Every CSV or XLSX that hsdash writes — the dashboard's downloads (export panel, Compare's "Download CSV", the Progress
page), ``hsdash export --format csv|xlsx`` and ``hsdash progress --format csv`` — goes through ``to_csv_bytes`` or
``to_xlsx_bytes`` here, so a text cell that a spreadsheet would run as a formula never leaves as one.

The rule (OWASP "CSV Injection", ASVS 5 requirement 1.2.10): a text cell whose first character is ``=``, ``+``,
``-``, ``@``, tab, CR, LF or NUL — or a full-width ``＝ ＋ － ＠``, which spreadsheets set up for East Asian
input may read as the ASCII ones — gets a leading apostrophe, which spreadsheets take as "this is text". Only text
is touched: numbers (``-0.5`` in a numeric column, or a float inside a text column) stay numbers. Column names are
text too.

Lives in ``etl`` so that both layers can use it (``dashboard`` may import ``etl``, never the reverse); openpyxl is
imported only when an XLSX is made.
"""

from __future__ import annotations

import csv
import errno
import gc
import os
import sys
import threading
import traceback
from datetime import date, datetime
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "\uff1d", "\uff0b", "\uff0d", "\uff20")
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HOOK_LOCK = threading.Lock()


def neutralise(value):
    """A text cell that a spreadsheet would read as a formula gets a leading apostrophe; anything else is returned
    unchanged (numbers, missing values, text that starts harmlessly)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _textual(series: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)
                or pd.api.types.is_datetime64_any_dtype(series))


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with its text cells and column names neutralised; numeric columns untouched."""
    out = frame.copy()
    for i in range(out.shape[1]):
        if _textual(out.iloc[:, i]):
            out.isetitem(i, out.iloc[:, i].astype(object).map(neutralise))
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame, *, bom: bool = True) -> bytes:
    """RFC 4180 CSV of ``frame``: neutralised text, CRLF rows (a CR or LF inside a cell is quoted), one header row,
    no index, UTF-8 — with a byte-order mark unless ``bom=False`` (files for Excel want it; a stream piped into
    other tools does not)."""
    text = safe_frame(frame).to_csv(index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    return text.encode("utf-8-sig" if bom else "utf-8")


# --- XLSX ----------------------------------------------------------------------------------------------------------

def xlsx_cell(value):
    """One value as openpyxl writes it faithfully: missing → empty cell, numpy/pandas scalars → Python, text with
    the characters XML cannot hold replaced by U+FFFD, then neutralised (openpyxl writes a string that starts with
    ``=`` as a formula)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (float, np.floating)) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return xlsx_cell(value.item())
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
    if isinstance(value, (bool, int, float, datetime, date)):
        return value
    return xlsx_cell(str(value))


def _rows(content: pd.DataFrame | Iterable[Sequence]) -> Iterable[list]:
    if isinstance(content, pd.DataFrame):
        yield [str(c) for c in content.columns]
        yield from (list(r) for r in content.itertuples(index=False, name=None))
    else:
        yield from (list(r) for r in content)


def to_xlsx_bytes(sheets: Mapping[str, pd.DataFrame | Iterable[Sequence]],
                  style: Callable[[str, object], None] | None = None) -> bytes:
    """A workbook with one sheet per entry of ``sheets`` (name → a frame, written with a header row, or plain rows);
    every value goes through ``xlsx_cell``. ``style(name, worksheet)`` may then set fonts, widths and the like — it
    is for presentation only: values are written here and nowhere else."""
    from io import BytesIO

    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, content in sheets.items():
        sheet = wb.create_sheet(str(name)[:31])
        for row in _rows(content):
            sheet.append([xlsx_cell(v) for v in row])
        if style is not None:
            style(name, sheet)
    out = BytesIO()
    code = _save(wb, out)
    if code is not None:
        raise OSError(code, f"{os.strerror(code)} (writing the workbook's temporary file)")
    return out.getvalue()


def _save(wb, out) -> int | None:
    """``wb.save(out)``; None, or the errno of an I/O error on the temporary file openpyxl streams each sheet
    through (lxml reports those as ``SerialisationError("IO_ENOSPC")``). After such a failure the writer's generators
    are closed here, their repeated error muted — it would otherwise be printed later as "Exception ignored …"."""
    try:
        wb.save(out)
        return None
    except OSError:
        raise
    except Exception as exc:
        code = getattr(errno, str(exc).removeprefix("IO_"), None) if str(exc).startswith("IO_") else None
        if code is None:
            raise
        trace = exc.__traceback__
    with _HOOK_LOCK:
        hook = sys.unraisablehook
        sys.unraisablehook = lambda u: None if str(u.exc_value).startswith("IO_") else hook(u)
        try:
            traceback.clear_frames(trace)  # releases the failed writer: its generators finish now
            del trace
            gc.collect()
        finally:
            sys.unraisablehook = hook
    return code
