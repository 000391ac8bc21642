"""Data & sources: the published warehouse version; per source its last refresh, status, rows and quarantined rows
(browsable, with reasons); the run log; the indicator dictionary; licences. Lays out only: URL state in sources_url
beside this page, data through dashboard.data, strings from the warehouse through plain.md; a source's URL is a
link only when it is a plain http(s) URL."""

from __future__ import annotations

import json

import streamlit as st

from dashboard import data, urlstate
from dashboard.labels import theme_label
from dashboard.plain import code, md
from etl.urls import safe_http_url
from dashboard.views import PAGE_KEYS
from dashboard.views import sources_url as url

P = url.PREFIX
STATUS_ICON = {"ok": "✅ ok", "kept": "⚠️ kept (last good data)", "failed": "❌ failed", "skipped": "⏭ skipped"}

st.title("Data & sources")
meta = data.meta()
st.markdown(f"**Published warehouse version** {code(meta.get('version'))} · built {md(meta.get('built_at'))} · "
            f"run {code(meta.get('run_id'))} · schema {md(meta.get('schema_version'))}")
st.caption(f"Content sha256 {md(meta.get('content_sha256'))}. A new version appears here on the next rerun after "
           "`hsdash refresh` or `hsdash import` publishes one; nothing needs restarting.")

status = data.source_status()
summary = data.quarantine_summary()
sources = sorted(status["source_id"].dropna())
tables = sorted(summary["table"].unique())
params = url.params()
notices = urlstate.restore(P, params, url.allowed(sources, tables), others=PAGE_KEYS)
if notices:
    st.warning(md(urlstate.notice_text(notices)), icon="🔗")

# --- per source --------------------------------------------------------------------------------------------------
st.subheader("Sources")
view = status.assign(status=status["status"].map(lambda s: STATUS_ICON.get(s, s)))
st.dataframe(view[["source_id", "status", "last_refresh", "rows_loaded", "rows_quarantined", "observations",
                   "in_quarantine", "raw_files", "retrieved_at", "vintage", "kind", "publisher", "message"]],
             hide_index=True, width="stretch", column_config={
                 "rows_loaded": st.column_config.NumberColumn("rows loaded (last refresh)", format="%d"),
                 "rows_quarantined": st.column_config.NumberColumn("quarantined (last refresh)", format="%d"),
                 "observations": st.column_config.NumberColumn("observations held", format="%d"),
                 "in_quarantine": st.column_config.NumberColumn("quarantined rows held", format="%d")})

# --- quarantine --------------------------------------------------------------------------------------------------
st.subheader("Quarantined rows")
if summary.empty:
    st.success("No row is in quarantine: every row of the published version passed validation.")
else:
    c1, c2, c3 = st.columns(3)
    c1.selectbox("Source", ["", *sources], key=f"{P}_src", format_func=lambda s: s or "All sources")
    c2.selectbox("Table", ["", *tables], key=f"{P}_tbl", format_func=lambda t: t or "All tables")
    c3.text_input("Reason contains", key=f"{P}_reason", max_chars=urlstate.MAX_TEXT)
    values = urlstate.current(P, params)
    if not urlstate.is_plain_text(values["reason"]):
        st.warning("Search text may use letters, digits, spaces and . , + - only.")
        values["reason"] = ""
    else:
        urlstate.publish(P, params, values)
    reasons = summary
    if values["src"]:
        reasons = reasons[reasons["source_id"] == values["src"]]
    if values["tbl"]:
        reasons = reasons[reasons["table"] == values["tbl"]]
    if values["reason"]:
        reasons = reasons[reasons["reason"].str.contains(values["reason"], case=False, regex=False)]
    st.caption(f"{int(reasons['rows'].sum()):,} quarantined rows, {len(reasons)} distinct reasons")
    st.dataframe(reasons, hide_index=True, width="stretch", height=240 if len(reasons) > 6 else "auto")
    rows = data.quarantine_rows(values["src"] or None, values["tbl"] or None, values["reason"] or None)
    if rows.empty:
        st.info("No quarantined row matches these filters.")
    else:
        st.markdown(f"**The rows themselves** (first {len(rows)})")
        st.dataframe(rows, hide_index=True, width="stretch", height=300 if len(rows) > 8 else "auto")
        with st.expander("First matching row, in full"):
            first = rows.iloc[0]
            st.markdown(f"**Reason:** {md(first['reason'])}")
            try:
                st.json(json.loads(first["record"]))
            except ValueError:
                st.code(first["record"], language=None)

# --- revisions -----------------------------------------------------------------------------------------------------
st.subheader("What changed since the last refresh")
revs = data.revisions()
if revs.empty:
    st.info("No published value has been revised: every refresh so far kept the values it found published "
            "(World Bank and UNDP revise past years in place; such changes are listed here with both vintages).")
else:
    last_run = revs["run_id"].iloc[0]
    latest = revs[revs["run_id"] == last_run]
    st.markdown(f"**{len(latest)}** published value(s) changed or removed by the refresh of "
                f"{md(latest['detected_at'].iloc[0])} (run {code(last_run)}); {len(revs)} in the history shown.")
    st.dataframe(latest.drop(columns=["run_id"]), hide_index=True, width="stretch")
    with st.expander("Earlier revisions"):
        st.dataframe(revs[revs["run_id"] != last_run], hide_index=True, width="stretch")

# --- run log -----------------------------------------------------------------------------------------------------
st.subheader("Refresh runs")
runs = data.run_log()
if runs.empty:
    st.info(f"No run log at {md(data.run_log_file())} (runs are logged by `hsdash refresh` and `hsdash import`).")
else:
    st.dataframe(runs, hide_index=True, width="stretch", height=240 if len(runs) > 6 else "auto")

# --- indicators and licences -------------------------------------------------------------------------------------
st.subheader("Indicator dictionary")
catalogue = data.indicator_catalogue()
st.caption(f"{len(catalogue)} indicators, {int((catalogue['n_obs'] > 0).sum())} with data in this version.")
st.dataframe(catalogue.assign(theme=catalogue["theme"].map(theme_label))[
    ["indicator_code", "name", "unit", "theme", "higher_is_better", "description", "sources", "n_countries",
     "year_min", "year_max", "n_disagree", "defined_by"]], hide_index=True, width="stretch", height=320)

st.subheader("Licences")
licences = status.dropna(subset=["licence"])[["source_id", "publisher", "licence", "citation", "url"]]
links = licences["url"].map(safe_http_url)  # a link only for a plain http(s) URL; anything else stays text
licences = licences.assign(url=links)
if (links.isna() & status.loc[licences.index, "url"].notna()).any():
    licences["url as given (not a web link)"] = status.loc[licences.index, "url"].where(links.isna())
st.dataframe(licences, hide_index=True, width="stretch", column_config={"url": st.column_config.LinkColumn("url")})
st.caption("Every chart's footer repeats the publisher, licence and vintage of the data it shows.")
