"""UNDP HDR "composite indices complete time series" CSV → long observations (pure: bytes in, frames out).

Owns: reading the wide HDR file (latin-1, CRLF; identifiers ``iso3, country, hdicode, region`` then ``<stem>_<year>``
blocks) into ``iso3, indicator_code, year, value, note, flag`` with ``indicator_code = "HDR." + STEM.upper()``
(``hdi`` → ``HDR.HDI``, ``le_f`` → ``HDR.LE_F``, ``gni_pc_m`` → ``HDR.GNI_PC_M``, ``co2_prod`` → ``HDR.CO2_PROD``).

* Rank and group columns (``hdi_rank_2022``, ``gii_rank_2022``, ``gdi_group_2022``, ``rankdiff_hdi_phdi_2022``;
  the year in their name moves with each edition) are not observations: skipped and counted in meta.
* Aggregate rows (``iso3`` ``ZZA.VHHD`` … ``ZZK.WORLD``) and rows whose iso3 is not a current country are rejected
  as a whole row, with the number of value cells they held; non-numeric cells are rejected one by one.
* An excerpt without a header line can be parsed by passing the header (from another excerpt) as ``header``.

``meta`` reconciles the file: ``value_cells`` (non-empty cells of observation columns) ==
``loaded + rejected_cells``.
"""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pandas as pd

from etl.countries import resolve_codes
from etl.parsers import OBSERVATION_COLUMNS, ParseError, ParseResult

ID_COLUMNS = ("iso3", "country", "hdicode", "region")
_WIDE = re.compile(r"^(?P<stem>[a-z][a-z0-9_]*?)_(?P<year>(?:19|20)\d{2})$")
_NOT_OBSERVATION = re.compile(r"(?:^|_)(?:rank|rankdiff|group)(?:_|$)")


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # what UNDP publishes (Côte d'Ivoire is byte 0xF4)


def indicator_code(stem: str) -> str:
    """``"gni_pc_m"`` → ``"HDR.GNI_PC_M"``."""
    return "HDR." + stem.upper()


def parse_composite_csv(body: bytes | str, header: bytes | str | None = None) -> ParseResult:
    """Parse the HDR composite-indices CSV (or an excerpt of it).

    ``header``: the header line to use when ``body`` has none (e.g. the TAIL excerpt); ``body`` must then start
    with a data row.
    """
    text = _decode(body)
    if header is not None:
        head = _decode(header).splitlines()[0]
        text = head + "\r\n" + text
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ParseError(f"HDR CSV could not be read: {exc}") from exc
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in ("iso3", "country") if c not in df.columns]
    if missing:
        first = text.splitlines()[0][:60] if text else ""
        raise ParseError(f"HDR CSV lacks column(s) {missing}; first line starts {first!r} (excerpt without header?)")

    obs_cols, skipped_cols, unrecognised = [], [], []
    for col in df.columns:
        if col in ID_COLUMNS:
            continue
        m = _WIDE.match(col)
        if not m:
            unrecognised.append(col)
        elif _NOT_OBSERVATION.search(m["stem"]):
            skipped_cols.append(col)
        else:
            obs_cols.append((col, m["stem"], int(m["year"])))
    if not obs_cols:
        raise ParseError("HDR CSV has no <stem>_<year> columns")

    iso3 = df["iso3"].str.strip()
    if df.empty:
        return ParseResult(frame=pd.DataFrame(columns=OBSERVATION_COLUMNS), meta={"rows_in_file": 0})
    codes = resolve_codes(iso3)
    dup = iso3.duplicated(keep="first")
    cols = [c for c, _, _ in obs_cols]
    flat = pd.Series(df[cols].to_numpy(dtype=object).ravel(), dtype="str").str.strip()
    shape = (len(df), len(cols))
    raw = flat.to_numpy(dtype=object).reshape(shape)
    nonempty_arr = flat.ne("").to_numpy().reshape(shape)
    values_arr = pd.to_numeric(flat.where(flat.ne("")), errors="coerce").to_numpy(dtype="float64").reshape(shape)
    cells_per_row = pd.Series(nonempty_arr.sum(axis=1))

    rejected: list[tuple[str, str]] = []
    row_ok = (codes["kind"].eq("country") & ~dup).to_numpy()
    for i in np.flatnonzero(~row_ok):
        if dup.iloc[i]:
            reason = f"duplicate iso3 {iso3.iloc[i]!r} (first occurrence kept)"
        elif codes.at[i, "kind"] == "aggregate":
            reason = f"aggregate: {df.at[i, 'country']} ({iso3.iloc[i]})"
        else:
            reason = f"not a country: {iso3.iloc[i]!r} ({df.at[i, 'country']}): {codes.at[i, 'reason']}"
        record = {k: df.at[i, k] for k in ID_COLUMNS if k in df.columns}
        record["value_cells"] = int(cells_per_row.iloc[i])
        rejected.append((json.dumps(record, ensure_ascii=False), reason))
    rejected_row_cells = int(cells_per_row[~row_ok].sum())

    keep_iso3 = iso3[row_ok].to_numpy()
    keep_raw, keep_values, keep_nonempty = raw[row_ok], values_arr[row_ok], nonempty_arr[row_ok]
    bad = keep_nonempty & np.isnan(keep_values)
    for r, c in zip(*np.nonzero(bad)):
        col = cols[c]
        rec = {"iso3": keep_iso3[r], "column": col, "value": keep_raw[r, c]}
        rejected.append((json.dumps(rec, ensure_ascii=False), f"non-numeric value {keep_raw[r, c]!r} in {col}"))

    stems = np.array([indicator_code(s) for _, s, _ in obs_cols], dtype=object)
    years = np.array([y for _, _, y in obs_cols], dtype="int64")
    r_idx, c_idx = np.nonzero(keep_nonempty & ~np.isnan(keep_values))
    frame = pd.DataFrame(
        {
            "iso3": keep_iso3[r_idx],
            "indicator_code": stems[c_idx],
            "year": years[c_idx],
            "value": keep_values[r_idx, c_idx],
            "note": None,
            "flag": None,
        },
        columns=OBSERVATION_COLUMNS,
    )
    value_cells = int(nonempty_arr.sum())
    meta = {
        "rows_in_file": len(df),
        "country_rows": int(row_ok.sum()),
        "aggregate_rows": int((codes["kind"].eq("aggregate") & ~dup).sum()),
        "observation_columns": len(obs_cols),
        "indicator_codes": sorted(set(stems.tolist())),
        "skipped_columns": skipped_cols,
        "skipped_rank_group_cells": int((df[skipped_cols].to_numpy(dtype=object) != "").sum()),
        "unrecognised_columns": unrecognised,
        "value_cells": value_cells,
        "loaded": len(frame),
        "rejected_cells": rejected_row_cells + int(bad.sum()),
        "rejected_records": len(rejected),
    }
    return ParseResult(frame=frame, rejected=pd.DataFrame(rejected, columns=["record", "reason"]), meta=meta)
