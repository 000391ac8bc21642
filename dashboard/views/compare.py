"""Compare (the main page): one indicator across countries and groups over years — line, ranking, map, scatter or
table — with group aggregates, their coverage and spread. Lays out only: state in the URL (compare_url beside this
page), data through dashboard.data, figures from dashboard.figures; strings from the warehouse through plain.md."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, urlstate
from dashboard.chart_data import TOLERANCE
from dashboard.components.export_panel import export_panel
from dashboard.figures import PLOTLY_CONFIG, build
from dashboard.figures.common import short_name
from dashboard.figures.footer import footer_lines
from dashboard.figures.table import table_view
from dashboard.labels import theme_label
from dashboard.plain import code, md
from dashboard.views import PAGE_KEYS
from dashboard.views import compare_url as url
from etl import writers
from etl.aggregate import MIN_COVERAGE

P = url.PREFIX
key = lambda name: urlstate.widget_key(P, name)  # noqa: E731

st.title("Compare")
st.caption("One indicator across countries and regional groups. Group values are means over the members reporting "
           "that year; coverage says how much of the group they represent.")

catalogue = data.indicator_catalogue()
available = catalogue[catalogue["n_obs"] > 0].reset_index(drop=True)
if available.empty:
    st.info("No indicator has data yet. Run `hsdash refresh` (online) or `hsdash import <file>` to load some; "
            "the **Data & sources** page shows what each source did.")
    st.stop()
countries = data.countries()
groups = data.groups()
country_name = dict(zip(countries["iso3"], countries["name"]))
group_name = dict(zip(groups["group_id"], groups["name"]))
by_code = available.set_index("indicator_code")

params = url.params(available, country_name, group_name)
defaults = {p.name: p.default for p in params}
notices = urlstate.restore(P, params, url.allowed(available, country_name, group_name), others=PAGE_KEYS)
if notices:
    st.warning(md(urlstate.notice_text(notices)), icon="🔗")


def indicator_label(code: str) -> str:
    row = by_code.loc[code]
    return f"{theme_label(row['theme'])} › {row['name']}"  # select box options are shown as plain text


# --- selection ---------------------------------------------------------------------------------------------------
left, mid, right = st.columns([5, 3, 3])
left.selectbox("Indicator (type to search)", available["indicator_code"], format_func=indicator_label, key=key("ind"),
               help="Grouped by theme: freedom from want, freedom from fear, dignity, environment, context.")
mid.multiselect("Countries", list(country_name), format_func=country_name.get, key=key("c"), placeholder="Add countries")
right.multiselect("Groups", list(group_name), format_func=lambda g: short_name(group_name[g]), key=key("g"),
                  placeholder="Add groups", help="ASEAN, ASEAN Plus Three (APT), East Asia Summit (EAS), ASEAN Regional "
                  "Forum (ARF), CICA, SCO, SAARC, DAC, UN M49 and World Bank regions; membership is dated.")

row = by_code.loc[st.session_state[key("ind")]]
y_min, y_max = int(row["year_min"]), int(row["year_max"])
st.session_state[key("time")] = urlstate.clamp_range(st.session_state.get(key("time")), y_min, y_max)
c_time, c_view = st.columns([3, 2])
if y_min < y_max:
    c_time.slider("Years", y_min, y_max, key=key("time"))
else:
    c_time.caption(f"Data for {y_min} only.")
c_view.segmented_control("View", url.VIEWS, format_func=url.VIEW_LABELS.get, key=key("view"), required=True)
view = st.session_state[key("view")]
y0, y1 = st.session_state[key("time")]

o1, o2, o3, o4, o5, o6 = st.columns(6)
o1.toggle("Log scale", key=key("log"))
base_options = [None, *range(y_min, y_max + 1)]
if st.session_state.get(key("base")) not in base_options:
    st.session_state[key("base")] = None
o2.selectbox("Change relative to", base_options, key=key("base"), disabled=view == "scatter",
             placeholder="— (levels)", format_func=lambda y: "— (levels)" if y is None else f"{y} (% change)")
o3.toggle("Weight groups by population", key=key("w"),
          help="On: population-weighted mean of the members reporting. Off: their plain mean.")
o4.selectbox("Groups below ⅔ coverage", ["flag", "hide"], key=key("lowcov"),
             format_func={"flag": "Flag them", "hide": "Hide them"}.get,
             help="Flagged values are drawn hollow (lines) or hatched (bars); hidden ones are left out.")
o5.selectbox("Group members", url.MEMBERSHIPS, key=key("mem"),
             format_func={"as_of_year": "As of each year", "current": "Today's members throughout"}.get,
             help="As of each year: a country counts from the year it joined. Today's members throughout: the same "
                  "countries in every year, so the line does not jump when a country joins.")
indicator_sources = data.indicator_sources(st.session_state[key("ind")])
source_options = ["", *indicator_sources["source_id"]]
if st.session_state.get(key("src")) not in source_options:
    st.session_state[key("src")] = ""
source_label = dict(zip(indicator_sources["source_id"], indicator_sources["publisher"].fillna("") + " — "
                        + indicator_sources["source_id"]))
o6.selectbox("Values from", source_options, key=key("src"),
             format_func=lambda s: "Best source per country and year" if not s else source_label.get(s, s),
             help="By default each country-year shows the best available value: the publisher of record before a "
                  "copy, a download or import before the bundled starter set, then the newest vintage. Pick a source "
                  "to see only its values.")

if view in ("bar", "map", "scatter"):
    year = st.session_state.get(key("year"))
    st.session_state[key("year")] = min(max(year, y0), y1) if year is not None else y1
    v1, v2 = st.columns([3, 2])
    if y0 < y1:
        v1.slider("Year", y0, y1, key=key("year"), help=f"Each country's latest value up to this year "
                                                     f"(at most {TOLERANCE} years older).")
    if view == "scatter":
        if st.session_state.get(key("x")) not in by_code.index:
            st.session_state[key("x")] = defaults["x"]
        v2.selectbox("Against (x axis)", available["indicator_code"], format_func=indicator_label, key=key("x"))

values = urlstate.current(P, params)
query = urlstate.publish(P, params, values)
spec = url.chart_spec(values, {**row.to_dict(), "indicator_code": values["ind"]})

# --- chart -------------------------------------------------------------------------------------------------------
if not spec.countries and not spec.groups:
    st.info("Pick at least one country or group above to draw the chart.")
    st.stop()
if spec.log_scale and spec.base_year is not None:
    st.caption("Log scale is off while showing change relative to a base year (changes can be negative).")

frame, full_spec = data.chart_bundle(spec)
if frame.empty or frame["value"].notna().sum() == 0:
    where = f"in {spec.year}" if spec.year else f"in {spec.year_from}–{spec.year_to}"
    hint = ""
    if view == "scatter" and spec.x_indicator_code in by_code.index:
        x_row = by_code.loc[spec.x_indicator_code]
        hint = f" The x-axis series, {md(x_row['name'])}, covers {int(x_row['year_min'])}–{int(x_row['year_max'])}."
    st.info(f"No data for **{md(row['name'])}** for this selection {where}. Try other countries or groups, a wider "
            "year range, or another indicator." + hint)
elif view == "table":
    st.dataframe(table_view(frame), hide_index=True, width="stretch")
    st.caption(" · ".join(md(line) for line in footer_lines(full_spec)))
else:
    st.plotly_chart(build(frame, full_spec), config=PLOTLY_CONFIG, key="cmp_chart")
if not frame.empty and frame["value"].notna().any():
    export_panel(full_spec, frame, key="cmp_export")  # image / data downloads and "Add to briefing"

policy = (f"Groups: {'population-weighted' if spec.weighted else 'unweighted'} mean over members reporting in each "
          f"year; coverage = share of the group's population that reports. Values below {MIN_COVERAGE:.0%} coverage "
          f"are **{'hidden' if spec.hide_low_coverage else 'flagged'}**; coverage is always shown.")
st.caption(policy)

groups_shown = frame[frame["series_kind"] == "group"] if "series_kind" in frame else frame.iloc[0:0]
if not groups_shown.empty and "min_name" in groups_shown and spec.base_year is None:
    latest = groups_shown.dropna(subset=["level"]).sort_values("year").groupby("name", sort=False).tail(1)
    hib = spec.higher_is_better
    best, worst = ("max", "min") if hib is not False else ("min", "max")
    st.markdown("**Spread within each group** (latest year shown)" + ("" if hib is not None else
                " — this indicator has no better direction: highest and lowest member"))
    st.dataframe(pd.DataFrame({
        "group": latest["name"], "year": latest["year"], "group value": latest["level"],
        "coverage": latest["coverage"].map("{:.0%}".format),
        "members reporting": latest["n_reporting"].astype(int).astype(str) + " of " + latest["n_members"].astype(int).astype(str),
        ("best" if hib is not None else "highest"): latest[f"{best}_name"] + " " + latest[f"{best}_value"].map("{:,.4g}".format),
        ("worst" if hib is not None else "lowest"): latest[f"{worst}_name"] + " " + latest[f"{worst}_value"].map("{:,.4g}".format),
        "gap": (latest["max_value"] - latest["min_value"]).map("{:,.4g}".format),
    }), hide_index=True, width="stretch")

with st.expander("Data behind this chart, and the link to it"):
    st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button("Download CSV (exactly what is shown)", writers.to_csv_bytes(frame),
                       file_name=f"hsdash-{spec.indicator_code}-{view}.csv", mime="text/csv")
    st.caption("The address bar holds the whole view; copy it to share. Path and query string:")
    st.code(f"/compare{urlstate.query_string(query)}", language=None)
n_disagree = int(frame["disagree"].fillna(False).astype(bool).sum()) if "disagree" in frame else 0
if n_disagree:
    st.warning(f"Sources disagree on {n_disagree} of the values shown. Each value follows the documented precedence; "
               "the values of every source are listed under “Sources behind these numbers”.", icon=":material/rule:")
with st.expander("Sources behind these numbers" + (f" — {n_disagree} disagree" if n_disagree else ""), expanded=False):
    shown = indicator_sources.assign(**{"shown first": range(1, len(indicator_sources) + 1)})
    st.dataframe(shown[["shown first", "publisher", "source_id", "role", "vintage", "relation", "definition_difference",
                        "agreement", "rows_loaded"]].rename(columns={
                            "source_id": "source", "definition_difference": "differs by", "rows_loaded": "values",
                            "relation": "how it maps"}), hide_index=True, width="stretch")
    iso3s = tuple(frame.loc[frame["series_kind"] == "country", "code"].dropna().unique()) if "series_kind" in frame else ()
    if iso3s:
        cells = data.cell_sources(spec.indicator_code, iso3s, spec.year_from, spec.year_to, True)
        if cells.empty:
            st.caption("The sources agree on every country value shown (within the unit's tolerance).")
        else:
            st.markdown("**Values where sources disagree** (the value shown is ticked)")
            st.dataframe(cells[["country", "year", "value", "chosen", "publisher", "source_id", "vintage"]].rename(
                columns={"chosen": "shown", "source_id": "source"}), hide_index=True, width="stretch")
with st.expander(f"About: {md(row['name'])}"):
    sources = ", ".join(md(x) for x in str(row.get("sources") or "").split(";") if x)
    st.markdown(f"{md(row['description'])}\n\n**Unit:** {md(row['unit'])} · **code:** {code(spec.indicator_code)} · "
                f"**sources:** {sources or '—'} ({int(row['n_countries'])} countries, {y_min}–{y_max})")
    if isinstance(row.get("caveats"), str) and row["caveats"]:
        st.caption(f"Caveats: {md(row['caveats'])}")
