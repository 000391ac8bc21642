"""Country profile: freedom from want, from fear and dignity at a glance — each indicator's latest value and year,
its trend (sparkline) and the country's rank within its groups; a theme with nothing for the country says which
series exist and why none has a value — a chart of one indicator against the groups (with downloads and "Add to
briefing"), and the founding paper's figures for the country beside the public series. Lays out only: URL state in
country_url beside this page, data through dashboard.data, strings from the warehouse through plain.md."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, urlstate
from dashboard.components import beside_public, staff_table
from dashboard.components.export_panel import export_panel
from dashboard.components.staff_table import Col
from dashboard.figures import PLOTLY_CONFIG, ChartSpec, build
from dashboard.figures.common import short_name
from dashboard.labels import THEME_LABELS, field_words, theme_label, year_span
from dashboard.plain import md
from dashboard.views import PAGE_KEYS
from dashboard.views import country_url as url
from dashboard.views.compare_url import PREFERRED_INDICATORS

P = url.PREFIX
MAIN_THEMES = ("freedom_from_want", "freedom_from_fear", "dignity")
# what a missing value means, where the series' own publication says so (shown when a theme is empty)
ABSENT_MEANS = {"UCDP.GED_DEATHS": "the file has a row only for years in which UCDP recorded deaths, so no value "
                                   "is not a measured zero",
                "VC.BTL.DETH": "years without a conflict of at least 25 battle-related deaths are missing, not zero"}

st.title("Country profile")
countries = data.countries()
catalogue = data.indicator_catalogue()
with_data = catalogue[catalogue["n_obs"] > 0]
groups = data.groups()
if countries.empty:
    st.info("The warehouse has no country table yet. Run `hsdash refresh` so the reference source loads.")
    st.stop()
country_name = dict(zip(countries["iso3"], countries["name"]))
group_name = dict(zip(groups["group_id"], groups["name"]))

params = url.params(list(country_name))
notices = urlstate.restore(P, params, url.allowed(country_name, with_data["indicator_code"], group_name),
                           others=PAGE_KEYS)
if notices:
    st.warning(md(urlstate.notice_text(notices)), icon=":material/link:")

iso3 = st.selectbox("Country", list(country_name), format_func=country_name.get, key=f"{P}_iso3")
info = countries.set_index("iso3").loc[iso3]
member = data.memberships(iso3)
current = member[member["left_year"].isna()]
st.caption(" · ".join(md(x) for x in (info["wb_region"], info["wb_income_group"], info["un_region"]) if pd.notna(x))
           + ("  \nMember of: " + ", ".join(md(n) for n in current["name"]) if not current.empty else ""))

profile = data.country_profile(iso3)
if st.session_state.get(f"{P}_g") is None:
    st.session_state[f"{P}_g"] = url.main_groups(list(current["group_id"]))
st.multiselect("Compare with groups", list(group_name), format_func=group_name.get, key=f"{P}_g")
chosen_groups = tuple(st.session_state[f"{P}_g"])

if profile.empty:
    st.session_state[f"{P}_ind"] = None
    urlstate.publish(P, params, urlstate.current(P, params))
    st.info(f"No public series holds data for {md(country_name[iso3])} yet.")
    st.stop()

ranks = data.country_ranks(iso3)
table = profile.copy()
for group_id in chosen_groups:
    r = ranks[ranks["group_id"] == group_id].set_index("indicator_code")
    table[f"rank in {short_name(group_name[group_id])}"] = table["indicator_code"].map(
        (r["rank"].astype(str) + " of " + r["n_ranked"].astype(str)) if not r.empty else {}).fillna("–")


def theme_table(block: pd.DataFrame) -> None:
    rank_cols = {c: Col(c.replace("rank in ", "Rank in "), 90, help="1 = best; of the members with a value")
                 for c in block.columns if c.startswith("rank in ")}
    staff_table.show(block, {
        "name": Col("Indicator", 250), "value": Col("Latest", 80, "number"), "unit": Col("Unit", 130),
        "year": Col("Year", 55, "year"), "trend": Col("Trend", 90, "trend"), **rank_cols,
        "flag": Col("Note", 150, help="Kept as published, but doubtful: why"),
    }, max_rows=10, max_lines=2)


def why_empty(theme: str) -> str:
    """Which series of the theme the warehouse holds (and for how many countries), and which it does not have yet."""
    mine = catalogue[catalogue["theme"] == theme]
    held = mine[mine["n_obs"] > 0]
    parts = [f"No {THEME_LABELS[theme].lower()} series has a value for {md(country_name[iso3])}."]
    if not held.empty:
        parts.append("In the warehouse: " + "; ".join(
            md(f"{r.name} — values for {int(r.n_countries)} countries, {year_span(r.year_min, r.year_max)}"
               + (f" ({ABSENT_MEANS[r.indicator_code]})" if r.indicator_code in ABSENT_MEANS else ""))
            for r in held.itertuples()) + ".")
    absent = mine[(mine["n_obs"] == 0) & mine["curated"]]
    if not absent.empty:
        names = list(absent["name"])
        parts.append("Not in the warehouse yet: " + ", ".join(md(n) for n in names[:4])
                     + (f" and {len(names) - 4} more" if len(names) > 4 else "")
                     + " — `hsdash refresh` online, or `hsdash import` a file that has them.")
    return " ".join(parts)


tabs = st.tabs([THEME_LABELS[t] for t in MAIN_THEMES] + ["Other (context, environment)"])
for tab, theme in zip(tabs, [*MAIN_THEMES, None]):
    with tab:
        block = table[table["theme"].isin(MAIN_THEMES) == False] if theme is None else table[table["theme"] == theme]  # noqa: E712
        if not block.empty:
            theme_table(block)
        elif theme is None:
            st.info(f"No context or environment series for {md(country_name[iso3])} in the warehouse yet.")
        else:
            st.info(why_empty(theme))
st.caption("Rank 1 = best among the group's members with a value at most 5 years older than the country's latest; "
           "indicators without a better direction are not ranked.")

# --- one indicator against the groups ----------------------------------------------------------------------------
st.subheader("Trend against its groups")
codes = list(profile["indicator_code"])
if st.session_state.get(f"{P}_ind") not in codes:
    want = profile[profile["theme"] == "freedom_from_want"]["indicator_code"]
    st.session_state[f"{P}_ind"] = next((c for c in PREFERRED_INDICATORS if c in codes), (list(want) or codes)[0])
names = dict(zip(profile["indicator_code"], profile["name"]))
st.selectbox("Indicator", codes, format_func=names.get, key=f"{P}_ind")
values = urlstate.current(P, params)
urlstate.publish(P, params, values)

row = profile.set_index("indicator_code").loc[values["ind"]]
spec = ChartSpec(values["ind"], countries=(iso3,), groups=chosen_groups, year_from=int(row["first_year"]),
                 year_to=int(row["year"]), kind="line")
frame, full_spec = data.chart_bundle(spec)
fig = build(frame, full_spec)
st.plotly_chart(fig, config=PLOTLY_CONFIG, key="cty_chart")
export_panel(full_spec, frame, fig, key="cty_export")
st.page_link("views/compare.py", label="Open in Compare", icon=":material/open_in_new:", query_params={
    "ind": values["ind"], "c": iso3, "g": ",".join(chosen_groups), "time": f"{spec.year_from}..{spec.year_to}",
    "view": "line"})

# --- the founding paper ------------------------------------------------------------------------------------------
st.subheader("The founding paper's figures for this country")
figures = data.paper_figures()
mine = figures[figures["iso3"] == iso3]
if mine.empty:
    st.info(f"Soh (2008) quotes no figure for {md(country_name[iso3])}.")
else:
    staff_table.show(mine.assign(theme_name=mine["theme"].map(theme_label), flag=mine["flag"].map(field_words)), {
        "measure": Col("Figure", 250), "value_text": Col("As printed", 90), "unit": Col("Unit", 80),
        "period": Col("Period", 80), "theme_name": Col("Theme", 100), "cited_source": Col("The paper cites", 140),
        "flag": Col("Note", 120, help="Why the figure is doubtful, when it is"),
    }, max_lines=3)
    beside = data.paper_beside_public(iso3)
    if not beside.empty:
        st.markdown("**Beside the public series** (the nearest year of the same measure, in the same unit; "
                    "a rank only beside a rank)")
        beside_public.show(beside)
