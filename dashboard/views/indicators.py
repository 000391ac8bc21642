"""Indicators: browse and search every indicator the dashboard knows — by words in its name or definition ("stunting"
finds stunted and stunting), by theme, by source, curated only — and see one indicator in full: unit, better
direction (or why there is none), definition, caveats, MDG/SDG links, reporting floor, its sources with vintage,
role and how they agree, and which members of a region report which years (a heat strip with downloads and "Add to
briefing"), with a link that opens it in Compare. Lays out only: URL state in indicators_url beside this page, data
through dashboard.data, strings from the warehouse through plain.md."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, urlstate
from dashboard.components import staff_table
from dashboard.components.export_panel import export_panel
from dashboard.components.staff_table import Col
from dashboard.figures import PLOTLY_CONFIG, ChartSpec, build
from dashboard.labels import (THEME_LABELS, direction_text, human_date, number, source_label, text_or, theme_label,
                              vintage_label, year_span)
from dashboard.plain import md
from dashboard.views import PAGE_KEYS
from dashboard.views import indicators_url as url
from dashboard.search import matches

P = url.PREFIX
MAX_YEARS = 60  # the coverage chart spans at most this many of the indicator's latest years
ROLE = {"publisher": "publisher of record", "aggregator": "republishes the publisher's data"}
RELATION = {"same": "the same series", "asserted": "taken as this indicator (see why)",
            "separate": "a series of its own", "unmapped": "described by the file itself",
            "user": "mapped by whoever imported the file"}

st.title("Indicators")
st.caption("Every indicator the dashboard knows: what it measures, its unit, which direction is better, where the "
           "numbers come from and which countries and years they cover. Search by words in the name or definition.")

catalogue = data.indicator_catalogue()
if catalogue.empty:
    st.info("The warehouse has no indicator catalogue yet. Run `hsdash refresh` so the reference source loads.")
    st.stop()
groups = data.groups()
group_name = dict(zip(groups["group_id"], groups["name"]))
src = data.source_names().set_index("source_id")
source_name = {s: source_label(r["title"], r["publisher"], r["kind"], s) for s, r in src.iterrows()}
catalogue = catalogue.assign(
    source_list=catalogue["sources"].fillna("").map(lambda t: [s for s in t.split(";") if s]),
    hay=(catalogue["indicator_code"] + " " + catalogue["name"].fillna("") + " " + catalogue["short_name"].fillna("")
         + " " + catalogue["description"].fillna("")).str.lower())
themes = [t for t in THEME_LABELS if t in set(catalogue["theme"])]
sources = sorted({s for lst in catalogue["source_list"] for s in lst}, key=lambda s: source_name.get(s, s).lower())
names = dict(zip(catalogue["indicator_code"], catalogue["name"]))

params = url.params(list(group_name))
notices = urlstate.restore(P, params, url.allowed(themes, sources, names, group_name), others=PAGE_KEYS)
if notices:
    st.warning(md(urlstate.notice_text(notices)), icon=":material/link:")

# --- search and filters ------------------------------------------------------------------------------------------
c_q, c_theme, c_src = st.columns([3, 2, 2])
c_q.text_input("Search", key=f"{P}_q", max_chars=urlstate.MAX_TEXT, placeholder="e.g. stunting, poverty, water",
               help="Words in the name or the definition; each word may end differently (stunting finds stunted).")
c_theme.multiselect("Theme", themes, format_func=theme_label, key=f"{P}_theme", placeholder="All themes")
c_src.selectbox("Source", ["", *sources], key=f"{P}_src", format_func=lambda s: source_name.get(s, s) or "Any source")
t_cur, t_all = st.columns(2)
t_cur.toggle("Curated only", key=f"{P}_cur", help="Indicators described in the dashboard's own catalogue: name, "
             "unit, direction, definition and caveats checked by hand (the others are described by their file).")
t_all.toggle("Include indicators without data", key=f"{P}_all")
values = urlstate.current(P, params)
if not urlstate.is_plain_text(values["q"] or ""):
    st.warning("Search text may use letters, digits, spaces and . , + - only.", icon=":material/search_off:")
    values["q"] = ""

found = catalogue
if not values["all"]:
    found = found[found["n_obs"] > 0]
if values["theme"]:
    found = found[found["theme"].isin(values["theme"])]
if values["src"]:
    found = found[found["source_list"].map(lambda lst: values["src"] in lst)]
if values["cur"]:
    found = found[found["curated"]]
found = found.assign(_theme=found["theme"].map({t: i for i, t in enumerate(THEME_LABELS)}).fillna(len(THEME_LABELS)))
found = found.sort_values(["_theme", "name"], kind="stable")  # freedom from want first, as the themes are listed
query = (values["q"] or "").strip()
if query:
    found = found[found["hay"].map(lambda hay: matches(hay, query))]
    in_name = found["name"].str.lower().map(lambda n: matches(n, query))
    found = found.assign(_rank=~in_name).sort_values(["_rank", "n_obs"], ascending=[True, False], kind="stable")

results = found.assign(
    theme_name=found["theme"].map(theme_label),
    years=[year_span(a, b) for a, b in zip(found["year_min"], found["year_max"])],
    n_src=found["source_list"].map(len))
filtered = bool(query) or len(results) < len(catalogue)
st.caption(f"{len(results)} of {len(catalogue)} indicators" + (" match" if filtered else ""))

codes = list(results["indicator_code"])
signature = (query, tuple(values["theme"] or ()), values["src"], values["cur"], values["all"])
changed = st.session_state.get(f"{P}_filters") not in (None, signature)  # None: first run (a link's ind is kept)
if st.session_state.get(f"{P}_ind") not in names or (changed and st.session_state[f"{P}_ind"] not in codes):
    st.session_state[f"{P}_ind"] = codes[0] if codes else None
st.session_state[f"{P}_filters"] = signature

event = staff_table.show(results, {
    "name": Col("Indicator", 330), "unit": Col("Unit", 150), "theme_name": Col("Theme", 120),
    "years": Col("Years", 90), "n_countries": Col("Countries", 80, "int"), "n_src": Col("Sources", 70, "int"),
}, key=f"{P}_results", max_rows=8, max_lines=2, on_select="rerun", selection_mode="single-row")
picked = list(getattr(getattr(event, "selection", None), "rows", None) or [])
if picked and 0 <= picked[0] < len(codes):  # a click on a row shows that indicator (once per click)
    click = codes[picked[0]]
    if click != st.session_state.get(f"{P}_last_click"):
        st.session_state[f"{P}_ind"] = click
        st.session_state[f"{P}_last_click"] = click

if not codes and st.session_state.get(f"{P}_ind") is None:
    urlstate.publish(P, params, urlstate.current(P, params) | {"q": values["q"]})
    st.info("No indicator matches. Try fewer or shorter words, another theme or source, or include indicators "
            "without data.")
    st.stop()
options = codes if st.session_state[f"{P}_ind"] in codes else [st.session_state[f"{P}_ind"], *codes]
st.selectbox("Indicator", options, key=f"{P}_ind", format_func=lambda c: names.get(c, c),
             help="Pick from the matches above, or click a row of the table.")
values = urlstate.current(P, params) | {"q": values["q"]}

# --- the indicator in full ---------------------------------------------------------------------------------------
code = values["ind"]
row = catalogue.set_index("indicator_code").loc[code]
st.subheader(md(row["name"]))
facts = [f"**Unit** {md(text_or(row['unit'], 'not stated'))}",
         f"**Direction** {md(direction_text(row['higher_is_better'], row['direction_note']))}",
         f"**Theme** {md(theme_label(row['theme']))}"]
st.markdown(" · ".join(facts))
st.markdown(f"**Definition** {md(text_or(row['description'], 'no definition recorded'))}")
if text_or(row["caveats"], ""):
    st.markdown(f"**Caveats** {md(row['caveats'])}")
links = text_or(row["goals"], "")
st.markdown(f"**MDG/SDG** {md(links) if links else 'not linked to an MDG or SDG indicator'}")
if not pd.isna(row["reporting_floor"]):
    st.markdown(f"**Reporting floor** {md(number(row['reporting_floor']))}"
                + (f" — {md(row['floor_note'])}" if text_or(row["floor_note"], "") else ""))
st.caption(("Described in the dashboard's catalogue." if row["curated"] else "Described by the file it came from.")
           + (f" Values for {md(year_span(row['year_min'], row['year_max']))}, {int(row['n_countries'])} countries."
              if row["n_obs"] else " No values in the warehouse yet."))

# --- where the numbers come from ---------------------------------------------------------------------------------
st.markdown("#### Where the numbers come from")
by_source = data.indicator_sources(code)
if by_source.empty:
    st.info("No source in the warehouse gives values for this indicator yet. `hsdash refresh` online, or "
            "`hsdash import` a file that has it, adds them.")
else:
    agree = data.source_agreement(code)

    def agreement(source_id: str) -> str:
        pairs = agree[agree["source_id"] == source_id]
        return "; ".join(f"{int(r.n_agree):,} of {int(r.n_overlap):,} shared values agree with "
                         f"{source_name.get(r.other_source, r.other_source)}"
                         for r in pairs.itertuples()) or "no other source to compare"

    table = by_source.assign(
        source=[source_name.get(s, s) for s in by_source["source_id"]],
        vintage_text=[vintage_label(v, d) for v, d in zip(by_source["vintage"], by_source["vintage_date"])],
        how=[f"{ROLE.get(r, r)}; {RELATION.get(x, x)}" for r, x in zip(by_source["role"], by_source["relation"])],
        agrees=by_source["source_id"].map(agreement))
    staff_table.show(table, {
        "source": Col("Source", 230), "publisher": Col("Publisher", 160), "vintage_text": Col("Vintage", 95),
        "rows_loaded": Col("Values", 70, "int"), "how": Col("Role", 120), "agrees": Col("Agreement", 150),
    }, key=f"{P}_sources")
    st.caption("When several sources give a value for the same country and year, the dashboard shows one: the "
               "publisher of record first, then the newest vintage (Data & sources explains the rule).")
    with st.expander("Analyst details: codes, columns and conversions"):
        st.markdown(f"Indicator code {md(code)}")
        for r in by_source.itertuples():
            st.caption(md(f"{source_name.get(r.source_id, r.source_id)} — source id {r.source_id}; column "
                          f"“{r.source_column}”; × {r.factor:g}; {text_or(r.reason, '')} "
                          f"{text_or(r.definition_difference, '')} {text_or(r.caveats, '')}".strip()))

# --- who reports which years ---------------------------------------------------------------------------------------
st.markdown("#### Which countries report which years")
c_rg, _ = st.columns([2, 3])
c_rg.selectbox("Region", list(group_name), format_func=group_name.get, key=f"{P}_rg")
values = urlstate.current(P, params) | {"q": values["q"]}
urlstate.publish(P, params, values)
members = data.group_members(values["rg"])
members = members[members["left_year"].isna()].sort_values("name")
iso3s = tuple(members["iso3"])
if not row["n_obs"]:
    st.info("Nothing to chart: the warehouse holds no value of this indicator yet.")
    st.stop()
if not iso3s:
    st.info(f"{md(group_name[values['rg']])} has no members in the reference tables.")
    st.stop()
hi = int(row["year_max"])
lo = max(int(row["year_min"]), hi - MAX_YEARS + 1)
spec = ChartSpec(code, countries=iso3s, year_from=lo, year_to=hi, kind="coverage")
frame, full = data.chart_bundle(spec)
coverage = data.indicator_coverage(code, iso3s)
reporting = coverage[coverage["n_years"] > 0]
if frame.empty or frame["value"].notna().sum() == 0:
    st.info(f"No member of {md(group_name[values['rg']])} has a value of this indicator in {lo}–{hi}.")
else:
    fig = build(frame, full)
    st.plotly_chart(fig, config=PLOTLY_CONFIG, key=f"{P}_coverage_chart")
    export_panel(full, frame, fig, key=f"{P}_export")
silent = coverage[coverage["n_years"] == 0]["name"]
st.caption(f"{len(reporting)} of {len(iso3s)} of today's members have at least one value"
           + (f"; none for {md(', '.join(silent))}." if len(silent) else ".")
           + " Grey cells: no value that year. Latest value per member: "
           + "; ".join(md(f"{r.name} {number(r.latest_value)} ({int(r.last_year)})") for r in reporting.itertuples())
           + ".")
st.page_link("views/compare.py", label="Compare this indicator across the region", icon=":material/monitoring:",
             query_params={"ind": code, "g": values["rg"], "time": f"{lo}..{hi}", "view": "line"})
st.caption(f"Catalogue as of the warehouse built {md(human_date(data.meta().get('built_at')))}.")
