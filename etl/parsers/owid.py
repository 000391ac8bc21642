"""Our World in Data CSVs → observations (pure: bytes in, frames out).

Owns two OWID layouts:

* grapher chart CSV ``Entity,Code,Year,<columns…>`` plus ``<slug>.metadata.json`` (:func:`parse_grapher`);
* owid-datasets CSV ``Entity,Year,<columns…>`` plus ``datapackage.json`` (:func:`parse_dataset`), names only.

Places: a non-empty ``Code`` is resolved as a code (ISO3 → country, ``OWID_*`` → aggregate, except ``OWID_KOS``);
otherwise the entity name is resolved with :mod:`etl.countries`. Every non-empty value cell ends up either as a
frame row or as a rejected row (``aggregate: <name>``, ``unknown entity: <name> (…)``, non-numeric value, bad
year, or a duplicate iso3/year produced by two spellings of one country, e.g. "Korea" and "South Korea").
``meta['reconciliation']`` = ``{rows_in_file, value_cells, loaded, rejected, empty_cells}`` with
``value_cells == loaded + rejected``.

Indicator codes: a column listed in ``etl/owid_indicator_map.csv`` (measures exactly a catalogue series, same
definition and unit) gets that code (e.g. ``HDR.HDI``); otherwise ``OWID.<slug>.<short name>``, the short name
being the metadata ``shortName`` (grapher) or a slug of the column header. Rank columns and non-numeric columns
(e.g. "World region according to OWID") are not observations: skipped and listed in ``meta['skipped_columns']``.
``meta['indicators']`` describes every ``OWID.*`` indicator for the catalogue.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from etl.countries import resolve_codes, resolve_names
from etl.parsers import OBSERVATION_COLUMNS, ParseError, ParseResult

INDICATOR_MAP_FILE = Path(__file__).resolve().parents[1] / "owid_indicator_map.csv"
_RANK = re.compile(r"\brank(?:ing)?\b", re.IGNORECASE)
_NUMERIC_TYPES = {"numeric", "integer", "float", "number", "real"}


def column_slug(name: str) -> str:
    """``"Child Mortality Estimates (CME Info (2016))"`` → ``"child_mortality_estimates_cme_info_2016"``."""
    slug = re.sub(r"[^0-9a-z]+", "_", str(name).lower()).strip("_")
    return slug or "value"


@functools.lru_cache(maxsize=1)
def indicator_map() -> dict[tuple[str, str], str]:
    """``(dataset slug, column name) → indicator code`` for OWID columns that *are* catalogue series.

    Rows of the map file with an empty ``indicator_code`` record a deliberate non-mapping and are left out.
    """
    out: dict[tuple[str, str], str] = {}
    with INDICATOR_MAP_FILE.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code = row["indicator_code"].strip()
            if code:
                out[(row["dataset_slug"].strip(), row["column"].strip())] = code
    return out


def _read_csv(data: bytes | str, what: str) -> pd.DataFrame:
    text = data.decode("utf-8-sig") if isinstance(data, (bytes, bytearray)) else str(data).lstrip("\ufeff")
    if not text.strip():
        raise ParseError(f"{what}: empty file")
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ParseError(f"{what}: not a readable CSV: {exc}") from exc
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _json(data: bytes | str | None, what: str):
    if data is None:
        return None
    try:
        return json.loads(data.decode("utf-8-sig") if isinstance(data, (bytes, bytearray)) else data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(f"{what}: not valid JSON: {exc}") from exc


def _settings(value) -> dict:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip():
        try:
            parsed = json.loads(value)
            return parsed if isinstance(parsed, dict) else {}
        except json.JSONDecodeError:
            return {}
    return {}


def _annotations(settings: dict) -> dict[str, str]:
    """``entityAnnotationsMap`` ("Burundi: Value represents …" lines) → {entity: annotation}."""
    out = {}
    for line in str(settings.get("entityAnnotationsMap") or "").splitlines():
        if ":" in line:
            entity, note = line.split(":", 1)
            out[entity.strip()] = note.strip()
    return out


def _unique_codes(codes: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for code in codes:
        n = seen.get(code, 0)
        seen[code] = n + 1
        out.append(code if n == 0 else f"{code}_{n + 1}")
    return out


def _is_numeric_text(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").notna()


def _build(
    df: pd.DataFrame,
    *,
    places: pd.DataFrame,
    value_columns: list[str],
    codes: dict[str, str],
    flags: dict[str, dict[str, str]],
    skipped: dict[str, str],
    entity_col: str = "Entity",
    code_col: str | None = None,
) -> ParseResult:
    """Shared core: wide OWID frame + per-row place resolution → long observations, rejections and meta."""
    n = len(df)
    entity = df[entity_col].to_numpy(dtype=object)
    kind = places["kind"].to_numpy(dtype=object)
    iso3 = places["iso3"].to_numpy(dtype=object)
    why = places["reason"].to_numpy(dtype=object)
    year_num = pd.to_numeric(df["Year"].str.strip(), errors="coerce")
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
    reasons[bad_year] = [f"bad year {y!r}" for y in df["Year"].to_numpy(dtype=object)[r_idx[bad_year]]]
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
    years_raw = df["Year"].to_numpy(dtype=object)
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


def _split_columns(df: pd.DataFrame, candidates: list[str], declared_type: dict[str, str]) -> tuple[list[str], dict]:
    """Observation columns vs skipped ones (rank columns; non-numeric by metadata type or by content)."""
    obs, skipped = [], {}
    for col in candidates:
        if _RANK.search(col):
            skipped[col] = "rank column, not an observation"
            continue
        typ = declared_type.get(col)
        if typ and typ.strip().lower() not in _NUMERIC_TYPES:
            skipped[col] = f"non-numeric column (metadata type {typ!r})"
            continue
        filled = df[col].str.strip()
        filled = filled[filled.ne("")]
        if len(filled) and not _is_numeric_text(filled).any():
            skipped[col] = "non-numeric column (no cell parses as a number)"
            continue
        obs.append(col)
    return obs, skipped


def _check_header(df: pd.DataFrame, required: list[str], what: str) -> None:
    missing = [c for c in required if c not in df.columns]
    if missing:
        hint = " (daily chart: 'Day' instead of 'Year' is not supported)" if "Day" in df.columns else ""
        raise ParseError(f"{what}: missing column(s) {missing}; header is {list(df.columns)[:6]}{hint}")
    dupes = sorted({c for c in df.columns if list(df.columns).count(c) > 1})
    if dupes:
        raise ParseError(f"{what}: duplicate column names {dupes}")


def parse_dataset(csv_bytes: bytes | str, datapackage_bytes: bytes | str | None, slug: str) -> ParseResult:
    """owid-datasets ``data.csv`` (``Entity,Year,<columns…>``) + its ``datapackage.json`` → observations."""
    what = f"OWID dataset {slug!r}"
    df = _read_csv(csv_bytes, what)
    _check_header(df, ["Entity", "Year"], what)
    package = _json(datapackage_bytes, f"{what} datapackage.json") or {}
    fields = {}
    for res in package.get("resources") or []:
        for f in (res.get("schema") or {}).get("fields") or []:
            if isinstance(f, dict) and f.get("name"):
                fields[f["name"]] = f
    candidates = [c for c in df.columns if c not in ("Entity", "Year")]
    obs_cols, skipped = _split_columns(df, candidates, {})
    mapping = indicator_map()
    slugs = _unique_codes([column_slug(c) for c in obs_cols])
    codes = {c: mapping.get((slug, c), f"OWID.{slug}.{s}") for c, s in zip(obs_cols, slugs)}
    flags = {}
    for col in obs_cols:
        ann = _annotations(_settings(fields.get(col, {}).get("owidDisplaySettings")))
        if ann:
            flags[col] = ann
    places = resolve_names(df["Entity"])
    result = _build(df, places=places, value_columns=obs_cols, codes=codes, flags=flags, skipped=skipped)

    source = (package.get("sources") or [{}])[0] or {}
    citation = "; ".join(
        str(x).strip() for x in (source.get("name"), source.get("dataPublishedBy"), source.get("link")) if x
    )
    indicators = []
    for col in obs_cols:
        if not codes[col].startswith("OWID."):
            continue
        field = fields.get(col, {})
        settings = _settings(field.get("owidDisplaySettings"))
        indicators.append(
            {
                "indicator_code": codes[col],
                "name": str(settings.get("name") or col),
                "unit": str(settings.get("unit") or settings.get("shortUnit") or ""),
                "description": str(field.get("description") or package.get("description") or "").strip(),
                "citation": citation,
                "last_updated": source.get("retrievedDate"),
            }
        )
    result.meta.update(
        slug=slug,
        title=package.get("title"),
        indicators=indicators,
        mapped_columns={c: codes[c] for c in obs_cols if not codes[c].startswith("OWID.")},
        columns_without_metadata=[c for c in obs_cols if c not in fields],
    )
    return result


def _match_metadata(headers: list[str], columns_meta: dict) -> dict[str, tuple[str, str]]:
    """CSV header → (metadata key, how). Exact names first, then the remaining ones by position when the counts
    agree (OWID's long-name CSV headers can differ from the metadata keys: 'Renewables' vs
    'Renewables - % electricity')."""
    keys = list(columns_meta)
    matched = {h: (h, "name") for h in headers if h in columns_meta}
    rest_h = [h for h in headers if h not in matched]
    rest_k = [k for k in keys if k not in {m for m, _ in matched.values()}]
    if rest_h and len(rest_h) == len(rest_k):
        for h, k in zip(rest_h, rest_k):
            meta = columns_meta.get(k) or {}
            text = " ".join(str(meta.get(f) or "") for f in ("titleShort", "titleLong")) + " " + k
            first = re.split(r"\W+", h.lower())[0]
            how = "position" if first and first in text.lower() else "position (names disagree)"
            matched[h] = (k, how)
    return matched


def parse_grapher(csv_bytes: bytes | str, metadata_bytes: bytes | str | None, slug: str) -> ParseResult:
    """OWID grapher chart CSV (``Entity,Code,Year,<columns…>``) + optional ``<slug>.metadata.json`` → observations."""
    what = f"OWID grapher chart {slug!r}"
    df = _read_csv(csv_bytes, what)
    _check_header(df, ["Entity", "Code", "Year"], what)
    metadata = _json(metadata_bytes, f"{what} metadata.json") or {}
    columns_meta = metadata.get("columns") or {}
    chart = metadata.get("chart") or {}
    candidates = [c for c in df.columns if c not in ("Entity", "Code", "Year")]
    matched = _match_metadata(candidates, columns_meta)
    declared = {h: str((columns_meta.get(k) or {}).get("type") or "") for h, (k, _) in matched.items()}
    obs_cols, skipped = _split_columns(df, candidates, {h: t for h, t in declared.items() if t})
    mapping = indicator_map()
    names = []
    for col in obs_cols:
        short = (columns_meta.get(matched[col][0]) or {}).get("shortName") if col in matched else None
        # shortName is already OWID's machine name (e.g. "coal_per_capita__kwh"): keep it verbatim when clean.
        names.append(short if short and re.fullmatch(r"[A-Za-z0-9_]+", short) else column_slug(short or col))
    names = _unique_codes(names)
    codes = {c: mapping.get((slug, c), f"OWID.{slug}.{s}") for c, s in zip(obs_cols, names)}

    code = df["Code"].str.strip()
    by_code = resolve_codes(code)
    by_name = resolve_names(df["Entity"])
    use_code = code.ne("").to_numpy()
    places = by_name.copy()
    for col in ("iso3", "kind", "reason"):
        places[col] = np.where(use_code, by_code[col].to_numpy(dtype=object), by_name[col].to_numpy(dtype=object))
    result = _build(df, places=places, value_columns=obs_cols, codes=codes, flags={}, skipped=skipped, code_col="Code")

    indicators = []
    for col in obs_cols:
        if not codes[col].startswith("OWID."):
            continue
        meta = (columns_meta.get(matched[col][0]) or {}) if col in matched else {}
        indicators.append(
            {
                "indicator_code": codes[col],
                "name": str(meta.get("titleShort") or meta.get("titleLong") or col),
                "unit": str(meta.get("unit") or meta.get("shortUnit") or ""),
                "description": str(meta.get("descriptionShort") or chart.get("subtitle") or ""),
                "citation": str(meta.get("citationLong") or meta.get("citationShort") or chart.get("citation") or ""),
                "last_updated": meta.get("lastUpdated") or metadata.get("dateDownloaded"),
            }
        )
    result.meta.update(
        slug=slug,
        title=chart.get("title"),
        date_downloaded=metadata.get("dateDownloaded"),
        indicators=indicators,
        mapped_columns={c: codes[c] for c in obs_cols if not codes[c].startswith("OWID.")},
        column_matching={h: {"metadata_key": k, "how": how} for h, (k, how) in matched.items()},
        columns_without_metadata=[c for c in candidates if c not in matched],
    )
    return result
