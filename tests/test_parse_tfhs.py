"""etl/parsers/tfhs.py: the project-register schema hsdash defines.

All registers here are SYNTHETIC, written by this test (no public UNTFHS register exists); titles, ids and
budgets are invented.
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from etl.parsers import ParseError
from etl.parsers.tfhs import CATEGORIES, COLUMNS, parse_register

GOOD = {
    "project_id": "T-001", "title": "Community resilience in the Mekong delta", "countries": "khm; VNM;KHM",
    "region": "East Asia", "lead_agency": "UNDP", "category": "Disaster", "start_date": "2006-03-01",
    "end_date": "2009", "budget_usd": "1250000.50", "source_url": "https://www.un.org/humansecurity/example-1",
}


def _register(rows: list[dict], columns: list[str] = COLUMNS, bom: bool = True) -> bytes:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def _with(**changes) -> dict:
    return {**GOOD, **changes}


def test_valid_rows_are_normalised():
    rows = [
        GOOD,
        _with(project_id="T-002", countries="", lead_agency="", category="others", start_date="", end_date="",
              budget_usd="", title='Regional study, "human security" indicators'),
        _with(project_id="T-003", countries="LAO", category="HEALTH", start_date="2007", end_date="2007-12-31",
              budget_usd="3e5"),
    ]
    res = parse_register(_register(rows))
    assert list(res.frame.columns) == COLUMNS
    assert res.rejected.empty and res.meta["loaded"] == 3 == res.meta["rows_in_file"]
    first = res.frame.iloc[0]
    assert first["countries"] == "KHM;VNM"  # upper-cased, de-duplicated, order kept
    assert first["category"] == "disaster" and first["budget_usd"] == 1250000.5
    second = res.frame.iloc[1]
    assert second["title"] == 'Regional study, "human security" indicators'
    assert pd.isna(second["countries"]) and pd.isna(second["budget_usd"]) and pd.isna(second["lead_agency"])
    assert res.frame.iloc[2]["budget_usd"] == 300000.0 and res.frame.iloc[2]["category"] == "health"
    assert res.meta["by_category"] == {"disaster": 1, "health": 1, "others": 1}


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"category": "terrorism"}, "unknown category 'terrorism'"),
        ({"countries": "KHM;VIE;XX"}, "bad ISO3 code(s): VIE, XX"),
        ({"countries": "SUN"}, "bad ISO3 code(s): SUN"),
        ({"budget_usd": "1,250,000"}, "non-numeric budget_usd '1,250,000'"),
        ({"budget_usd": "about 1m"}, "non-numeric budget_usd 'about 1m'"),
        ({"budget_usd": "-5"}, "negative budget_usd -5"),
        ({"start_date": "2008-01-01", "end_date": "2007-12-31"}, "end_date 2007-12-31 before start_date 2008-01-01"),
        ({"start_date": "2008", "end_date": "2007-06-30"}, "end_date 2007-06-30 before start_date 2008"),
        ({"start_date": "01/03/2006"}, "bad start_date '01/03/2006' (expected YYYY-MM-DD or YYYY)"),
        ({"end_date": "2006-02-30"}, "bad end_date '2006-02-30'"),
        ({"title": " ", "region": ""}, "missing required field(s): title, region"),
        ({"source_url": "www.un.org/page"}, "source_url 'www.un.org/page' is not an http(s) URL"),
    ],
)
def test_row_rejections(changes, reason):
    res = parse_register(_register([_with(project_id="OK-1"), _with(project_id="BAD-1", **changes)]))
    assert res.frame["project_id"].tolist() == ["OK-1"]
    assert len(res.rejected) == 1
    assert reason in res.rejected["reason"].iloc[0]
    record = json.loads(res.rejected["record"].iloc[0])
    assert record["project_id"] == "BAD-1" and record["line"] == 3


def test_duplicates_and_several_problems_in_one_row():
    rows = [_with(project_id="T-9"), _with(project_id="T-8"), _with(project_id="T-9", category="war", budget_usd="x")]
    res = parse_register(_register(rows))
    assert res.frame["project_id"].tolist() == ["T-9", "T-8"]
    reason = res.rejected["reason"].iloc[0]
    assert "unknown category 'war'" in reason
    assert "non-numeric budget_usd 'x'" in reason
    assert "duplicate project_id 'T-9' (first on line 2)" in reason
    assert (res.meta["rows_in_file"], res.meta["loaded"], res.meta["rejected"]) == (3, 2, 1)


def test_header_problems_and_extra_columns():
    with pytest.raises(ParseError, match=r"lacks column\(s\) \['budget_usd'\]"):
        parse_register(_register([GOOD], [c for c in COLUMNS if c != "budget_usd"]))
    with pytest.raises(ParseError, match="empty"):
        parse_register(b"")
    shuffled = list(reversed(COLUMNS)) + ["curator_note"]
    res = parse_register(_register([{**GOOD, "curator_note": "checked"}], shuffled, bom=False))
    assert res.meta["extra_columns"] == ["curator_note"] and len(res.frame) == 1
    assert set(CATEGORIES) == {"poverty", "health", "drug", "refugees", "crime", "conflict", "disaster",
                               "environment", "others"}
