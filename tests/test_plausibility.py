"""Issue 12.2: plausibility. Values outside the catalogue's valid range (per indicator, else per unit kind) are
quarantined with the reason — HDI 7.5, −0.9, 1e308, life expectancy 250 and −40 never load — and large jumps
between consecutive years are flagged (kept, listed with the quarantine) by the unit kind's rule. SYNTHETIC
frames built here."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from etl import catalogue, mapping, plausibility
from schemas.catalogue import UnitKindModel


@pytest.fixture(scope="module")
def cat():
    return catalogue.load()


def _obs(rows):
    return pd.DataFrame(rows, columns=["iso3", "indicator_code", "year", "value", "note", "flag"])


def test_out_of_range_values_are_quarantined_with_the_reason(cat):
    frame = _obs([("KHM", "HDR.HDI", 2016, v, None, None) for v in (0.55, 7.5, -0.9, 1e308)]
                 + [("VNM", "SP.DYN.LE00.IN", 2000 + k, v, None, None) for k, v in enumerate((73.0, 250.0, -40.0))])
    out = mapping.apply(frame, dataset="hdr", columns={}, cat=cat, describe_unmapped=False)
    assert sorted(out.frame["value"]) == [0.55, 73.0]
    reasons = " | ".join(out.rejected["reason"])
    for text in ("implausible value 7.5 for HDR.HDI (valid range 0–1)", "implausible value -0.9 for HDR.HDI",
                 "implausible value 1e+308 for HDR.HDI",
                 "implausible value 250 for SP.DYN.LE00.IN (valid range 10–100)",
                 "implausible value -40 for SP.DYN.LE00.IN"):
        assert text in reasons


def test_every_unit_kind_says_why_its_range_and_its_jump_rule(cat):
    kinds = cat.unit_kinds.set_index("unit_kind")
    assert kinds.loc["index_0_1", ["valid_min", "valid_max"]].tolist() == [0, 1]
    assert kinds.loc["percent", ["valid_min", "valid_max"]].tolist() == [0, 100]
    assert kinds.loc["per_1000", "valid_min"] == 0 and kinds.loc["count", "valid_min"] == 0
    assert kinds["reason"].str.len().min() >= 10 and kinds["jump_reason"].str.len().min() > 20
    le = cat.indicators.set_index("indicator_code").loc["SP.DYN.LE00.IN"]
    assert (le["valid_min"], le["valid_max"]) == (10, 100)


def test_the_catalogue_model_refuses_an_unordered_range(cat):
    bad = cat.unit_kinds.copy()
    bad.loc[bad["unit_kind"] == "percent", ["valid_min", "valid_max"]] = [100, 0]
    with pytest.raises(Exception, match="range_has_reason"):
        UnitKindModel.validate(bad)


def test_large_jumps_are_flagged_not_dropped(cat):
    rules = plausibility.jump_rules(cat.indicators, cat.unit_kinds)
    frame = _obs([("KHM", "HDR.HDI", 2015, 0.55, None, None), ("KHM", "HDR.HDI", 2016, 0.95, None, None),
                  ("KHM", "HDR.HDI", 2017, 0.56, None, None), ("LAO", "HDR.HDI", 2015, 0.58, None, None),
                  ("LAO", "HDR.HDI", 2016, 0.60, None, None), ("LAO", "HDR.HDI", 2030, 0.99, None, None),
                  ("VNM", "SP.DYN.LE00.IN", 2000, 73.0, None, None), ("VNM", "SP.DYN.LE00.IN", 2001, 40.0, None, None)])
    flags = plausibility.flag_jumps(frame, rules)
    assert len(flags) == 3  # KHM up and down, VNM's drop; LAO's 2016 → 2030 is not consecutive
    first = json.loads(flags["record"].iloc[0])
    assert (first["iso3"], first["year"], first["previous_year"]) == ("KHM", 2016, 2015)
    assert "0.55 (2015) → 0.95 (2016), more than 0.2 in a step; loaded, flagged for review" in flags["reason"].iloc[0]


def test_event_counts_get_no_jump_check_and_ratio_rules_have_a_floor(cat):
    rules = plausibility.jump_rules(cat.indicators, cat.unit_kinds)
    counts = cat.indicators.loc[cat.indicators["unit_kind"] == "count", "indicator_code"]
    assert not set(counts) & set(rules.index)
    code = cat.indicators.loc[cat.indicators["unit_kind"] == "per_100000", "indicator_code"].iloc[0]
    frame = _obs([("SVK", code, 1978, 11.0, None, None), ("SVK", code, 1979, 1.0, None, None),
                  ("SVK", code, 1980, 10.0, None, None), ("SVK", code, 1981, 200.0, None, None)])
    flags = plausibility.flag_jumps(frame, rules)
    assert [json.loads(r)["year"] for r in flags["record"]] == [1981]  # 11 → 1 → 10 are below the floor of 10
