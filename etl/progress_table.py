"""Progress tables from the warehouse: each member of a group, plus the group aggregate, assessed against one target
with the methods of ``etl/progress.py`` (the math lives there; this module only reads series).

Which series: the target's indicator, else its equivalents (``alt_indicator_codes``), the first with data; the
resolved values (``indicator_value``: per cell the best source by the documented precedence, etl/resolve.py), or
one source's own observations when the caller pins it. One indicator per table, so members and aggregate are
comparable; every row names the indicator and the source(s) its values come from.

Which members: countries that belonged to the group at any time between the baseline and the target year. The
aggregate row is ``etl.aggregate.group_series`` (time-aware membership, population-weighted), keeping only the years
where the reporting members cover at least two thirds of the group (``MIN_COVERAGE``).
"""

from __future__ import annotations

import re

import duckdb
import pandas as pd

from etl.aggregate import MIN_COVERAGE, group_series, has_data
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


def choose_series(con: duckdb.DuckDBPyConnection, target: Target, source_id: str | None = None) -> tuple[str, bool]:
    """(indicator_code, has data): the first of the target's codes with data (in ``source_id`` if pinned); codes of
    earlier versions (HDR.MMR, now one source of SH.STA.MMRT) are translated through ``indicator_alias``."""
    aliases = dict(con.execute("SELECT old_code, indicator_code FROM indicator_alias").fetchall())
    for code in dict.fromkeys(aliases.get(c, c) for c in target.codes):
        if has_data(con, code, source_id):
            return code, True
    return target.indicator_code, False


def reporting_floor(con: duckdb.DuckDBPyConnection, indicator_code: str) -> float | None:
    row = con.execute("SELECT reporting_floor FROM indicator WHERE indicator_code = ?", [indicator_code]).fetchone()
    return None if row is None or row[0] is None else float(row[0])


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
    """Members' values: resolved, or one source's own when ``source_id`` is given (with the source of each value)."""
    if not iso3s:
        return pd.DataFrame(columns=["iso3", "year", "value", "source_id", "floor"])
    table = "indicator_value" if source_id is None else "observation"
    return con.execute(
        f"""
        SELECT v.iso3, v.year, v.value, v.source_id, coalesce(m.floor, i.reporting_floor) AS floor
        FROM {table} v LEFT JOIN indicator i USING (indicator_code)
        LEFT JOIN (SELECT source_id, indicator_code, max(reporting_floor) AS floor FROM series_map GROUP BY ALL) m
               USING (source_id, indicator_code)
        WHERE v.indicator_code = $ind AND ($src IS NULL OR v.source_id = $src)
          AND v.iso3 IN (SELECT unnest($iso3s::VARCHAR[]))
        ORDER BY v.iso3, v.year
        """,
        {"ind": indicator_code, "src": source_id, "iso3s": iso3s},
    ).df()


def _floor(rows: pd.DataFrame, default: float | None) -> float | None:
    floors = rows["floor"].dropna() if "floor" in rows else pd.Series(dtype=float)
    return float(floors.max()) if len(floors) else default


def aggregate_series(con: duckdb.DuckDBPyConnection, group_id: str, indicator_code: str,
                     source_id: str | None) -> tuple[pd.Series, pd.DataFrame]:
    """The group's aggregate by year, keeping only years whose reporting members cover at least two thirds of the
    group, and the full ``group_series`` frame (to say what was covered and what was left out)."""
    agg = group_series(con, group_id, indicator_code, source_id=source_id)
    if agg.empty:
        return pd.Series(dtype=float), agg
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
    text = " Group aggregate, members as of each year"
    text += (": " + "; ".join(parts) + ".") if parts else f"; it exists for {int(agg['year'].min())}–{int(agg['year'].max())}."
    if dropped:
        text += f" {dropped} year(s) where reporting members cover less than {MIN_COVERAGE:.0%} of the group are left out."
    return text


def progress_table(con: duckdb.DuckDBPyConnection, group_id: str, target_id: str, source_id: str | None = None) -> pd.DataFrame:
    """One row per member of ``group_id`` plus the group aggregate (last row), assessed against ``target_id``."""
    target = get_target(con, target_id)
    code, found = choose_series(con, target, source_id)
    floor = reporting_floor(con, code)
    who = members(con, group_id, target.baseline_year, target.target_year)
    obs = member_series(con, who["iso3"].tolist(), code, source_id)
    rows = []
    for iso3, name in zip(who["iso3"], who["name"]):
        mine = obs.loc[obs["iso3"] == iso3]
        rows.append({"row_kind": "member", "iso3": iso3, "name": name,
                     **assess(mine.set_index("year")["value"], target, _floor(mine, floor)),
                     "source_id": ";".join(sorted(set(mine["source_id"]))) or None})
    series, agg = aggregate_series(con, group_id, code, source_id)
    group_name = con.execute("SELECT name FROM country_group WHERE group_id = ?", [group_id]).fetchone()
    row = {"row_kind": AGGREGATE, "iso3": None, "name": f"{group_name[0] if group_name else group_id} (aggregate)",
           **assess(series, target, floor),
           "source_id": ";".join(sorted({s for v in agg.get("sources", pd.Series(dtype=str)).dropna() for s in v.split(";")})) or None}
    if found:
        row["explanation"] += aggregate_note(agg, row)
    rows.append(row)
    out = pd.DataFrame(rows).assign(group_id=group_id, target_id=target.target_id, indicator_code=code)
    if not found:
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
    code, _ = choose_series(con, target, source_id)
    if iso3 is None:
        series, _ = aggregate_series(con, group_id, code, source_id)
    else:
        obs = member_series(con, [iso3], code, source_id)
        series = obs.set_index("year")["value"]
    series = series.astype(float)
    result = assess(series, target, reporting_floor(con, code) if iso3 is None else _floor(obs, reporting_floor(con, code)))
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
