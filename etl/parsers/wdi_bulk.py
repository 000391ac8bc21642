"""World Bank WDI bulk CSV → long observations (pure: bytes in, frames out).

Owns reading the wide WDI layouts (FORMATS.md §2; no real sample was available, so the parser is tolerant):

* ``WDICSV.csv`` / ``WDIData.csv``: ``Country Name, Country Code, Indicator Name, Indicator Code, 1960, …`` — the
  header may be fully quoted and end with a trailing comma (an empty last column, dropped when it holds nothing);
* the same inside ``WDI_CSV.zip`` (the data member is found by name; ``WDISeries.csv`` etc. are ignored);
* per-indicator ``API_<code>_DS2_….csv`` (alone or in its zip): 4 preamble lines (``"Data Source"``,
  ``"Last Updated Date"``) before the header;
* DataBank exports (``Series Name, Series Code, 1960 [YR1960]``, ``..`` for missing, footer lines).

Indicator codes are the WDI codes themselves (``SH.STA.STNT.ZS``). Rows of aggregates (``Country Code`` EAS, WLD,
…) and of non-ISO codes are rejected as whole rows with the number of value cells they held; non-numeric cells
are rejected one by one. ``meta`` reconciles: ``value_cells == loaded + rejected_cells``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable

import numpy as np
import pandas as pd

from etl.countries import resolve_codes
from etl.parsers import OBSERVATION_COLUMNS, ParseError, ParseResult

DATA_MEMBERS = ("wdicsv.csv", "wdidata.csv")
_YEAR = re.compile(r"^(\d{4})(?: \[YR\d{4}\])?$")
_ID_SETS = (
    ("Country Name", "Country Code", "Indicator Name", "Indicator Code"),
    ("Country Name", "Country Code", "Series Name", "Series Code"),  # DataBank export
)
_MISSING = {"", ".."}


def _unzip(body: bytes) -> tuple[bytes, str]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile as exc:
        raise ParseError(f"WDI zip is corrupt: {exc}") from exc
    names = [n for n in zf.namelist() if not n.endswith("/")]
    base = {n: n.rsplit("/", 1)[-1].lower() for n in names}
    pick = [n for n in names if base[n] in DATA_MEMBERS]
    if not pick:
        pick = [n for n in names if base[n].startswith("api_") and base[n].endswith(".csv")]
    if not pick:
        raise ParseError(
            "WDI zip contains no data file (expected WDICSV.csv, WDIData.csv or API_*.csv); members: "
            + ", ".join(names[:20])
        )
    pick.sort(key=lambda n: DATA_MEMBERS.index(base[n]) if base[n] in DATA_MEMBERS else len(DATA_MEMBERS))
    return zf.read(pick[0]), pick[0]


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return body.decode("latin-1")


def parse_wdi_csv(body: bytes, indicators: Iterable[str] | None = None) -> ParseResult:
    """Parse a WDI bulk/per-indicator CSV (or its zip). ``indicators``: keep only these codes (others are
    skipped, not rejected, and counted in ``meta['rows_other_indicators']``)."""
    meta: dict = {}
    if body[:4] == b"PK\x03\x04":
        body, member = _unzip(body)
        meta["zip_member"] = member
    text = _decode(body)
    lines = text.splitlines(keepends=True)
    header_at = None
    for i, line in enumerate(lines[:50]):
        first = next(csv.reader([line]), [""])
        if first and first[0].strip() == "Country Name":
            header_at = i
            break
        if len(first) >= 2 and first[0].strip() in ("Data Source", "Last Updated Date"):
            meta[first[0].strip().lower().replace(" ", "_")] = first[1].strip()
    if header_at is None:
        raise ParseError("not a WDI CSV: no 'Country Name' header line in the first 50 lines")
    meta["preamble_lines"] = header_at
    raw_header = [h.strip() for h in next(csv.reader([lines[header_at]]))]
    try:
        df = pd.read_csv(
            io.StringIO("".join(lines[header_at:])), dtype=str, keep_default_na=False, na_filter=False,
            header=0, names=[h or f"__unnamed_{k}" for k, h in enumerate(raw_header)], index_col=False,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise ParseError(f"WDI CSV could not be read: {exc}") from exc

    unnamed = [c for c in df.columns if c.startswith("__unnamed_")]
    for col in unnamed:
        if df[col].str.strip().ne("").any():
            raise ParseError(f"WDI CSV has an unnamed column (position {col[10:]}) holding data")
    df = df.drop(columns=unnamed)
    meta["dropped_empty_columns"] = len(unnamed)

    ids = next((s for s in _ID_SETS if all(c in df.columns for c in s)), None)
    if ids is None:
        raise ParseError(f"WDI CSV lacks the identifier columns {list(_ID_SETS[0])}; header is {list(df.columns)[:6]}")
    name_col, code_col, _ind_name_col, ind_col = ids
    years = [(c, int(_YEAR.match(c).group(1))) for c in df.columns if _YEAR.match(c)]
    if not years:
        raise ParseError("WDI CSV has no year columns (1960, 1961, … or '1960 [YR1960]')")

    for col in (name_col, code_col, ind_col):
        df[col] = df[col].str.strip()
    footer = df[code_col].eq("") & df[ind_col].eq("")
    meta["footer_rows"] = int(footer.sum())  # DataBank "Data from database: …" / "Last Updated: …"
    df = df[~footer].reset_index(drop=True)
    meta["rows_in_file"] = len(df)
    if indicators is not None:
        wanted = set(indicators)
        other = ~df[ind_col].isin(wanted)
        meta["rows_other_indicators"] = int(other.sum())
        df = df[~other].reset_index(drop=True)

    cols = [c for c, _ in years]
    flat = pd.Series(df[cols].to_numpy(dtype=object).ravel(), dtype="str").str.strip()
    shape = (len(df), len(cols))
    present = ~flat.isin(_MISSING)
    nonempty = present.to_numpy().reshape(shape)
    values = pd.to_numeric(flat.where(present), errors="coerce").to_numpy(dtype="float64").reshape(shape)
    cells_per_row = nonempty.sum(axis=1)

    codes = resolve_codes(df[code_col])
    dup = df.duplicated([code_col, ind_col], keep="first").to_numpy()
    row_ok = codes["kind"].eq("country").to_numpy() & ~dup & df[ind_col].ne("").to_numpy()
    rejected: list[tuple[str, str]] = []
    for i in np.flatnonzero(~row_ok):
        name, code, ind = df.at[i, name_col], df.at[i, code_col], df.at[i, ind_col]
        if not ind:
            reason = "row without indicator code"
        elif dup[i]:
            reason = f"duplicate row for {code}/{ind} (first occurrence kept)"
        elif codes.at[i, "kind"] == "aggregate":
            reason = f"aggregate: {name}"
        else:
            reason = f"unknown country code {code!r} ({name}): {codes.at[i, 'reason']}"
        record = {"country_name": name, "country_code": code, "indicator_code": ind,
                  "value_cells": int(cells_per_row[i])}
        rejected.append((json.dumps(record, ensure_ascii=False), reason))
    rejected_row_cells = int(cells_per_row[~row_ok].sum())

    keep_vals, keep_ne = values[row_ok], nonempty[row_ok]
    keep_iso = df.loc[row_ok, code_col].to_numpy(dtype=object)
    keep_ind = df.loc[row_ok, ind_col].to_numpy(dtype=object)
    keep_raw = flat.to_numpy(dtype=object).reshape(shape)[row_ok]
    bad = keep_ne & np.isnan(keep_vals)
    for r, c in zip(*np.nonzero(bad)):
        rec = {"country_code": keep_iso[r], "indicator_code": keep_ind[r], "year": cols[c], "value": keep_raw[r, c]}
        rejected.append((json.dumps(rec, ensure_ascii=False), f"non-numeric value {keep_raw[r, c]!r}"))

    year_arr = np.array([y for _, y in years], dtype="int64")
    r_idx, c_idx = np.nonzero(keep_ne & ~np.isnan(keep_vals))
    frame = pd.DataFrame(
        {
            "iso3": keep_iso[r_idx],
            "indicator_code": keep_ind[r_idx],
            "year": year_arr[c_idx],
            "value": keep_vals[r_idx, c_idx],
            "note": None,
            "flag": None,
        },
        columns=OBSERVATION_COLUMNS,
    )
    meta.update(
        year_columns=len(cols),
        first_year=int(year_arr.min()),
        last_year=int(year_arr.max()),
        aggregate_rows=int((codes["kind"].eq("aggregate").to_numpy() & ~dup).sum()),
        value_cells=int(nonempty.sum()),
        loaded=len(frame),
        rejected_cells=rejected_row_cells + int(bad.sum()),
        indicator_codes=sorted(set(keep_ind.tolist())),
    )
    return ParseResult(frame=frame, rejected=pd.DataFrame(rejected, columns=["record", "reason"]), meta=meta)
