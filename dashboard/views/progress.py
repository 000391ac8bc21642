"""Progress page: a traffic-light matrix (members of a group × MDG/SDG targets, plus the group aggregate) in words
and colour (no emoji: they are boxes where no emoji font is installed); pick a cell (click it, or choose it below)
to see its series with the required path, with downloads and "Add to briefing". Every cell names the years it used;
the column headers and the detail name the indicator and its source. Methods: etl/progress.py,
docs/progress-methods.md. Lays out only: data through dashboard.data, strings from the warehouse through plain.md."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.components import staff_table
from dashboard.components.export_panel import export_panel
from dashboard.components.staff_table import Col
from dashboard.figures import ChartSpec
from dashboard.figures.progress import BAND_COLOURS, progress_figure
from dashboard.labels import source_label, with_names
from dashboard.plain import md
from etl import writers

SHORT = {"target_met": "met", "on_track": "on track", "acceleration_needed": "accelerate",
         "stagnation_regression": "regress", "insufficient_data": "insufficient data", "no_data": "no data"}
BADGE = {"target_met": "green", "on_track": "green", "acceleration_needed": "orange", "stagnation_regression": "red",
         "insufficient_data": "gray", "no_data": "gray"}  # Streamlit's named colours for the band's badge
AGG_KEY = "_aggregate"

st.title("Progress towards MDG and SDG targets")
catalogue = data.progress_targets()
if catalogue.empty:
    st.info("The warehouse holds no target catalogue yet. Run `hsdash refresh --source reference`.")
    st.stop()
groups = data.progress_groups()
st.markdown(
    "Each cell compares a country's (or the group's) series with a target: :green-background[met] target met · "
    ":green-background[on track] · :orange-background[accelerate] acceleration needed · "
    ":red-background[regress] stagnation or regression · :gray-background[insufficient data]. "
    "The band is the **anticipated progress ratio** R (UNSD/ESCAP): the latest value carried to the target year at "
    "the rate observed since the baseline, as a share of the change required (on track R ≥ 0.95, acceleration "
    "needed 0.10 ≤ R < 0.95). Cells show the baseline → latest years used; hover a column header for its source."
)

left, _ = st.columns([1, 2])
group_names = dict(zip(groups["group_id"], groups["name"]))
group_id = left.selectbox("Group", list(group_names), format_func=group_names.get, key="progress_group")
labels = dict(zip(catalogue["target_id"], catalogue["label"]))
first_framework = catalogue["framework"].iloc[0]  # one framework at a time fits the page (MDG first); add the rest here
default = list(catalogue.loc[catalogue["framework"] == first_framework, "target_id"])
chosen = st.pills("Targets", list(labels), selection_mode="multi", default=default, key="progress_targets",
                  format_func=lambda t: md(labels[t]),  # pills on a row of their own wrap: every target in sight
                  help="MDG targets (1990–2015) are chosen first; add SDG targets (2015–2030) here.") or []
if not chosen:
    st.info("Choose at least one target.")
    st.stop()

table = data.progress_matrix(group_id, tuple(chosen))
table = table.assign(cell_key=table["iso3"].fillna(AGG_KEY) + "|" + table["target_id"])


def _years(r) -> str:
    b, x = r["baseline_year"], r["latest_year"]
    if pd.isna(b):
        return ""
    return f" · {int(b)}→{int(x)}" if not pd.isna(x) else f" · {int(b)} only"


table["cell"] = [f"{SHORT[r['band']]}{_years(r)}" for _, r in table.iterrows()]
row_order = list(dict.fromkeys(table.loc[table["row_kind"] == "member", "name"])) + list(
    dict.fromkeys(table.loc[table["row_kind"] != "member", "name"]))
matrix = table.pivot(index="name", columns="target_id", values="cell").reindex(index=row_order, columns=chosen)
bands = table.pivot(index="name", columns="target_id", values="band").reindex(index=row_order, columns=chosen)
matrix = matrix.fillna("— not a member in the target period")  # membership is judged between baseline and target year
matrix.columns = [labels[t] for t in chosen]
bands.columns = matrix.columns
by_target = table.drop_duplicates("target_id").set_index("target_id")
wording = dict(zip(catalogue["target_id"], catalogue["official_wording"]))
names = data.source_names().set_index("source_id")
indicator_names = dict(zip(catalogue["indicator_code"], catalogue["indicator_name"]))
indicator_names.update(dict(zip(data.indicator_catalogue()["indicator_code"], data.indicator_catalogue()["name"])))


def source_name(source_id) -> str:
    if isinstance(source_id, str) and source_id in names.index:
        r = names.loc[source_id]
        return source_label(r["title"], r["publisher"], r["kind"], source_id)
    return "none in the warehouse"


target_px = max(90, (staff_table.BUDGET_PX - 150) // len(chosen))  # the matrix fits the page up to ~7 targets
column_config = {
    "_index": st.column_config.TextColumn("Country or group", width=150),
    **{labels[t]: st.column_config.TextColumn(
        labels[t], width=target_px,
        help=md(f"{wording.get(t, '')} — {indicator_names.get(by_target.loc[t, 'indicator_code'], '')}; "
                f"from {source_name(by_target.loc[t, 'source_id'])}"))
       for t in chosen},
}
styled = matrix.style.apply(
    lambda col: [f"background-color: {BAND_COLOURS[b]}33" if b in BAND_COLOURS else "" for b in bands[col.name]], axis=0)

cell_keys = {(name, labels[t]): k for name, t, k in zip(table["name"], table["target_id"], table["cell_key"])}
cell_names = dict(zip(table["cell_key"], table["name"] + " — " + table["target_id"].map(labels)))
options = list(table["cell_key"])
if st.session_state.get("progress_cell") not in options:
    # default: the group aggregate of the first target that has data, else of the first target
    with_data = table[table["row_kind"] != "member"].sort_values(
        "band", key=lambda b: b.isin(["insufficient_data", "no_data"]), kind="stable")
    st.session_state["progress_cell"] = with_data["cell_key"].iloc[0] if len(with_data) else options[0]


st.subheader(f"{md(group_names[group_id])}: members and group aggregate")
event = st.dataframe(styled, width="stretch", column_config=column_config, key="progress_matrix_df",
                     row_height=staff_table.WRAP_MIN_PX, height=min(len(matrix), 10) * staff_table.WRAP_MIN_PX + 40,
                     on_select="rerun", selection_mode="single-cell")
clicked = list(getattr(getattr(event, "selection", None), "cells", None) or [])
if clicked:  # a click on the matrix chooses that cell in the selector below (once per click)
    row_pos, column = clicked[0][0], clicked[0][1]
    key = cell_keys.get((row_order[int(row_pos)], column)) if 0 <= int(row_pos) < len(row_order) else None
    if key and key != st.session_state.get("progress_last_click"):
        st.session_state["progress_cell"] = key
        st.session_state["progress_last_click"] = key

pick = st.selectbox("Cell", options, format_func=cell_names.get, key="progress_cell")
row = table.set_index("cell_key").loc[pick]
target = catalogue.set_index("target_id").loc[row["target_id"]]
iso3 = None if pick.startswith(AGG_KEY) else row["iso3"]
series = data.progress_cell(group_id, row["target_id"], iso3)

st.markdown(f"### {md(row['name'])} — {md(target['label'])} :{BADGE[row['band']]}-badge[{md(row['band_label'])}]")
st.caption(
    f"Years used: baseline {'–' if pd.isna(row['baseline_year']) else int(row['baseline_year'])}, "
    f"latest {'–' if pd.isna(row['latest_year']) else int(row['latest_year'])} · target year {int(row['target_year'])}"
    f" · {md(indicator_names.get(row['indicator_code'], row['indicator_code']))}"
    f" · from {md(source_name(row['source_id']))}"
)
st.markdown(md(with_names(row["explanation"], indicator_names)))
# the figure without its own source line (the caption above names it; exports add the shared footer), legend on top
figure_row = {**row.to_dict(), "source_id": None}
fig = progress_figure(series, figure_row, title=f"{row['name']}: {target['label']}",
                      unit=row["unit"] if pd.notna(row["unit"]) else "")
fig.update_layout(legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0}, margin={"t": 90, "b": 40})
st.plotly_chart(fig, key="progress_chart")
years = series["year"].dropna().astype(int)
if not series.empty and series["observed"].notna().any():
    spec = ChartSpec(row["indicator_code"], countries=(iso3,) if iso3 else (), groups=() if iso3 else (group_id,),
                     year_from=int(years.min()), year_to=int(max(years.max(), row["target_year"])), kind="line",
                     title=f"{row['name']}: {target['label']}")
    frame, full = data.chart_bundle(spec)
    path = series[["year", "required", "projected"]].dropna(subset=["required", "projected"], how="all")
    export = frame.merge(path, on="year", how="outer").sort_values("year", kind="stable")
    fill = {"series_kind": "group" if iso3 is None else "country", "code": iso3 or group_id,
            "name": frame["name"].iloc[0] if not frame.empty else row["name"], "indicator_code": row["indicator_code"]}
    export = export.fillna({k: v for k, v in fill.items() if k in export}).reset_index(drop=True)
    export_panel(full, export, fig, key="progress_export")
    st.caption("Downloads carry the series with the required path and the projection; “Add to briefing” adds the "
               "series as a line chart (the path is drawn here and in the image downloads).")
with st.expander("Target: official wording and reference", expanded=False):
    st.markdown(f"**{md(target['framework'])} target {md(target['target_code'])}** — "
                f"“{md(target['official_wording'])}”")
    st.markdown(f"Indicator: {md(target['official_indicator'])} · assessed with "
                f"{md(indicator_names.get(row['indicator_code'], row['indicator_code']))} ({md(row['assessed_as'])})")
    if pd.notna(target.get("wording_note")) and target.get("wording_note"):
        st.warning(md(with_names(target["wording_note"], indicator_names)), icon=":material/warning:")
    st.caption(f"Reference: {md(target['reference'])}")

with st.expander("Every cell: years, values, source, rates and R", expanded=False):
    detail = table[["name", "target_id", "band_label", "baseline_year", "baseline_value", "latest_year", "latest_value",
                    "target_year", "target_value", "predicted_value", "required_rate", "actual_rate", "ratio",
                    "source_id", "indicator_code", "explanation"]]
    shown = detail.assign(target=detail["target_id"].map(labels), source=detail["source_id"].map(source_name),
                          explanation=detail["explanation"].map(lambda t: with_names(t, indicator_names)))
    staff_table.show(shown, {
        "name": Col("Country or group", 130), "target": Col("Target", 140), "band_label": Col("Status", 90),
        "baseline_year": Col("Baseline", 60, "year"), "baseline_value": Col("Value", 60, "number"),
        "latest_year": Col("Latest", 55, "year"), "latest_value": Col("Value", 60, "number"),
        "target_value": Col("Target value", 70, "number"),
        "required_rate": Col("Required / yr", 75, "number", "percent"),
        "actual_rate": Col("Actual / yr", 70, "number", "percent"), "ratio": Col("R", 45, "number", "%.2f"),
        "source": Col("From", 120), "explanation": Col("How it was judged", 250),
    }, key="progress_detail", max_rows=10, max_lines=3)
    st.download_button("Download as CSV", writers.to_csv_bytes(detail), file_name=f"progress-{group_id}.csv",
                       mime="text/csv", key="progress_download")
st.caption(
    "Methods: World Bank MDG reference path (required vs actual compound annual rate from the baseline) and the "
    "UNSD/ESCAP anticipated progress ratio; indicators where higher is better are assessed as the shortfall "
    "(e.g. 100 − coverage); baselines come from the nearest year within the target's window; group rows are "
    "population-weighted aggregates with membership as of each year. Details: docs/progress-methods.md."
)
