"""Each pandera model rejects a bad frame and reports exactly the failing rows, with reasons; schema-level
problems (a missing column) raise instead of quarantining everything."""

import json

import pandas as pd
import pytest

from schemas.models import MODELS
from schemas.validate import SchemaLevelError, validate_frame

SHA = "ab" * 32
TS = "2026-11-23T00:00:00Z"

GOOD = {
    "source": {"source_id": "wdi", "publisher": "World Bank", "title": "WDI", "url": "https://api.worldbank.org/v2/",
               "licence": "CC BY 4.0", "citation": "World Bank WDI", "kind": "live", "vintage": "2026-10-01"},
    "raw_file": {"source_id": "wdi", "path": "raw/wdi/x.json", "sha256": SHA, "bytes": 10, "retrieved_at": TS, "url": "https://x"},
    "country": {"iso3": "KHM", "iso2": "KH", "name": "Cambodia", "official_name": None, "wb_region": "East Asia & Pacific",
                "wb_income_group": "Lower middle income", "un_region": "South-eastern Asia"},
    "country_classification": {"iso3": "KHM", "wb_region": "East Asia & Pacific", "wb_income_group": "Lower middle income",
                               "lending_type": "IDA", "source_id": "wdi", "retrieved_at": TS, "raw_sha256": SHA},
    "country_group": {"group_id": "asean", "name": "ASEAN", "kind": "intergovernmental", "definition_source": "ASEAN", "description": None},
    "country_group_member": {"group_id": "asean", "iso3": "KHM", "joined_year": 1999, "left_year": None, "note": None},
    "indicator": {"indicator_code": "SH.STA.STNT.ZS", "name": "Stunting", "unit": "%", "theme": "freedom_from_want",
                  "higher_is_better": False, "description": "d", "source_hint": "wdi", "related_indicator": None, "defined_by": "reference"},
    "indicator_alias": {"old_code": "GAPMINDER.POP", "indicator_code": "SP.POP.TOTL", "reason": "the same measure"},
    "series_map": {"source_id": "owid-x", "dataset": "owid:x", "source_column": "Population", "indicator_code": "SP.POP.TOTL",
                   "relation": "same", "role": "aggregator", "factor": 1.0, "reporting_floor": None,
                   "definition_difference": None, "reason": "r", "authority": "a", "origin": "catalogue", "caveats": None,
                   "rows_loaded": 10},
    "target": {"target_id": "sdg-3.2", "framework": "SDG", "goal": 3, "target_code": "3.2", "label": "U5MR at most 25",
               "indicator_code": "SH.DYN.MORT", "alt_indicator_codes": None, "official_indicator": "3.2.1 Under-five mortality rate",
               "baseline_year": 2015, "target_year": 2030, "rule": "absolute_max", "rule_value": 25.0, "higher_is_better": False,
               "shortfall_of": None, "baseline_window": 2, "official_wording": "By 2030, end preventable deaths ...",
               "reference": "A/RES/71/313", "wording_note": None},
    "observation": {"iso3": "KHM", "indicator_code": "SH.STA.STNT.ZS", "year": 2014, "value": 32.4, "source_id": "wdi",
                    "retrieved_at": TS, "raw_sha256": SHA, "note": None, "flag": None},
    "paper_figure": {"figure_id": "soh2008-99", "subject_kind": "country", "subject": "China", "iso3": "CHN", "topic": "t",
                     "theme": "context", "measure": "m", "value": 1.0, "value_high": None, "unit": "u", "qualifier": None,
                     "period": None, "year": 2000, "value_text": "1", "quote": "a quote", "section": "IV", "footnote": "20",
                     "cited_source": "c", "indicator_code": None, "flag": None, "note": None, "source_id": "paper",
                     "retrieved_at": TS, "raw_sha256": SHA},
    "tfhs_project_count": {"as_of": "2007-02", "region": "Southeast Asia", "category": "poverty", "projects": 18,
                           "figure_id": "soh2008-49", "source_id": "paper", "retrieved_at": TS, "raw_sha256": SHA},
    "oda_flow": {"donor": "JPN", "recipient": "KHM", "year": 2020, "measure": "206", "amount_usd": 1.5e8, "price_basis": "current", "note": None,
                 "source_id": "oecd_dac2a", "retrieved_at": TS, "raw_sha256": SHA},
    "tfhs_project": {"project_id": "P1", "title": "t", "countries": "KHM;LAO", "region": "Southeast Asia", "lead_agency": "UNDP",
                     "category": "health", "start_date": "2005", "end_date": "2007", "budget_usd": 1e6, "source_url": "https://x",
                     "source_id": "tfhs", "retrieved_at": TS, "raw_sha256": SHA},
    "etl_run": {"run_id": "r", "source_id": "wdi", "started_at": TS, "finished_at": TS, "status": "ok", "rows_loaded": 1,
                "rows_quarantined": 0, "message": None},
    "quarantine": {"run_id": "r", "source_id": "wdi", "table": "observation", "record": "{}", "reason": "bad"},
}

# one bad value per model: (column, bad value, words the reason must contain)
BAD = {
    "source": ("kind", "scraped", "isin"),
    "raw_file": ("sha256", "not-a-hash", "str_matches"),
    "country": ("iso3", "Cambodia", "str_matches"),
    "country_classification": ("iso3", "KH", "str_matches"),
    "country_group": ("kind", "club of friends", "isin"),
    "country_group_member": ("joined_year", 1492, "greater_than_or_equal_to"),
    "indicator": ("theme", "security", "isin"),
    "indicator_alias": ("indicator_code", "not a code", "str_matches"),
    "series_map": ("factor", 0.0, "greater_than"),
    "target": ("rule", "halve-ish", "isin"),
    "observation": ("value", float("nan"), "not_nullable"),
    "paper_figure": ("figure_id", "fig-1", "str_matches"),
    "tfhs_project_count": ("category", "education", "isin"),
    "oda_flow": ("price_basis", "nominal", "isin"),
    "tfhs_project": ("budget_usd", -5.0, "greater_than_or_equal_to"),
    "etl_run": ("status", "meh", "isin"),
    "quarantine": ("reason", "", "str_length"),
}


def test_every_table_has_a_good_and_a_bad_example():
    assert set(GOOD) == set(MODELS) == set(BAD)


@pytest.mark.parametrize("table", sorted(MODELS))
def test_model_accepts_good_rows(table):
    frame = pd.DataFrame([GOOD[table]])
    out = validate_frame(table, frame)
    assert len(out.valid) == 1 and out.n_rejected == 0


@pytest.mark.parametrize("table", sorted(MODELS))
def test_model_rejects_the_bad_row_only_and_says_why(table):
    column, bad_value, words = BAD[table]
    good = dict(GOOD[table])
    bad = {**good, column: bad_value}
    if table in ("observation", "oda_flow", "tfhs_project_count", "tfhs_project", "country_group_member", "indicator_alias",
                 "series_map"):
        # keep keys distinct so the uniqueness rules are not what rejects the row
        key = {"observation": "year", "oda_flow": "year", "tfhs_project_count": "region", "tfhs_project": "project_id",
               "country_group_member": "iso3", "indicator_alias": "old_code", "series_map": "source_column"}[table]
        bad[key] = {"year": 2015, "region": "Asia", "project_id": "P2", "iso3": "LAO", "old_code": "HDR.LE",
                    "source_column": "Other column"}[key]
    if table in ("source", "country", "country_group", "indicator", "paper_figure", "target"):
        pk = {"source": "source_id", "country": "iso3", "country_group": "group_id", "indicator": "indicator_code", "paper_figure": "figure_id",
              "target": "target_id"}[table]
        if pk != column:
            bad[pk] = {"source_id": "other", "iso3": "LAO", "group_id": "other", "indicator_code": "X.Y", "figure_id": "soh2008-98",
                       "target_id": "sdg-3.1"}[pk]
    frame = pd.DataFrame([good, bad])
    out = validate_frame(table, frame)
    assert out.n_rejected == 1
    record = json.loads(out.rejected["record"].iloc[0])
    assert record[column] == (None if isinstance(bad_value, float) and bad_value != bad_value else bad_value)
    assert column in out.rejected["reason"].iloc[0] and words in out.rejected["reason"].iloc[0]
    assert len(out.valid) == len(frame) - 1


def test_duplicate_keys_are_rejected_with_reason():
    row = GOOD["observation"]
    out = validate_frame("observation", pd.DataFrame([row, {**row, "value": 40.0}, {**row, "year": 2010}]))
    assert out.n_rejected == 2 and "uniqueness" in out.rejected["reason"].iloc[0]
    assert out.valid["year"].tolist() == [2010]


def test_uncoercible_value_is_a_row_failure_not_a_schema_failure():
    row = GOOD["observation"]
    out = validate_frame("observation", pd.DataFrame([row, {**row, "year": "circa 2000"}]))
    assert out.n_rejected == 1 and "coerce" in out.rejected["reason"].iloc[0]


def test_missing_column_is_schema_level():
    frame = pd.DataFrame([GOOD["observation"]]).drop(columns=["raw_sha256"])
    with pytest.raises(SchemaLevelError, match="missing column 'raw_sha256'"):
        validate_frame("observation", frame)
