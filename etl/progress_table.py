"""Progress tables from the warehouse: each member of a group, plus the group aggregate, assessed against one target
with the methods of ``etl/progress.py`` (the math lives there; this module only reads series).

Which series: the target's indicator, else its equivalents (``alt_indicator_codes``), the first with data; from the
caller's source, else the non-paper source with most observations of it (``etl.aggregate.preferred_source``). One
indicator and one source per table, so members and aggregate are comparable; every row names both.

Which members: countries that belonged to the group at any time between the baseline and the target year. The
aggregate row is ``etl.aggregate.group_series`` (time-aware membership, population-weighted), keeping only the years
where the reporting members cover at least two thirds of the group (``MIN_COVERAGE``).
"""

from __future__ import annotations

import re

import duckdb
import pandas as pd

from etl.aggregate import MIN_COVERAGE, group_series, preferred_source
from etl.progress import ASSESSMENT_KEYS, Target, assess, from_shortfall, mdg_reference_path, to_shortfall

COLUMNS = [
    "group_id", "target_id", "row_kind", "iso3", "name", "indicator_code", "source_id", *ASSESSMENT_KEYS,
]
AGGREGATE = "aggregate"


def targets(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The target catalogue, MDGs first, then by goal and target code."""
    return con.execute(
        "SELECT * FROM target ORDER BY framework, goal, target_code, target_id"
    ).df()


def get_target(con: duckdb.DuckDBPyConnection, target_id: str) -> Target:
    df = con.execute("SELECT * FROM target WHERE lower(target_id) = lower(?)", [target_id.strip()]).df()
    if df.empty:
        known = ", ".join(targets(con)["target_id"])
        raise KeyError(f"unknown target {target_id!r}; known targets: {known or '(none: refresh the reference source)'}")
    return Target.from_row(df.iloc[0].to_dict())


def resolve_group(con: duckdb.DuckDBPyConnection, text: str) -> str:
    """A group id from what a person types: ``ASEAN`` → asean, ``ASEAN+3`` → asean_plus_3, or a group's name."""
    groups = con.execute("SELECT group_id, name FROM country_group").fetchall()
    raw = text.strip().lower()
    key = re.sub(r"[^a-z0-9]+", "_", raw.replace("+", "_plus_")).strip("_")
    for gid, name in groups:
        abbrev = re.findall(r"\(([^)]+)\)", name)
        if key == gid or raw == name.lower() or raw in (a.lower() for a in abbrev):
            return gid
    raise KeyError(f"unknown group {text!r}; known groups: {', '.join(sorted(g for g, _ in groups))}")


def choose_series(con: duckdb.DuckDBPyConnection, target: Target, source_id: str | None = None) -> tuple[str, str | None]:
    """(indicator_code, source_id) to assess: the first of the target's codes with data (in ``source_id`` if given)."""
    for code in target.codes:
        if source_id:
            if con.execute("SELECT 1 FROM observation WHERE indicator_code = ? AND source_id = ? LIMIT 1",
                           [code, source_id]).fetchone():
                return code, source_id
        else:
            src = preferred_source(con, code)
            if src:
                return code, src
    return target.indicator_code, source_id


def members(con: duckdb.DuckDBPyConnection, group_id: str, year_from: int, year_to: int) -> pd.DataFrame:
    """Countries in the group at any time in [year_from, year_to], with their names."""
    return con.execute(
        """
        SELECT m.iso3, coalesce(c.name, m.iso3) AS name
        FROM country_group_member m LEFT JOIN country c USING (iso3)
        WHERE m.group_id = ? AND (m.joined_year IS NULL OR m.joined_year <= ?) AND (m.left_year IS NULL OR m.left_year > ?)
        ORDER BY name
        """,
        [group_id, year_to, year_from],
    ).df()


def member_series(con: duckdb.DuckDBPyConnection, iso3s: list[str], indicator_code: str, source_id: str | None) -> pd.DataFrame:
    if not iso3s or source_id is None:
        return pd.DataFrame(columns=["iso3", "year", "value"])
    return con.execute(
        "SELECT iso3, year, value FROM observation WHERE indicator_code = ? AND source_id = ? "
        "AND iso3 IN (SELECT unnest(?::VARCHAR[])) ORDER BY iso3, year",
        [indicator_code, source_id, iso3s],
    ).df()


def aggregate_series(con: duckdb.DuckDBPyConnection, group_id: str, indicator_code: str,
                     source_id: str | None) -> tuple[pd.Series, pd.DataFrame]:
    """The group's aggregate by year, keeping only years whose reporting members cover at least two thirds of the
    group, and the full ``group_series`` frame (to say what was covered and what was left out)."""
    if source_id is None:
        return pd.Series(dtype=float), pd.DataFrame()
    agg = group_series(con, group_id, indicator_code, source_id=source_id)
    kept = agg[~agg["low_coverage"]]
    return kept.set_index("year")["value"].astype(float), agg


def aggregate_note(agg: pd.DataFrame, result: dict) -> str:
    """Plain words on what the aggregate row stands for: membership and coverage in the years it used."""
    if agg.empty:
        return " No member reports this series, so there is no group aggregate."
    by_year = agg.set_index("year")
    parts = []
    for key in ("baseline_year", "latest_year"):
        year = result.get(key)
        if year is not None and year in by_year.index:
            r = by_year.loc[year]
            weights = "population-weighted" if r["weighted"] else "unweighted: population unknown"
            parts.append(f"{year}: {int(r['n_reporting'])} of {int(r['n_members'])} members report, "
                         f"{r['coverage']:.0%} coverage, {weights}")
    dropped = int(agg["low_coverage"].sum())
    text = " Group aggregate, membership as of each year (etl.aggregate)"
    text += (": " + "; ".join(parts) + ".") if parts else f"; it exists for {int(agg['year'].min())}–{int(agg['year'].max())}."
    if dropped:
        text += f" {dropped} year(s) where reporting members cover less than {MIN_COVERAGE:.0%} of the group are left out."
    return text


def progress_table(con: duckdb.DuckDBPyConnection, group_id: str, target_id: str, source_id: str | None = None) -> pd.DataFrame:
    """One row per member of ``group_id`` plus the group aggregate (last row), assessed against ``target_id``."""
    target = get_target(con, target_id)
    code, src = choose_series(con, target, source_id)
    who = members(con, group_id, target.baseline_year, target.target_year)
    obs = member_series(con, who["iso3"].tolist(), code, src)
    rows = []
    for iso3, name in zip(who["iso3"], who["name"]):
        series = obs.loc[obs["iso3"] == iso3].set_index("year")["value"]
        rows.append({"row_kind": "member", "iso3": iso3, "name": name, **assess(series, target)})
    series, agg = aggregate_series(con, group_id, code, src)
    group_name = con.execute("SELECT name FROM country_group WHERE group_id = ?", [group_id]).fetchone()
    row = {"row_kind": AGGREGATE, "iso3": None, "name": f"{group_name[0] if group_name else group_id} (aggregate)",
           **assess(series, target)}
    if src is not None:
        row["explanation"] += aggregate_note(agg, row)
    rows.append(row)
    out = pd.DataFrame(rows).assign(group_id=group_id, target_id=target.target_id, indicator_code=code, source_id=src)
    if src is None:
        out["explanation"] = out["explanation"] + f" The warehouse holds no series for {' / '.join(target.codes)}."
    for col in ("baseline_year", "latest_year", "target_year"):
        out[col] = pd.array(out[col].tolist(), dtype="Int64")
    for col in ("baseline_value", "latest_value", "target_value", "predicted_value", "required_rate", "actual_rate", "ratio"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    return out[COLUMNS]


def cell_frame(con: duckdb.DuckDBPyConnection, group_id: str, target_id: str, iso3: str | None,
               source_id: str | None = None) -> pd.DataFrame:
    """The series behind one cell (a member, or the aggregate when ``iso3`` is None) with the required path and the
    extrapolation, in the indicator's own units. Columns ``year, observed, required, projected``."""
    target = get_target(con, target_id)
    code, src = choose_series(con, target, source_id)
    if iso3 is None:
        series, _ = aggregate_series(con, group_id, code, src)
    else:
        obs = member_series(con, [iso3], code, src)
        series = obs.set_index("year")["value"]
    series = series.astype(float)
    result = assess(series, target)
    frame = pd.DataFrame({"year": series.index.astype(int), "observed": series.to_numpy()})
    if result["latest_year"] is not None:
        sf = target.shortfall_of
        b, goal = to_shortfall(result["baseline_value"], sf), to_shortfall(result["target_value"], sf)
        path = mdg_reference_path(result["baseline_year"], b, target.target_year, goal)
        path["required"] = from_shortfall(path["required"], sf)
        proj = pd.DataFrame({"year": [result["latest_year"], target.target_year],
                             "projected": [result["latest_value"], result["predicted_value"]]})
        if result["latest_year"] >= target.target_year:
            proj = proj.iloc[:0]
        frame = frame.merge(path[["year", "required"]], on="year", how="outer").merge(proj, on="year", how="outer")
    else:
        frame = frame.assign(required=float("nan"), projected=float("nan"))
    return frame.sort_values("year").reset_index(drop=True)[["year", "observed", "required", "projected"]]
