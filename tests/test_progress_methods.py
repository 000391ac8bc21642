"""The progress methods (etl/progress.py) against results computed by hand.

All series here are SYNTHETIC, built in code with round numbers so that every expected value can be worked out on
paper; the working is in the comments (√2 = 1.414214, 0.9⁴ = 0.6561, 1.1¹³ = 3.452271, 0.75^1.5 = 0.649519).
"""

import math

import pandas as pd
import pytest

from etl.progress import (
    ACCELERATE, INSUFFICIENT, NO_DATA, ON_TRACK, STAGNATION, TARGET_MET, Target, annual_rate, anticipated_progress, assess,
    classify, mdg_reference_path, required_rate, select_baseline, select_latest, target_level, to_shortfall,
)


def synthetic(points: dict[int, float]) -> pd.Series:
    """A SYNTHETIC series: values by year."""
    return pd.Series(points, dtype=float)


MDG_THREE_QUARTERS = Target("mdg-test", "X", 1990, 2015, "relative_reduction", 0.75, baseline_window=2)
MDG_HALVE = Target("mdg-halve", "X", 1990, 2015, "relative_reduction", 0.5, baseline_window=2)
SDG_AT_MOST_25 = Target("sdg-test", "X", 2015, 2030, "absolute_max", 25, baseline_window=2)
SDG_ELIMINATE = Target("sdg-zero", "X", 2015, 2030, "eliminate", 0, baseline_window=2)
MDG_WATER = Target("mdg-water", "W", 1990, 2015, "relative_reduction", 0.5, higher_is_better=True, shortfall_of=100,
                   baseline_window=2)
SDG_UNIVERSAL = Target("sdg-water", "W", 2015, 2030, "absolute_min", 100, higher_is_better=True, shortfall_of=100,
                       baseline_window=2)


# --- the building blocks ------------------------------------------------------------------------------------------

def test_compound_annual_rate_and_its_zero_cases():
    assert annual_rate(64, 32, 10) == pytest.approx(-0.066967, abs=1e-6)  # 0.5^(1/10) − 1
    assert annual_rate(10, 12.1, 2) == pytest.approx(0.10)  # √1.21 − 1
    assert annual_rate(5, 0, 10) == -1.0  # reaching zero is −100 % a year
    assert math.isnan(annual_rate(0, 5, 10))  # no rate starts from zero
    assert math.isnan(annual_rate(5, 4, 0))


def test_target_levels_for_each_rule():
    assert target_level("relative_reduction", 0.5, 40) == 20  # halve
    assert target_level("relative_reduction", 0.75, 64) == 16  # down three quarters
    assert target_level("absolute_max", 70, 300) == 70
    assert target_level("eliminate", 0, 12) == 0
    assert target_level("absolute_min", 100, 20, shortfall_of=100) == 0  # universal coverage: no one without
    with pytest.raises(ValueError):
        target_level("absolute_min", 100, 20)


def test_higher_is_better_is_recast_as_shortfall():
    coverage = synthetic({2000: 60.0, 2010: 85.5, 2020: 100.0, 2021: 100.4})
    assert to_shortfall(coverage, 100).tolist() == pytest.approx([40.0, 14.5, 0.0, 0.0])  # above 100 clips to 0
    assert to_shortfall(coverage, None) is coverage


def test_baseline_is_the_nearest_year_within_the_window_ties_to_the_earlier():
    assert select_baseline(synthetic({1989: 10, 1991: 12, 1992: 13}), 1990, 2) == (1989, 10.0)
    assert select_baseline(synthetic({1988: 10, 1991: 12}), 1990, 2) == (1991, 12.0)
    assert select_baseline(synthetic({1990: 9, 1991: 12}), 1990, 2) == (1990, 9.0)
    assert select_baseline(synthetic({1993: 12, 2000: 8}), 1990, 2) is None  # 1993 is outside ±2
    assert select_baseline(synthetic({1991: 12}), 1990, 0) is None


def test_latest_value_is_judged_at_the_target_date():
    series = synthetic({1990: 40, 2010: 30, 2018: 10})
    assert select_latest(series, 1990, 2015) == (2010, 30.0)  # 2018 is after the MDG deadline
    assert select_latest(series, 2018, 2030) is None


def test_reference_path_geometric_and_linear_for_a_zero_target():
    path = mdg_reference_path(1990, 64, 2010, 16).set_index("year")["required"]
    assert path[1990] == pytest.approx(64) and path[2010] == pytest.approx(16)
    assert path[2000] == pytest.approx(32)  # halfway in time = geometric mean √(64·16)
    zero = mdg_reference_path(2015, 10, 2030, 0)
    assert set(zero["kind"]) == {"linear"}
    assert zero.set_index("year")["required"][2020] == pytest.approx(20 / 3)  # 10 − 10·5/15
    assert math.isnan(required_rate(10, 0, 15))  # no constant rate reaches zero


def test_bands_and_their_boundaries():
    assert classify(0.95) == ON_TRACK and classify(1.3) == ON_TRACK
    assert classify(0.9499) == ACCELERATE and classify(0.10) == ACCELERATE
    assert classify(0.0999) == STAGNATION and classify(-2) == STAGNATION
    assert classify(math.nan) == INSUFFICIENT


# --- whole assessments --------------------------------------------------------------------------------------------

def test_on_track_relative_reduction():
    # 1990: 64, 2000: 32; target: down three quarters = 16 by 2015.
    # actual rate 0.5^(1/10) − 1 = −6.6967 %/yr; required (16/64)^(1/25) − 1 = 0.25^0.04 − 1 = −5.3942 %/yr
    # predicted 2015 = 32·0.5^(15/10) = 8√2 = 11.3137; R = (11.3137 − 64)/(16 − 64) = 1.09763
    r = assess(synthetic({1990: 64.0, 2000: 32.0}), MDG_THREE_QUARTERS)
    assert r["band"] == ON_TRACK
    assert (r["baseline_year"], r["baseline_value"], r["latest_year"], r["latest_value"]) == (1990, 64.0, 2000, 32.0)
    assert r["target_value"] == pytest.approx(16.0)
    assert r["actual_rate"] == pytest.approx(-0.066967, abs=1e-6)
    assert r["required_rate"] == pytest.approx(-0.053942, abs=1e-6)
    assert r["predicted_value"] == pytest.approx(11.313708, abs=1e-6)
    assert r["ratio"] == pytest.approx(1.097631, abs=1e-6)
    assert "1990" in r["explanation"] and "2000" in r["explanation"]


def test_acceleration_needed_against_an_absolute_ceiling():
    # 2015: 50, 2020: 40.5 (= 50·0.81 = 50·0.9²); target at most 25 by 2030.
    # actual rate 0.81^(1/5) − 1 = 0.9^0.4 − 1 = −4.1268 %/yr; required 0.5^(1/15) − 1 = −4.5158 %/yr
    # predicted 2030 = 40.5·(0.9^0.4)^10 = 40.5·0.9⁴ = 26.57205; R = (26.57205 − 50)/(25 − 50) = 0.937118
    r = assess(synthetic({2015: 50.0, 2020: 40.5}), SDG_AT_MOST_25)
    assert r["band"] == ACCELERATE
    assert r["predicted_value"] == pytest.approx(26.57205)
    assert r["ratio"] == pytest.approx(0.937118)
    assert r["actual_rate"] == pytest.approx(-0.041268, abs=1e-6)
    assert r["required_rate"] == pytest.approx(-0.045158, abs=1e-6)


def test_worsening_series_is_regression():
    # 2015: 10, 2017: 12.1 — rising 10 %/yr (√1.21 = 1.1); target zero by 2030.
    # predicted 2030 = 12.1·1.1¹³ = 41.77248; R = (41.77248 − 10)/(0 − 10) = −3.177248: moving away
    r = assess(synthetic({2015: 10.0, 2017: 12.1}), SDG_ELIMINATE)
    assert r["band"] == STAGNATION
    assert r["actual_rate"] == pytest.approx(0.10)
    assert r["predicted_value"] == pytest.approx(41.77248, abs=1e-5)
    assert r["ratio"] == pytest.approx(-3.177248, abs=1e-6)
    assert math.isnan(r["required_rate"])  # zero target: no constant rate gets there


def test_target_year_reached_uses_the_value_itself_and_095_counts_as_on_track():
    # 1990: 40, 2015: 21; halve → 20. No extrapolation: R = (21 − 40)/(20 − 40) = 0.95
    r = assess(synthetic({1990: 40.0, 2015: 21.0}), MDG_HALVE)
    assert r["predicted_value"] == 21.0 and r["ratio"] == pytest.approx(0.95)
    assert r["band"] == ON_TRACK


def test_target_already_met():
    # met at baseline and still met: 20 ≤ 25 in 2015 and 15 ≤ 25 in 2020
    r = assess(synthetic({2015: 20.0, 2020: 15.0}), SDG_AT_MOST_25)
    assert r["band"] == TARGET_MET and "at baseline" in r["explanation"]
    # reached on the way: 1990: 40 → 2008: 18 ≤ 20 (halve)
    r = assess(synthetic({1990: 40.0, 2008: 18.0}), MDG_HALVE)
    assert r["band"] == TARGET_MET and "reached by 2008" in r["explanation"]
    # predicted 2015 = 18·0.45^(7/18) = 13.19504; R = (13.19504 − 40)/(20 − 40) = 1.340248
    assert r["ratio"] == pytest.approx(1.340248, abs=1e-6)
    # met at baseline, then slipped back above the ceiling: regression, not "met"
    r = assess(synthetic({2015: 20.0, 2020: 30.0}), SDG_AT_MOST_25)
    assert r["band"] == STAGNATION and "moved away" in r["explanation"]


def test_higher_is_better_relative_target_on_the_shortfall():
    # coverage 1990: 60, 2000: 70 → shortfall 40, 30; halve the shortfall → 20 (coverage 80).
    # actual 0.75^(1/10) − 1 = −2.8358 %/yr; required 0.5^(1/25) − 1 = −2.7345 %/yr
    # predicted shortfall 2015 = 30·0.75^1.5 = 19.48557 → coverage 80.51443; R = (19.48557 − 40)/(20 − 40) = 1.025721
    r = assess(synthetic({1990: 60.0, 2000: 70.0}), MDG_WATER)
    assert r["band"] == ON_TRACK
    assert (r["baseline_value"], r["latest_value"], r["target_value"]) == pytest.approx((60.0, 70.0, 80.0))
    assert r["predicted_value"] == pytest.approx(80.51443, abs=1e-5)
    assert r["ratio"] == pytest.approx(1.025721, abs=1e-6)
    assert r["actual_rate"] == pytest.approx(-0.028358, abs=1e-6)
    assert r["assessed_as"].startswith("shortfall")


def test_higher_is_better_universal_target():
    # coverage 2015: 80, 2020: 90 → shortfall 20, 10 (halved in 5 years); universal = shortfall 0.
    # predicted shortfall 2030 = 10·0.5² = 2.5 → coverage 97.5; R = (2.5 − 20)/(0 − 20) = 0.875
    r = assess(synthetic({2015: 80.0, 2020: 90.0}), SDG_UNIVERSAL)
    assert r["band"] == ACCELERATE
    assert r["target_value"] == 100.0 and r["predicted_value"] == pytest.approx(97.5)
    assert r["ratio"] == pytest.approx(0.875)
    full = assess(synthetic({2015: 80.0, 2020: 100.0}), SDG_UNIVERSAL)
    assert full["band"] == TARGET_MET and full["actual_rate"] == -1.0


def test_missing_baseline_is_insufficient_data():
    r = assess(synthetic({1995: 30.0, 2010: 20.0}), MDG_HALVE)  # nothing within 1990 ± 2
    assert r["band"] == INSUFFICIENT and r["baseline_year"] is None
    assert "±2 years of 1990" in r["explanation"]
    r = assess(synthetic({1990: 30.0, 2020: 20.0}), MDG_HALVE)  # baseline but nothing up to 2015
    assert r["band"] == INSUFFICIENT and r["baseline_year"] == 1990 and r["latest_year"] is None
    assert assess(synthetic({}), SDG_AT_MOST_25)["band"] == NO_DATA  # no value at all: "no data", not "insufficient"


def test_zero_values():
    # latest value zero: the rate is −100 %/yr and the elimination target is met
    r = assess(synthetic({2015: 5.0, 2020: 0.0}), SDG_ELIMINATE)
    assert r["band"] == TARGET_MET and r["actual_rate"] == -1.0
    # zero baseline: halving zero is zero, met while it stays zero ...
    r = assess(synthetic({1990: 0.0, 2000: 0.0}), MDG_HALVE)
    assert r["band"] == TARGET_MET and math.isnan(r["actual_rate"])
    # ... and regression once it rises (no rate can be computed from zero)
    r = assess(synthetic({1990: 0.0, 2000: 2.0}), MDG_HALVE)
    assert r["band"] == STAGNATION and math.isnan(r["actual_rate"]) and math.isnan(r["ratio"])


def test_anticipated_progress_formula_directly():
    # B = 100 (2000), X = 81 (2010): rate 0.81^(1/10) − 1; predicted 2020 = 81·0.81 = 65.61; target 50:
    # R = (65.61 − 100)/(50 − 100) = 0.6878
    predicted, ratio = anticipated_progress(2000, 100, 2010, 81, 2020, 50)
    assert predicted == pytest.approx(65.61) and ratio == pytest.approx(0.6878)


def test_catalogue_row_parsing():
    row = {"target_id": "sdg-3.1", "indicator_code": "SH.STA.MMRT", "alt_indicator_codes": "HDR.MMR", "baseline_year": 2015,
           "target_year": 2030, "rule": "absolute_max", "rule_value": 70.0, "higher_is_better": False,
           "shortfall_of": float("nan"), "baseline_window": 2}
    t = Target.from_row(row)
    assert t.codes == ("SH.STA.MMRT", "HDR.MMR") and t.shortfall_of is None
    with pytest.raises(ValueError):
        Target("x", "W", 2015, 2030, "absolute_min", 100, higher_is_better=True)  # needs shortfall_of


def test_a_value_at_the_reporting_floor_is_neither_best_nor_regressing():
    """FAO's undernourishment floor: 5 → 5 is not 'stagnation' (values below the floor are not published)."""
    halve = MDG_HALVE
    r = assess(synthetic({1990: 5.0, 2015: 5.0}), halve, floor=5.0)
    assert r["band"] == INSUFFICIENT and "reporting floor" in r["explanation"]
    r = assess(synthetic({2015: 5.0, 2020: 2.5}), SDG_AT_MOST_25, floor=2.5)  # target 25 ≥ floor: met
    assert r["band"] == TARGET_MET
    # without the floor the same numbers would read as stagnation: the floor is what changes the verdict
    assert assess(synthetic({1990: 5.0, 2015: 5.0}), halve)["band"] == STAGNATION
