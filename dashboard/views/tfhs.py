"""Trust Fund for Human Security: projects by region and category — the founding paper's 2007 counts beside any
imported project register (with downloads and "Add to briefing") — and the register itself as a filterable table in
staff language (names, dates as "5 Oct 2018", budgets in US$). Lays out only: URL state in tfhs_url beside this
page, data through dashboard.data; a project's source link only when it is a plain http(s) URL."""

from __future__ import annotations

import streamlit as st

from dashboard import data, urlstate
from dashboard.chart_data import TFHS_PROJECTS
from dashboard.components import staff_table
from dashboard.components.export_panel import export_panel
from dashboard.components.staff_table import Col
from dashboard.figures import PLOTLY_CONFIG, ChartSpec, build
from dashboard.labels import human_date
from dashboard.plain import md
from etl.urls import safe_http_url
from dashboard.views import PAGE_KEYS
from dashboard.views import tfhs_url as url

P = url.PREFIX

st.title("Trust Fund for Human Security")
st.caption("UN Trust Fund for Human Security (UNTFHS) projects: what the founding paper counted in 2007, and the "
           "project register where one has been imported.")

counts = data.tfhs_counts()
register = data.tfhs_projects()
if counts.empty and register.empty:
    st.info("No Trust Fund figures in the warehouse. The founding paper's counts load with `hsdash refresh`; a project "
            "register with `hsdash import tfhs_projects.csv --format tfhs`.")
    st.stop()

spec = ChartSpec(TFHS_PROJECTS, indicator_name="Trust Fund for Human Security projects", unit="projects",
                 kind="counts", title="UNTFHS projects by region and category")
frame, full_spec = data.chart_bundle(spec)
fig = build(frame, full_spec)
st.plotly_chart(fig, config=PLOTLY_CONFIG, key="tfhs_chart")
export_panel(full_spec, frame, fig, key="tfhs_export")
if not counts.empty:
    st.caption("Counts as of February 2007, exactly as the founding paper states them; “all” is every category.",
               help=md("The paper's figures " + ", ".join(counts["figure_id"]) + " (Founding paper page)."))

st.subheader("Project register")
if register.empty:
    st.info("No project register imported yet: `hsdash import tfhs_projects.csv --format tfhs` adds one — a table "
            "of the Trust Fund's projects with title, countries, region, lead agency, category, start and end dates, "
            "budget and a source link (the columns are listed in the README).")
    st.stop()

regions, categories = sorted(register["region"].unique()), sorted(register["category"].unique())
params = url.params()
notices = urlstate.restore(P, params, url.allowed(regions, categories), others=PAGE_KEYS)
if notices:
    st.warning(md(urlstate.notice_text(notices)), icon=":material/link:")
c1, c2, c3 = st.columns(3)
c1.multiselect("Region", regions, key=f"{P}_region", placeholder="All regions")
c2.multiselect("Category", categories, key=f"{P}_cat", placeholder="All categories")
c3.text_input("Search title, country or agency", key=f"{P}_q", max_chars=urlstate.MAX_TEXT)
values = urlstate.current(P, params)
if urlstate.is_plain_text(values["q"]):
    urlstate.publish(P, params, values)
else:
    st.warning("Search text may use letters, digits, spaces and . , + - only.")
    values["q"] = ""

view = register
if values["region"]:
    view = view[view["region"].isin(values["region"])]
if values["cat"]:
    view = view[view["category"].isin(values["cat"])]
if values["q"]:
    text = view[["title", "countries", "lead_agency"]].fillna("").agg(" ".join, axis=1)
    view = view[text.str.contains(values["q"], case=False, regex=False)]
st.caption(f"{len(view)} of {len(register)} projects")
links = view["source_url"].map(safe_http_url)  # a link only for a plain http(s) URL; anything else stays text
shown = view.assign(source_url=links, start=view["start_date"].map(human_date), end=view["end_date"].map(human_date),
                    countries=view["countries"].fillna("").str.replace(";", ", "))
columns = {"title": Col("Project", 220), "countries": Col("Countries", 100), "region": Col("Region", 100),
           "category": Col("Category", 80), "lead_agency": Col("Lead agency", 100), "start": Col("Start", 80),
           "end": Col("End", 80), "budget_usd": Col("Budget (US$)", 90, "number", "localized"),
           "source_url": Col("Source", 60, "link", link_text="source")}
if (links.isna() & view["source_url"].notna()).any():
    shown["source_as_given"] = view["source_url"].where(links.isna())
    columns["source_as_given"] = Col("Source as given (not a web link)", 120)
staff_table.show(shown, columns, key="tfhs_register", max_lines=2)
