"""Aid: who gives to whom (Sankey from a chosen donor set to a recipient group), ODA per capita against poverty or
stunting, and each donor's flows to the group over time. Lays out only (URL state in aid_url beside this page, data
through dashboard.data, strings from the warehouse through plain.md); empty tables get a message saying which
source or import fills them."""

from __future__ import annotations

import streamlit as st

from dashboard import data, urlstate
from dashboard.chart_data import ODA_FLOW
from dashboard.figures import PLOTLY_CONFIG, ChartSpec, build
from dashboard.plain import md
from dashboard.views import PAGE_KEYS
from dashboard.views import aid_url as url

P = url.PREFIX
ODA_PER_CAPITA = "DT.ODA.ODAT.PC.ZS"
OUTCOMES = ("SI.POV.DDAY", "SH.STA.STNT.ZS", "SI.POV.LMIC", "SI.POV.NAHC",
            "OWID.multidimensional-poverty-index-mpi-2022-harmonized-over-time.share_of_population_multidimensionally_poor_national")
NO_FLOWS = ("The warehouse has no donor → recipient flows yet: neither the table `oda_flow` (filled by the OECD DAC "
            "source or `hsdash import` of a DAC file) nor the World Bank's bilateral-aid series such as DC.DAC.JPNL.CD "
            "(`hsdash refresh --source wdi` online, or `hsdash import` a WDI bulk file).")

st.title("Aid")
st.caption("Official development assistance to the region: who gives to whom, and whether it goes where need is.")

donors = data.oda_donors()
groups = data.groups()
catalogue = data.indicator_catalogue().set_index("indicator_code")
group_name = dict(zip(groups["group_id"], groups["name"]))
donor_name = dict(zip(donors["donor"], donors["name"]))
outcomes = [c for c in OUTCOMES if c in catalogue.index and catalogue.loc[c, "n_obs"] > 0]
lo = int(donors["year_min"].min()) if not donors.empty else 1960
hi = int(donors["year_max"].max()) if not donors.empty else 2030

params = url.params(list(donor_name), list(group_name), (lo, hi), outcomes)
notices = urlstate.restore(P, params, url.allowed(donor_name, group_name, (lo, hi), outcomes), others=PAGE_KEYS)
if notices:
    st.warning(md(urlstate.notice_text(notices)), icon="🔗")

c1, c2 = st.columns(2)
c1.multiselect("Donors", list(donor_name), format_func=donor_name.get, key=f"{P}_donors",
               placeholder="No donor in the warehouse yet" if not donor_name else "Add donors")
if group_name:
    c2.selectbox("Recipient group", list(group_name), format_func=group_name.get, key=f"{P}_rg")
if lo < hi:
    st.session_state[f"{P}_time"] = urlstate.clamp_range(st.session_state.get(f"{P}_time"), lo, hi)
    st.slider("Years", lo, hi, key=f"{P}_time")
if outcomes:
    st.session_state[f"{P}_y"] = st.session_state.get(f"{P}_y") if st.session_state.get(f"{P}_y") in outcomes else outcomes[0]
values = urlstate.current(P, params)

# --- flows -------------------------------------------------------------------------------------------------------
st.subheader("Donor → recipient flows")
chosen = tuple(values["donors"] or ())
y0, y1 = values["time"] or (lo, hi)
if donors.empty:
    st.info(NO_FLOWS)
elif not chosen or not values["rg"]:
    st.info("Pick at least one donor and a recipient group.")
else:
    spec = ChartSpec(ODA_FLOW, indicator_name="Net ODA disbursements", unit="US$", countries=chosen,
                     groups=(values["rg"],), year_from=y0, year_to=y1, kind="sankey",
                     title=f"Net ODA from {', '.join(donor_name[d] for d in chosen)} to {group_name[values['rg']]}, {y0}–{y1}")
    frame, full_spec = data.chart_bundle(spec)
    if frame.empty:
        st.info(f"No recorded flows from these donors to {md(group_name[values['rg']])} in {y0}–{y1}.")
    else:
        st.plotly_chart(build(frame, full_spec), config=PLOTLY_CONFIG, key="aid_sankey")
        how = frame.drop_duplicates("donor")
        st.caption("Summed over the years. " + "; ".join(
            md(f"{d}: " + (f"WDI {m}, current US$" if m.startswith("DC.DAC.") else f"DAC measure {m}, {b} prices"))
            for d, m, b in zip(how["donor_name"], how["measure"], how["price_basis"])) + ".")

        st.subheader("Flows over time")
        trend_spec = ChartSpec(ODA_FLOW, indicator_name="Net ODA disbursements to the group", unit="US$",
                               countries=chosen, groups=(values["rg"],), year_from=y0, year_to=y1, kind="line")
        trend, trend_full = data.chart_bundle(trend_spec)
        st.plotly_chart(build(trend, trend_full), config=PLOTLY_CONFIG, key="aid_trend")

# --- need vs. aid ------------------------------------------------------------------------------------------------
st.subheader("ODA per capita against need")
has_pc = ODA_PER_CAPITA in catalogue.index and catalogue.loc[ODA_PER_CAPITA, "n_obs"] > 0
if not has_pc or not outcomes:
    missing = [c for c, ok in ((ODA_PER_CAPITA, has_pc), ("a poverty or stunting series", bool(outcomes))) if not ok]
    st.info(f"Not in the warehouse yet: {', '.join(missing)}. These are World Bank WDI series — run "
            "`hsdash refresh --source wdi` online, or `hsdash import` a WDI bulk file.")
else:
    st.selectbox("Need", outcomes, format_func=lambda c: catalogue.loc[c, "name"], key=f"{P}_y")
    values = urlstate.current(P, params)
    year_hi = int(min(y1, catalogue.loc[values["y"], "year_max"]))
    spec = ChartSpec(values["y"], groups=(values["rg"],), year_from=y0, year_to=year_hi, year=year_hi,
                     kind="scatter", x_indicator_code=ODA_PER_CAPITA)
    frame, full_spec = data.chart_bundle(spec)
    if frame.empty:
        st.info(f"No member of {md(group_name[values['rg']])} has both series around {year_hi}.")
    else:
        st.plotly_chart(build(frame, full_spec), config=PLOTLY_CONFIG, key="aid_scatter")
urlstate.publish(P, params, urlstate.current(P, params))
