"""World Bank Indicators API v2 JSON bodies → observations and country metadata (pure: bytes in, frames out).

Owns: reading one response body of ``/v2/country/{codes}/indicator/{ids}?format=json`` (one page) or
``/v2/country?format=json``; recognising the API's error forms; keeping World Bank aggregates (Arab World, income
groups, ...) out of the observations while reporting them; checking that pagination added up.

Formats (see ../shared/fixtures/FORMATS.md §1): a 2-element array ``[metadata, rows]``; metadata numbers arrive as
numbers *or* strings depending on the endpoint; ``value`` is a number or ``null``; ``date`` is a string. Errors:
HTTP-200 ``[{"message":[{"id":"120","key":"Invalid value","value":"..."}]}]``, or an XHTML "Request Error" page that
starts with a UTF-8 BOM. Each raises :class:`WorldBankAPIError` with a readable message.
"""

from __future__ import annotations

import json
import re

import pandas as pd

from etl.countries import WB_AGGREGATE_CODES, iso2_to_iso3, is_wb_aggregate_id, resolve_codes
from etl.parsers import OBSERVATION_COLUMNS, ParseError, ParseResult

INDICATOR_COLUMNS = OBSERVATION_COLUMNS + ["obs_status", "wb_country_id", "country_name"]
COUNTRY_COLUMNS = [
    "iso3", "iso2", "name", "wb_region", "wb_income_group", "lending_type", "capital", "is_aggregate",
]
_INT_META = ("page", "pages", "per_page", "total")
_YEAR = re.compile(r"^\d{4}$")


class WorldBankAPIError(ParseError):
    """The body is an API error (message array or HTML page), invalid JSON, or not the expected shape.

    ``kind`` is one of ``'message'``, ``'html'``, ``'json'``, ``'shape'``; ``messages`` holds the API's message
    objects for ``kind == 'message'``.
    """

    def __init__(self, message: str, kind: str, messages: list[dict] | None = None):
        super().__init__(message)
        self.kind = kind
        self.messages = messages or []


def _as_int(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return value


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def parse_envelope(body: bytes | str) -> tuple[dict, list]:
    """Decode any v2 (or legacy v1) JSON body into ``(meta, rows)``; raise :class:`WorldBankAPIError` on errors.

    ``meta`` has ``page, pages, per_page, total`` as ints (when numeric) and ``sourceid`` as int when numeric;
    ``rows`` is ``[]`` when the API sent ``null`` (no data).
    """
    text = body.decode("utf-8", errors="replace") if isinstance(body, (bytes, bytearray)) else str(body)
    text = text.lstrip("\ufeff").strip()
    if not text:
        raise WorldBankAPIError("World Bank API returned an empty body", "json")
    if text.startswith("<"):
        parts: list[str] = []
        for raw in re.findall(r"<(?:title|p)\b[^>]*>(.*?)</(?:title|p)>", text, re.IGNORECASE | re.DOTALL):
            clean = " ".join(re.sub(r"<[^>]+>", " ", raw).split())
            if clean and clean not in parts:
                parts.append(clean)
        detail = " / ".join(parts)
        raise WorldBankAPIError(f"World Bank API returned an HTML page instead of JSON: {detail or text[:80]!r}", "html")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WorldBankAPIError(f"World Bank API body is not valid JSON (truncated?): {exc}", "json") from exc
    if isinstance(doc, list) and doc and isinstance(doc[0], dict) and "message" in doc[0]:
        msgs = doc[0]["message"] if isinstance(doc[0]["message"], list) else [doc[0]["message"]]
        parts = [f"{m.get('id', '?')} {_text(m.get('key'))}: {_text(m.get('value'))}" for m in msgs if isinstance(m, dict)]
        raise WorldBankAPIError(
            f"World Bank API error ({len(msgs)} message(s)): " + "; ".join(parts), "message", list(msgs)
        )
    if not (isinstance(doc, list) and len(doc) == 2 and isinstance(doc[0], dict)):
        raise WorldBankAPIError(
            f"unexpected World Bank API shape: expected [metadata, rows], got {type(doc).__name__}"
            + (f" of length {len(doc)}" if isinstance(doc, list) else ""),
            "shape",
        )
    raw_meta, rows = doc
    if rows is None:
        rows = []
    if not isinstance(rows, list):
        raise WorldBankAPIError(f"unexpected World Bank API shape: rows is {type(rows).__name__}", "shape")
    meta = dict(raw_meta)
    for key in _INT_META:
        if key in meta:
            meta[key] = _as_int(meta[key])
    if "sourceid" in meta:
        meta["sourceid"] = _as_int(meta["sourceid"])
    return meta, rows


def check_total(meta: dict, rows_received: int) -> None:
    """Raise :class:`WorldBankAPIError` unless ``rows_received`` (cumulative over pages ``1..meta['page']``)
    is what ``meta`` promises: ``per_page`` per full page, ``total`` once the last page is in."""
    try:
        page, pages, per_page, total = (int(meta[k]) for k in _INT_META)
    except (KeyError, TypeError, ValueError) as exc:
        raise WorldBankAPIError(f"pagination metadata incomplete or not numeric: {meta!r}", "shape") from exc
    expected = total if page >= pages else min(total, page * per_page)
    if rows_received != expected:
        raise WorldBankAPIError(
            f"row count mismatch: received {rows_received} rows up to page {page}/{pages}, "
            f"expected {expected} (total {total}, per_page {per_page})",
            "shape",
        )


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def parse_indicator_page(body: bytes | str) -> ParseResult:
    """One page of indicator values → observations of countries (aggregates reported, not loaded).

    frame: ``iso3, indicator_code, year, value, note, flag, obs_status, wb_country_id, country_name``
    (``note`` = footnote, ``flag`` = ``obs_status <X>`` when the API set one). Null values are not observations
    (counted in ``meta['null_values']``). Aggregates go to ``rejected`` as ``aggregate: <name>`` and are counted in
    ``meta['aggregates']``; unknown ids and non-annual dates are rejected too.
    """
    meta, rows = parse_envelope(body)
    if rows and not all(isinstance(r, dict) and "indicator" in r and "date" in r for r in rows):
        raise WorldBankAPIError("unexpected World Bank API shape: rows are not indicator observations", "shape")
    lacking = sorted({k for r in rows for k in ("value", "country") if k not in r})
    if lacking:  # a renamed field must not read as "every value empty"
        fields = sorted({k for r in rows for k in r})
        raise WorldBankAPIError(f"unexpected World Bank API shape: rows lack the column(s) {lacking}; fields are {fields}", "shape")
    meta.update(rows_received=len(rows), null_values=0, aggregates=0)
    if not rows:
        meta["loaded"] = 0
        return ParseResult(frame=_empty(INDICATOR_COLUMNS), meta=meta)

    country_ids = [_text((r.get("country") or {}).get("id")) for r in rows]
    names = [_text((r.get("country") or {}).get("value")) for r in rows]
    # v2 rows carry countryiso3code; legacy (pre-v2) rows only carry the 2-character country.id (ISO2 for countries).
    legacy = ["countryiso3code" not in r for r in rows]
    iso_field = [
        (iso2_to_iso3(cid) or "") if old else _text(r.get("countryiso3code"))
        for r, cid, old in zip(rows, country_ids, legacy)
    ]
    meta["legacy_rows"] = sum(legacy)
    codes = resolve_codes(iso_field)

    loaded, rejected = [], []
    for i, row in enumerate(rows):
        record = json.dumps(row, ensure_ascii=False, sort_keys=True)
        cid, name, code = country_ids[i], names[i], iso_field[i]
        kind, iso3, reason = codes.at[i, "kind"], codes.at[i, "iso3"], codes.at[i, "reason"]
        if kind != "aggregate" and (is_wb_aggregate_id(cid) or cid.upper() in WB_AGGREGATE_CODES):
            kind = "aggregate"
        if kind == "aggregate":
            meta["aggregates"] += 1
            rejected.append((record, f"aggregate: {name or code or cid}"))
            continue
        if kind != "country":
            if not code:
                rejected.append((record, f"no ISO3 for country id {cid!r} ({name})"))
            else:
                rejected.append((record, f"unknown country code {code!r} ({name}): {reason}"))
            continue
        value = row.get("value")
        if value is None or (isinstance(value, str) and not value.strip()):
            meta["null_values"] += 1
            continue
        try:
            value = float(value)
        except (TypeError, ValueError):
            rejected.append((record, f"non-numeric value {value!r}"))
            continue
        date = _text(row.get("date"))
        if not _YEAR.match(date):
            rejected.append((record, f"non-annual date {date!r}"))
            continue
        obs = _text(row.get("obs_status"))
        foot = _text(row.get("footnote"))
        loaded.append(
            {
                "iso3": iso3,
                "indicator_code": _text((row.get("indicator") or {}).get("id")),
                "year": int(date),
                "value": value,
                "note": foot or None,
                "flag": f"obs_status {obs}" if obs else None,
                "obs_status": obs or None,
                "wb_country_id": cid,
                "country_name": name,
            }
        )
    frame = pd.DataFrame(loaded, columns=INDICATOR_COLUMNS) if loaded else _empty(INDICATOR_COLUMNS)
    if loaded:
        frame["year"] = frame["year"].astype("int64")
        frame["value"] = frame["value"].astype("float64")
    meta["loaded"] = len(frame)
    return ParseResult(frame=frame, rejected=pd.DataFrame(rejected, columns=["record", "reason"]), meta=meta)


def parse_country_metadata(body: bytes | str) -> ParseResult:
    """``/v2/country`` body → one row per economy: ``iso3, iso2, name, wb_region, wb_income_group, lending_type,
    capital, is_aggregate`` (aggregates are kept here, flagged: WB marks them with region ``Aggregates``)."""
    meta, rows = parse_envelope(body)
    if rows and not all(isinstance(r, dict) and "iso2Code" in r and "region" in r for r in rows):
        raise WorldBankAPIError("unexpected World Bank API shape: rows are not country metadata", "shape")
    out, rejected = [], []
    for row in rows:
        iso3 = _text(row.get("id"))
        if not iso3:
            rejected.append((json.dumps(row, ensure_ascii=False, sort_keys=True), "country without id"))
            continue
        region = _text((row.get("region") or {}).get("value"))
        out.append(
            {
                "iso3": iso3,
                "iso2": _text(row.get("iso2Code")) or None,
                "name": _text(row.get("name")),
                "wb_region": region or None,
                "wb_income_group": _text((row.get("incomeLevel") or {}).get("value")) or None,
                "lending_type": _text((row.get("lendingType") or {}).get("value")) or None,
                "capital": _text(row.get("capitalCity")) or None,
                "is_aggregate": region == "Aggregates" or iso3 in WB_AGGREGATE_CODES,
            }
        )
    frame = pd.DataFrame(out, columns=COUNTRY_COLUMNS) if out else _empty(COUNTRY_COLUMNS)
    if out:
        frame["is_aggregate"] = frame["is_aggregate"].astype(bool)
    meta["rows_received"] = len(rows)
    return ParseResult(frame=frame, rejected=pd.DataFrame(rejected, columns=["record", "reason"]), meta=meta)
