"""Plausibility of observations beyond their valid range: large jumps between consecutive years, flagged — kept in
the warehouse, listed in ``quarantine`` under the table name :data:`JUMP_TABLE` with the reason, counted in the
import report and ``hsdash status`` — never dropped (a war or a famine moves numbers too).

Out-of-range values are quarantined earlier, by :mod:`etl.mapping` (the catalogue's ``valid_min``/``valid_max``
per indicator, else its unit kind's) and by the warehouse models (years 1700–2100). The jump thresholds come from
``catalogue/unit_kinds.csv``: ``max_step`` (a larger change between consecutive years is flagged) or ``max_ratio``
(a larger factor, both values of one sign and the smaller at least ``jump_floor``), each with its ``jump_reason``.
Counts and ranks get no jump check (real event counts swing by orders of magnitude). Consecutive means at most
:data:`MAX_GAP` years apart. Pure: frames in, frames out.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

JUMP_TABLE = "jump (kept)"
MAX_GAP = 2


def jump_rules(indicators: pd.DataFrame, unit_kinds: pd.DataFrame) -> pd.DataFrame:
    """Per indicator code: ``max_step`` and ``max_ratio`` from its unit kind (indicators without a kind: none)."""
    kinds = unit_kinds.set_index("unit_kind")[["max_step", "max_ratio", "jump_floor"]]
    rules = indicators[["indicator_code", "unit_kind"]].join(kinds, on="unit_kind")
    rules = rules.dropna(subset=["max_step", "max_ratio"], how="all")
    return rules.set_index("indicator_code")[["max_step", "max_ratio", "jump_floor"]]


def _fmt(v: float) -> str:
    return f"{v:,.6g}"


def flag_jumps(frame: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``frame`` (``iso3, indicator_code, year, value``) that jump from the previous year's value by more
    than their indicator's rule allows: ``record`` (JSON) and ``reason`` columns, for the quarantine table."""
    empty = pd.DataFrame(columns=["record", "reason"])
    if frame.empty or rules.empty:
        return empty
    df = frame.loc[frame["indicator_code"].isin(rules.index), ["iso3", "indicator_code", "year", "value"]]
    if df.empty:
        return empty
    df = df.sort_values(["iso3", "indicator_code", "year"], kind="stable")
    same = (df["iso3"].eq(df["iso3"].shift()) & df["indicator_code"].eq(df["indicator_code"].shift())).to_numpy()
    prev_year = df["year"].shift().to_numpy()
    prev = df["value"].shift().to_numpy(dtype="float64")
    value = df["value"].to_numpy(dtype="float64")
    year = df["year"].to_numpy()
    step_max = df["indicator_code"].map(rules["max_step"]).to_numpy(dtype="float64")
    ratio_max = df["indicator_code"].map(rules["max_ratio"]).to_numpy(dtype="float64")
    floor = np.nan_to_num(df["indicator_code"].map(rules["jump_floor"]).to_numpy(dtype="float64"), nan=0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = year - prev_year
        ok = same & (gap > 0) & (gap <= MAX_GAP) & np.isfinite(prev) & np.isfinite(value)
        step = np.abs(value - prev)
        lo, hi = np.minimum(np.abs(value), np.abs(prev)), np.maximum(np.abs(value), np.abs(prev))
        one_sign = np.sign(value) == np.sign(prev)
        by_step = ok & ~np.isnan(step_max) & (step > step_max)
        by_ratio = ok & ~np.isnan(ratio_max) & one_sign & (lo > 0) & (lo >= floor) & (hi / lo > ratio_max)
    hit = np.flatnonzero(by_step | by_ratio)
    if not len(hit):
        return empty
    records, reasons = [], []
    for k in hit:
        code, iso3 = df["indicator_code"].iat[k], df["iso3"].iat[k]
        rule = (f"more than {_fmt(step_max[k])} in a step" if by_step[k]
                else f"more than ×{_fmt(ratio_max[k])} in a step")
        records.append(json.dumps({"iso3": iso3, "indicator_code": code, "year": int(year[k]), "value": value[k],
                                   "previous_year": int(prev_year[k]), "previous_value": prev[k]}))
        reasons.append(f"large jump for {code} in {iso3}: {_fmt(prev[k])} ({int(prev_year[k])}) → {_fmt(value[k])} "
                       f"({int(year[k])}), {rule}; loaded, flagged for review")
    return pd.DataFrame({"record": records, "reason": reasons})
