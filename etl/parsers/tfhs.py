"""Trust Fund for Human Security (UNTFHS) project register CSV → ``tfhs_project`` rows (pure: bytes in, frames out).

No public API or machine-readable register of UNTFHS projects exists, so hsdash defines the CSV a curator fills
in from the Fund's published project pages. This module owns that schema and its validation.

Schema (UTF-8, optional BOM, comma-separated, RFC 4180 quoting, one header line with exactly these names, any
order; extra columns are ignored and listed in ``meta['extra_columns']``):

============  ========  ====================================================================================
column        required  content
============  ========  ====================================================================================
project_id    yes       the curator's stable identifier, unique in the file (e.g. ``UNTFHS-2006-KHM-01``)
title         yes       project title as published
countries     no        ISO3 codes of the countries covered, separated by ``;`` (``KHM;LAO;VNM``); empty for
                        projects not attributable to countries
region        yes       free text region as the Fund reports it (e.g. ``Asia``, ``East Asia``)
lead_agency   no        lead UN agency (e.g. ``UNDP``, ``UNICEF``)
category      yes       one of ``poverty, health, drug, refugees, crime, conflict, disaster, environment, others``
                        (the nine categories of Soh 2008); case-insensitive, stored lower-case
start_date    no        ``YYYY-MM-DD`` or ``YYYY``
end_date      no        ``YYYY-MM-DD`` or ``YYYY``; not before ``start_date`` (compared by year when either is a year)
budget_usd    no        plain number in US dollars (``1250000`` or ``1250000.50``; no thousands separators),
                        not negative
source_url    yes       ``http://`` or ``https://`` URL of the page the row was taken from
============  ========  ====================================================================================

A row with any problem is rejected as a whole, with every problem listed in the reason (``unknown category``,
``bad ISO3``, ``non-numeric``/``negative budget_usd``, ``end_date before start_date``, ``duplicate project_id``,
``missing required field``…). A missing *column* makes the whole file a :class:`ParseError`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re

import pandas as pd

from etl.countries import is_iso3
from etl.parsers import ParseError, ParseResult

COLUMNS = ["project_id", "title", "countries", "region", "lead_agency", "category", "start_date", "end_date",
           "budget_usd", "source_url"]
REQUIRED = ["project_id", "title", "region", "category", "source_url"]
CATEGORIES = ("poverty", "health", "drug", "refugees", "crime", "conflict", "disaster", "environment", "others")
_URL = re.compile(r"^https?://[^\s/]+\S*$", re.IGNORECASE)


def _date(value: str) -> tuple[int, dt.date | None] | None:
    """``"2006"`` → (2006, None); ``"2006-03-01"`` → (2006, date); invalid → None."""
    if re.fullmatch(r"\d{4}", value):
        return int(value), None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            d = dt.date.fromisoformat(value)
        except ValueError:
            return None
        return d.year, d
    return None


def parse_register(csv_bytes: bytes | str) -> ParseResult:
    """Validate the project register; valid rows in ``frame`` (``tfhs_project`` columns), the rest in ``rejected``."""
    text = csv_bytes.decode("utf-8-sig") if isinstance(csv_bytes, (bytes, bytearray)) else csv_bytes.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise ParseError("TFHS register is empty (no header line)")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ParseError(f"TFHS register lacks column(s) {missing}; header is {header}")
    reader.fieldnames = header

    rows, rejected = [], []
    first_line: dict[str, int] = {}
    n = 0
    for raw in reader:
        n += 1
        line = reader.line_num
        row = {c: (raw.get(c) or "").strip() for c in COLUMNS}
        problems = []
        empty = [c for c in REQUIRED if not row[c]]
        if empty:
            problems.append("missing required field(s): " + ", ".join(empty))
        category = row["category"].lower()
        if row["category"] and category not in CATEGORIES:
            problems.append(f"unknown category {row['category']!r} (expected one of {', '.join(CATEGORIES)})")
        codes = []
        for code in (c.strip().upper() for c in row["countries"].split(";")):
            if code and code not in codes:
                codes.append(code)
        bad = [c for c in codes if not is_iso3(c)]
        if bad:
            problems.append("bad ISO3 code(s): " + ", ".join(bad))
        dates = {}
        for col in ("start_date", "end_date"):
            if row[col]:
                dates[col] = _date(row[col])
                if dates[col] is None:
                    problems.append(f"bad {col} {row[col]!r} (expected YYYY-MM-DD or YYYY)")
        start, end = dates.get("start_date"), dates.get("end_date")
        if start and end:
            before = end[1] < start[1] if start[1] and end[1] else end[0] < start[0]
            if before:
                problems.append(f"end_date {row['end_date']} before start_date {row['start_date']}")
        budget = None
        if row["budget_usd"]:
            try:
                budget = float(row["budget_usd"]) if re.fullmatch(r"[+-]?[0-9.eE+-]+", row["budget_usd"]) else None
            except ValueError:
                budget = None
            if budget is None or not math.isfinite(budget):
                problems.append(f"non-numeric budget_usd {row['budget_usd']!r}")
                budget = None
            elif budget < 0:
                problems.append(f"negative budget_usd {row['budget_usd']}")
        if row["source_url"] and not _URL.match(row["source_url"]):
            problems.append(f"source_url {row['source_url']!r} is not an http(s) URL")
        pid = row["project_id"]
        if pid:
            if pid in first_line:
                problems.append(f"duplicate project_id {pid!r} (first on line {first_line[pid]})")
            else:
                first_line[pid] = line
        if problems:
            rejected.append((json.dumps({"line": line, **row}, ensure_ascii=False), "; ".join(problems)))
            continue
        rows.append(
            {
                **{c: (row[c] or None) for c in COLUMNS},
                "countries": ";".join(codes) or None,
                "category": category,
                "budget_usd": budget,
            }
        )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["budget_usd"] = frame["budget_usd"].astype("float64")
    meta = {
        "rows_in_file": n,
        "loaded": len(frame),
        "rejected": len(rejected),
        "extra_columns": [h for h in header if h not in COLUMNS],
        "by_category": frame["category"].value_counts().sort_index().to_dict(),
    }
    return ParseResult(frame=frame, rejected=pd.DataFrame(rejected, columns=["record", "reason"]), meta=meta)
