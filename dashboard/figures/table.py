"""The countries × years table (World Bank DataBank / OWID style): one row per country or group, one column per
year, numbers formatted with their unit, "–" where there is no value — never None or nan. ``wide_table`` is what the
page shows (st.dataframe), ``build_table`` the same as a plotly table for exports (years thinned to fit a slide).
``readable`` turns any chart frame into columns with names people read, for the page's "data behind this chart"."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import empty, finish, group_colour, is_percent, plain, short_name, value_text
from dashboard.figures.spec import ChartSpec

MAX_ROWS = 60
MAX_EXPORT_YEARS = 12  # a slide holds this many year columns; more are thinned (every 2nd, 3rd … year, the last kept)
NAME = "Country or group"
LOW_MARK = "*"  # a group value below two thirds coverage
COLUMN_LABELS = {
    "series_kind": "kind", "code": "code (ISO3 or group id)", "name": "country or group",
    "indicator_code": "indicator code", "year": "year", "value": "value shown", "level": "level",
    "source_id": "source id", "flag": "note", "coverage": "population covered", "low_coverage": "below ⅔ covered",
    "n_members": "members", "n_reporting": "members reporting", "weighted": "population-weighted",
    "min_code": "lowest member code", "min_name": "lowest member", "min_value": "lowest member value",
    "max_code": "highest member code", "max_name": "highest member", "max_value": "highest member value",
    "n_sources": "sources with a value", "disagree": "sources disagree", "sources": "source ids",
    "weighting": "how the group value is formed", "membership": "group members counted",
    "change_note": "members or reporting changed", "selected": "picked by name", "member_of": "member of",
    "first_group": "colour of group", "x_indicator_code": "x indicator code", "x_value": "x value", "x_year": "x year",
    "x_source_id": "x source id", "population": "population", "population_year": "population year",
    "frame_year": "map year",
}


def _series_order(data: pd.DataFrame) -> list[str]:
    """Groups first (in the order picked), then countries (in the order picked)."""
    groups = list(dict.fromkeys(data.loc[data["series_kind"] == "group", "name"]))
    countries = list(dict.fromkeys(data.loc[data["series_kind"] != "group", "name"]))
    return groups + countries


def _cell(value, low: bool, unit: str, signed: bool) -> str:
    text = value_text(value, unit, signed)
    return text + LOW_MARK if low and text != "–" else text


def wide_table(data: pd.DataFrame, spec: ChartSpec) -> pd.DataFrame:
    """Rows = countries and groups, columns = years (as text), cells = formatted values ("–" when missing; a group
    value below two thirds coverage ends with ``*``). The first column names the series (groups by their acronym)."""
    if data.empty:
        return pd.DataFrame(columns=[NAME])
    unit, signed = spec.value_label, spec.base_year is not None
    low = (data["low_coverage"].fillna(False).astype(bool) if "low_coverage" in data
           else pd.Series(False, index=data.index))
    cells = data.assign(cell=[_cell(v, lo, unit, signed) for v, lo in zip(data["value"], low)])
    wide = cells.pivot_table(index="name", columns="year", values="cell", aggfunc="first")
    years = sorted(int(y) for y in data["year"].dropna().unique())
    wide = wide.reindex(index=_series_order(data), columns=years).fillna("–")
    kinds = dict(zip(data["name"], data["series_kind"]))
    labels = [short_name(n) if kinds.get(n) == "group" else n for n in wide.index]
    wide.columns = [str(y) for y in wide.columns]
    wide.insert(0, NAME, labels)
    return wide.reset_index(drop=True)


def row_colours(data: pd.DataFrame) -> list[str | None]:
    """Per row of ``wide_table``: the group's colour for a group and for a country shown as a member of one."""
    colour = {}
    for name, block in data.groupby("name", sort=False):
        first = block.iloc[0]
        if first["series_kind"] == "group":
            colour[name] = group_colour(str(first["code"]))
        elif isinstance(first.get("first_group"), str):
            colour[name] = group_colour(first["first_group"])
    return [colour.get(n) for n in _series_order(data)]


def unit_caption(spec: ChartSpec, data: pd.DataFrame) -> str:
    """What the numbers are, under the table."""
    unit = spec.value_label
    parts = [f"Values: {unit}" if not is_percent(unit) else f"Values in {unit}"]
    if "low_coverage" in data and data["low_coverage"].fillna(False).astype(bool).any():
        parts.append(f"{LOW_MARK} group value from members covering less than two thirds of its population")
    parts.append("– no value")
    return "; ".join(parts) + "."


def _thin(columns: list[str]) -> list[str]:
    if len(columns) <= MAX_EXPORT_YEARS:
        return columns
    step = math.ceil(len(columns) / MAX_EXPORT_YEARS)
    return columns[::-1][::step][::-1]


def build_table(data: pd.DataFrame, spec: ChartSpec) -> go.Figure:
    """The wide table as a plotly table (exports): at most ``MAX_ROWS`` rows and ``MAX_EXPORT_YEARS`` year columns."""
    if data.empty or data["value"].notna().sum() == 0:
        return empty(spec, "No data for this selection")
    wide = wide_table(data, spec)
    years = [c for c in wide.columns if c != NAME]
    kept = _thin(years)
    shown = wide[[NAME, *kept]].head(MAX_ROWS)
    fig = go.Figure(go.Table(
        columnwidth=[3] + [1] * len(kept),
        header={"values": [plain(c) for c in shown.columns], "align": ["left"] + ["right"] * len(kept),
                "fill_color": "#e8eef6", "font": {"size": 11}},
        cells={"values": [shown[c].map(plain) for c in shown.columns], "align": ["left"] + ["right"] * len(kept),
               "font": {"size": 11}},
    ))
    notes = [unit_caption(spec, data)]
    if len(kept) < len(years):
        notes.append(f"Every {math.ceil(len(years) / MAX_EXPORT_YEARS)}th year shown; all years in the data download.")
    if len(wide) > MAX_ROWS:
        notes.append(f"First {MAX_ROWS} of {len(wide)} rows.")
    fig.add_annotation(text=plain(" ".join(notes)), showarrow=False, xref="paper", yref="paper", x=0, y=1.0,
                       xanchor="left", yanchor="bottom", font={"size": 10, "color": "#555"})
    return finish(fig, spec, axis_px=0, height=min(900, 160 + 24 * len(shown) + 120))


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """A chart frame for reading: columns named in words, empty columns left out, missing values as "–"."""
    out = frame.dropna(axis=1, how="all").copy()
    for col in out.columns:
        if pd.api.types.is_bool_dtype(out[col]) or col in ("low_coverage", "weighted", "disagree", "selected"):
            out[col] = out[col].map(lambda v: "–" if v is None or (isinstance(v, float) and math.isnan(v))
                                    else ("yes" if bool(v) else "no"))
        elif col == "coverage":
            out[col] = out[col].map(lambda v: "–" if pd.isna(v) else f"{v:.0%}")
        elif col in ("year", "x_year", "population_year", "frame_year", "n_members", "n_reporting", "n_sources"):
            out[col] = out[col].map(lambda v: "–" if pd.isna(v) else str(int(v)))
        elif pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(lambda v: "–" if pd.isna(v) else f"{v:,.6g}")
        else:
            out[col] = out[col].map(lambda v: "–" if v is None or (isinstance(v, float) and math.isnan(v)) or v == ""
                                    else str(v))
    return out.rename(columns=COLUMN_LABELS)
