"""Progress page: a traffic-light matrix (members of a group × MDG/SDG targets, plus the group aggregate); pick a cell
(click it, or choose it below) to see its series with the required path. Every cell names the years it used; the
column headers and the detail name the source. Methods: etl/progress.py, docs/progress-methods.md. Lays out only:
data through dashboard.data, strings from the warehouse through plain.md."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.figures.progress import BAND_COLOURS, progress_figure
from dashboard.plain import code, md
from etl import writers

ICONS = {"target_met": "✅", "on_track": "🟢", "acceleration_needed": "🟡", "stagnation_regression": "🔴",
         "insufficient_data": "⚪", "no_data": "·"}
SHORT = {"target_met": "met", "on_track": "on track", "acceleration_needed": "accelerate",
         "stagnation_regression": "regress", "insufficient_data": "insufficient data", "no_data": "no data"}
AGG_KEY = "_aggregate"

st.title("Progress towards MDG and SDG targets")
catalogue = data.progress_targets()
if catalogue.empty:
    st.info("The warehouse holds no target catalogue yet. Run `hsdash refresh --source reference`.")
    st.stop()
groups = data.progress_groups()
st.markdown(
    "Each cell compares a country's (or the group's) series with a target: ✅ target met · 🟢 on track · "
    "🟡 acceleration needed · 🔴 stagnation or regression · ⚪ insufficient data. "
    "The band is the **anticipated progress ratio** R (UNSD/ESCAP): the latest value carried to the target year at "
    "the rate observed since the baseline, as a share of the change required (on track R ≥ 0.95, acceleration "
    "needed 0.10 ≤ R < 0.95). Cells show the baseline → latest years used; hover a column header for its source."
)

left, right = st.columns([1, 2])
group_names = dict(zip(groups["group_id"], groups["name"]))
group_id = left.selectbox("Group", list(group_names), format_func=group_names.get, key="progress_group")
labels = dict(zip(catalogue["target_id"], catalogue["label"]))
chosen = right.multiselect("Targets", list(labels), default=list(labels), format_func=labels.get, key="progress_targets")
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


table["cell"] = [f"{ICONS[r['band']]} {SHORT[r['band']]}{_years(r)}" for _, r in table.iterrows()]
row_order = list(dict.fromkeys(table.loc[table["row_kind"] == "member", "name"])) + list(
    dict.fromkeys(table.loc[table["row_kind"] != "member", "name"]))
matrix = table.pivot(index="name", columns="target_id", values="cell").reindex(index=row_order, columns=chosen)
bands = table.pivot(index="name", columns="target_id", values="band").reindex(index=row_order, columns=chosen)
matrix = matrix.fillna("— not a member in the target period")  # membership is judged between baseline and target year
matrix.columns = [labels[t] for t in chosen]
bands.columns = matrix.columns
by_target = table.drop_duplicates("target_id").set_index("target_id")
wording = dict(zip(catalogue["target_id"], catalogue["official_wording"]))
column_config = {
    labels[t]: st.column_config.TextColumn(
        labels[t], help=md(f"{wording.get(t, '')} — indicator {by_target.loc[t, 'indicator_code']}, "
                           f"source {by_target.loc[t, 'source_id'] if pd.notna(by_target.loc[t, 'source_id']) else 'none in the warehouse'}"))
    for t in chosen
}
styled = matrix.style.apply(
    lambda col: [f"background-color: {BAND_COLOURS[b]}33" if b in BAND_COLOURS else "" for b in bands[col.name]], axis=0)

cell_keys = {(name, labels[t]): k for name, t, k in zip(table["name"], table["target_id"], table["cell_key"])}
cell_names = dict(zip(table["cell_key"], table["name"] + " — " + table["target_id"].map(labels)))
options = list(table["cell_key"])
if st.session_state.get("progress_cell") not in options:
    # default: the group aggregate of the first target that has data, else of the first target
    with_data = table[table["row_kind"] != "member"].sort_values("band", key=lambda b: b == "insufficient_data", kind="stable")
    st.session_state["progress_cell"] = with_data["cell_key"].iloc[0] if len(with_data) else options[0]


st.subheader(f"{md(group_names[group_id])}: members and group aggregate")
event = st.dataframe(styled, width="stretch", column_config=column_config, key="progress_matrix_df",
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

st.markdown(f"### {ICONS[row['band']]} {md(row['name'])} — {md(target['label'])}: **{md(row['band_label'])}**")
st.caption(
    f"Years used: baseline {'–' if pd.isna(row['baseline_year']) else int(row['baseline_year'])}, "
    f"latest {'–' if pd.isna(row['latest_year']) else int(row['latest_year'])} · target year {int(row['target_year'])}"
    f" · source {md(row['source_id']) if pd.notna(row['source_id']) else 'none'}"
    f" · indicator {md(row['indicator_code'])}"
)
st.markdown(md(row["explanation"]))
st.plotly_chart(progress_figure(series, row.to_dict(), title=f"{row['name']}: {target['label']}",
                                unit=row["unit"] if pd.notna(row["unit"]) else ""), key="progress_chart")
with st.expander("Target: official wording and reference", expanded=False):
    st.markdown(f"**{md(target['framework'])} target {md(target['target_code'])}** — "
                f"“{md(target['official_wording'])}”")
    st.markdown(f"Indicator: {md(target['official_indicator'])} · assessed with {code(row['indicator_code'])} "
                f"({md(row['assessed_as'])})")
    if pd.notna(target.get("wording_note")) and target.get("wording_note"):
        st.warning(md(target["wording_note"]), icon="⚠️")
    st.caption(f"Reference: {md(target['reference'])}")

with st.expander("Every cell: years, values, source, rates and R", expanded=False):
    detail = table[["name", "target_id", "band_label", "baseline_year", "baseline_value", "latest_year", "latest_value",
                    "target_year", "target_value", "predicted_value", "required_rate", "actual_rate", "ratio",
                    "source_id", "indicator_code", "explanation"]]
    st.dataframe(detail, hide_index=True, width="stretch", key="progress_detail",
                 column_config={"required_rate": st.column_config.NumberColumn("required / yr", format="percent"),
                                "actual_rate": st.column_config.NumberColumn("actual / yr", format="percent"),
                                "ratio": st.column_config.NumberColumn("R", format="%.2f")})
    st.download_button("Download as CSV", writers.to_csv_bytes(detail), file_name=f"progress-{group_id}.csv",
                       mime="text/csv", key="progress_download")
st.caption(
    "Methods: World Bank MDG reference path (required vs actual compound annual rate from the baseline) and the "
    "UNSD/ESCAP anticipated progress ratio; indicators where higher is better are assessed as the shortfall "
    "(e.g. 100 − coverage); baselines come from the nearest year within the target's window; group rows are "
    "population-weighted aggregates with membership as of each year. Details: docs/progress-methods.md."
)
