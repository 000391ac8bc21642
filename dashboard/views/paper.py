"""Founding paper page: every figure of Soh (2008) by country/subject and theme, with section, footnote and the
source the paper cites; doubtful figures marked in words with the reason, beside the public series where one exists.
Lays out only: data through dashboard.data, strings from the warehouse through plain.md."""

from __future__ import annotations

import streamlit as st

from dashboard import data
from dashboard.components import beside_public, staff_table
from dashboard.components.staff_table import Col
from dashboard.labels import THEME_LABELS, field_words, text_or
from dashboard.plain import md

SUBJECTS = {"country": "Countries", "region": "Regions", "fund": "The Trust Fund", "donor": "Donors",
            "global": "The world", "organisation": "Organisations"}

st.title("Founding paper: Soh (2008)")
figures = data.paper_figures()
if figures.empty:
    st.info("The warehouse holds no figures from the founding paper. Run `hsdash refresh --source paper`.")
    st.stop()
st.caption(md(figures["paper_citation"].iloc[0]))
st.markdown(
    "Every quantitative figure in the paper, **exactly as published** (value and unit as printed). "
    "Figures the paper itself makes doubtful are kept and marked **doubtful**, with the reason."
)

left, mid, right = st.columns(3)
themes = left.multiselect("Theme", list(THEME_LABELS), format_func=THEME_LABELS.get, key="paper_theme",
                          placeholder="All themes")
kinds = mid.multiselect("Subject", sorted(figures["subject_kind"].unique()), key="paper_kind",
                        format_func=lambda k: SUBJECTS.get(k, str(k).replace("_", " ").capitalize()),
                        placeholder="All subjects")
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
        where = [text_or(sec, "") + (f", footnote {fn}" if text_or(fn, "") else "")
                 for sec, fn in zip(block["section"], block["footnote"])]
        table = block.assign(theme_name=block["theme"].map(THEME_LABELS), where=where,
                             doubtful=block["flag"].notna().map({True: "doubtful", False: ""}))
        staff_table.show(table, {
            "measure": Col("Figure", 230), "value_text": Col("As printed", 100), "unit": Col("Unit", 90),
            "period": Col("Period", 80), "theme_name": Col("Theme", 100), "where": Col("Where in the paper", 100),
            "cited_source": Col("The paper cites", 150), "doubtful": Col("", 70),
        }, max_lines=3)
        for _, row in block[block["flag"].notna()].iterrows():
            st.warning(f"**{md(row['measure'])}** (“{md(row['value_text'])}”): {md(field_words(row['flag']))}",
                       icon=":material/warning:")
        for row, place in zip(block.to_dict("records"), where):
            st.caption(f"“{md(row['quote'])}” — {md(place)}", help=md(f"Figure {row['figure_id']}"))

countries = figures.dropna(subset=["iso3"])[["iso3", "display_subject"]].drop_duplicates()
if not countries.empty:
    st.subheader("The paper's country figures beside the public series")
    pick = st.selectbox("Country", countries["iso3"], format_func=dict(zip(countries["iso3"], countries["display_subject"])).get, key="paper_country")
    beside = data.paper_beside_public(pick)
    if beside.empty:
        st.info("No figure of this country is stored as a time-series observation.")
    else:
        beside_public.show(beside)
