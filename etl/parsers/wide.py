"""Entity-year tables → observations: the shared core of every format whose rows are places and years and whose
other columns are values (OWID datasets and charts, Frictionless long-format packages, generic entity-year CSVs).

Pure: a frame of text cells in, a :class:`ParseResult` out. Every non-empty value cell ends up either as an
observation or as a rejected row (``aggregate: <name>``, ``unknown entity: <name> (…)``, non-numeric value, bad
year, or a duplicate iso3/year produced by two spellings of one country, e.g. "Korea" and "South Korea").
``meta['reconciliation']`` = ``{rows_in_file, value_cells, loaded, rejected, empty_cells}`` with
``value_cells == loaded + rejected``.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter

import numpy as np
import pandas as pd

from etl.parsers import OBSERVATION_COLUMNS, ParseError, ParseResult

_RANK = re.compile(r"\brank(?:ing)?\b", re.IGNORECASE)
_NUMERIC_TYPES = {"numeric", "integer", "float", "number", "real"}

def column_slug(name: str) -> str:
    """``"Child Mortality Estimates (CME Info (2016))"`` → ``"child_mortality_estimates_cme_info_2016"``."""
    slug = re.sub(r"[^0-9a-z]+", "_", str(name).lower()).strip("_")
    return slug or "value"



def read_csv(data: bytes | str, what: str) -> pd.DataFrame:
    text = data.decode("utf-8-sig") if isinstance(data, (bytes, bytearray)) else str(data).lstrip("\ufeff")
    if not text.strip():
        raise ParseError(f"{what}: empty file")
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ParseError(f"{what}: not a readable CSV: {exc}") from exc
    df.columns = [str(c).strip() for c in df.columns]
    return df



def meaningful(value, limit: int = 1500) -> str:
    """Metadata text worth keeping: OWID files write missing values as the string 'None'."""
    text = "" if value is None else str(value).strip()
    if text.lower() in ("", "none", "nan", "null"):
        return ""
    return text if len(text) <= limit else text[:limit].rstrip() + "…"



def unique_codes(codes: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for code in codes:
        n = seen.get(code, 0)
        seen[code] = n + 1
        out.append(code if n == 0 else f"{code}_{n + 1}")
    return out



def is_numeric_text(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").notna()



def build_long(
    df: pd.DataFrame,
    *,
    places: pd.DataFrame,
    value_columns: list[str],
    codes: dict[str, str],
    flags: dict[str, dict[str, str]],
    skipped: dict[str, str],
    entity_col: str = "Entity",
    year_col: str = "Year",
    code_col: str | None = None,
) -> ParseResult:
    """Wide entity-year frame + per-row place resolution → long observations, rejections and meta (see module doc)."""
    n = len(df)
    entity = df[entity_col].to_numpy(dtype=object)
    kind = places["kind"].to_numpy(dtype=object)
    iso3 = places["iso3"].to_numpy(dtype=object)
    why = places["reason"].to_numpy(dtype=object)
    year_num = pd.to_numeric(df[year_col].str.strip(), errors="coerce")
    year_ok = (year_num.notna() & (year_num == year_num.round())).to_numpy()
    years = np.where(year_ok, year_num.fillna(0).to_numpy(), 0).astype("int64")

    if value_columns:
        raw = df[value_columns].to_numpy(dtype=object)
        flat = pd.Series(raw.ravel(), dtype="str").str.strip()
    else:
        raw = np.empty((n, 0), dtype=object)
        flat = pd.Series([], dtype="str")
    shape = (n, len(value_columns))
    nonempty = flat.ne("").to_numpy().reshape(shape)
    values = pd.to_numeric(flat.where(flat.ne("")), errors="coerce").to_numpy(dtype="float64").reshape(shape)
    r_idx, c_idx = np.nonzero(nonempty)

    cell_kind = kind[r_idx]
    cell_val = values[r_idx, c_idx]
    reasons = np.full(len(r_idx), None, dtype=object)
    is_agg = cell_kind == "aggregate"
    is_unk = cell_kind == "unknown"
    bad_year = ~year_ok[r_idx] & ~is_agg & ~is_unk
    non_num = np.isnan(cell_val) & ~is_agg & ~is_unk & ~bad_year
    reasons[is_agg] = ["aggregate: " + str(e) for e in entity[r_idx[is_agg]]]
    reasons[is_unk] = [f"unknown entity: {e} ({w})" for e, w in zip(entity[r_idx[is_unk]], why[r_idx[is_unk]])]
    reasons[bad_year] = [f"bad year {y!r}" for y in df[year_col].to_numpy(dtype=object)[r_idx[bad_year]]]
    reasons[non_num] = [f"non-numeric value {v!r}" for v in raw[r_idx[non_num], c_idx[non_num]]]

    col_codes = np.array([codes[c] for c in value_columns], dtype=object)
    good = np.flatnonzero(pd.isna(reasons))
    cand = pd.DataFrame(
        {
            "cell": good,
            "iso3": iso3[r_idx[good]],
            "indicator_code": col_codes[c_idx[good]] if len(good) else np.array([], dtype=object),
            "year": years[r_idx[good]],
            "entity": entity[r_idx[good]],
        }
    )
    # Two spellings of one country (e.g. "Korea" and "South Korea") give the same iso3/year: keep the
    # spelling with the most rows in the file, reject the other cells as duplicates.
    if len(cand):
        rows_per_entity = pd.Series(entity).value_counts()
        first_row = pd.Series(range(n), index=entity).groupby(level=0).min()
        cand["_n"] = -cand["entity"].map(rows_per_entity).to_numpy()
        cand["_first"] = cand["entity"].map(first_row).to_numpy()
        cand = cand.sort_values(["_n", "_first", "cell"], kind="stable")
        dup = cand.duplicated(["iso3", "indicator_code", "year"], keep="first")
        kept_by = cand[~dup].set_index(["iso3", "indicator_code", "year"])["entity"]
        for cell, key, ent in zip(
            cand.loc[dup, "cell"], cand.loc[dup, ["iso3", "indicator_code", "year"]].itertuples(index=False), cand.loc[dup, "entity"]
        ):
            reasons[cell] = f"duplicate: {ent!r} gives the same {key[0]}/{key[2]} as {kept_by[tuple(key)]!r}"
        cand = cand[~dup].sort_values("cell")

    keep = cand["cell"].to_numpy() if len(cand) else np.array([], dtype="int64")
    rr, cc = r_idx[keep], c_idx[keep]
    flag_arr = np.full(len(keep), None, dtype=object)
    for j, col in enumerate(value_columns):
        if flags.get(col):
            sel = cc == j
            flag_arr[sel] = [flags[col].get(e) for e in entity[rr[sel]]]
    frame = pd.DataFrame(
        {
            "iso3": iso3[rr],
            "indicator_code": col_codes[cc] if len(keep) else np.array([], dtype=object),
            "year": years[rr],
            "value": values[rr, cc],
            "note": None,
            "flag": flag_arr,
        },
        columns=OBSERVATION_COLUMNS,
    )
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = frame["value"].astype("float64")

    rej = np.flatnonzero(pd.notna(reasons))
    years_raw = df[year_col].to_numpy(dtype=object)
    codes_raw = df[code_col].to_numpy(dtype=object) if code_col else None
    records = []
    for k in rej:
        r, c = r_idx[k], c_idx[k]
        rec = {"entity": entity[r]}
        if codes_raw is not None:
            rec["code"] = codes_raw[r]
        rec.update(year=years_raw[r], column=value_columns[c], value=raw[r, c])
        records.append(json.dumps(rec, ensure_ascii=False))
    rejected = pd.DataFrame(
        {"record": pd.Series(records, dtype="str"), "reason": pd.Series(reasons[rej].tolist(), dtype="str")}
    )

    per_entity = pd.DataFrame({"name": entity, "kind": kind, "reason": why}).drop_duplicates("name")
    meta = {
        "reconciliation": {
            "rows_in_file": n,
            "value_cells": int(len(r_idx)),
            "loaded": len(frame),
            "rejected": len(rejected),
            "empty_cells": int(nonempty.size - nonempty.sum()),
        },
        "skipped_columns": skipped,
        "entities": {
            "country": int((per_entity["kind"] == "country").sum()),
            "aggregate": sorted(per_entity.loc[per_entity["kind"] == "aggregate", "name"]),
            "unknown": dict(
                sorted(zip(per_entity.loc[per_entity["kind"] == "unknown", "name"],
                           per_entity.loc[per_entity["kind"] == "unknown", "reason"]))
            ),
        },
    }
    return ParseResult(frame=frame, rejected=rejected, meta=meta)



def is_rank(column: str) -> bool:
    """A rank column ("HDI 2015 Ranking"): a position, not a value."""
    return bool(_RANK.search(str(column)))


def split_columns(df: pd.DataFrame, candidates: list[str], declared_type: dict[str, str]) -> tuple[list[str], dict]:
    """Value columns vs skipped ones (non-numeric by metadata type or by content). Rank columns are value columns
    here; :func:`is_rank` marks them so the mapping step keeps them only where the catalogue says what they are."""
    obs, skipped = [], {}
    for col in candidates:
        typ = declared_type.get(col)
        if typ and typ.strip().lower() not in _NUMERIC_TYPES:
            skipped[col] = f"non-numeric column (metadata type {typ!r})"
            continue
        filled = df[col].str.strip()
        filled = filled[filled.ne("")]
        if len(filled) and not is_numeric_text(filled).any():
            skipped[col] = "non-numeric column (no cell parses as a number)"
            continue
        obs.append(col)
    return obs, skipped



def check_header(df: pd.DataFrame, required: list[str], what: str) -> None:
    missing = [c for c in required if c not in df.columns]
    if missing:
        hint = " (daily chart: 'Day' instead of 'Year' is not supported)" if "Day" in df.columns else ""
        raise ParseError(f"{what}: missing column(s) {missing}; the header has {len(df.columns)} column(s){hint}")
    counts = Counter(df.columns)  # linear: a header of a million columns must not take a million² steps
    dupes = sorted(c for c, n in counts.items() if n > 1)
    if dupes:
        first = list(df.columns).index(dupes[0]) + 1
        raise ParseError(f"{what}: {len(dupes)} duplicate column name(s), e.g. column {first}")


