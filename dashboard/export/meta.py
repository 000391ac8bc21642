"""What an export says about its chart besides the plot: definitions, sources, caveats, subtitle, generation stamp.

``load_chart(con, spec)`` gathers, from a read-only warehouse connection, exactly the data behind the chart
(``dashboard.chart_data.chart_frame``), the spec with its provenance filled in (``with_provenance``) and a
``ChartMeta`` (indicator definitions, one row per source, warehouse version). Everything else here is pure text
built from those: the subtitle, caption, caveats and speaker notes every exporter shares.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, UTC

import duckdb
import pandas as pd

from dashboard import chart_data, group_changes, queries
from dashboard.figures.common import short_name
from dashboard.figures.footer import footer_lines
from dashboard.figures.spec import ChartSpec

SNAPSHOT_KINDS = ("bar", "map", "scatter")
MAX_NAMES = 6  # subtitle: name this many series, then "and N more"


@dataclass(frozen=True)
class ChartMeta:
    definitions: tuple[dict, ...] = ()  # one per indicator shown: code, name, unit, description, better
    sources: tuple[dict, ...] = ()  # one per source: source_id, publisher, title, url, licence, citation, vintage, retrieved_at
    warehouse_version: str = ""
    labels: tuple[tuple[str, str], ...] = ()  # (code, name) of the countries and groups picked


@dataclass(frozen=True)
class Chart:
    """One chart ready to export: its labelled spec, the rows it plots and its metadata."""
    spec: ChartSpec
    frame: pd.DataFrame = field(compare=False)
    meta: ChartMeta = ChartMeta()


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _clean(value):
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def chart_meta(con: duckdb.DuckDBPyConnection, spec: ChartSpec, frame: pd.DataFrame) -> ChartMeta:
    codes = [c for c in (spec.indicator_code, spec.x_indicator_code) if c]
    cat = con.execute(
        "SELECT indicator_code, name, unit, description, higher_is_better, defined_by FROM indicator "
        "WHERE indicator_code IN (SELECT unnest(?::VARCHAR[]))", [codes]).df().set_index("indicator_code")
    definitions = []
    for code in codes:
        row = cat.loc[code].to_dict() if code in cat.index else {}
        hib = row.get("higher_is_better")
        definitions.append({
            "indicator_code": code, "name": _clean(row.get("name")) or code, "unit": _clean(row.get("unit")),
            "description": _clean(row.get("description")),
            "better": "" if hib is None or pd.isna(hib) else ("higher" if bool(hib) else "lower"),
        })
    ids = set()
    for col in ("source_id", "x_source_id"):
        if col in frame:
            ids |= set(frame[col].dropna().astype(str))
    prov = queries.provenance(con, tuple(sorted(ids)))
    sources = tuple({k: _clean(v) for k, v in rec.items()} for rec in prov.to_dict("records"))
    version = con.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    labels = con.execute(
        "SELECT group_id, name FROM country_group WHERE group_id IN (SELECT unnest(?::VARCHAR[])) UNION ALL "
        "SELECT iso3, name FROM country WHERE iso3 IN (SELECT unnest(?::VARCHAR[]))",
        [list(spec.groups), list(spec.countries)]).fetchall()
    return ChartMeta(tuple(definitions), sources, version[0] if version else "", tuple(labels))


def load_chart(con: duckdb.DuckDBPyConnection, spec: ChartSpec) -> Chart:
    """Frame, labelled spec and metadata for ``spec`` (what the dashboard shows for the same selection)."""
    if spec.kind in SNAPSHOT_KINDS and spec.year is None:  # the year the chart shows, stated, not implied
        spec = replace(spec, year=chart_data.snapshot_year(con, spec))
    frame = chart_data.chart_frame(con, spec)
    if (spec.year_from is None or spec.year_to is None) and not frame.empty and spec.kind in ("line", "table",
                                                                                               "multiples"):
        years = frame["year"].dropna()  # an open range: say which years the chart actually shows
        spec = replace(spec, year_from=spec.year_from if spec.year_from is not None else int(years.min()),
                       year_to=spec.year_to if spec.year_to is not None else int(years.max()))
    full = chart_data.with_provenance(con, spec, frame)
    return Chart(full, frame, chart_meta(con, full, frame))


# --- shared text -------------------------------------------------------------------------------------------------

def _names(codes: tuple[str, ...], labels: dict[str, str], frame: pd.DataFrame) -> list[str]:
    if not frame.empty and "code" in frame and "name" in frame:
        labels = {**dict(zip(frame["code"], frame["name"])), **labels}
    return [labels.get(c) or c for c in codes]


def _short(name: str) -> str:
    """``Association of Southeast Asian Nations (ASEAN)`` → ``ASEAN``; a bracket that is a qualifier rather than
    an abbreviation keeps the name whole (``Eastern Asia (UN M49)`` and ``South-eastern Asia (UN M49)`` stay two
    names): the charts' own rule, ``figures.common.short_name``."""
    return short_name(name)


def subtitle(spec: ChartSpec, frame: pd.DataFrame, labels=()) -> str:
    """Unit, what is shown (groups, countries), the years and how group values are formed."""
    labels = dict(labels)
    names = [_short(n) for n in _names(spec.groups, labels, frame)] + _names(spec.countries, labels, frame)
    shown = ", ".join(names[:MAX_NAMES]) + (f" and {len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else "")
    if spec.kind in SNAPSHOT_KINDS:
        year = spec.year if spec.year is not None else spec.year_to
        when = f"latest value up to {year}" if year is not None else "latest value"
        if spec.groups and spec.kind != "bar":
            shown += " (members)"
    else:
        lo, hi = spec.year_from, spec.year_to
        when = f"{lo}–{hi}" if lo is not None and hi is not None and lo != hi else str(lo or hi or "all years")
    parts = [spec.value_label]
    if spec.kind == "scatter" and spec.x_indicator_code:
        parts = [f"y: {spec.value_label}", f"x: {spec.x_indicator_name or spec.x_indicator_code}"
                 + (f" ({spec.x_unit})" if spec.x_unit else "")]
    parts += [shown, when]
    if spec.groups and spec.kind in ("line", "bar", "table", "multiples"):
        parts.append(("groups: population-weighted mean" if spec.weighted else "groups: unweighted mean")
                     + f", {group_changes.membership_text(spec.membership)}")
    if spec.log_scale and spec.base_year is None:
        parts.append("log scale")
    return " · ".join(p for p in parts if p)


def generated_line(generated: datetime | None, version: str = "") -> str:
    stamp = (generated or now_utc()).strftime("%Y-%m-%d %H:%M UTC")
    return f"Generated {stamp} by hsdash" + (f" from warehouse {version}" if version else "")


def caption(chart: Chart) -> str:
    """One paragraph under a slide's image: source, licence, vintage and coverage."""
    return " · ".join(footer_lines(chart.spec)[:3] + ([chart.spec.coverage] if chart.spec.coverage else []))


def _years(years: list[int]) -> str:
    years = sorted(set(years))
    if len(years) <= 4:
        return ", ".join(map(str, years))
    return f"{years[0]}–{years[-1]}, {len(years)} years"


def flagged(frame: pd.DataFrame, limit: int = 5) -> list[str]:
    """Values kept as published but doubtful (or group values flagged/hidden), one line per series and caveat."""
    if frame.empty or "flag" not in frame:
        return []
    rows = frame[frame["flag"].notna() & (frame["flag"].astype(str) != "")]
    if rows.empty:
        return []
    out = []
    for (name, flag), block in rows.groupby(["name", "flag"], sort=False):
        years = [int(y) for y in block["year"].dropna()]
        out.append(f"{name} ({_years(years)}): {flag}" if years else f"{name}: {flag}")
    if len(out) > limit:
        out = out[:limit] + [f"… and {len(out) - limit} more flagged series (see the data download)"]
    return out


def caveats(chart: Chart) -> list[str]:
    spec = chart.spec
    out = list(spec.notes)
    if spec.coverage:
        out.append(spec.coverage)
    out += flagged(chart.frame)
    if chart.frame.empty or ("value" in chart.frame and chart.frame["value"].notna().sum() == 0):
        out.append("No data for this selection.")
    return out


def notes(chart: Chart, generated: datetime | None = None) -> str:
    """Speaker notes: definitions, caveats, sources with citation and URL, generation stamp."""
    lines = ["Definitions:"]
    for d in chart.meta.definitions:
        unit = f" [{d['unit']}]" if d["unit"] else ""
        better = f" ({d['better']} is better)" if d["better"] else ""
        lines.append(f"• {d['name']}{unit} ({d['indicator_code']}){better}: {d['description'] or 'no definition in the catalogue'}")
    cav = caveats(chart)
    if cav:
        lines += ["", "Caveats:"] + [f"• {c}" for c in cav]
    lines += ["", "Sources:"]
    for s in chart.meta.sources:
        lines.append(f"• {s['publisher']}: {s['title']} ({s['licence']}; vintage {s['vintage'] or 'not stated'}; "
                     f"retrieved {s['retrieved_at'][:10] or 'unknown'}) {s['url']}".rstrip())
        if s["citation"]:
            lines.append(f"  Cite: {s['citation']}")
    lines += ["", generated_line(generated, chart.meta.warehouse_version)]
    return "\n".join(lines)
