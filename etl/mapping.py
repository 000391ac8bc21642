"""From a source's own columns to canonical indicators: apply the catalogue's series mappings (and the user's
``--indicator`` mappings), convert units, check plausibility, and describe what the catalogue does not know.

Owns :func:`apply`: a parsed long frame whose ``indicator_code`` holds the source's own key for each column, plus
what the file says about each column, in; observations under canonical codes, rejected rows with the reason,
``series_map`` rows (which column became what, with the reason and who says so) and ``indicator`` rows for the
columns described only by the file, out. Pure: no I/O.

Rules:
* a user mapping (``COLUMN=CODE[*FACTOR]``) wins over the catalogue; ``skip`` rows drop a column with their reason;
* value in the indicator's unit = source value × factor (the conversion is noted on each value);
* values outside the indicator's valid range (catalogue, else its unit kind's) or beyond ±1e15 are rejected;
* two columns of one source that land on the same indicator: the second one's cells are rejected;
* a column nobody maps keeps the source's own code and is described from the file — never with a bare code as its
  name: a code-like header without a name in the metadata becomes "<dataset title>: column “x”" and is reported.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from etl.catalogue import Catalogue, Mapping

ABS_LIMIT = 1e15  # nothing the product measures reaches a quadrillion (world GDP in US$ is ~1e14)
_CODE_LIKE = re.compile(r"^[A-Za-z0-9_.:-]+$")
UNCURATED_DIRECTION = "Not curated: the file does not say whether a higher value is better."
UNSTATED_UNIT = "not stated in the file"


@dataclass
class ColumnInfo:
    """What a file says about one of its columns (all optional)."""

    column: str
    name: str = ""
    unit: str = ""
    description: str = ""
    caveats: str = ""
    is_rank: bool = False  # a rank column: kept only when the catalogue or the user says which indicator it is


@dataclass
class UserMapping:
    indicator_code: str
    factor: float = 1.0


@dataclass
class Mapped:
    frame: pd.DataFrame
    rejected: pd.DataFrame
    series: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    unnamed: list[str] = field(default_factory=list)  # columns with no human name in the file


def parse_user_mapping(text: str) -> tuple[str, UserMapping]:
    """``"Column name=CODE*0.1"`` → ("Column name", UserMapping("CODE", 0.1)). The last ``=`` splits."""
    if "=" not in text:
        raise ValueError(f"--indicator {text!r}: expected COLUMN=CODE or COLUMN=CODE*FACTOR")
    column, target = text.rsplit("=", 1)
    code, _, factor = target.partition("*")
    column, code = column.strip(), code.strip()
    if not column or not code or not _CODE_LIKE.match(code):
        raise ValueError(f"--indicator {text!r}: expected COLUMN=CODE or COLUMN=CODE*FACTOR")
    try:
        value = float(factor) if factor.strip() else 1.0
    except ValueError:
        raise ValueError(f"--indicator {text!r}: the factor {factor!r} is not a number") from None
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"--indicator {text!r}: the factor must be a positive number")
    return column, UserMapping(code, value)


def _plain_number(value: float) -> str:
    return f"{value:,.10g}"


def _range(cat: Catalogue, code: str) -> tuple[float | None, float | None]:
    row = cat.indicators.loc[cat.indicators["indicator_code"] == code]
    if row.empty:
        return None, None
    lo, hi = row["valid_min"].iloc[0], row["valid_max"].iloc[0]
    kinds = cat.unit_kinds.set_index("unit_kind")
    kind = row["unit_kind"].iloc[0]
    if pd.isna(lo) and kind in kinds.index:
        lo = kinds.loc[kind, "valid_min"]
    if pd.isna(hi) and kind in kinds.index:
        hi = kinds.loc[kind, "valid_max"]
    return (None if pd.isna(lo) else float(lo)), (None if pd.isna(hi) else float(hi))


def _describe(info: ColumnInfo, code: str, dataset_title: str) -> tuple[dict, bool]:
    """An ``indicator`` row for a column only the file describes; False when the file gives it no human name."""
    name = info.name.strip() if info.name and info.name.strip() != info.column else ""
    named = True
    if not name:
        if _CODE_LIKE.match(info.column) and ("_" in info.column or info.column.islower()):
            name, named = f"{dataset_title}: column “{info.column}”", False
        else:
            name = info.column.strip()
    if name == code:
        name, named = f"{dataset_title}: column “{info.column}”", False
    unit = info.unit.strip() or UNSTATED_UNIT
    description = info.description.strip() or f"Column “{info.column}” of {dataset_title}; the file gives no definition."
    return {
        "indicator_code": code, "name": name, "short_name": name[:60], "unit": unit, "unit_kind": None,
        "higher_is_better": None, "direction_note": UNCURATED_DIRECTION, "description": description,
        "caveats": info.caveats.strip() or None, "curated": False, "reporting_floor": None, "floor_note": None,
        "valid_min": None, "valid_max": None, "goals": None, "related_indicator": None,
    }, named


def _reject(frame: pd.DataFrame, mask: np.ndarray, reasons) -> pd.DataFrame:
    rows = frame[mask]
    if rows.empty:
        return pd.DataFrame(columns=["record", "reason"])
    records = [json.dumps({"iso3": r.iso3, "column": r.column, "year": int(r.year), "value": float(r.value)}, ensure_ascii=False)
               for r in rows.itertuples(index=False)]
    reason = reasons if isinstance(reasons, str) else list(np.asarray(reasons)[mask])
    return pd.DataFrame({"record": records, "reason": reason})


@dataclass
class Decision:
    """What becomes of one source column: skipped (``skip`` says why), rejected whole (``reject`` says why), or
    loaded as ``mapping.indicator_code`` × ``mapping.factor`` within ``lo``–``hi``."""

    key: str
    column: str
    info: ColumnInfo
    mapping: Mapping | None = None
    skip: str = ""
    reject: str = ""
    lo: float | None = None
    hi: float | None = None
    indicator: dict | None = None  # an ``indicator`` row for a column only the file describes
    named: bool = True


def decide(keys, *, dataset: str, columns: dict[str, ColumnInfo], cat: Catalogue,
           user: dict[str, UserMapping] | None = None, dataset_title: str = "", role_if_unmapped: str = "publisher",
           describe_unmapped: bool = True) -> list[Decision]:
    """The mapping rules of :func:`apply`, per column key and without touching values (so a large staged frame can
    be mapped in SQL with exactly the same decisions)."""
    user = user or {}
    dataset_title = dataset_title or dataset
    taken: dict[str, str] = {}
    out = []
    for key in keys:
        info = columns.get(key) or ColumnInfo(column=str(key))
        col = info.column
        d = Decision(str(key), col, info)
        out.append(d)
        mapping: Mapping | None
        if col in user:
            um = user[col]
            mapping = Mapping(dataset, col, um.indicator_code, "user", "aggregator", um.factor, "", None,
                              "mapped by the user at import (hsdash import --indicator)", "the user who imported the file",
                              origin="user")
        else:
            mapping = cat.lookup(dataset, col) or cat.lookup(dataset, str(key))
        if mapping is not None and mapping.relation == "skip":
            d.skip = mapping.reason
            continue
        if mapping is None and info.is_rank:
            d.skip = ("a rank, not a value: not loaded (the catalogue does not say which ranking it is; "
                      "--indicator can map it)")
            continue
        if mapping is None:
            if not describe_unmapped:
                d.reject = f"indicator {key} is not in the catalogue"
                continue
            d.indicator, d.named = _describe(info, str(key), dataset_title)
            mapping = Mapping(dataset, col, str(key), "unmapped", role_if_unmapped, 1.0, "", None,
                              "described by the file's own metadata", "the file", origin="metadata")
        code = mapping.indicator_code
        if code in taken:
            d.reject = f"column “{col}” maps to {code}, which column “{taken[code]}” of this file already gives"
            d.indicator = None
            continue
        taken[code] = col
        d.mapping = mapping
        d.lo, d.hi = _range(cat, code) if mapping.relation != "unmapped" else (None, None)
    return out


def series_row(d: Decision, rows_loaded: int) -> dict:
    m = d.mapping
    return {
        "dataset": m.dataset, "source_column": d.column, "indicator_code": m.indicator_code,
        "relation": "user" if m.origin == "user" else m.relation, "role": m.role,
        "factor": m.factor, "reporting_floor": m.reporting_floor,
        "definition_difference": m.definition_difference or None,
        "reason": m.reason or None, "authority": m.authority or None, "origin": m.origin,
        "caveats": d.info.caveats or None, "rows_loaded": rows_loaded,
    }


def conversion_note(factor: float) -> str:
    return f"converted to the indicator's unit: source value × {_plain_number(factor)}"


def range_text(code: str, lo: float | None, hi: float | None, factor: float, value_sql: str | None = None) -> str:
    """The reason an implausible value is rejected, without the value (``value_sql`` callers prepend it)."""
    where = f"valid range {'' if lo is None else _plain_number(lo)}–{'' if hi is None else _plain_number(hi)}"
    return f"for {code} ({where}; after × {_plain_number(factor)})" if factor != 1.0 else f"for {code} ({where})"


def apply(frame: pd.DataFrame, *, dataset: str, columns: dict[str, ColumnInfo], cat: Catalogue,
          user: dict[str, UserMapping] | None = None, dataset_title: str = "", role_if_unmapped: str = "publisher",
          describe_unmapped: bool = True) -> Mapped:
    """Map ``frame`` (``iso3, indicator_code, year, value, note, flag`` with the source's own key per column in
    ``indicator_code``; ``columns`` maps that key to what the file says about the column) to canonical indicators."""
    out_parts, rejected, series, indicators, skipped, unnamed = [], [], [], [], {}, []
    blocks = dict(list(frame.groupby("indicator_code", sort=False)))
    decisions = decide(list(blocks), dataset=dataset, columns=columns, cat=cat, user=user, dataset_title=dataset_title,
                       role_if_unmapped=role_if_unmapped, describe_unmapped=describe_unmapped)
    for d in decisions:
        block = blocks[d.key].assign(column=d.column)
        if d.skip:
            skipped[d.column] = d.skip
            continue
        if d.reject:
            rejected.append(_reject(block, np.ones(len(block), bool), d.reject))
            continue
        if d.indicator is not None:
            indicators.append(d.indicator)
            if not d.named:
                unnamed.append(d.column)
        mapping, code = d.mapping, d.mapping.indicator_code
        values = block["value"].to_numpy(dtype="float64") * mapping.factor
        block = block.assign(indicator_code=code, value=values)
        if mapping.factor != 1.0:
            conv = conversion_note(mapping.factor)
            block["note"] = [f"{n}; {conv}" if isinstance(n, str) and n else conv for n in block["note"]]
        lo, hi = d.lo, d.hi
        bad = ~np.isfinite(values) | (np.abs(values) > ABS_LIMIT)
        if lo is not None:
            bad |= values < lo
        if hi is not None:
            bad |= values > hi
        if bad.any():
            tail = range_text(code, lo, hi, mapping.factor)
            reasons = np.array([f"implausible value {_plain_number(v)} for {code}: not a finite number"
                                if not np.isfinite(v) else f"implausible value {_plain_number(v)} {tail}"
                                for v in values], dtype=object)
            rejected.append(_reject(block, bad, reasons))
            block = block[~bad]
        series.append(series_row(d, len(block)))
        out_parts.append(block.drop(columns="column"))
    cols = list(frame.columns)
    out = pd.concat(out_parts, ignore_index=True) if out_parts else frame.iloc[0:0]
    rej = pd.concat(rejected, ignore_index=True) if rejected else pd.DataFrame(columns=["record", "reason"])
    return Mapped(out[cols], rej, series, indicators, skipped, unnamed)


def map_connector(frame: pd.DataFrame, dataset: str, cat: Catalogue, source_id: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """For connectors whose codes are their own (WDI, HDR, Gapminder): map to canonical codes. Returns (observations,
    rejected rows, series_map rows); codes the catalogue does not know are rejected with the reason."""
    mapped = apply(frame, dataset=dataset, columns={}, cat=cat, describe_unmapped=False)
    series = pd.DataFrame(mapped.series).assign(source_id=source_id) if mapped.series else pd.DataFrame()
    return mapped.frame, mapped.rejected, series
