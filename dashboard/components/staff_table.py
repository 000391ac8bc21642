"""Tables for people: named columns with widths that fit the page, long text wrapped onto up to three lines, and
"–" where there is no value (never None or NaN), so a table reads at 1280, 1440 and 1920 px without sideways
scrolling. Pages pick and name their columns with ``Col``; ``show`` lays the table out with ``st.dataframe``
(cells stay text: a table never renders markdown or HTML).

The widths add up to at most ``BUDGET_PX``, within the content width of a page at 1280 px with the sidebar open
(about 820 px).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard.labels import MISSING, missing

BUDGET_PX = 770  # a row-selection column takes another ~30 px
CHAR_PX = 7.2  # average width of a table character (Source Sans, 14 px)
LINE_PX = 20
WRAP_MIN_PX = 65  # Streamlit wraps cell text only in rows taller than 4rem
_KINDS = ("text", "number", "int", "year", "link", "trend", "bool")


@dataclass(frozen=True)
class Col:
    label: str
    width: int = 120  # pixels
    kind: str = "text"  # text | number | int | year | link | trend | bool
    fmt: str | None = None  # number format, e.g. "%.4g", "$%,d"
    help: str | None = None  # tooltip of the column header (plain text)
    link_text: str | None = None  # link columns: the text shown instead of the URL

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


def fitted(columns: dict[str, Col], budget: int = BUDGET_PX) -> dict[str, Col]:
    """The columns with their widths scaled down, if need be, so that together they fit ``budget`` pixels."""
    total = sum(c.width for c in columns.values())
    if total <= budget:
        return columns
    scale = budget / total
    return {k: Col(c.label, max(48, int(c.width * scale)), c.kind, c.fmt, c.help, c.link_text)
            for k, c in columns.items()}


def lines_needed(frame: pd.DataFrame, columns: dict[str, Col], max_lines: int = 3) -> int:
    """Lines the longest text cell needs at its column's width (at most ``max_lines``)."""
    need = 1
    for name, col in columns.items():
        if col.kind != "text" or name not in frame or frame.empty:
            continue
        longest = frame[name].astype(str).str.len().max()
        per_line = max(8, int((col.width - 16) / CHAR_PX))
        need = max(need, math.ceil((longest or 0) / per_line))
    return min(need, max_lines)


def prepared(frame: pd.DataFrame, columns: dict[str, Col]) -> pd.DataFrame:
    """The chosen columns, text columns with missing values as empty text (numbers stay numbers)."""
    view = frame[[c for c in columns if c in frame]].copy()
    for name, col in columns.items():
        if name in view and col.kind == "text":
            view[name] = [("" if missing(v) else str(v)) for v in view[name]]
    return view


def config(col: Col) -> object:
    cc = st.column_config
    if col.kind == "number":
        return cc.NumberColumn(col.label, width=col.width, help=col.help, format=col.fmt or "%.4g")
    if col.kind in ("int", "year"):
        fmt = col.fmt or ("%d" if col.kind == "year" else "%,d")
        return cc.NumberColumn(col.label, width=col.width, help=col.help, format=fmt)
    if col.kind == "link":
        return cc.LinkColumn(col.label, width=col.width, help=col.help, display_text=col.link_text)
    if col.kind == "trend":
        return cc.LineChartColumn(col.label, width=col.width, help=col.help)
    if col.kind == "bool":
        return cc.CheckboxColumn(col.label, width=col.width, help=col.help)
    return cc.TextColumn(col.label, width=col.width, help=col.help)


def blank(column: pd.Series) -> bool:
    """Whether a column holds nothing to read (every cell missing or empty text)."""
    return all(missing(v) or str(v).strip() == "" for v in column)


def show(frame: pd.DataFrame, columns: dict[str, Col], *, key: str | None = None, max_rows: int = 12,
         max_lines: int = 3, keep_empty: tuple[str, ...] = (), **kwargs):
    """``frame``'s ``columns`` as a table that fits the page (extra keyword arguments go to ``st.dataframe``, e.g.
    ``on_select``); taller than ``max_rows`` rows, it scrolls inside itself. Text columns with nothing in them are
    left out (unless named in ``keep_empty``)."""
    columns = {k: v for k, v in columns.items()
               if k in frame and (v.kind != "text" or k in keep_empty or frame.empty or not blank(frame[k]))}
    columns = fitted(columns)
    view = prepared(frame, columns)
    lines = lines_needed(view, columns, max_lines)
    row_px = 35 if lines == 1 else max(WRAP_MIN_PX, 12 + LINE_PX * lines)  # 3 lines fit 65 px; 4 need 92
    height = (min(len(view), max_rows) * row_px) + 37
    return st.dataframe(view, hide_index=True, width="stretch", key=key, row_height=row_px, height=max(height, 76),
                        placeholder=MISSING, column_config={k: config(c) for k, c in columns.items()}, **kwargs)
