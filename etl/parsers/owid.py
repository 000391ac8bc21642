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

Indicator codes: every value column gets the source's own key ``OWID.<slug>.<short name>``, the short name being
the metadata ``shortName`` (grapher) or a slug of the column header; which catalogue indicator a column *is* is
decided afterwards by :mod:`etl.mapping` from ``catalogue/series.csv``. Non-numeric columns (e.g.
"World region according to OWID") are not observations: skipped and listed in ``meta['skipped_columns']`` with the
reason; rank columns are marked ``is_rank`` and kept only where the catalogue maps them. ``meta['columns']`` says, per key, the header and what the metadata says about it (name, unit,
description, caveats).
"""

from __future__ import annotations

import json
import re

import numpy as np

from etl.countries import resolve_codes, resolve_names
from etl.parsers import ParseError, ParseResult
from etl.parsers.wide import build_long, check_header, column_slug, is_rank, meaningful, read_csv, split_columns, unique_codes


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


def parse_dataset(csv_bytes: bytes | str, datapackage_bytes: bytes | str | None, slug: str) -> ParseResult:
    """owid-datasets ``data.csv`` (``Entity,Year,<columns…>``) + its ``datapackage.json`` → observations."""
    what = f"OWID dataset {slug!r}"
    df = read_csv(csv_bytes, what)
    check_header(df, ["Entity", "Year"], what)
    package = _json(datapackage_bytes, f"{what} datapackage.json") or {}
    fields = {}
    for res in package.get("resources") or []:
        for f in (res.get("schema") or {}).get("fields") or []:
            if isinstance(f, dict) and f.get("name"):
                fields[f["name"]] = f
    candidates = [c for c in df.columns if c not in ("Entity", "Year")]
    obs_cols, skipped = split_columns(df, candidates, {})
    slugs = unique_codes([column_slug(c) for c in obs_cols])
    codes = {c: f"OWID.{slug}.{s}" for c, s in zip(obs_cols, slugs)}
    flags = {}
    for col in obs_cols:
        ann = _annotations(_settings(fields.get(col, {}).get("owidDisplaySettings")))
        if ann:
            flags[col] = ann
    places = resolve_names(df["Entity"])
    result = build_long(df, places=places, value_columns=obs_cols, codes=codes, flags=flags, skipped=skipped)

    source = (package.get("sources") or [{}])[0] or {}
    citation = "; ".join(
        str(x).strip() for x in (source.get("name"), source.get("dataPublishedBy"), source.get("link")) if x
    )
    caveats = meaningful(source.get("additionalInfo"))
    columns = {}
    for col in obs_cols:
        field = fields.get(col, {})
        settings = _settings(field.get("owidDisplaySettings"))
        columns[codes[col]] = {
            "column": col,
            "name": meaningful(settings.get("name")),
            "unit": meaningful(settings.get("unit") or settings.get("shortUnit")),
            "description": meaningful(field.get("description")) or meaningful(package.get("description")),
            "caveats": caveats,
            "is_rank": is_rank(col),
        }
    result.meta.update(
        slug=slug,
        title=package.get("title"),
        citation=citation,
        columns=columns,
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
    df = read_csv(csv_bytes, what)
    check_header(df, ["Entity", "Code", "Year"], what)
    metadata = _json(metadata_bytes, f"{what} metadata.json") or {}
    columns_meta = metadata.get("columns") or {}
    chart = metadata.get("chart") or {}
    candidates = [c for c in df.columns if c not in ("Entity", "Code", "Year")]
    matched = _match_metadata(candidates, columns_meta)
    declared = {h: str((columns_meta.get(k) or {}).get("type") or "") for h, (k, _) in matched.items()}
    obs_cols, skipped = split_columns(df, candidates, {h: t for h, t in declared.items() if t})
    names = []
    for col in obs_cols:
        short = (columns_meta.get(matched[col][0]) or {}).get("shortName") if col in matched else None
        # shortName is already OWID's machine name (e.g. "coal_per_capita__kwh"): keep it verbatim when clean.
        names.append(short if short and re.fullmatch(r"[A-Za-z0-9_]+", short) else column_slug(short or col))
    names = unique_codes(names)
    codes = {c: f"OWID.{slug}.{s}" for c, s in zip(obs_cols, names)}

    code = df["Code"].str.strip()
    by_code = resolve_codes(code)
    by_name = resolve_names(df["Entity"])
    use_code = code.ne("").to_numpy()
    places = by_name.copy()
    for col in ("iso3", "kind", "reason"):
        places[col] = np.where(use_code, by_code[col].to_numpy(dtype=object), by_name[col].to_numpy(dtype=object))
    result = build_long(df, places=places, value_columns=obs_cols, codes=codes, flags={}, skipped=skipped, code_col="Code")

    columns = {}
    for col in obs_cols:
        meta = (columns_meta.get(matched[col][0]) or {}) if col in matched else {}
        caveats = "; ".join(x for x in (meaningful(meta.get("descriptionProcessing")), meaningful(chart.get("note"))) if x)
        columns[codes[col]] = {
            "column": col,
            "name": meaningful(meta.get("titleShort") or meta.get("titleLong")),
            "unit": meaningful(meta.get("unit") or meta.get("shortUnit")),
            "description": meaningful(meta.get("descriptionShort") or chart.get("subtitle")),
            "caveats": caveats,
            "is_rank": is_rank(col),
        }
    result.meta.update(
        slug=slug,
        title=chart.get("title"),
        date_downloaded=metadata.get("dateDownloaded"),
        columns=columns,
        column_matching={h: {"metadata_key": k, "how": how} for h, (k, how) in matched.items()},
        columns_without_metadata=[c for c in candidates if c not in matched],
    )
    return result
