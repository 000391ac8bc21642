"""OECD DAC: DAC2A SDMX-CSV data and DAC/CRS code lists → frames (pure: bytes in, frames out).

Owns:

* :func:`parse_dac2a_csv` — the OECD Data Explorer SDMX-CSV for dataflow ``DSD_DAC2@DF_DAC2A``, with
  ``format=csvfilewithlabels`` (each code column followed by a label column) or ``format=csvfile``, in any
  column order; SDMX-CSV 2.0 headers such as ``DONOR: Donor`` are accepted too. Output rows follow the
  ``oda_flow`` table: ``donor, recipient, year, measure, amount_usd, price_basis, note`` with
  ``amount_usd = OBS_VALUE × 10^UNIT_MULT`` and ``price_basis`` ``'current'`` (PRICE_BASE ``V``) or
  ``'constant'`` (``Q``; the base year goes to ``note``). Rows that cannot be stored faithfully (not USD,
  unknown price base, missing multiplier, deleted by ``ACTION=D``, non-annual period, duplicate key) are rejected
  with a reason; empty ``OBS_VALUE`` is not an observation (counted in meta).
* :func:`parse_codelist` — the DAC/CRS code list JSON (Provider, Recipient, …): numeric DAC ``code``, English and
  French names, ISO codes, the SDMX ``dotstatcode`` and a lower-cased ``status``.

No real DAC2A data response exists in ../shared (PROVENANCE.md §4); the column list follows FORMATS.md §4.1.
"""

from __future__ import annotations

import io
import json
import math
import re

import pandas as pd

from etl.parsers import ParseError, ParseResult

ODA_COLUMNS = ["donor", "recipient", "year", "measure", "amount_usd", "price_basis", "note"]
CODELIST_COLUMNS = [
    "code", "name_en", "name_fr", "iso3", "iso2", "dotstatcode", "status", "type", "acronym",
    "region_code", "region_name", "income_group", "wb_income_group", "activation_date",
]
REQUIRED = ["DONOR", "RECIPIENT", "MEASURE", "PRICE_BASE", "TIME_PERIOD", "OBS_VALUE", "UNIT_MULT"]
PRICE_BASIS = {"V": "current", "Q": "constant"}
_ERROR_MARKERS = ("Could not find Dataflow", "Could not find DSD", "Dataflow not found")
_NO_RECORDS = re.compile(r"no\s*records\s*found", re.IGNORECASE)


def _decode(body: bytes | str) -> str:
    if isinstance(body, str):
        return body.lstrip("\ufeff")
    if body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return body.decode("utf-16")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return body.decode("latin-1")


def _column_id(header: str) -> str:
    """``"DONOR: Donor"`` (SDMX-CSV 2.0 labels=both) → ``"DONOR"``; other headers unchanged."""
    return header.split(":", 1)[0].strip() if ":" in header else header.strip()


def _code_value(value: str) -> tuple[str, str | None]:
    """``"AUT: Austria"`` → ``("AUT", "Austria")``; ``"AUT"`` → ``("AUT", None)``."""
    value = value.strip()
    if ": " in value:
        code, label = value.split(": ", 1)
        return code.strip(), label.strip()
    return value, None


def parse_dac2a_csv(body: bytes | str) -> ParseResult:
    """DAC2A SDMX-CSV (with or without label columns) → ``oda_flow`` rows."""
    text = _decode(body)
    head = text.lstrip()[:2000]
    if not head:
        raise ParseError("DAC2A response is empty")
    if _NO_RECORDS.search(head) and "OBS_VALUE" not in head:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in ODA_COLUMNS})
        return ParseResult(frame=empty, meta={"no_records": True, "rows_in_file": 0, "loaded": 0})
    if head.startswith("<") or any(m.lower() in head.lower() for m in _ERROR_MARKERS):
        snippet = " ".join(re.sub(r"<[^>]+>", " ", head).split())[:200]
        raise ParseError(f"DAC2A response is not SDMX-CSV (error page?): {snippet!r}")
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ParseError(f"DAC2A CSV could not be read: {exc}") from exc
    headers = [str(c).strip() for c in df.columns]
    ids = [_column_id(h) for h in headers]
    by_id: dict[str, str] = {}
    for h, i in zip(headers, ids):
        if i.isupper() and i not in by_id:
            by_id[i] = h
    df.columns = headers
    missing = [c for c in REQUIRED if c not in by_id]
    if missing:
        raise ParseError(f"DAC2A CSV lacks column(s) {missing}; columns are {headers}")
    labelled = {k: next((h for h in headers if h != by_id[k] and h.lower() == k.lower()), None)
                for k in ("DONOR", "RECIPIENT", "MEASURE")}

    def col(name: str) -> pd.Series:
        return df[by_id[name]].str.strip() if name in by_id else pd.Series([""] * len(df), index=df.index)

    donor, recipient, measure = col("DONOR"), col("RECIPIENT"), col("MEASURE")
    labels: dict[str, dict[str, str]] = {"donor": {}, "recipient": {}, "measure": {}}
    parts = {}
    for key, series in (("donor", donor), ("recipient", recipient), ("measure", measure)):
        split = series.map(_code_value)
        parts[key] = split.map(lambda t: t[0])
        lab_col = labelled[key.upper()]
        lab_values = df[lab_col].str.strip() if lab_col else split.map(lambda t: t[1] or "")
        for code, lab in zip(parts[key], lab_values):
            if code and lab:
                labels[key].setdefault(code, lab)
    price, period, raw_value = col("PRICE_BASE"), col("TIME_PERIOD"), col("OBS_VALUE")
    mult, unit, action = col("UNIT_MULT"), col("UNIT_MEASURE"), col("ACTION")
    base_per, status = col("BASE_PER"), col("OBS_STATUS")

    out, rejected, empty_values = [], [], 0
    seen: set[tuple] = set()
    for i in range(len(df)):
        record = json.dumps(dict(zip(headers, df.iloc[i].tolist())), ensure_ascii=False)
        d, r, m = parts["donor"].iat[i], parts["recipient"].iat[i], parts["measure"].iat[i]
        if action.iat[i].upper() == "D":
            rejected.append((record, "deleted observation (ACTION=D)"))
            continue
        if not raw_value.iat[i]:
            empty_values += 1
            continue
        reason = None
        if not (d and r and m):
            reason = "missing DONOR, RECIPIENT or MEASURE code"
        elif not re.fullmatch(r"\d{4}", period.iat[i]):
            reason = f"non-annual TIME_PERIOD {period.iat[i]!r}"
        elif unit.iat[i] and _code_value(unit.iat[i])[0] != "USD":
            reason = f"UNIT_MEASURE is {unit.iat[i]!r}, not USD"
        elif _code_value(price.iat[i])[0] not in PRICE_BASIS:
            reason = f"unknown PRICE_BASE {price.iat[i]!r} (expected V or Q)"
        elif not re.fullmatch(r"-?\d+", _code_value(mult.iat[i])[0]):
            reason = f"UNIT_MULT {mult.iat[i]!r} is not an integer power of ten"
        if reason is None:
            try:
                value = float(raw_value.iat[i])
                if not math.isfinite(value):
                    raise ValueError
            except ValueError:
                reason = f"non-numeric OBS_VALUE {raw_value.iat[i]!r}"
        if reason:
            rejected.append((record, reason))
            continue
        basis = PRICE_BASIS[_code_value(price.iat[i])[0]]
        key = (d, r, int(period.iat[i]), m, basis)
        if key in seen:
            rejected.append((record, f"duplicate observation {key} (first kept)"))
            continue
        seen.add(key)
        notes = []
        if basis == "constant" and base_per.iat[i]:
            notes.append(f"constant prices, base period {base_per.iat[i]}")
        if status.iat[i] and _code_value(status.iat[i])[0] not in ("A", ""):
            notes.append(f"OBS_STATUS {status.iat[i]}")
        out.append(
            {
                "donor": d,
                "recipient": r,
                "year": int(period.iat[i]),
                "measure": m,
                "amount_usd": value * 10 ** int(_code_value(mult.iat[i])[0]),
                "price_basis": basis,
                "note": "; ".join(notes) or None,
            }
        )
    frame = pd.DataFrame(out, columns=ODA_COLUMNS)
    if out:
        frame["year"] = frame["year"].astype("int64")
        frame["amount_usd"] = frame["amount_usd"].astype("float64")
    meta = {
        "rows_in_file": len(df),
        "loaded": len(frame),
        "rejected": len(rejected),
        "empty_values": empty_values,
        "with_labels": any(labelled.values()),
        "labels": labels,
        "structure_id": sorted(set(col("STRUCTURE_ID")) - {""}),
    }
    return ParseResult(frame=frame, rejected=pd.DataFrame(rejected, columns=["record", "reason"]), meta=meta)


def _narratives(name) -> dict[str, str]:
    """``{"narrative": ["Austria", {"xml:lang": "fr", "#text": "Autriche"}]}`` → ``{"en": …, "fr": …}``."""
    out: dict[str, str] = {}
    items = name.get("narrative") if isinstance(name, dict) else name
    if not isinstance(items, list):
        items = [items]
    for item in items:
        if isinstance(item, str):
            out.setdefault("en", item.strip())
        elif isinstance(item, dict):
            lang = item.get("xml:lang") or item.get("_xml:lang") or "en"
            text = item.get("#text")
            if isinstance(text, str):
                out.setdefault(lang, text.strip())
    return out


def _s(value) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def parse_codelist(json_bytes: bytes | str) -> ParseResult:
    """DAC/CRS code list JSON → one row per item (columns :data:`CODELIST_COLUMNS`)."""
    try:
        doc = json.loads(_decode(json_bytes))
    except json.JSONDecodeError as exc:
        raise ParseError(f"DAC code list is not valid JSON: {exc}") from exc
    try:
        lists = doc["codelists"]["codelist"]
    except (KeyError, TypeError) as exc:
        raise ParseError("DAC code list: expected {'codelists': {'codelist': [...]}}") from exc
    lists = lists if isinstance(lists, list) else [lists]
    if len(lists) != 1:
        raise ParseError(f"DAC code list: expected one codelist, found {len(lists)}")
    cl = lists[0]
    items = ((cl.get("codelist-items") or {}).get("codelist-item")) or []
    items = items if isinstance(items, list) else [items]
    rows, rejected = [], []
    for item in items:
        code = _s(str(item.get("code"))) if item.get("code") is not None else None
        if not code:
            rejected.append((json.dumps(item, ensure_ascii=False), "code list item without code"))
            continue
        names = _narratives(item.get("name") or {})
        region = item.get("region") or {}
        income = item.get("income-group") or {}
        rows.append(
            {
                "code": code,
                "name_en": names.get("en"),
                "name_fr": names.get("fr"),
                "iso3": _s(item.get("iso-alpha-3-code")),
                "iso2": _s(item.get("iso-alpha-2-code")),
                "dotstatcode": _s(item.get("dotstatcode")),
                "status": (_s(item.get("status")) or "").lower() or None,
                "type": _s(item.get("type")),
                "acronym": _s(item.get("acronym")),
                "region_code": _s(region.get("region-code")),
                "region_name": _narratives(region.get("name") or {}).get("en"),
                "income_group": _narratives(income.get("igname") or {}).get("en"),
                "wb_income_group": _s(item.get("wb-income-group")),
                "activation_date": _s(item.get("activation-date")),
            }
        )
    frame = pd.DataFrame(rows, columns=CODELIST_COLUMNS)
    meta = {
        "name": cl.get("name"),
        "date_last_modified": doc["codelists"].get("date-last-modified"),
        "items": len(items),
        "duplicate_codes": sorted(frame.loc[frame["code"].duplicated(), "code"].unique().tolist()),
    }
    return ParseResult(frame=frame, rejected=pd.DataFrame(rejected, columns=["record", "reason"]), meta=meta)
