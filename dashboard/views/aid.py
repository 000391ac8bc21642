"""Aid: what the founding paper reports of aid (Korea's ODA, Japan's Trust Fund contributions, beside the public
series where one is imported), the Trust Fund's project counts, what donors give in total (net ODA and ODA/GNI from
an imported file such as the ONE Campaign's), who gives to whom (Sankey and trend from the OECD DAC table or the
World Bank's bilateral-aid series) and ODA per capita against need. Every chart has its downloads and "Add to
briefing"; sections without data say, in words, what fills them. Lays out only: URL state in aid_url beside this
page, data through dashboard.data, strings from the warehouse through plain.md."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, urlstate
from dashboard.chart_data import ODA_FLOW, TFHS_PROJECTS
from dashboard.components import staff_table
from dashboard.components.export_panel import export_panel
from dashboard.components.staff_table import Col
from dashboard.figures import PLOTLY_CONFIG, ChartSpec, build
from dashboard.labels import source_label, text_or
from dashboard.plain import md
from dashboard.views import PAGE_KEYS
from dashboard.views import aid_url as url

P = url.PREFIX
ODA_PER_CAPITA = "DT.ODA.ODAT.PC.ZS"
PAPER_ODA = "SOH2008.ODA_PROVIDED_USD_M"
PAPER_TOPICS = ("ODA provided", "Trust Fund contributions")
TOTALS = ("ODA.DONOR_NET", "ODA.DONOR_GNI")  # donor-side totals (e.g. the ONE Campaign's file, from OECD DAC)
OUTCOMES = ("SI.POV.DDAY", "SH.STA.STNT.ZS", "SN.ITK.DEFC.ZS", "MPI.H_NATIONAL", "SI.POV.LMIC", "SI.POV.NAHC")
NO_TOTALS = ("No donor totals yet. They come from a file you import — for example the ONE Campaign's ODA dashboard "
             "table (net ODA and ODA as a share of GNI of every DAC donor, from OECD data): `hsdash import "
             "oda_gni_ts.csv --format csv …` (the README shows the whole command).")
NO_FLOWS = ("No donor-to-recipient flows yet. They come from the OECD Development Assistance Committee's table 2a "
            "(`hsdash refresh` online) or from the World Bank's bilateral-aid series (`hsdash refresh --source wdi` "
            "online, or `hsdash import` a WDI bulk file).")

st.title("Aid")
st.caption("Official development assistance to the region: what the founding paper reports, who gives how much, "
           "who gives to whom, and whether it goes where need is.")

donors = data.oda_donors()
groups = data.groups()
catalogue = data.indicator_catalogue().set_index("indicator_code")
src = data.source_names().set_index("source_id")
group_name = dict(zip(groups["group_id"], groups["name"]))
country_name = dict(zip(*data.countries()[["iso3", "name"]].to_numpy().T))
totals = [c for c in TOTALS if c in catalogue.index and catalogue.loc[c, "n_obs"] > 0]
giving = (data.indicator_coverage(totals[0]) if totals
          else pd.DataFrame(columns=["iso3", "name", "first_year", "last_year"]))
donor_name = {**dict(zip(giving["iso3"], giving["name"])), **dict(zip(donors["donor"], donors["name"]))}
donor_name = dict(sorted(donor_name.items(), key=lambda kv: kv[1]))
outcomes = [c for c in OUTCOMES if c in catalogue.index and catalogue.loc[c, "n_obs"] > 0]
spans = [*zip(donors["year_min"], donors["year_max"]), *zip(giving["first_year"], giving["last_year"])]
lo = int(min(a for a, _ in spans)) if spans else 1960
hi = int(max(b for _, b in spans)) if spans else 2030


def source_name(source_id: str) -> str:
    if source_id in src.index:
        r = src.loc[source_id]
        return source_label(r["title"], r["publisher"], r["kind"], source_id)
    return source_id


def via(code: str) -> str:
    """How a donor's flows reach the warehouse, in words (never the table or series code)."""
    if code in catalogue.index:
        return f"World Bank: {catalogue.loc[code, 'name']}"
    return "OECD DAC table 2a, net ODA disbursements"


params = url.params(list(donor_name), list(group_name), (lo, hi), outcomes)
notices = urlstate.restore(P, params, url.allowed(donor_name, group_name, (lo, hi), outcomes), others=PAGE_KEYS)
if notices:
    st.warning(md(urlstate.notice_text(notices)), icon=":material/link:")

# --- the founding paper ------------------------------------------------------------------------------------------
st.subheader("What the founding paper reports")
figures = data.paper_figures()
aid_figures = figures[figures["topic"].isin(PAPER_TOPICS)]
paper_donors = tuple(sorted(figures.loc[figures["indicator_code"] == PAPER_ODA, "iso3"].dropna().unique()))
if paper_donors:
    years = figures.loc[figures["indicator_code"] == PAPER_ODA, "year"].dropna().astype(int)
    spec = ChartSpec(PAPER_ODA, countries=paper_donors, source_id="paper", year_from=int(years.min()),
                     year_to=int(years.max()), kind="line")
    frame, full = data.chart_bundle(spec)
    if not frame.empty:
        fig = build(frame, full).update_xaxes(dtick=1, tickformat="d")  # two years: no half-year ticks
        st.plotly_chart(fig, config=PLOTLY_CONFIG, key=f"{P}_paper_chart")
        export_panel(full, frame, fig, key=f"{P}_paper_export")
    for iso3 in paper_donors:
        beside = data.paper_beside_public(iso3)
        beside = beside[(beside["indicator_code"] == PAPER_ODA) & beside["public_value"].notna()]
        if not beside.empty:
            st.markdown(f"**{md(country_name.get(iso3, iso3))}: the paper beside the public series**")
            staff_table.show(beside.assign(source=beside["public_source"].map(source_name)), {
                "year": Col("Year", 60, "year"), "paper_value": Col("The paper (million US$)", 150, "number"),
                "public_name": Col("Public series", 260), "public_value": Col("Public value", 100, "number"),
                "source": Col("From", 200)}, max_lines=2)
if not aid_figures.empty:
    staff_table.show(aid_figures, {
        "measure": Col("Figure", 260), "value_text": Col("As printed", 110), "period": Col("Period", 90),
        "cited_source": Col("The paper cites", 200), "flag": Col("Note", 110)}, max_lines=3)
    st.caption("The paper's figures exactly as printed (“over $450 million” is charted as 450). Japan's Trust Fund "
               "contributions are in yen, an initial amount and a running total: they are listed, not charted.")

st.subheader("Trust Fund for Human Security")
spec = ChartSpec(TFHS_PROJECTS, indicator_name="Trust Fund for Human Security projects", unit="projects",
                 kind="counts")
frame, full = data.chart_bundle(spec)
if frame.empty:
    st.info("No Trust Fund figures in the warehouse: the founding paper's counts load with `hsdash refresh`.")
else:
    fig = build(frame, full)
    st.plotly_chart(fig, config=PLOTLY_CONFIG, key=f"{P}_tfhs_chart")
    export_panel(full, frame, fig, key=f"{P}_tfhs_export")
st.page_link("views/tfhs.py", label="The Trust Fund's projects", icon=":material/handshake:")

# --- public data: choices ------------------------------------------------------------------------------------------
st.subheader("What donors give")
if donor_name:  # the choices apply to donor totals, flows and need; without any donor there is nothing to choose
    c1, c2 = st.columns(2)
    c1.multiselect("Donors", list(donor_name), format_func=donor_name.get, key=f"{P}_donors", placeholder="Add donors")
    if group_name:
        c2.selectbox("Recipient group", list(group_name), format_func=group_name.get, key=f"{P}_rg")
    if lo < hi:
        st.session_state[f"{P}_time"] = urlstate.clamp_range(st.session_state.get(f"{P}_time"), lo, hi)
        st.slider("Years", lo, hi, key=f"{P}_time")
if outcomes:
    st.session_state[f"{P}_y"] = st.session_state.get(f"{P}_y") if st.session_state.get(f"{P}_y") in outcomes else outcomes[0]
values = urlstate.current(P, params)
chosen = tuple(values["donors"] or ())
y0, y1 = values["time"] or (lo, hi)

# --- donor totals ---------------------------------------------------------------------------------------------------
if not totals:
    st.info(NO_TOTALS)
else:
    with_totals = tuple(d for d in chosen if d in set(giving["iso3"]))
    if not with_totals:
        st.info("None of the chosen donors has a total in the warehouse: add donors above.")
    for code in totals:
        if not with_totals:
            break
        spec = ChartSpec(code, countries=with_totals, year_from=y0, year_to=y1, kind="line")
        frame, full = data.chart_bundle(spec)
        if frame.empty:
            st.info(f"No {md(catalogue.loc[code, 'name'].lower())} for these donors in {y0}–{y1}.")
            continue
        fig = build(frame, full)
        st.plotly_chart(fig, config=PLOTLY_CONFIG, key=f"{P}_total_{code}")
        export_panel(full, frame, fig, key=f"{P}_total_{code}_export")

# --- flows -------------------------------------------------------------------------------------------------------
st.subheader("Who gives to whom")
if donors.empty:
    st.info(NO_FLOWS)
elif not chosen or not values["rg"]:
    st.info("Pick at least one donor and a recipient group.")
else:
    names = ", ".join(donor_name[d] for d in chosen)
    spec = ChartSpec(ODA_FLOW, indicator_name="Net ODA disbursements", unit="US$", countries=chosen,
                     groups=(values["rg"],), year_from=y0, year_to=y1, kind="sankey",
                     title=f"Net ODA from {names} to {group_name[values['rg']]}, {y0}–{y1}")
    frame, full = data.chart_bundle(spec)
    if frame.empty:
        st.info(f"No recorded flows from these donors to {md(group_name[values['rg']])} in {y0}–{y1}.")
    else:
        fig = build(frame, full)
        st.plotly_chart(fig, config=PLOTLY_CONFIG, key="aid_sankey")
        export_panel(full, frame, fig, key=f"{P}_sankey_export")
        how = frame.drop_duplicates("donor")
        st.caption("Summed over the years. " + "; ".join(
            md(f"{d}: " + (f"{via(m)}" if str(m).startswith("DC.DAC.") else f"{via('')}, {b} prices"))
            for d, m, b in zip(how["donor_name"], how["measure"], how["price_basis"])) + ".")

        trend_spec = ChartSpec(ODA_FLOW, indicator_name="Net ODA disbursements", unit="US$",
                               countries=chosen, groups=(values["rg"],), year_from=y0, year_to=y1, kind="line")
        trend, trend_full = data.chart_bundle(trend_spec)
        fig = build(trend, trend_full)
        st.plotly_chart(fig, config=PLOTLY_CONFIG, key="aid_trend")
        export_panel(trend_full, trend, fig, key=f"{P}_trend_export")

# --- need vs. aid ------------------------------------------------------------------------------------------------
st.subheader("ODA per capita against need")
has_pc = ODA_PER_CAPITA in catalogue.index and catalogue.loc[ODA_PER_CAPITA, "n_obs"] > 0
if not has_pc or not outcomes:
    missing = [text_or(catalogue.loc[ODA_PER_CAPITA, "name"] if ODA_PER_CAPITA in catalogue.index else None,
                       "net ODA received per capita")] if not has_pc else []
    missing += ["a poverty or stunting prevalence"] if not outcomes else []
    st.info(f"Not in the warehouse yet: {md(' and '.join(missing))}. These are World Bank series — "
            "`hsdash refresh --source wdi` online, or `hsdash import` a WDI bulk file.")
else:
    st.selectbox("Need", outcomes, format_func=lambda c: catalogue.loc[c, "name"], key=f"{P}_y")
    values = urlstate.current(P, params)
    year_hi = int(min(y1, catalogue.loc[values["y"], "year_max"]))
    spec = ChartSpec(values["y"], groups=(values["rg"],), year_from=y0, year_to=year_hi, year=year_hi,
                     kind="scatter", x_indicator_code=ODA_PER_CAPITA)
    frame, full = data.chart_bundle(spec)
    if frame.empty:
        st.info(f"No member of {md(group_name[values['rg']])} has both series around {year_hi}.")
    else:
        fig = build(frame, full)
        st.plotly_chart(fig, config=PLOTLY_CONFIG, key="aid_scatter")
        export_panel(full, frame, fig, key=f"{P}_scatter_export")
urlstate.publish(P, params, urlstate.current(P, params))
