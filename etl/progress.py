"""Progress towards MDG and SDG targets: the methods, implemented once, as pure functions of numbers and series
(no DuckDB here; ``etl/progress_table.py`` applies them to the warehouse). Plain-words version with worked examples:
``docs/progress-methods.md``.

Every indicator is assessed on a lower-is-better scale. An indicator where higher is better (drinking-water coverage)
is recast as its **shortfall** ``s = shortfall_of − x`` (e.g. 100 − coverage = the share without), clipped at 0.

Baseline and latest value
    ``B`` is the value in the baseline year ``t0``, else in the nearest year within ±``baseline_window`` years (ties go
    to the earlier year); none → *insufficient data*. ``X`` is the most recent value after the baseline year and no
    later than the target year ``T`` (a target is judged at its own date); none → *insufficient data*.

Target level (rule)
    relative_reduction: ``T* = B·(1 − v)`` (v = 0.5 halves, 2/3 cuts by two thirds); absolute_max: ``T* = v``;
    absolute_min on a shortfall scale: ``T* = shortfall_of − v``; eliminate: ``T* = 0``.

World Bank MDG reference path (required vs actual compound annual rate of change)
    required ``r* = (T*/B)^(1/(T − t0)) − 1``; actual ``r = (X/B)^(1/(t − t0)) − 1``; the reference path is
    ``B·(1 + r*)^(y − t0)``. A country is keeping pace when ``r ≤ r*`` (both negative for a reduction). No constant
    rate reaches zero, so for ``T* = 0`` the required rate is undefined and the path is drawn as a straight line.
    Ref.: World Bank & IMF, *Global Monitoring Report 2011: Improving the Odds of Achieving the MDGs* (annualised
    progress rate compared with the rate required to reach the target).

UNSD / ESCAP anticipated progress
    the latest value is extrapolated to the target year at the observed rate, ``X̂ = X·(1 + r)^(T − t)``
    (= ``B·(1 + r)^(T − t0)``; no extrapolation when ``t = T``), and ``R = (X̂ − B)/(T* − B)`` — the share of the
    required change that will have happened by ``T``. Bands: ``R ≥ 0.95`` on track; ``0.10 ≤ R < 0.95`` acceleration
    needed; ``R < 0.10`` stagnation or regression (``R < 0`` means moving away from the target).
    Ref.: ESCAP Statistics Division, *Tracking progress towards the SDGs: measuring the otherwise ambiguous progress*,
    Working Paper SD/WP/05 (Bidarbakht Nia, 2017); ESCAP, *Asia and the Pacific SDG Progress Report*, annex
    "Progress assessment methodology"; UN Statistics Division, *SDG Progress Chart, technical note*.

Special cases (checked in this order)
    no baseline or no later value → *insufficient data*; baseline already at or below ``T*`` → *target met* if ``X`` still
    is, else *stagnation or regression* (it has slipped back above the target); ``X ≤ T*`` → *target met*; a zero value
    makes the actual rate −100 % a year (zero latest) or undefined (zero baseline, which is always already met).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from collections.abc import Mapping

import pandas as pd

ON_TRACK_MIN = 0.95
ACCELERATION_MIN = 0.10

TARGET_MET, ON_TRACK, ACCELERATE, STAGNATION, INSUFFICIENT, NO_DATA = (
    "target_met", "on_track", "acceleration_needed", "stagnation_regression", "insufficient_data", "no_data",
)
BANDS = (TARGET_MET, ON_TRACK, ACCELERATE, STAGNATION, INSUFFICIENT, NO_DATA)
BAND_LABELS = {
    TARGET_MET: "target met",
    ON_TRACK: "on track",
    ACCELERATE: "acceleration needed",
    STAGNATION: "stagnation or regression",
    INSUFFICIENT: "insufficient data",
    NO_DATA: "no data",
}
RULES = ("relative_reduction", "absolute_max", "absolute_min", "eliminate")


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value == ""


@dataclass(frozen=True)
class Target:
    """One row of the target catalogue (table ``target``; ``data/raw/reference/targets.csv``)."""

    target_id: str
    indicator_code: str
    baseline_year: int
    target_year: int
    rule: str
    rule_value: float
    higher_is_better: bool = False
    shortfall_of: float | None = None
    baseline_window: int = 0
    alt_indicator_codes: tuple[str, ...] = ()
    label: str = ""
    framework: str = ""
    target_code: str = ""
    official_wording: str = ""
    official_indicator: str = ""
    reference: str = ""
    wording_note: str = ""

    def __post_init__(self):
        if self.rule not in RULES:
            raise ValueError(f"unknown target rule {self.rule!r}; one of {', '.join(RULES)}")
        if self.higher_is_better and self.shortfall_of is None:
            raise ValueError(f"{self.target_id}: a higher-is-better indicator needs shortfall_of to be assessed")
        if self.rule == "absolute_min" and self.shortfall_of is None:
            raise ValueError(f"{self.target_id}: an absolute_min rule is assessed on a shortfall scale (set shortfall_of)")

    @classmethod
    def from_row(cls, row: Mapping) -> Target:
        alts = row.get("alt_indicator_codes")
        text = lambda k: "" if _blank(row.get(k)) else str(row.get(k))  # noqa: E731
        return cls(
            target_id=str(row["target_id"]), indicator_code=str(row["indicator_code"]),
            baseline_year=int(row["baseline_year"]), target_year=int(row["target_year"]), rule=str(row["rule"]),
            rule_value=float(row["rule_value"]), higher_is_better=bool(row.get("higher_is_better") or False),
            shortfall_of=None if _blank(row.get("shortfall_of")) else float(row["shortfall_of"]),
            baseline_window=0 if _blank(row.get("baseline_window")) else int(row["baseline_window"]),
            alt_indicator_codes=() if _blank(alts) else tuple(c.strip() for c in str(alts).split(";") if c.strip()),
            label=text("label"), framework=text("framework"), target_code=text("target_code"),
            official_wording=text("official_wording"), official_indicator=text("official_indicator"),
            reference=text("reference"), wording_note=text("wording_note"),
        )

    @property
    def codes(self) -> tuple[str, ...]:
        """The indicator and its equivalents, in order of preference."""
        return (self.indicator_code, *self.alt_indicator_codes)

    def describe_rule(self) -> str:
        v = self.rule_value
        if self.rule == "relative_reduction":
            words = {0.5: "halve", 0.75: "cut by three quarters"}.get(round(v, 4))
            if words is None and abs(v - 2 / 3) < 1e-3:
                words = "cut by two thirds"
            return f"{words or f'cut by {v:.0%}'} the {self.baseline_year} level by {self.target_year}"
        if self.rule == "absolute_max":
            return f"at most {v:g} by {self.target_year}"
        if self.rule == "absolute_min":
            return f"at least {v:g} by {self.target_year}"
        return f"zero by {self.target_year}"


# --- scales --------------------------------------------------------------------------------------------------------

def to_shortfall(values, shortfall_of: float | None):
    """``shortfall_of − value`` clipped at 0 (e.g. 100 − coverage: the share without); unchanged if no shortfall_of."""
    if shortfall_of is None:
        return values
    out = shortfall_of - values
    if isinstance(out, pd.Series):
        return out.clip(lower=0.0)
    return max(out, 0.0)


def from_shortfall(values, shortfall_of: float | None):
    """Back from the assessed scale to the indicator's own units (for display)."""
    return values if shortfall_of is None else shortfall_of - values


def target_level(rule: str, rule_value: float, baseline_value: float, shortfall_of: float | None = None) -> float:
    """The level to reach, on the assessed (lower-is-better) scale."""
    if rule == "relative_reduction":
        return baseline_value * (1.0 - rule_value)
    if rule == "absolute_max":
        return float(rule_value) if shortfall_of is None else float(to_shortfall(rule_value, shortfall_of))
    if rule == "absolute_min":
        if shortfall_of is None:
            raise ValueError("absolute_min is assessed on a shortfall scale: give shortfall_of")
        return float(to_shortfall(rule_value, shortfall_of))
    if rule == "eliminate":
        return 0.0
    raise ValueError(f"unknown target rule {rule!r}")


# --- picking the two points ----------------------------------------------------------------------------------------

def _clean(series: pd.Series) -> pd.Series:
    s = pd.to_numeric(series, errors="coerce").dropna()
    s.index = s.index.astype(int)
    return s.sort_index()


def select_baseline(series: pd.Series, baseline_year: int, window: int) -> tuple[int, float] | None:
    """(year, value) nearest to ``baseline_year`` within ±``window`` years, ties to the earlier year; else None."""
    s = _clean(series)
    near = s[(s.index >= baseline_year - window) & (s.index <= baseline_year + window)]
    if near.empty:
        return None
    year = min(near.index, key=lambda y: (abs(y - baseline_year), y))
    return int(year), float(near.loc[year])


def select_latest(series: pd.Series, after_year: int, target_year: int) -> tuple[int, float] | None:
    """The most recent (year, value) with ``after_year < year <= target_year``; else None."""
    s = _clean(series)
    later = s[(s.index > after_year) & (s.index <= target_year)]
    if later.empty:
        return None
    return int(later.index[-1]), float(later.iloc[-1])


# --- the two methods -----------------------------------------------------------------------------------------------

def annual_rate(start: float, end: float, years: float) -> float:
    """Compound annual rate of change ``(end/start)^(1/years) − 1``; −1.0 when ``end`` is 0; NaN when undefined
    (``start`` ≤ 0, a negative ``end`` or ``years`` ≤ 0)."""
    if years <= 0 or start <= 0 or end < 0 or any(map(math.isnan, (start, end))):
        return math.nan
    return (end / start) ** (1.0 / years) - 1.0


def required_rate(baseline_value: float, target_value: float, years: float) -> float:
    """The constant annual rate that takes the baseline to the target; NaN for a zero target (no rate reaches 0)."""
    if target_value <= 0:
        return math.nan
    return annual_rate(baseline_value, target_value, years)


def mdg_reference_path(baseline_year: int, baseline_value: float, target_year: int, target_value: float) -> pd.DataFrame:
    """World Bank MDG reference path: the value each year from baseline to target year if the required rate had been
    kept (geometric); a straight line when the target is zero. Columns ``year, required, kind``."""
    years = list(range(int(baseline_year), int(target_year) + 1))
    rate = required_rate(baseline_value, target_value, target_year - baseline_year)
    if math.isnan(rate):
        span = target_year - baseline_year
        values = [baseline_value + (target_value - baseline_value) * (y - baseline_year) / span for y in years]
        kind = "linear"
    else:
        values = [baseline_value * (1.0 + rate) ** (y - baseline_year) for y in years]
        kind = "geometric"
    return pd.DataFrame({"year": years, "required": values, "kind": kind})


def anticipated_progress(baseline_year: int, baseline_value: float, latest_year: int, latest_value: float,
                         target_year: int, target_value: float) -> tuple[float, float]:
    """(predicted value in the target year, R). The latest value is carried to the target year at the compound rate
    observed since the baseline; ``R = (predicted − B)/(T* − B)``. NaN R when the target equals the baseline."""
    if latest_year >= target_year:
        predicted = float(latest_value)
    else:
        rate = annual_rate(baseline_value, latest_value, latest_year - baseline_year)
        predicted = math.nan if math.isnan(rate) else latest_value * (1.0 + rate) ** (target_year - latest_year)
    if target_value == baseline_value or math.isnan(predicted):
        return predicted, math.nan
    return predicted, (predicted - baseline_value) / (target_value - baseline_value) + 0.0  # no -0.0


def classify(ratio: float) -> str:
    """Band of an anticipated-progress ratio R."""
    if ratio is None or math.isnan(ratio):
        return INSUFFICIENT
    if ratio >= ON_TRACK_MIN:
        return ON_TRACK
    if ratio >= ACCELERATION_MIN:
        return ACCELERATE
    return STAGNATION


# --- one series against one target ---------------------------------------------------------------------------------

ASSESSMENT_KEYS = [
    "band", "band_label", "baseline_year", "baseline_value", "latest_year", "latest_value", "target_year",
    "target_value", "predicted_value", "required_rate", "actual_rate", "ratio", "assessed_as", "explanation",
]


def _pct(rate: float) -> str:
    if math.isnan(rate):
        return "undefined"
    word = "falling" if rate < 0 else "rising" if rate > 0 else "flat"
    return f"{word} {abs(rate):.1%} a year" if rate else "flat"


def assess(series: pd.Series, target: Target, floor: float | None = None) -> dict:
    """Assess one series (values indexed by year, in the indicator's own units) against ``target``.

    Returns the keys of ``ASSESSMENT_KEYS``: values are in the indicator's units, rates and R on the assessed
    (shortfall) scale, ``explanation`` in plain words. ``floor`` is the indicator's reporting floor (FAO publishes
    undernourishment below 2.5% as "<2.5"): a latest value at the floor is judged *met* when the target level is at or
    above the floor, and otherwise cannot be judged — never "stagnation" because two floor values are equal.
    """
    sf = target.shortfall_of
    scaled = to_shortfall(_clean(series), sf)
    assessed_as = "value" if sf is None else f"shortfall ({sf:g} − value)"
    back = lambda v: None if v is None or math.isnan(v) else float(from_shortfall(v, sf))  # noqa: E731
    out = dict.fromkeys(ASSESSMENT_KEYS)
    out.update(target_year=target.target_year, assessed_as=assessed_as, required_rate=math.nan, actual_rate=math.nan,
               ratio=math.nan, predicted_value=None)
    rule_words = target.describe_rule()

    def done(band: str, why: str) -> dict:
        out["band"], out["band_label"] = band, BAND_LABELS[band]
        out["explanation"] = why
        return out

    if _clean(series).empty:
        return done(NO_DATA, "No value for this series in the warehouse.")
    base = select_baseline(scaled, target.baseline_year, target.baseline_window)
    if base is None:
        window = f"±{target.baseline_window} years of " if target.baseline_window else ""
        return done(INSUFFICIENT, f"No baseline: no value within {window}{target.baseline_year}.")
    b_year, b = base
    out.update(baseline_year=b_year, baseline_value=back(b))
    latest = select_latest(scaled, b_year, target.target_year)
    if latest is None:
        return done(INSUFFICIENT, f"Only the baseline ({b_year}): no later value up to {target.target_year}.")
    x_year, x = latest
    goal = target_level(target.rule, target.rule_value, b, sf)
    out.update(latest_year=x_year, latest_value=back(x), target_value=back(goal))
    out["actual_rate"] = annual_rate(b, x, x_year - b_year)
    out["required_rate"] = required_rate(b, goal, target.target_year - b_year)
    scale_note = "" if sf is None else f" (assessed as the shortfall {sf:g} − value)"
    points = f"{b_year}: {back(b):,.4g} → {x_year}: {back(x):,.4g}{scale_note}; target {rule_words} = {back(goal):,.4g}."

    if floor is not None and sf is None and x <= floor:
        at = f"{x_year}: {back(x):,.4g}, at the reporting floor (values at or below {floor:g} are published as '<{floor:g}')"
        if goal >= floor:
            return done(TARGET_MET, f"{at}, which meets the target ({rule_words} = {back(goal):,.4g}). {points}")
        return done(INSUFFICIENT, f"{at}: the publisher does not report values below the floor, so progress towards "
                                  f"{back(goal):,.4g} cannot be judged. {points}")
    if b <= goal:
        if x <= goal:
            return done(TARGET_MET, f"Already at the target at baseline and still there. {points}")
        return done(STAGNATION, f"Was at the target at baseline but has moved away from it since. {points}")
    predicted, ratio = anticipated_progress(b_year, b, x_year, x, target.target_year, goal)
    out["predicted_value"], out["ratio"] = back(predicted), ratio
    if x <= goal:
        return done(TARGET_MET, f"Target reached by {x_year}. {points}")
    band = classify(ratio)
    if x_year >= target.target_year:
        pace = f"In {x_year} it had covered {ratio:.0%} of the required change."
    else:
        needed = out["required_rate"]
        need_words = "a straight fall to zero" if math.isnan(needed) else _pct(needed)
        pace = (f"{_pct(out['actual_rate']).capitalize()} since {b_year}; needed: {need_words}. At the observed rate "
                f"{target.target_year} would reach {back(predicted):,.4g}, {ratio:.0%} of the required change.")
    if x == b:
        pace += " Baseline and latest values are identical: possibly a reporting floor or a carried-forward estimate."
    return done(band, f"{points} {pace}")

