"""Aid: who gives to whom (Sankey from a chosen donor set to a recipient group), ODA per capita against poverty or
stunting, and each donor's flows to the group over time. Lays out only; empty tables get a message saying which
source or import fills them."""

from __future__ import annotations

import streamlit as st

from dashboard import data, state
from dashboard.chart_data import ODA_FLOW
from dashboard.figures import PLOTLY_CONFIG, ChartSpec, build

state.ensure_router()
P = "aid"
ODA_PER_CAPITA = "DT.ODA.ODAT.PC.ZS"
OUTCOMES = ("SI.POV.DDAY", "SH.STA.STNT.ZS", "SI.POV.LMIC", "SI.POV.NAHC",
            "OWID.multidimensional-poverty-index-mpi-2022-harmonized-over-time.share_of_population_multidimensionally_poor_national")
DEFAULT_DONORS = ("JPN", "KOR")
NO_FLOWS = ("The warehouse has no donor → recipient flows yet: neither the table `oda_flow` (filled by the OECD DAC "
            "source or `hsdash import` of a DAC file) nor the World Bank's bilateral-aid series such as DC.DAC.JPNL.CD "
            "(`hsdash refresh --source wdi` online, or `hsdash import` a WDI bulk file).")

st.title("Aid")
st.caption("Official development assistance to the region: who gives to whom, and whether it goes where need is.")

donors = data.load("oda_donors")
groups = data.load("groups")
catalogue = data.load("indicator_catalogue").set_index("indicator_code")
group_name = dict(zip(groups["group_id"], groups["name"]))
donor_name = dict(zip(donors["donor"], donors["name"]))
outcomes = [c for c in OUTCOMES if c in catalogue.index and catalogue.loc[c, "n_obs"] > 0]
lo = int(donors["year_min"].min()) if not donors.empty else 1960
hi = int(donors["year_max"].max()) if not donors.empty else 2030

params = [
    state.Param("donors", "many", tuple(d for d in DEFAULT_DONORS if d in donor_name) or tuple(donor_name)[:2]),
    state.Param("rg", "one", "asean" if "asean" in group_name else next(iter(group_name), None)),
    state.Param("time", "range", (max(lo, hi - 20), hi)),
    state.Param("y", "one", outcomes[0] if outcomes else None),
]
notices = state.restore(P, params, {"donors": set(donor_name), "rg": set(group_name), "time": (lo, hi),
                                    "y": set(outcomes)})
if notices:
    st.warning(state.notice_text(notices), icon="🔗")

c1, c2 = st.columns(2)
c1.multiselect("Donors", list(donor_name), format_func=donor_name.get, key=f"{P}_donors",
               placeholder="No donor in the warehouse yet" if not donor_name else "Add donors")
if group_name:
    c2.selectbox("Recipient group", list(group_name), format_func=group_name.get, key=f"{P}_rg")
if lo < hi:
    st.session_state[f"{P}_time"] = state.clamp_range(st.session_state.get(f"{P}_time"), lo, hi)
    st.slider("Years", lo, hi, key=f"{P}_time")
if outcomes:
    st.session_state[f"{P}_y"] = st.session_state.get(f"{P}_y") if st.session_state.get(f"{P}_y") in outcomes else outcomes[0]
values = state.current(P, params)

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
    frame, full_spec = data.load("chart_bundle", spec)
    if frame.empty:
        st.info(f"No recorded flows from these donors to {group_name[values['rg']]} in {y0}–{y1}.")
    else:
        st.plotly_chart(build(frame, full_spec), config=PLOTLY_CONFIG, key="aid_sankey")
        how = frame.drop_duplicates("donor")
        st.caption("Summed over the years. " + "; ".join(
            f"{d}: " + (f"WDI {m}, current US$" if m.startswith("DC.DAC.") else f"DAC measure {m}, {b} prices")
            for d, m, b in zip(how["donor_name"], how["measure"], how["price_basis"])) + ".")

        st.subheader("Flows over time")
        trend_spec = ChartSpec(ODA_FLOW, indicator_name="Net ODA disbursements to the group", unit="US$",
                               countries=chosen, groups=(values["rg"],), year_from=y0, year_to=y1, kind="line")
        trend, trend_full = data.load("chart_bundle", trend_spec)
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
    values = state.current(P, params)
    year_hi = int(min(y1, catalogue.loc[values["y"], "year_max"]))
    spec = ChartSpec(values["y"], groups=(values["rg"],), year_from=y0, year_to=year_hi, year=year_hi,
                     kind="scatter", x_indicator_code=ODA_PER_CAPITA)
    frame, full_spec = data.load("chart_bundle", spec)
    if frame.empty:
        st.info(f"No member of {group_name[values['rg']]} has both series around {year_hi}.")
    else:
        st.plotly_chart(build(frame, full_spec), config=PLOTLY_CONFIG, key="aid_scatter")
state.publish(P, params, state.current(P, params))
