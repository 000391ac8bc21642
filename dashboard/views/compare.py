"""Compare (the main page): one indicator — or several side by side — across countries and groups over years: line
(labelled at the ends), ranking, a map that plays through the years, scatter, or a countries × years table; group
aggregates with their coverage, spread, joins and coverage changes marked. Lays out only: state in the URL
(compare_url beside this page), data through dashboard.data, figures from dashboard.figures; strings from the
warehouse through plain.md. Icons are Material symbols (no emoji font needed)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, group_changes, urlstate
from dashboard.chart_data import TOLERANCE, count_true
from dashboard.components.export_panel import export_panel
from dashboard.figures import PLOTLY_CONFIG, build
from dashboard.figures.common import as_text, fmt, short_name
from dashboard.figures.footer import footer_lines
from dashboard.figures.map import build_map_timeline
from dashboard.figures.table import NAME, readable, row_colours, unit_caption, wide_table
from dashboard.labels import date_text, search_first, publisher_label, theme_label
from dashboard.plain import code, md
from dashboard.views import PAGE_KEYS
from dashboard.views import compare_url as url
from etl import writers
from etl.aggregate import MIN_COVERAGE

P = url.PREFIX
key = lambda name: urlstate.widget_key(P, name)  # noqa: E731
PICKER = {"filter_mode": "contains", "select_all": False, "wrap": True}  # typing finds a name or acronym; Enter
# takes the first match (options are ordered so that it is the one typed: labels.search_first), never "select all"

st.title("Compare")
st.caption("One indicator — or several side by side — across countries and regional groups. Group values are means "
           "over the members reporting that year; coverage says how much of the group they represent.")

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
group_size = dict(zip(groups["group_id"], groups["n_members"]))
by_code = available.set_index("indicator_code")

params = url.params(available, country_name, group_name)
notices = urlstate.restore(P, params, url.allowed(available, country_name, group_name), others=PAGE_KEYS)
if notices:
    st.warning(md(urlstate.notice_text(notices)), icon=":material/link_off:")


# Picker labels in dicts built once per run: with all of WDI (≈1,600 indicators) a row lookup per option, or a
# pandas Series as the options (Streamlit then indexes it once per option), cost most of a warm render.
codes = available["indicator_code"].tolist()
names = [str(n) for n in available["name"]]
shorts = available["short_name"]
indicator_name = dict(zip(codes, names))
indicator_labels = {c: f"{theme_label(t)} › {n}" for c, t, n in zip(codes, available["theme"], names)}
# a tag's worth of an indicator's name: the catalogue's short name when the full one is long
short_labels = {c: str(s) if len(n) > 40 and isinstance(s, str) and s else n for c, n, s in zip(codes, names, shorts)}


def vintage_text(rows: pd.DataFrame) -> list[str]:
    """Each source's vintage as a date people read ("8 May 2019", from the parsed ``vintage_date``), else its words."""
    dates = rows["vintage_date"] if "vintage_date" in rows else pd.Series(None, index=rows.index, dtype=object)
    return [date_text(d) if pd.notna(d) and str(d) else date_text(v, "–") for v, d in zip(rows["vintage"], dates)]


def group_label(group_id: str) -> str:
    return group_name[group_id]  # the full name with its acronym: "Shanghai Cooperation Organisation (SCO)"


# --- selection ---------------------------------------------------------------------------------------------------
st.selectbox("Indicator (type to search)", codes, format_func=indicator_labels.get, key=key("ind"),
             filter_mode="contains",
             help="Grouped by theme: freedom from want, freedom from fear, dignity, environment, context.")
main = st.session_state[key("ind")]

order_key = f"_cmp_order_{data.version()}"  # the picker orders, once per warehouse version and session
if order_key not in st.session_state:
    st.session_state[order_key] = (search_first(list(group_name), group_label, lambda g: [short_name(group_name[g])]),
                                   search_first(list(country_name), country_name.get))
group_options, country_options = st.session_state[order_key]
st.multiselect("Groups", group_options, format_func=group_label, key=key("g"),
               placeholder="Type a name or acronym: ASEAN, SCO, Shanghai …", **PICKER,
               help="ASEAN, ASEAN Plus Three (APT), East Asia Summit (EAS), ASEAN Regional Forum (ARF), CICA, SCO, "
                    "SAARC, DAC, UN M49 and World Bank regions; membership is dated. Each group keeps its colour on "
                    "every chart; its members are drawn in that colour in rankings, maps and tables.")
picked_groups = st.session_state[key("g")]
if picked_groups:
    st.caption(" · ".join(f"{md(short_name(group_name[g]))}: {int(group_size.get(g, 0))} members"
                          for g in picked_groups))

c_c, c_more = st.columns(2)
c_c.multiselect("Countries", country_options, format_func=country_name.get, key=key("c"),
                placeholder="Type a country's name", **PICKER)
st.session_state[key("more")] = [c for c in st.session_state.get(key("more")) or [] if c != main][:url.MAX_MORE]
c_more.multiselect("Add indicators (small multiples)", [c for c in codes if c != main],
                   format_func=short_labels.get, key=key("more"), max_selections=url.MAX_MORE,
                   placeholder="Several at once: one small chart each", **PICKER,
                   help="The Line view then draws one small chart per indicator, each with its own unit, for the same "
                        "countries and groups.")

row = by_code.loc[main]
y_min, y_max = int(row["year_min"]), int(row["year_max"])
st.session_state[key("time")] = urlstate.clamp_range(st.session_state.get(key("time")), y_min, y_max)
c_view, c_time = st.columns([6, 4])
c_view.segmented_control("View", url.VIEWS, format_func=url.VIEW_LABELS.get, key=key("view"), required=True,
                         width="content", wrap=True)  # wraps rather than cutting a button off on narrow screens
view = st.session_state[key("view")]
c_year, c_x = st.columns([2, 3]) if view in ("bar", "map", "scatter") else (None, None)
if y_min < y_max:
    c_time.slider("Years", y_min, y_max, key=key("time"))
else:
    c_time.caption(f"Data for {y_min} only.")
y0, y1 = st.session_state[key("time")]
if view in ("bar", "map", "scatter"):
    year = st.session_state.get(key("year"))
    st.session_state[key("year")] = min(max(year, y0), y1) if year is not None else y1
    if y0 < y1:
        c_year.slider("Year", y0, y1, key=key("year"),
                      help=f"Each country's latest value up to this year (at most {TOLERANCE} years older)."
                           + (" The map opens on it; its play button runs through every year of the range."
                              if view == "map" else ""))
if view == "scatter":
    snap = st.session_state[key("year")]
    overlap = data.x_overlap(main, tuple(st.session_state[key("c")]), tuple(picked_groups), snap,
                             st.session_state.get(key("mem")) or "current", st.session_state.get(key("src")) or None)
    chosen_x = url.auto_x(overlap, available, main)
    x_options = [url.AUTO_X, *[c for c in codes if c != main]]
    if st.session_state.get(key("x")) not in x_options:
        st.session_state[key("x")] = url.AUTO_X
    shares = dict(zip(overlap["indicator_code"], overlap["n_countries"]))
    c_x.selectbox("Against (x axis)", x_options, key=key("x"), filter_mode="contains",
                  format_func=lambda c: (f"Automatic: {indicator_name[chosen_x]}" if chosen_x else
                                         "Automatic: no indicator shares a country") if c == url.AUTO_X
                  else indicator_name[c] + (f" ({shares[c]} countries)" if c in shares else ""),
                  help="Automatic: the indicator whose values share the most countries with this one in the year "
                       "shown (GDP per capita or the HDI when they come close).")

o_mem, o_w, o_more = st.columns([3, 3, 2], vertical_alignment="bottom")
o_mem.selectbox("Group members", url.MEMBERSHIPS, key=key("mem"), format_func=url.MEMBERSHIP_LABELS.get,
                help="Today's members throughout (the default): " + group_changes.MEMBERSHIP_HELP["current"]
                     + ". As of each year: " + group_changes.MEMBERSHIP_HELP["as_of_year"] + ".")
o_w.toggle("Weight groups by population", key=key("w"),
           help="On: population-weighted mean of the members reporting. Off: their plain mean.")
with o_more.popover("More options", icon=":material/tune:", width="stretch"):
    st.toggle("Log scale", key=key("log"))
    base_options = [None, *range(y_min, y_max + 1)]
    if st.session_state.get(key("base")) not in base_options:
        st.session_state[key("base")] = None
    st.selectbox("Change relative to", base_options, key=key("base"), disabled=view == "scatter",
                 placeholder="– (levels)", format_func=lambda y: "– (levels)" if y is None else f"{y} (% change)")
    st.selectbox("Groups below ⅔ coverage", ["flag", "hide"], key=key("lowcov"),
                 format_func={"flag": "Flag them", "hide": "Hide them"}.get,
                 help="Flagged values are drawn dotted with hollow markers (lines) or hatched (bars); hidden ones "
                      "are left out.")
    indicator_sources = data.indicator_sources(main)
    source_options = ["", *indicator_sources["source_id"]]
    if st.session_state.get(key("src")) not in source_options:
        st.session_state[key("src")] = ""
    source_text = {s: publisher_label(p, k, d, s) for s, p, k, d in zip(
        indicator_sources["source_id"], indicator_sources["publisher"], indicator_sources["kind"],
        indicator_sources["vintage_date"])}
    st.selectbox("Values from", source_options, key=key("src"),
                 format_func=lambda s: "Best source per country and year" if not s else source_text.get(s, s),
                 help="By default each country-year shows the best available value: the publisher of record before "
                      "a copy, a download or import before the bundled starter set, then the newest vintage. Pick a "
                      "source to see only its values.")

values = urlstate.current(P, params)
query = urlstate.publish(P, params, values)
if view == "scatter" and not values["x"]:
    values = {**values, "x": chosen_x}
spec = url.chart_spec(values, {**row.to_dict(), "indicator_code": main})
if values.get("more") and view != "line":
    st.caption("Small multiples are drawn in the Line view; this view shows the first indicator.")

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
    elif view == "scatter":
        hint = " No other indicator has values for these countries in that year."
    st.info(f"No data for **{md(row['name'])}** for this selection {where}. Try other countries or groups, a wider "
            "year range, or another indicator." + hint)
elif view == "table":
    wide = wide_table(frame, full_spec)
    colours = row_colours(frame)
    styled = wide.style.apply(lambda col: [f"color: {c}; font-weight: 600" if c else "" for c in colours],
                              subset=[NAME])
    st.dataframe(styled, hide_index=True, width="stretch",
                 column_config={NAME: st.column_config.TextColumn(NAME, pinned=True)})
    st.caption(md(unit_caption(full_spec, frame)))
    st.caption(" · ".join(md(line) for line in footer_lines(full_spec)))
elif view == "map" and spec.year_from is not None and spec.year_from < spec.year_to:
    timeline = data.map_timeline(spec)
    st.plotly_chart(build_map_timeline(timeline, full_spec), config=PLOTLY_CONFIG, key="cmp_chart")
else:
    st.plotly_chart(build(frame, full_spec), config=PLOTLY_CONFIG, key="cmp_chart")
if not frame.empty and frame["value"].notna().any():
    export_panel(full_spec, frame, key="cmp_export")  # image / data downloads and "Add to briefing"

mem_words = group_changes.membership_text(spec.membership)
policy = (f"Groups: {'population-weighted' if spec.weighted else 'unweighted'} mean over members reporting in each "
          f"year; **{mem_words}** — {group_changes.MEMBERSHIP_HELP[spec.membership]}. Coverage = share of the "
          f"group's population that reports; values below {MIN_COVERAGE:.0%} coverage are "
          f"**{'hidden' if spec.hide_low_coverage else 'flagged'}**.")
st.caption(policy)

groups_shown = frame[frame["series_kind"] == "group"] if "series_kind" in frame else frame.iloc[0:0]
if view in ("line", "table") and not groups_shown.empty and groups_shown["change_note"].notna().any():
    with st.expander("Joins and coverage changes on the group lines", icon=":material/change_history:"):
        notes = groups_shown.dropna(subset=["change_note"])
        st.dataframe(pd.DataFrame({"group": notes["name"].map(short_name), "year": notes["year"].astype(int),
                                   "what changed": notes["change_note"]}), hide_index=True, width="stretch")
if not groups_shown.empty and "min_name" in groups_shown and spec.base_year is None:
    latest = groups_shown.dropna(subset=["level"]).sort_values("year").groupby("name", sort=False).tail(1)
    hib = spec.higher_is_better
    best, worst = ("max", "min") if hib is not False else ("min", "max")
    st.markdown("**Spread within each group** (latest year shown)" + ("" if hib is not None else
                " — this indicator has no better direction: highest and lowest member"))

    def member(which: str) -> pd.Series:
        return as_text(latest[f"{which}_name"], "–") + " " + latest[f"{which}_value"].map(fmt)

    st.dataframe(pd.DataFrame({
        "group": latest["name"].map(short_name), "year": latest["year"].astype(int),
        "group value": latest["level"].map(fmt), "coverage": latest["coverage"].map(lambda c: fmt(c * 100) + "%"),
        "members reporting": latest["n_reporting"].astype(int).astype(str) + " of "
                             + latest["n_members"].astype(int).astype(str),
        ("best" if hib is not None else "highest"): member(best),
        ("worst" if hib is not None else "lowest"): member(worst),
        "gap": (latest["max_value"] - latest["min_value"]).map(fmt),
    }), hide_index=True, width="stretch")

with st.expander("Data behind this chart, and the link to it"):
    st.dataframe(readable(frame), hide_index=True, width="stretch")
    st.download_button("Download CSV (exactly what is shown)", writers.to_csv_bytes(frame),
                       file_name=f"hsdash-{spec.indicator_code}-{view}.csv", mime="text/csv",
                       icon=":material/download:")
    st.caption("The address bar holds the whole view; copy it to share. Path and query string:")
    st.code(f"/compare{urlstate.query_string(query)}", language=None)
n_disagree = count_true(frame["disagree"]) if "disagree" in frame else 0
if n_disagree:
    st.warning(f"Sources disagree on {n_disagree} of the values shown. Each value follows the documented precedence; "
               "the values of every source are listed under “Sources behind these numbers”.", icon=":material/rule:")
with st.expander("Sources behind these numbers" + (f" — {n_disagree} disagree" if n_disagree else ""), expanded=False):
    shown = indicator_sources.assign(**{"shown first": range(1, len(indicator_sources) + 1),
                                        "vintage": vintage_text(indicator_sources)})
    table = shown[["shown first", "publisher", "source_id", "role", "vintage", "relation", "definition_difference",
                   "agreement", "rows_loaded"]].rename(columns={
                       "source_id": "source (id)", "definition_difference": "differs by", "rows_loaded": "values",
                       "relation": "how it maps"})
    st.dataframe(table.astype(object).where(table.notna(), "–"), hide_index=True, width="stretch")
    iso3s = tuple(frame.loc[frame["series_kind"] == "country", "code"].dropna().unique()) if "series_kind" in frame else ()
    if iso3s:
        cells = data.cell_sources(spec.indicator_code, iso3s, spec.year_from, spec.year_to, True)
        if cells.empty:
            st.caption("The sources agree on every country value shown (within the unit's tolerance).")
        else:
            st.markdown("**Values where sources disagree** (the value shown is ticked)")
            cells = cells.assign(vintage=vintage_text(cells))
            st.dataframe(cells[["country", "year", "value", "chosen", "publisher", "source_id", "vintage"]].rename(
                columns={"chosen": "shown", "source_id": "source (id)"}), hide_index=True, width="stretch")
with st.expander(f"About: {md(row['name'])}"):
    sources = ", ".join(md(x) for x in str(row.get("sources") or "").split(";") if x)
    st.markdown(f"{md(row['description'])}\n\n**Unit:** {md(row['unit'])} · **code:** {code(spec.indicator_code)} · "
                f"**sources:** {sources or '–'} ({int(row['n_countries'])} countries, {y_min}–{y_max})")
    if isinstance(row.get("caveats"), str) and row["caveats"]:
        st.caption(f"Caveats: {md(row['caveats'])}")
