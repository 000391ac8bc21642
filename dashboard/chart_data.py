"""Exactly the data behind a ChartSpec: ``chart_frame(con, spec)`` returns the frame the chart plots (and a briefing
export downloads), ``with_provenance(con, spec, frame)`` the labels its footer carries. Pure: a DuckDB connection
in, pandas out, no Streamlit. Group aggregates come only from ``etl.aggregate.group_series``. It imports
``dashboard.queries``; queries never imports it (one way, no cycle). ``chart_bundle`` is what the pages read,
cached per warehouse version, through ``dashboard.data``.

Frames have one row per series and year (line, table) or per entity (bar, map, scatter):

* ``series_kind`` ``country`` | ``group``; ``code`` (ISO3 or group id); ``name``; ``indicator_code``; ``year``
* ``value`` — what is plotted: the indicator's level, or with a base year the % change since it; ``level`` — the level
* ``source_id``, ``flag`` (the observation's caveat, or why a group value is flagged/hidden); values are resolved per
  cell across sources (``indicator_value``) unless the spec pins ``source_id``; ``n_sources`` and ``disagree`` say how
  many sources give a country's value and whether they differ beyond the unit's tolerance (groups: ``sources``, the
  sources behind the members' values, and ``n_disagree``)
* groups: ``coverage`` (share of the group's population reporting), ``low_coverage``, ``n_members``, ``n_reporting``,
  ``weighted``, ``min_code``/``min_name``/``min_value`` and ``max_*`` (the spread inside the group, levels only)
* groups also: ``weighting`` and ``membership`` (how the value is formed, in words) and ``change_note`` (per year:
  who joined or left, or how the members reporting changed — ``dashboard.group_changes``; the markers on the line)
* bar / map / scatter also: ``selected`` (picked by name, not only as a member), ``member_of`` (names of the picked
  groups it belongs to) and ``first_group`` (the first of them, by id: its colour); a map also lists the picked
  countries without a value (``value`` empty, ``flag`` "no data …"); scatter: ``x_value``, ``x_year``,
  ``population``, ``population_year``.
* multiples: the line rows of every indicator of the chart (``indicator_code`` tells them apart).

``map_timeline`` gives a map's values for every year of the range (its animation frames); ``x_overlap`` how many
countries each indicator shares with the chart's (the scatter's default x axis).
"""

from __future__ import annotations

from dataclasses import replace

import duckdb
import numpy as np
import pandas as pd

from dashboard import group_changes, queries
from dashboard.figures.common import short_name
from dashboard.labels import date_text, names_text, vintage_text
from dashboard.figures.spec import ChartSpec
from etl import aggregate
from etl.aggregate import MIN_COVERAGE, WEIGHT_SERIES

TOLERANCE = 5  # bar / map / scatter: a country's latest value at most this many years before the chosen year
TFHS_PROJECTS = "tfhs_projects"  # pseudo-indicator: Trust Fund project counts (kind "counts")
ODA_FLOW = "oda_flow"  # pseudo-indicator: the oda_flow table (donors = spec.countries, recipients = spec.groups' members)

SERIES_COLUMNS = [
    "series_kind", "code", "name", "indicator_code", "year", "value", "level", "source_id", "flag", "coverage",
    "low_coverage", "n_members", "n_reporting", "weighted", "min_code", "min_name", "min_value", "max_code",
    "max_name", "max_value", "n_sources", "disagree", "sources", "weighting", "membership", "change_note",
    "first_group",
]
SNAPSHOT_COLUMNS = SERIES_COLUMNS + ["selected", "member_of"]
TIMELINE_COLUMNS = ["frame_year", "code", "name", "year", "value", "level", "source_id", "flag", "selected",
                    "member_of", "first_group"]
MAX_FRAMES = 80  # a map timeline longer than this steps over years
SANKEY_COLUMNS = ["donor", "donor_name", "recipient", "recipient_name", "amount_usd", "measure", "price_basis",
                  "source_id"]
COUNTS_COLUMNS = ["series", "region", "category", "projects", "source_id"]
SCATTER_COLUMNS = ["series_kind", "code", "name", "indicator_code", "year", "value", "source_id", "flag", "selected",
                   "member_of", "first_group", "x_indicator_code", "x_value", "x_year", "x_source_id", "population",
                   "population_year",
                   "n_sources", "disagree"]


def columns_for(kind: str) -> list[str]:
    return {"scatter": SCATTER_COLUMNS, "bar": SNAPSHOT_COLUMNS, "map": SNAPSHOT_COLUMNS,
            "sankey": SANKEY_COLUMNS, "counts": COUNTS_COLUMNS}.get(kind, SERIES_COLUMNS)


def chart_frame(con: duckdb.DuckDBPyConnection, spec: ChartSpec) -> pd.DataFrame:
    """The rows the chart of ``spec`` plots, in the column layout of ``columns_for(spec.kind)``."""
    if spec.indicator_code == ODA_FLOW:
        frame = _oda_frame(con, spec)
    elif spec.indicator_code == TFHS_PROJECTS:
        frame = _tfhs_frame(con)
    elif spec.kind == "scatter":
        frame = _scatter_frame(con, spec)
    elif spec.kind in ("bar", "map"):
        frame = _snapshot_frame(con, spec)
    elif spec.kind == "multiples":
        parts = [_series_frame(con, replace(spec, indicator_code=code)) for code in spec.indicator_codes]
        parts = [p for p in parts if not p.empty]
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=SERIES_COLUMNS)
    else:
        frame = _series_frame(con, spec)
    return frame.reindex(columns=columns_for(spec.kind)).reset_index(drop=True)


def chart_bundle(con: duckdb.DuckDBPyConnection, spec: ChartSpec) -> tuple[pd.DataFrame, ChartSpec]:
    """The chart's frame and its spec with names, units and provenance filled in (one cached call per view)."""
    frame = chart_frame(con, spec)
    return frame, with_provenance(con, spec, frame)


# --- helpers -----------------------------------------------------------------------------------------------------

def _names(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, str], dict[str, str]]:
    countries = dict(con.execute("SELECT iso3, name FROM country").fetchall())
    groups = dict(con.execute("SELECT group_id, name FROM country_group").fetchall())
    return countries, groups


def _country_rows(frame: pd.DataFrame, indicator_code: str) -> pd.DataFrame:
    return frame.rename(columns={"iso3": "code"}).assign(
        series_kind="country", indicator_code=indicator_code, level=frame["value"], low_coverage=False,
        sources=frame["source_id"])


def _group_rows(agg: pd.DataFrame, name: str, country_names: dict[str, str], hide_low: bool) -> pd.DataFrame:
    if agg.empty:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    rows = pd.DataFrame({
        "series_kind": "group", "code": agg["group_id"], "name": name, "indicator_code": agg["indicator_code"],
        "year": agg["year"].astype(int), "value": agg["value"], "level": agg["value"], "source_id": agg["source_id"],
        "coverage": agg["coverage"], "low_coverage": agg["low_coverage"].astype(bool), "n_members": agg["n_members"],
        "n_reporting": agg["n_reporting"], "weighted": agg["weighted"],
        "min_code": agg["min_iso3"], "min_name": agg["min_iso3"].map(country_names), "min_value": agg["min_value"],
        "max_code": agg["max_iso3"], "max_name": agg["max_iso3"].map(country_names), "max_value": agg["max_value"],
        "sources": agg["sources"], "n_sources": agg["sources"].fillna("").map(lambda t: len([x for x in t.split(";") if x])),
        "disagree": agg["n_disagree"] > 0, "weighting": agg["weighting"],
        "membership": agg["membership"].map(group_changes.membership_text),
    })
    note = np.where(rows["low_coverage"], "low coverage: " + (rows["coverage"] * 100).round(0).astype(int).astype(str)
                    + "% of the group's population reports", "")
    extra = agg["weight_note"].fillna("")
    rows["flag"] = [("; ".join(p for p in (a, b) if p) or None) for a, b in zip(note, extra)]
    rows["weighted"] = rows["weighted"].astype(bool)
    if hide_low:
        low = rows["low_coverage"]
        rows.loc[low, "value"] = np.nan
        rows.loc[low, "flag"] = "hidden: coverage below two thirds (" + rows.loc[low, "flag"].fillna("") + ")"
    return rows


def _rebase(frame: pd.DataFrame, base_year: int, by: str = "code") -> tuple[pd.DataFrame, int]:
    """Values as % change from each series' value in the base year (the nearest year within TOLERANCE)."""
    out = []
    dropped = 0
    for _, block in frame.groupby(by, sort=False):
        valid = block.dropna(subset=["level"])
        near = valid[(valid["year"] - base_year).abs() <= TOLERANCE]
        if near.empty:
            dropped += 1
            continue
        base_row = near.loc[(near["year"] - base_year).abs().sort_values(kind="stable").index[0]]
        base = base_row["level"]
        if not base or pd.isna(base):
            dropped += 1
            continue
        block = block.copy()
        block["value"] = np.where(block["value"].notna(), (block["level"] / base - 1) * 100, np.nan)
        for col in ("min_value", "max_value"):
            block[col] = np.nan
        out.append(block)
    return (pd.concat(out) if out else frame.iloc[0:0]), dropped


def _years(spec: ChartSpec) -> tuple[int, int]:
    lo = spec.year_from if spec.year_from is not None else -10_000
    hi = spec.year_to if spec.year_to is not None else 10_000
    return lo, hi


# --- line / table ------------------------------------------------------------------------------------------------

def _series_frame(con: duckdb.DuckDBPyConnection, spec: ChartSpec) -> pd.DataFrame:
    source = spec.source_id
    if not aggregate.has_data(con, spec.indicator_code, source):
        return pd.DataFrame(columns=SERIES_COLUMNS)
    lo, hi = _years(spec)
    fetch_lo = min(lo, spec.base_year - TOLERANCE) if spec.base_year is not None else lo
    fetch_hi = max(hi, spec.base_year + TOLERANCE) if spec.base_year is not None else hi
    country_names, group_names = _names(con)
    memberships = _memberships(con, spec.groups)
    parts = []
    if spec.countries:
        obs = queries.country_series(con, spec.indicator_code, spec.countries, fetch_lo, fetch_hi, source)
        obs["order"] = obs["iso3"].map({c: i for i, c in enumerate(spec.countries)})
        rows = _country_rows(obs.sort_values(["order", "year"]).drop(columns="order"), spec.indicator_code)
        parts.append(rows.assign(first_group=rows["code"].map(_first_groups(spec, memberships))))
    for group_id in spec.groups:
        agg = aggregate.group_series(con, group_id, spec.indicator_code, fetch_lo, fetch_hi, spec.weighted, source,
                                     membership=spec.membership)
        parts.append(_group_rows(agg, group_names.get(group_id, group_id), country_names, spec.hide_low_coverage))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    frame = pd.concat(parts, ignore_index=True)
    if spec.base_year is not None:
        frame, _ = _rebase(frame, spec.base_year)
    frame = frame[(frame["year"] >= lo) & (frame["year"] <= hi)].copy() if not frame.empty else frame
    frame["change_note"] = None
    groups = frame[frame["series_kind"] == "group"]
    if not groups.empty:
        years = sorted(int(y) for y in groups["year"].unique())
        values = queries.country_series(  # every picked group's members, once: who reports in which year
            con, spec.indicator_code, tuple(sorted({c for m in memberships.values() for c in m["iso3"]})),
            min(years), max(years), source)
        have = set(zip(values.loc[values["value"].notna(), "iso3"], values.loc[values["value"].notna(), "year"]))
        for group_id, rows in groups.groupby("code", sort=False):
            members = memberships.get(group_id, memberships_empty())
            reporting = _reporting(con, spec, group_id, have, sorted(int(y) for y in rows["year"].unique()))
            notes = group_changes.year_notes(rows, members, reporting, spec.membership,
                                             short_name(group_names.get(group_id, group_id)))
            frame.loc[rows.index, "change_note"] = rows["year"].map(notes)
    return frame


def memberships_empty() -> pd.DataFrame:
    return pd.DataFrame(columns=["iso3", "name", "joined_year", "left_year"])


def _memberships(con: duckdb.DuckDBPyConnection, group_ids: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """Every member of each group, ever, with its years (one query for all picked groups)."""
    if not group_ids:
        return {}
    rows = con.execute(
        """
        SELECT m.group_id, m.iso3, coalesce(c.name, m.iso3) AS name, m.joined_year, m.left_year
        FROM country_group_member m LEFT JOIN country c USING (iso3)
        WHERE m.group_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY m.group_id, name
        """, [list(group_ids)]).df()
    return {g: block.drop(columns="group_id").reset_index(drop=True) for g, block in rows.groupby("group_id")}


def _first_groups(spec: ChartSpec, memberships: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Picked country → the first picked group it belongs to (has ever belonged to): its colour in tables."""
    out: dict[str, str] = {}
    for group_id in spec.groups:
        for iso3 in memberships.get(group_id, memberships_empty())["iso3"]:
            if iso3 in spec.countries:
                out.setdefault(iso3, group_id)
    return out


def _reporting(con: duckdb.DuckDBPyConnection, spec: ChartSpec, group_id: str, have: set[tuple[str, int]],
               years: list[int]) -> dict[int, set[str]]:
    """Per year, the members counted (as the spec counts them: etl.aggregate.members_by_year) that have a value."""
    counted = aggregate.members_by_year(con, group_id, years, spec.membership)
    out: dict[int, set[str]] = {y: set() for y in years}
    for year, iso3 in zip(counted["year"], counted["iso3"]):
        if (iso3, year) in have:
            out[int(year)].add(iso3)
    return out


# --- bar / map ---------------------------------------------------------------------------------------------------

def snapshot_year(con: duckdb.DuckDBPyConnection, spec: ChartSpec) -> int | None:
    """The one year of a bar / map / scatter: the spec's, else the latest year with data up to ``year_to``."""
    if spec.year is not None:
        return spec.year
    _, hi = _years(spec)
    return queries.latest_year(con, spec.indicator_code, hi, spec.source_id)


def _entities(con: duckdb.DuckDBPyConnection, spec: ChartSpec, year: int) -> pd.DataFrame:
    """Countries picked by name plus the members of the picked groups in ``year`` (as the spec counts members:
    as of that year, or today's), each with the picked groups it belongs to (``first_group``: the first, by id)."""
    return _entities_by_year(con, spec, [year]).drop(columns="frame_year")


def _entities_by_year(con: duckdb.DuckDBPyConnection, spec: ChartSpec, years: list[int]) -> pd.DataFrame:
    _, group_names = _names(con)
    rows: dict[tuple[int, str], dict] = {}
    for year in years:
        for c in spec.countries:
            rows[(year, c)] = {"frame_year": year, "iso3": c, "selected": True, "member_of": [], "first_group": None}
    for group_id in spec.groups:
        members = aggregate.members_by_year(con, group_id, years, spec.membership)
        for year, iso3 in zip(members["year"], members["iso3"]):
            row = rows.setdefault((int(year), iso3), {"frame_year": int(year), "iso3": iso3, "selected": False,
                                                      "member_of": [], "first_group": None})
            row["member_of"].append(group_names.get(group_id, group_id))
            row["first_group"] = row["first_group"] or group_id
    frame = pd.DataFrame(list(rows.values()), columns=["frame_year", "iso3", "selected", "member_of", "first_group"])
    frame["member_of"] = frame["member_of"].map(lambda m: ", ".join(m) if m else None)
    return frame


def _snapshot_frame(con: duckdb.DuckDBPyConnection, spec: ChartSpec) -> pd.DataFrame:
    source = spec.source_id
    year = snapshot_year(con, spec)
    if year is None:
        return pd.DataFrame(columns=SNAPSHOT_COLUMNS)
    ents = _entities(con, spec, year)
    iso3s = tuple(ents["iso3"])
    vals = queries.latest_values(con, spec.indicator_code, iso3s, year, TOLERANCE, source)
    frame = _country_rows(vals, spec.indicator_code).merge(
        ents.rename(columns={"iso3": "code"}), on="code", how="left")
    if spec.kind == "map":  # picked countries without a value are drawn as "no data", not left out
        missing = ents[~ents["iso3"].isin(set(vals["iso3"]))]
        if not missing.empty:
            country_names, _ = _names(con)
            frame = pd.concat([frame, missing.rename(columns={"iso3": "code"}).assign(
                series_kind="country", indicator_code=spec.indicator_code, low_coverage=False,
                name=missing["iso3"].map(lambda c: country_names.get(c, c)),
                flag=f"no data from {year - TOLERANCE} to {year}")], ignore_index=True)
    if spec.kind == "bar" and spec.groups:
        country_names, group_names = _names(con)
        for group_id in spec.groups:
            name = group_names.get(group_id, group_id)
            agg = aggregate.group_series(con, group_id, spec.indicator_code, year - TOLERANCE, year, spec.weighted,
                                         source, membership=spec.membership)
            rows = _group_rows(agg, name, country_names, spec.hide_low_coverage).tail(1)
            if rows.empty:
                continue
            if spec.base_year is not None:
                base = aggregate.group_series(con, group_id, spec.indicator_code, spec.base_year - TOLERANCE,
                                              spec.base_year + TOLERANCE, spec.weighted, source, membership=spec.membership)
                level = np.nan
                if not base.empty:
                    level = base["value"].iloc[int((base["year"] - spec.base_year).abs().to_numpy().argmin())]
                rows = rows.assign(value=(rows["value"] / level - 1) * 100 if level else np.nan,
                                   min_value=np.nan, max_value=np.nan)
            frame = pd.concat([frame, rows.assign(selected=True)], ignore_index=True)
    if spec.base_year is not None and not frame.empty:
        countries = frame[frame["series_kind"] == "country"]
        base = queries.latest_values(con, spec.indicator_code, tuple(countries["code"]), spec.base_year, TOLERANCE, source)
        base_level = countries["code"].map(dict(zip(base["iso3"], base["value"])))
        change = (countries["level"] / base_level - 1) * 100
        frame.loc[countries.index, "value"] = change.where(base_level.notna() & (base_level != 0))
    return frame


# --- scatter -----------------------------------------------------------------------------------------------------

def _scatter_frame(con: duckdb.DuckDBPyConnection, spec: ChartSpec) -> pd.DataFrame:
    source = spec.source_id  # a pinned source is the y axis'; the x axis is always resolved
    year = snapshot_year(con, spec)
    if not spec.x_indicator_code or year is None:
        return pd.DataFrame(columns=SCATTER_COLUMNS)
    ents = _entities(con, spec, year)
    iso3s = tuple(ents["iso3"])
    y = queries.latest_values(con, spec.indicator_code, iso3s, year, TOLERANCE, source)
    x = queries.latest_values(con, spec.x_indicator_code, iso3s, year, TOLERANCE)
    frame = y.rename(columns={"iso3": "code"}).merge(ents.rename(columns={"iso3": "code"}), on="code", how="left")
    frame = frame.merge(x[["iso3", "value", "year", "source_id"]].rename(columns={
        "iso3": "code", "value": "x_value", "year": "x_year", "source_id": "x_source_id"}), on="code", how="inner")
    frame["population"] = np.nan
    frame["population_year"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    for series in WEIGHT_SERIES:  # the same population series, in the same order, as the group weights
        missing = frame["population"].isna()
        if not missing.any():
            break
        pop = queries.latest_values(con, series, tuple(frame.loc[missing, "code"]), year, TOLERANCE)
        by = pop.set_index("iso3")
        frame.loc[missing, "population"] = frame.loc[missing, "code"].map(by["value"])
        frame.loc[missing, "population_year"] = frame.loc[missing, "code"].map(by["year"]).astype("Int64")
    return frame.assign(series_kind="country", indicator_code=spec.indicator_code,
                        x_indicator_code=spec.x_indicator_code)


# --- aid flows ---------------------------------------------------------------------------------------------------

def _oda_frame(con: duckdb.DuckDBPyConnection, spec: ChartSpec) -> pd.DataFrame:
    """Sankey: total per donor → recipient over the years; line: per donor and year, summed over the recipients."""
    recipients = set()
    for group_id in spec.groups:
        recipients |= set(queries.group_members(con, group_id)["iso3"])
    lo, hi = _years(spec)
    flows = queries.oda_flows(con, spec.countries, tuple(sorted(recipients)), lo, hi)
    if flows.empty:
        return pd.DataFrame(columns=columns_for(spec.kind))
    if spec.kind == "sankey":
        keys = ["donor", "donor_name", "recipient", "recipient_name", "measure", "price_basis"]  # one measure per donor
        out = flows.groupby(keys, as_index=False).agg(amount_usd=("amount_usd", "sum"), source_id=("source_id", "min"))
        return out.sort_values(["donor", "amount_usd"], ascending=[True, False])
    per_year = flows.groupby(["donor", "donor_name", "year"], as_index=False).agg(
        value=("amount_usd", "sum"), source_id=("source_id", "min"))
    return per_year.rename(columns={"donor": "code", "donor_name": "name"}).assign(
        series_kind="country", indicator_code=ODA_FLOW, level=per_year["value"], low_coverage=False)


# --- Trust Fund for Human Security ------------------------------------------------------------------------------

def _tfhs_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The published counts (one series per source and date) beside counts of the imported register's projects."""
    counts = queries.tfhs_counts(con)
    published = counts.assign(series=[
        f"{'Soh (2008)' if s == 'paper' else s}, as of {a}" for s, a in zip(counts["source_id"], counts["as_of"])])
    register = queries.tfhs_projects(con)
    parts = [published]
    if not register.empty:
        by_cat = register.groupby(["source_id", "region", "category"], as_index=False).size()
        by_region = register.groupby(["source_id", "region"], as_index=False).size().assign(category="all")
        reg = pd.concat([by_region, by_cat]).rename(columns={"size": "projects"})
        parts.append(reg.assign(series=reg["source_id"].map(lambda s: f"imported register ({s})")))
    return pd.concat(parts, ignore_index=True)


# --- provenance --------------------------------------------------------------------------------------------------

def count_true(column: pd.Series) -> int:
    """How many cells of a yes/no column say yes (missing: no), whatever its dtype (bool, object, all-NaN float)."""
    return int(pd.to_numeric(column, errors="coerce").fillna(0).astype(bool).sum())


def coverage_text(frame: pd.DataFrame, weighted_requested: bool = True, membership: str | None = None) -> str:
    """One line per group: members reporting and the population coverage range, flagged years counted."""
    if frame.empty or "coverage" not in frame or not (frame["series_kind"] == "group").any():
        return ""
    parts = []
    for name, block in frame[frame["series_kind"] == "group"].groupby("name", sort=False):
        cov = block["coverage"].dropna()
        if cov.empty:
            continue
        low = int(block["low_coverage"].fillna(False).astype(bool).sum())
        lo, hi = f"{cov.min():.0%}", f"{cov.max():.0%}"
        span = lo if lo == hi else f"{lo}–{hi}"
        text = f"{short_name(name)}: members reporting hold {span} of its population"
        if low:
            text += f" ({low} value(s) below two thirds)"
        parts.append(text)
    if not parts:
        return ""
    groups = frame[frame["series_kind"] == "group"]
    weighted = groups["weighted"].astype(bool)
    if not weighted_requested or weighted.all() or not weighted.any():
        how = aggregate.weighting_text(bool(weighted.all()), weighted_requested,
                                       _first_note(groups) if weighted_requested and not weighted.any() else None)
    else:  # the same words as each value's own (the CSV's weighting column), summarised over the years
        plain = sorted(groups.loc[~weighted, "year"].astype(int).unique())
        how = (aggregate.weighting_text(True) + "; " + aggregate.weighting_text(False, True, _first_note(groups.loc[~weighted]))
               + f" — in {_years_text(plain)}")
    if membership is None:  # the frame's own words (group_changes.membership_text), when all rows agree
        said = groups.get("membership", pd.Series(dtype=object)).dropna().unique()
        members = said[0] if len(said) == 1 else group_changes.membership_text(None)
    else:
        members = group_changes.membership_text(membership)
    return f"Group values: {how}; {members}. Coverage — " + "; ".join(parts)


def _first_note(rows: pd.DataFrame) -> str | None:
    flags = rows.get("flag", pd.Series(dtype=object)).dropna()
    notes = [f.split("; ")[-1] for f in flags if "population unknown" in f]
    return notes[0] if notes else None


def _years_text(years: list[int]) -> str:
    if not years:
        return ""
    return f"{years[0]}" if len(years) == 1 else f"{len(years)} years ({years[0]}–{years[-1]})"


def _group_summaries(con: duckdb.DuckDBPyConnection, spec: ChartSpec, frame: pd.DataFrame) -> list[str]:
    """Footer lines for the groups of a line / table / multiples chart: joins, how members are counted, the years
    the members reporting changed (``group_changes.summary``), and what the markers mean."""
    if frame.empty or spec.kind not in ("line", "table") or "change_note" not in frame:
        return []
    groups = frame[frame["series_kind"] == "group"]
    if groups.empty:
        return []
    lines = []
    memberships = _memberships(con, tuple(groups["code"].unique()))
    for group_id, block in groups.groupby("code", sort=False):
        notes = {int(y): n for y, n in zip(block["year"], block["change_note"]) if isinstance(n, str) and n}
        members = memberships.get(group_id, memberships_empty())
        shown = block.loc[block["value"].notna(), "year"]  # the group's own line: founders are not joins
        if shown.empty:
            continue
        line = group_changes.summary(short_name(str(block["name"].iloc[0])), notes, members, int(shown.min()),
                                     int(shown.max()), spec.membership)
        if line:
            lines.append(line)
    if groups["change_note"].notna().any() or groups["low_coverage"].fillna(False).astype(bool).any():
        lines.append(group_changes.MARKER_NOTE)
    return lines


def _source_table(con: duckdb.DuckDBPyConnection, source_ids: tuple[str, ...]) -> pd.DataFrame:
    prov = queries.provenance(con, source_ids)
    dates = con.execute("SELECT source_id, kind, vintage_date FROM source "
                        "WHERE source_id IN (SELECT unnest(?::VARCHAR[]))", [list(source_ids)]).df()
    return prov.merge(dates, on="source_id", how="left")


def _vintage(prov: pd.DataFrame) -> str:
    """Each source's data vintage: its date as people write it when the publisher gave one, else its own words."""
    texts = [date_text(d) if pd.notna(d) and str(d) else vintage_text(v) for v, d in zip(prov["vintage"], prov["vintage_date"])
             if (pd.notna(d) and str(d)) or (isinstance(v, str) and v)]
    return "; ".join(dict.fromkeys(texts))


def with_provenance(con: duckdb.DuckDBPyConnection, spec: ChartSpec, frame: pd.DataFrame) -> ChartSpec:
    """``spec`` with names, units, direction and the footer's provenance filled in for ``frame``."""
    codes = [*spec.indicator_codes, *([spec.x_indicator_code] if spec.x_indicator_code else [])]
    cat = con.execute(
        "SELECT indicator_code, name, short_name, unit, higher_is_better FROM indicator "
        "WHERE indicator_code IN (SELECT unnest(?::VARCHAR[]))", [codes],
    ).df().set_index("indicator_code")
    sources = set(frame["source_id"].dropna()) if "source_id" in frame else set()
    if "sources" in frame:  # group values: every source behind the members' values
        sources |= {s for text in frame["sources"].dropna() for s in str(text).split(";") if s}
    if "x_source_id" in frame:
        sources |= set(frame["x_source_id"].dropna())
    shown = set(sources)
    prov = _source_table(con, tuple(sorted(sources | ({spec.source_id} if spec.source_id else set()))))
    publisher = {sid: (pub if isinstance(pub, str) and pub else sid)
                 for sid, pub in zip(prov["source_id"], prov["publisher"])}
    notes = []
    if spec.source_id:
        notes.append(f"Values from one source only: {publisher.get(spec.source_id, spec.source_id)} "
                     "(not the best value per country and year).")
    disagree = count_true(frame["disagree"]) if "disagree" in frame else 0
    if disagree:
        notes.append(f"Sources disagree on {disagree} of the values shown (beyond the unit's tolerance); the value "
                     f"shown follows the documented precedence — see \"Sources behind these numbers\".")
    if spec.kind in ("bar", "map", "scatter"):
        year = frame["year"].max() if not frame.empty else spec.year
        notes.append(f"Each country's latest value up to {spec.year or year}, at most {TOLERANCE} years older.")
    if spec.base_year is not None:
        notes.append(f"Change relative to {spec.base_year} (each series' value in the nearest year within "
                     f"{TOLERANCE} years of it).")
    low = frame.get("low_coverage", pd.Series(dtype=bool)).fillna(False).astype(bool)
    if low.any() and (frame["series_kind"] == "group").any():
        notes.append(f"Group values covering less than {MIN_COVERAGE:.0%} of the group's population are "
                     + ("hidden." if spec.hide_low_coverage
                        else "flagged: hollow markers and dotted lines, hatched bars."))
    notes += _group_summaries(con, spec, frame)

    def info(code: str | None, field: str, default=""):
        return cat.loc[code, field] if code in cat.index and pd.notna(cat.loc[code, field]) else default

    return replace(
        spec,
        indicator_name=spec.indicator_name or info(spec.indicator_code, "name", spec.indicator_code),
        unit=spec.unit or info(spec.indicator_code, "unit"),
        higher_is_better=spec.higher_is_better if spec.higher_is_better is not None
        else (None if info(spec.indicator_code, "higher_is_better", None) is None
              else bool(info(spec.indicator_code, "higher_is_better"))),
        x_indicator_name=spec.x_indicator_name or info(spec.x_indicator_code, "name", spec.x_indicator_code or ""),
        x_unit=spec.x_unit or info(spec.x_indicator_code, "unit"),
        publishers=tuple(prov.loc[prov["source_id"].isin(shown), "publisher"].dropna()),
        licences=tuple(prov.loc[prov["source_id"].isin(shown), "licence"].dropna()),
        vintage=_vintage(prov[prov["source_id"].isin(shown)]),
        retrieved=max(prov.loc[prov["source_id"].isin(shown), "retrieved_at"].dropna(), default=""),
        coverage=coverage_text(frame, spec.weighted, spec.membership if spec.groups else None),
        notes=tuple(notes),
        source_names=tuple(publisher.items()),
        panels=tuple((c, info(c, "name", c), info(c, "unit")) for c in spec.indicator_codes) if spec.kind == "multiples"
        else (),
        title=spec.title or (_multiples_title([info(c, "short_name") or info(c, "name", c) for c in spec.indicator_codes])
                             if spec.kind == "multiples" else ""),
    )


def _multiples_title(names: list[str]) -> str:
    """A small-multiples chart's title: the indicators' short names ("Undernourishment, HDI and Under-5 mortality")."""
    title = names_text(names)
    return title if len(title) <= 110 else f"{len(names)} indicators side by side"


# --- map timeline and the scatter's x axis --------------------------------------------------------------------------

def map_timeline(con: duckdb.DuckDBPyConnection, spec: ChartSpec) -> pd.DataFrame:
    """A map's values for every year of ``spec``'s range (the animation's frames): per ``frame_year`` each picked
    country and member of a picked group (members counted as the spec counts them), with its latest value at most
    ``TOLERANCE`` years older (``year`` says which); picked countries without one have an empty ``value``."""
    lo, hi = spec.year_from, spec.year_to
    if lo is None or hi is None or (not spec.countries and not spec.groups):
        return pd.DataFrame(columns=TIMELINE_COLUMNS)
    step = max(1, -(-(hi - lo + 1) // MAX_FRAMES))
    years = sorted({*range(hi, lo - 1, -step)})
    ents = _entities_by_year(con, spec, years)
    if ents.empty:
        return pd.DataFrame(columns=TIMELINE_COLUMNS)
    iso3s = tuple(sorted(set(ents["iso3"])))
    values = queries.country_series(con, spec.indicator_code, iso3s, lo - TOLERANCE, hi, spec.source_id)
    values = values[values["value"].notna()].sort_values(["iso3", "year"])
    parts = []
    for year in years:
        window = values[(values["year"] <= year) & (values["year"] >= year - TOLERANCE)]
        latest = window.groupby("iso3", sort=False).tail(1)
        parts.append(ents[ents["frame_year"] == year].merge(
            latest[["iso3", "year", "value", "source_id", "flag"]], on="iso3", how="left"))
    frame = pd.concat(parts, ignore_index=True).rename(columns={"iso3": "code"})
    country_names, _ = _names(con)
    frame["name"] = frame["code"].map(lambda c: country_names.get(c, c))
    frame["level"] = frame["value"]
    if spec.base_year is not None:
        base = queries.latest_values(con, spec.indicator_code, iso3s, spec.base_year, TOLERANCE, spec.source_id)
        base_level = frame["code"].map(dict(zip(base["iso3"], base["value"])))
        frame["value"] = ((frame["level"] / base_level - 1) * 100).where(base_level.notna() & (base_level != 0))
    frame.loc[frame["level"].isna(), "flag"] = [f"no data from {y - TOLERANCE} to {y}"
                                                for y in frame.loc[frame["level"].isna(), "frame_year"]]
    return frame.reindex(columns=TIMELINE_COLUMNS)


def x_overlap(con: duckdb.DuckDBPyConnection, indicator_code: str, countries: tuple[str, ...],
              groups: tuple[str, ...], year: int, membership: str = "as_of_year",
              source_id: str | None = None) -> pd.DataFrame:
    """For a scatter of ``indicator_code`` in ``year``: per other indicator, how many of the countries shown (picked
    ones and the picked groups' members) have a value of both within ``TOLERANCE`` years — ``indicator_code``,
    ``n_countries``, most first."""
    ents = _entities(con, ChartSpec(indicator_code, countries=countries, groups=groups, membership=membership), year)
    y = queries.latest_values(con, indicator_code, tuple(ents["iso3"]), year, TOLERANCE, source_id)
    if y.empty:
        return pd.DataFrame(columns=["indicator_code", "n_countries"])
    return con.execute(
        """
        SELECT indicator_code, count(DISTINCT iso3) AS n_countries FROM indicator_value
        WHERE iso3 IN (SELECT unnest(?::VARCHAR[])) AND year BETWEEN ? AND ? AND indicator_code <> ?
          AND value IS NOT NULL
        GROUP BY indicator_code ORDER BY n_countries DESC, indicator_code
        """,
        [list(y["iso3"]), year - TOLERANCE, year, indicator_code],
    ).df()
