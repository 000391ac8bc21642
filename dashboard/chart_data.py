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
* bar / map / scatter also: ``selected`` (picked by name, not only as a member) and ``member_of``;
  scatter: ``x_value``, ``x_year``, ``population``, ``population_year``.
"""

from __future__ import annotations

from dataclasses import replace

import duckdb
import numpy as np
import pandas as pd

from dashboard import queries
from dashboard.figures.common import short_name
from dashboard.figures.spec import ChartSpec
from etl import aggregate
from etl.aggregate import MIN_COVERAGE, WEIGHT_SERIES

TOLERANCE = 5  # bar / map / scatter: a country's latest value at most this many years before the chosen year
TFHS_PROJECTS = "tfhs_projects"  # pseudo-indicator: Trust Fund project counts (kind "counts")
ODA_FLOW = "oda_flow"  # pseudo-indicator: the oda_flow table (donors = spec.countries, recipients = spec.groups' members)

SERIES_COLUMNS = [
    "series_kind", "code", "name", "indicator_code", "year", "value", "level", "source_id", "flag", "coverage",
    "low_coverage", "n_members", "n_reporting", "weighted", "min_code", "min_name", "min_value", "max_code",
    "max_name", "max_value", "n_sources", "disagree", "sources", "weighting", "membership",
]
SNAPSHOT_COLUMNS = SERIES_COLUMNS + ["selected", "member_of"]
SANKEY_COLUMNS = ["donor", "donor_name", "recipient", "recipient_name", "amount_usd", "measure", "price_basis",
                  "source_id"]
COUNTS_COLUMNS = ["series", "region", "category", "projects", "source_id"]
SCATTER_COLUMNS = ["series_kind", "code", "name", "indicator_code", "year", "value", "source_id", "flag", "selected",
                   "member_of", "x_indicator_code", "x_value", "x_year", "x_source_id", "population", "population_year",
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
        "disagree": agg["n_disagree"] > 0, "weighting": agg["weighting"], "membership": agg["membership"],
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
    parts = []
    if spec.countries:
        obs = queries.country_series(con, spec.indicator_code, spec.countries, fetch_lo, fetch_hi, source)
        obs["order"] = obs["iso3"].map({c: i for i, c in enumerate(spec.countries)})
        parts.append(_country_rows(obs.sort_values(["order", "year"]).drop(columns="order"), spec.indicator_code))
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
    return frame[(frame["year"] >= lo) & (frame["year"] <= hi)] if not frame.empty else frame


# --- bar / map ---------------------------------------------------------------------------------------------------

def snapshot_year(con: duckdb.DuckDBPyConnection, spec: ChartSpec) -> int | None:
    """The one year of a bar / map / scatter: the spec's, else the latest year with data up to ``year_to``."""
    if spec.year is not None:
        return spec.year
    _, hi = _years(spec)
    return queries.latest_year(con, spec.indicator_code, hi, spec.source_id)


def _entities(con: duckdb.DuckDBPyConnection, spec: ChartSpec, year: int) -> pd.DataFrame:
    """Countries picked by name plus the members of the picked groups in ``year``."""
    _, group_names = _names(con)
    rows = {c: {"iso3": c, "selected": True, "member_of": []} for c in spec.countries}
    for group_id in spec.groups:
        for iso3 in queries.group_members(con, group_id, year)["iso3"]:
            rows.setdefault(iso3, {"iso3": iso3, "selected": False, "member_of": []})["member_of"].append(
                group_names.get(group_id, group_id))
    frame = pd.DataFrame(list(rows.values()), columns=["iso3", "selected", "member_of"])
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

def coverage_text(frame: pd.DataFrame, weighted_requested: bool = True) -> str:
    """One line per group: members reporting and the population coverage range, flagged years counted."""
    if frame.empty or "coverage" not in frame or not (frame["series_kind"] == "group").any():
        return ""
    parts = []
    for name, block in frame[frame["series_kind"] == "group"].groupby("name", sort=False):
        cov = block["coverage"].dropna()
        if cov.empty:
            continue
        low = int(block["low_coverage"].fillna(False).astype(bool).sum())
        span = f"{cov.min():.0%}" if cov.min() == cov.max() else f"{cov.min():.0%}–{cov.max():.0%}"
        text = f"{short_name(name)}: {span} of population reports"
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
    members = "today's members in every year" if (groups.get("membership") == "current").all() else "members as of each year"
    return f"Group values: {how}; {members}. Coverage — " + "; ".join(parts)


def _first_note(rows: pd.DataFrame) -> str | None:
    flags = rows.get("flag", pd.Series(dtype=object)).dropna()
    notes = [f.split("; ")[-1] for f in flags if "population unknown" in f]
    return notes[0] if notes else None


def _years_text(years: list[int]) -> str:
    if not years:
        return ""
    return f"{years[0]}" if len(years) == 1 else f"{len(years)} years ({years[0]}–{years[-1]})"


def with_provenance(con: duckdb.DuckDBPyConnection, spec: ChartSpec, frame: pd.DataFrame) -> ChartSpec:
    """``spec`` with names, units, direction and the footer's provenance filled in for ``frame``."""
    cat = con.execute(
        "SELECT indicator_code, name, unit, higher_is_better FROM indicator WHERE indicator_code IN (?, ?)",
        [spec.indicator_code, spec.x_indicator_code or spec.indicator_code],
    ).df().set_index("indicator_code")
    sources = set(frame["source_id"].dropna()) if "source_id" in frame else set()
    if "sources" in frame:  # group values: every source behind the members' values
        sources |= {s for text in frame["sources"].dropna() for s in str(text).split(";") if s}
    if "x_source_id" in frame:
        sources |= set(frame["x_source_id"].dropna())
    prov = queries.provenance(con, tuple(sorted(sources)))
    notes = []
    if spec.source_id:
        notes.append(f"Values from one source only: {spec.source_id} (not the best value per cell).")
    disagree = int(frame["disagree"].fillna(False).astype(bool).sum()) if "disagree" in frame else 0
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
                     + ("hidden." if spec.hide_low_coverage else "flagged: hollow markers (lines), hatched bars."))

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
        publishers=tuple(prov["publisher"].dropna()),
        licences=tuple(prov["licence"].dropna()),
        vintage="; ".join(dict.fromkeys(prov["vintage"].dropna().astype(str))),
        retrieved=max(prov["retrieved_at"].dropna(), default=""),
        coverage=coverage_text(frame, spec.weighted),
        notes=tuple(notes),
    )
