"""Data & sources: when the data were published; per source its name, publisher, status, last refresh, values held
and vintage in words; what changed since the last refresh; licences and citations. For analysts, in expanders: the
ids, raw files and messages of each source, the rows set aside during loading (quarantine, browsable and kept in
the URL) and the refresh history. Lays out only: URL state in sources_url beside this page, data through
dashboard.data, strings from the warehouse through plain.md; a source's URL is a link only when it is a plain
http(s) URL."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from dashboard import data, urlstate
from dashboard.components import staff_table
from dashboard.components.staff_table import Col
from dashboard.labels import human_date, source_label, text_or, vintage_label
from dashboard.plain import code, md
from dashboard.views import PAGE_KEYS
from dashboard.views import sources_url as url
from etl.urls import safe_http_url

P = url.PREFIX
STATUS = {"ok": "loaded", "kept": "kept its last good data", "failed": "failed", "skipped": "unchanged"}
RESULT = {0: "every source loaded", 3: "partial: some sources kept their last data or failed", 4: "failed",
          5: "another refresh was running"}
TABLES = {"observation": "values", "paper_figure": "the paper's figures", "country": "countries",
          "indicator": "indicators", "tfhs_project": "Trust Fund projects", "oda_flow": "aid flows",
          "country_group_member": "group members"}


# the live sources, named before their first successful refresh gives them a source row (etl/sources/*.py META)
LIVE = {"wdi": "World Development Indicators (World Bank, live)", "hdr": "Human Development Report data (UNDP, live)",
        "oecd_dac2a": "Aid disbursements, DAC table 2a (OECD, live)"}


def table_words(table: str) -> str:
    return TABLES.get(table, str(table).replace("_", " ")) if table else "All tables"


st.title("Data & sources")
meta = data.meta()
st.markdown(f"**Data as of {md(human_date(meta.get('built_at'), with_time=True))}.** Every number on every page "
            "comes from this published version; a new one appears on the next click after a refresh or import "
            "publishes it — nothing needs restarting.")
with st.expander("Analyst details: this version", icon=":material/info:"):
    st.markdown(f"Version {code(meta.get('version'))} · run {code(meta.get('run_id'))} · schema "
                f"{md(meta.get('schema_version'))}  \nContent sha256 {code(meta.get('content_sha256'))}")

status = data.source_status()
summary = data.quarantine_summary()
names = data.source_names().set_index("source_id")


def name_of(source_id: str) -> str:
    if source_id in names.index:
        r = names.loc[source_id]
        return source_label(r["title"], r["publisher"], r["kind"], source_id)
    return LIVE.get(source_id, source_id)  # a source that ran but never loaded has no source row


sources = sorted(status["source_id"].dropna(), key=lambda s: name_of(s).lower())
tables = sorted(summary["table"].unique())
params = url.params()
notices = urlstate.restore(P, params, url.allowed(sources, tables), others=PAGE_KEYS)
if notices:
    st.warning(md(urlstate.notice_text(notices)), icon=":material/link:")

# --- per source --------------------------------------------------------------------------------------------------
st.subheader("Sources")
vintage_dates = names["vintage_date"] if "vintage_date" in names else pd.Series(dtype=object)
view = status.assign(
    source=status["source_id"].map(name_of), status_text=status["status"].map(lambda s: STATUS.get(s, text_or(s))),
    refreshed=status["last_refresh"].map(human_date),
    vintage_text=[vintage_label(v, vintage_dates.get(s)) for s, v in zip(status["source_id"], status["vintage"])],
).sort_values("source", key=lambda c: c.str.lower())
staff_table.show(view, {
    "source": Col("Source", 220), "publisher": Col("Publisher", 170), "status_text": Col("Last refresh", 100),
    "refreshed": Col("On", 90), "observations": Col("Values held", 80, "int"), "vintage_text": Col("Vintage", 90),
}, key=f"{P}_status", max_lines=2)
failed = view[view["status"] == "failed"]
if not failed.empty:
    st.caption(f"{len(failed)} source(s) could not be refreshed (offline, or no file imported yet); what they hold "
               "from earlier runs is still shown. The reasons are under Analyst details.")
with st.expander("Analyst details: ids, files and messages per source", icon=":material/terminal:"):
    staff_table.show(view, {
        "source_id": Col("Source id", 200), "status": Col("Status", 60), "rows_loaded": Col("Rows loaded", 80, "int"),
        "rows_quarantined": Col("Set aside", 70, "int"), "raw_files": Col("Raw files", 60, "int"),
        "retrieved_at": Col("Retrieved", 130), "message": Col("Message", 200),
    }, key=f"{P}_status_detail", max_lines=3)

# --- revisions -----------------------------------------------------------------------------------------------------
st.subheader("What changed since the last refresh")
revs = data.revisions()
if revs.empty:
    st.info("No published value has been revised: every refresh so far kept the values it found published "
            "(World Bank and UNDP revise past years in place; such changes are listed here with both vintages).")
else:
    last_run = revs["run_id"].iloc[0]
    latest = revs[revs["run_id"] == last_run]
    revs = revs.assign(source=revs["source_id"].map(name_of), when=revs["detected_at"].map(human_date),
                       vintages=[f"{human_date(a)} → {human_date(b)}"
                                 for a, b in zip(revs["old_vintage"], revs["new_vintage"])])
    columns = {"country": Col("Country", 120), "indicator": Col("Indicator", 220), "year": Col("Year", 55, "year"),
               "old_value": Col("Was", 80, "number"), "new_value": Col("Now", 80, "number"),
               "change": Col("Change", 70), "vintages": Col("Vintage", 150), "source": Col("Source", 150)}
    st.markdown(f"**{len(latest)}** published value(s) changed or removed by the refresh of "
                f"{md(human_date(latest['detected_at'].iloc[0]))}; {len(revs)} in the history shown.")
    staff_table.show(revs[revs["run_id"] == last_run], columns, key=f"{P}_revisions", max_lines=2)
    with st.expander("Earlier revisions"):
        staff_table.show(revs[revs["run_id"] != last_run], columns, key=f"{P}_revisions_earlier", max_lines=2)

# --- licences ------------------------------------------------------------------------------------------------------
st.subheader("Licences and citations")
licences = status.dropna(subset=["licence"]).assign(source=lambda f: f["source_id"].map(name_of))
links = licences["url"].map(safe_http_url)  # a link only for a plain http(s) URL; anything else stays text
licences = licences.assign(url=links)
columns = {"source": Col("Source", 200), "licence": Col("Licence", 190), "citation": Col("Cite as", 280),
           "url": Col("Web page", 70, "link", link_text="open")}
if (links.isna() & status.loc[licences.index, "url"].notna()).any():
    licences["url as given (not a web link)"] = status.loc[licences.index, "url"].where(links.isna())
    columns["url as given (not a web link)"] = Col("Address as given (not a web link)", 150)
staff_table.show(licences, columns, key=f"{P}_licences", max_lines=3)
st.caption("Every chart's footer repeats the publisher, licence and vintage of the data it shows.")
st.page_link("views/indicators.py", label="Every indicator: definition, unit, sources and coverage",
             icon=":material/menu_book:")

# --- for analysts: quarantine and the run log ------------------------------------------------------------------------
st.subheader("Behind the data")
filtered = any(st.session_state.get(f"{P}_{k}") for k in ("src", "tbl", "reason"))
with st.expander(f"For analysts: rows set aside during loading ({int(summary['rows'].sum()):,})", expanded=filtered,
                 icon=":material/filter_alt:"):
    if summary.empty:
        st.success("No row is in quarantine: every row of the published version passed validation.")
    c1, c2, c3 = st.columns(3)
    c1.selectbox("Source", ["", *sources], key=f"{P}_src", format_func=lambda s: name_of(s) if s else "All sources")
    c2.selectbox("Table", ["", *tables], key=f"{P}_tbl", format_func=table_words)
    c3.text_input("Reason contains", key=f"{P}_reason", max_chars=urlstate.MAX_TEXT)
    values = urlstate.current(P, params)
    if not urlstate.is_plain_text(values["reason"] or ""):
        st.warning("Search text may use letters, digits, spaces and . , + - only.", icon=":material/search_off:")
        values["reason"] = ""
    else:
        urlstate.publish(P, params, values)
    if not summary.empty:
        reasons = summary
        if values["src"]:
            reasons = reasons[reasons["source_id"] == values["src"]]
        if values["tbl"]:
            reasons = reasons[reasons["table"] == values["tbl"]]
        if values["reason"]:
            reasons = reasons[reasons["reason"].str.contains(values["reason"], case=False, regex=False)]
        st.caption(f"{int(reasons['rows'].sum()):,} rows set aside, {len(reasons)} distinct reasons")
        reasons = reasons.assign(source=reasons["source_id"].map(name_of), table_name=reasons["table"].map(table_words))
        staff_table.show(reasons, {"source": Col("Source", 220), "table_name": Col("Table", 90),
                                   "reason": Col("Reason", 340), "rows": Col("Rows", 70, "int")},
                         key=f"{P}_reasons", max_rows=8, max_lines=2)
        rows = data.quarantine_rows(values["src"] or None, values["tbl"] or None, values["reason"] or None)
        if rows.empty:
            st.info("No row set aside matches these filters.")
        else:
            st.markdown(f"**The rows themselves** (first {len(rows)})")
            rows = rows.assign(source=rows["source_id"].map(name_of), table_name=rows["table"].map(table_words))
            staff_table.show(rows, {"source": Col("Source", 180), "table_name": Col("Table", 80),
                                    "reason": Col("Reason", 220), "record": Col("Row as read", 290)},
                             key=f"{P}_rows", max_rows=8, max_lines=2)
            first = rows.iloc[0]
            st.markdown(f"**First matching row, in full.** Reason: {md(first['reason'])}")
            try:
                st.json(json.loads(first["record"]), expanded=False)
            except ValueError:
                st.code(first["record"], language=None)

with st.expander("For analysts: refresh history", icon=":material/history:"):
    runs = data.run_log()
    if runs.empty:
        st.info(f"No run log at {md(data.run_log_file())} (runs are logged by `hsdash refresh` and `hsdash import`).")
    else:
        runs = runs.assign(finished=runs["finished_at"].map(lambda t: human_date(t, with_time=True)),
                           result=runs["exit_code"].map(lambda c: RESULT.get(c, f"exit code {c}")),
                           published_text=runs["published"].map(lambda p: "yes" if p is True else "no"))
        staff_table.show(runs, {"finished": Col("Finished", 150), "result": Col("Result", 210),
                                "published_text": Col("Published", 70), "version": Col("Version", 200),
                                "error": Col("Error", 120)}, key=f"{P}_runs", max_rows=8, max_lines=2)
