"""Founding paper page: every figure of Soh (2008) by country/subject and theme, with section, footnote and the
source the paper cites; doubtful figures shown with their flag, beside the public series where one exists. Lays out
only: data through dashboard.data, strings from the warehouse through plain.md."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.labels import THEME_LABELS
from dashboard.plain import md

st.title("Founding paper: Soh (2008)")
figures = data.paper_figures()
if figures.empty:
    st.info("The warehouse holds no figures from the founding paper. Run `hsdash refresh --source paper`.")
    st.stop()
st.caption(md(figures["paper_citation"].iloc[0]))
st.markdown(
    "Every quantitative figure in the paper, **exactly as published** (value and unit as printed). "
    "Figures the paper itself makes doubtful are kept and marked ⚠ with the reason."
)

left, mid, right = st.columns(3)
themes = left.multiselect("Theme", list(THEME_LABELS), format_func=THEME_LABELS.get, key="paper_theme")
kinds = mid.multiselect("Subject", sorted(figures["subject_kind"].unique()), key="paper_kind")
only_flagged = right.toggle("Only flagged figures", key="paper_flagged")

view = figures
if themes:
    view = view[view["theme"].isin(themes)]
if kinds:
    view = view[view["subject_kind"].isin(kinds)]
if only_flagged:
    view = view[view["flag"].notna()]
st.caption(f"{len(view)} of {len(figures)} figures · {figures['flag'].notna().sum()} flagged")

for subject, block in view.groupby("display_subject", sort=False):
    with st.expander(f"{md(subject)} — {len(block)} figure(s)", expanded=len(view) <= 15):
        table = pd.DataFrame(
            {
                "figure": block["measure"],
                "as printed": block["value_text"],
                "value": block["value"],
                "unit": block["unit"],
                "period": block["period"],
                "theme": block["theme"].map(THEME_LABELS),
                "section": block["section"],
                "fn": block["footnote"],
                "cited source": block["cited_source"],
                "⚠": block["flag"].notna().map({True: "⚠", False: ""}),
            }
        )
        st.dataframe(table, hide_index=True, width="stretch")
        for _, row in block[block["flag"].notna()].iterrows():
            st.warning(f"**{md(row['measure'])}** (“{md(row['value_text'])}”): {md(row['flag'])}", icon="⚠️")
        for _, row in block.iterrows():
            st.caption(f"{md(row['figure_id'])}: “{md(row['quote'])}” — {md(row['section'])}"
                       + (f", footnote {md(row['footnote'])}" if row["footnote"] else ""))

countries = figures.dropna(subset=["iso3"])[["iso3", "display_subject"]].drop_duplicates()
if not countries.empty:
    st.subheader("The paper's country figures beside the public series")
    pick = st.selectbox("Country", countries["iso3"], format_func=dict(zip(countries["iso3"], countries["display_subject"])).get, key="paper_country")
    beside = data.paper_beside_public(pick)
    if beside.empty:
        st.info("No figure of this country is stored as a time-series observation.")
    else:
        st.dataframe(beside[["name", "year", "paper_value", "public_name", "public_year", "public_value", "public_source",
                             "public_note", "flag"]].rename(columns={
                                 "name": "paper's figure", "paper_value": "paper", "public_name": "public series",
                                 "public_year": "public year", "public_value": "public value",
                                 "public_source": "from", "public_note": "note"}), hide_index=True, width="stretch")
