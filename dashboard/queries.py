"""Read-only SQL over the published warehouse, as plain functions of a DuckDB connection (no Streamlit here).

Parameters are always bound, never interpolated. ``dashboard/data.py`` runs them on the published warehouse and
caches the results per version; ``dashboard/chart_data.py`` composes them into the rows behind a chart (this module
imports neither).
"""

from __future__ import annotations

import duckdb
import pandas as pd


def meta(con: duckdb.DuckDBPyConnection) -> dict:
    return dict(con.execute("SELECT key, value FROM meta").fetchall())


def paper_figures(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        """
        SELECT p.*, coalesce(c.name, p.subject) AS display_subject, s.citation AS paper_citation
        FROM paper_figure p LEFT JOIN country c USING (iso3) LEFT JOIN source s USING (source_id)
        ORDER BY p.figure_id
        """
    ).df()


def paper_beside_public(con: duckdb.DuckDBPyConnection, iso3: str) -> pd.DataFrame:
    """The paper's country figures beside the nearest-year resolved public value of the same measure: the figure's
    own indicator, else its related public indicator — only when both are of the same kind and unit (a rank beside
    a rank, a value beside a value). ``public_note`` says why there is no public figure when there is none."""
    return con.execute(
        """
        WITH paper AS (
            SELECT o.iso3, o.indicator_code, o.year, o.value, o.flag, i.name, i.unit, i.unit_kind,
                   CASE WHEN o.indicator_code IN (SELECT indicator_code FROM indicator_value WHERE iso3 = $iso3)
                        THEN o.indicator_code ELSE i.related_indicator END AS public_code
            FROM observation o JOIN indicator i USING (indicator_code)
            WHERE o.source_id = 'paper' AND o.iso3 = $iso3
        ), candidates AS (
            SELECT p.*, r.name AS public_name, r.unit AS public_unit, r.unit_kind AS public_kind,
                   (r.unit_kind IS NOT DISTINCT FROM p.unit_kind AND (p.public_code = p.indicator_code OR r.unit = p.unit))
                       AS comparable
            FROM paper p LEFT JOIN indicator r ON r.indicator_code = p.public_code
        )
        SELECT c.indicator_code, c.name, c.unit, c.year, c.value AS paper_value, c.flag,
               CASE WHEN c.comparable THEN c.public_code END AS public_code,
               CASE WHEN c.comparable THEN c.public_name END AS public_name,
               pub.year AS public_year, pub.value AS public_value, pub.source_id AS public_source,
               pub.n_sources AS public_n_sources, pub.disagree AS public_disagree,
               CASE WHEN c.public_code IS NULL THEN 'no public series measures this figure'
                    WHEN NOT c.comparable THEN 'the related public series is ' || coalesce(c.public_kind, 'a value')
                         || ' in ' || coalesce(c.public_unit, '?') || ', the paper gives ' || coalesce(c.unit_kind, 'a value')
                         || ' in ' || c.unit || ': not compared'
                    WHEN pub.value IS NULL THEN 'no public value for this country yet'
                    END AS public_note
        FROM candidates c
        LEFT JOIN LATERAL (
            SELECT * FROM indicator_value q WHERE c.comparable AND q.iso3 = c.iso3 AND q.indicator_code = c.public_code
            ORDER BY abs(q.year - c.year), q.year LIMIT 1
        ) pub ON TRUE
        ORDER BY c.indicator_code, c.year
        """,
        {"iso3": iso3},
    ).df()


# --- Compare / shared --------------------------------------------------------------------------------------------

def indicator_catalogue(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every indicator with what the warehouse holds of it (resolved values; the paper's figures are quoted, not
    series): values, countries, year span (NULL when there is no data), the sources that give it and how many cells
    they disagree on."""
    return con.execute(
        """
        WITH stats AS (
            SELECT indicator_code, count(*) AS n_obs, count(DISTINCT iso3) AS n_countries, min(year) AS year_min,
                   max(year) AS year_max, count(*) FILTER (WHERE disagree) AS n_disagree
            FROM indicator_value GROUP BY indicator_code
        ), srcs AS (
            SELECT indicator_code, string_agg(source_id, ';' ORDER BY source_id) AS sources, count(*) AS n_sources
            FROM (SELECT DISTINCT indicator_code, source_id FROM series_map WHERE rows_loaded > 0) GROUP BY indicator_code
        )
        SELECT i.indicator_code, i.name, i.short_name, i.unit, i.unit_kind, i.theme, i.higher_is_better,
               i.direction_note, i.description, i.caveats, i.goals, i.reporting_floor, i.floor_note, i.defined_by,
               i.source_hint, coalesce(i.curated, false) AS curated, r.sources, coalesce(r.n_sources, 0) AS n_sources,
               coalesce(s.n_obs, 0) AS n_obs, coalesce(s.n_countries, 0) AS n_countries, s.year_min, s.year_max,
               coalesce(s.n_disagree, 0) AS n_disagree
        FROM indicator i LEFT JOIN stats s USING (indicator_code) LEFT JOIN srcs r USING (indicator_code)
        ORDER BY i.theme, i.name
        """
    ).df()


def indicator_sources(con: duckdb.DuckDBPyConnection, indicator_code: str) -> pd.DataFrame:
    """The sources of one indicator: what each column was, converted how, who says so, their vintage and how they
    agree with each other (for the indicator's own page and the source picker)."""
    return con.execute(
        """
        SELECT m.source_id, s.publisher, s.title, s.kind, s.vintage, s.vintage_date, s.url, m.source_column,
               m.relation, m.role, m.factor, m.definition_difference, m.reason, m.authority, m.caveats, m.rows_loaded,
               (SELECT string_agg(a.other_source || ': ' || a.n_agree || ' of ' || a.n_overlap || ' shared cells agree',
                                  '; ' ORDER BY a.other_source)
                FROM source_agreement a WHERE a.indicator_code = m.indicator_code AND a.source_id = m.source_id) AS agreement
        FROM series_map m LEFT JOIN source s USING (source_id)
        WHERE m.indicator_code = ? AND m.rows_loaded > 0
        ORDER BY m.role = 'aggregator', s.kind = 'starter', s.vintage_date DESC NULLS LAST, m.source_id
        """,
        [indicator_code],
    ).df()


def cell_sources(con: duckdb.DuckDBPyConnection, indicator_code: str, iso3s: tuple[str, ...], year_from: int | None,
                 year_to: int | None, only_disagreeing: bool = True) -> pd.DataFrame:
    """Every source's value for the cells shown (the 'sources disagree' panel): etl.resolve.cell_sources."""
    from etl.resolve import cell_sources as _cells

    return _cells(con, indicator_code, list(iso3s), year_from, year_to, only_disagreeing)


def countries(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT iso3, name, wb_region, wb_income_group, un_region FROM country ORDER BY name").df()


def groups(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        """
        SELECT g.group_id, g.name, g.kind, g.definition_source, g.description, count(m.iso3) AS n_members
        FROM country_group g LEFT JOIN country_group_member m USING (group_id)
        GROUP BY g.group_id, g.name, g.kind, g.definition_source, g.description
        ORDER BY g.kind <> 'intergovernmental', g.name
        """
    ).df()


def group_members(con: duckdb.DuckDBPyConnection, group_id: str, year: int | None = None) -> pd.DataFrame:
    """Members of a group (in ``year`` when given: time-aware, as the aggregates count them)."""
    return con.execute(
        """
        SELECT m.iso3, coalesce(c.name, m.iso3) AS name, m.joined_year, m.left_year, m.note
        FROM country_group_member m LEFT JOIN country c USING (iso3)
        WHERE m.group_id = $g AND ($y IS NULL OR ((m.joined_year IS NULL OR m.joined_year <= $y)
                                                 AND (m.left_year IS NULL OR m.left_year > $y)))
        ORDER BY name
        """,
        {"g": group_id, "y": year},
    ).df()


def memberships(con: duckdb.DuckDBPyConnection, iso3: str) -> pd.DataFrame:
    """The groups a country belongs to (or belonged to), with the years."""
    return con.execute(
        """
        SELECT g.group_id, g.name, g.kind, m.joined_year, m.left_year
        FROM country_group_member m JOIN country_group g USING (group_id)
        WHERE m.iso3 = ? ORDER BY m.left_year IS NOT NULL, g.kind <> 'intergovernmental', g.name
        """,
        [iso3],
    ).df()


_CELLS = """
    cells AS (  -- the resolved value per cell, or one pinned source's own observations
        SELECT iso3, year, value, source_id, flag, n_sources, disagree, at_floor FROM indicator_value
        WHERE $src IS NULL AND indicator_code = $ind AND iso3 IN (SELECT unnest($iso3s::VARCHAR[]))
          AND year BETWEEN $lo AND $hi
        UNION ALL
        SELECT iso3, year, value, source_id, flag, 1, false, false FROM observation
        WHERE $src IS NOT NULL AND indicator_code = $ind AND source_id = $src
          AND iso3 IN (SELECT unnest($iso3s::VARCHAR[])) AND year BETWEEN $lo AND $hi
    )"""


def country_series(con: duckdb.DuckDBPyConnection, indicator_code: str, iso3s: tuple[str, ...], year_from: int,
                   year_to: int, source_id: str | None = None) -> pd.DataFrame:
    """Countries' values over a year range: resolved across sources, or one source's own when ``source_id`` is set."""
    return con.execute(
        f"""
        WITH {_CELLS}
        SELECT v.iso3, coalesce(c.name, v.iso3) AS name, v.year, v.value, v.source_id, v.flag, v.n_sources, v.disagree,
               v.at_floor
        FROM cells v LEFT JOIN country c USING (iso3)
        ORDER BY v.iso3, v.year
        """,
        {"ind": indicator_code, "src": source_id, "iso3s": list(iso3s), "lo": year_from, "hi": year_to},
    ).df()


def latest_values(con: duckdb.DuckDBPyConnection, indicator_code: str, iso3s: tuple[str, ...], year: int,
                  tolerance: int, source_id: str | None = None) -> pd.DataFrame:
    """Per country the latest value in ``[year - tolerance, year]`` (with the year it is from)."""
    return con.execute(
        f"""
        WITH {_CELLS}
        SELECT v.iso3, coalesce(any_value(c.name), v.iso3) AS name, max(v.year) AS year,
               arg_max(v.value, v.year) AS value, arg_max(v.flag, v.year) AS flag,
               arg_max(v.source_id, v.year) AS source_id, arg_max(v.n_sources, v.year) AS n_sources,
               arg_max(v.disagree, v.year) AS disagree, arg_max(v.at_floor, v.year) AS at_floor
        FROM cells v LEFT JOIN country c USING (iso3)
        GROUP BY v.iso3 ORDER BY v.iso3
        """,
        {"ind": indicator_code, "src": source_id, "iso3s": list(iso3s), "lo": year - tolerance, "hi": year},
    ).df()


def latest_year(con: duckdb.DuckDBPyConnection, indicator_code: str, year_to: int, source_id: str | None = None) -> int | None:
    """The latest year with a value up to ``year_to`` (resolved, or one pinned source's)."""
    if source_id is None:
        row = con.execute("SELECT max(year) FROM indicator_value WHERE indicator_code = ? AND year <= ?",
                          [indicator_code, year_to]).fetchone()
    else:
        row = con.execute("SELECT max(year) FROM observation WHERE indicator_code = ? AND source_id = ? AND year <= ?",
                          [indicator_code, source_id, year_to]).fetchone()
    return row[0] if row else None


def provenance(con: duckdb.DuckDBPyConnection, source_ids: tuple[str, ...]) -> pd.DataFrame:
    """Publisher, licence, vintage and latest retrieval date of each source."""
    return con.execute(
        """
        SELECT s.source_id, s.publisher, s.title, s.licence, s.vintage, s.citation, s.url,
               (SELECT max(r.retrieved_at) FROM raw_file r WHERE r.source_id = s.source_id) AS retrieved_at
        FROM source s WHERE s.source_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY s.source_id
        """,
        [list(source_ids)],
    ).df()


# --- Country profile ---------------------------------------------------------------------------------------------

def country_profile(con: duckdb.DuckDBPyConnection, iso3: str) -> pd.DataFrame:
    """Per indicator with data for the country (resolved values): latest value and year, the series (for a
    sparkline), whether sources disagree on the latest value, and the catalogue entry."""
    return con.execute(
        """
        WITH latest AS (
            SELECT indicator_code, max(year) AS year, arg_max(value, year) AS value, arg_max(flag, year) AS flag,
                   min(year) AS first_year, list(value ORDER BY year) AS trend, arg_max(source_id, year) AS source_id,
                   arg_max(disagree, year) AS disagree, arg_max(at_floor, year) AS at_floor
            FROM indicator_value WHERE iso3 = $iso3 GROUP BY indicator_code
        )
        SELECT i.indicator_code, i.name, i.unit, i.theme, i.higher_is_better, l.value, l.year, l.first_year,
               l.flag, l.trend, l.source_id, l.disagree, l.at_floor
        FROM latest l JOIN indicator i USING (indicator_code)
        ORDER BY i.theme, i.name
        """,
        {"iso3": iso3},
    ).df()


def country_ranks(con: duckdb.DuckDBPyConnection, iso3: str, tolerance: int = 5) -> pd.DataFrame:
    """Rank of the country within each group it belongs to (in the year of its latest value), per indicator with
    a direction: 1 = best; peers' latest values at most ``tolerance`` years older count."""
    return con.execute(
        """
        WITH latest AS (
            SELECT indicator_code, max(year) AS year FROM indicator_value WHERE iso3 = $iso3 GROUP BY indicator_code
        ),
        peers AS (  -- members, in that year, of the groups the country belongs to in that year
            SELECT l.indicator_code, l.year, m.group_id, m.iso3
            FROM latest l
            JOIN country_group_member mine ON mine.iso3 = $iso3
             AND (mine.joined_year IS NULL OR mine.joined_year <= l.year) AND (mine.left_year IS NULL OR mine.left_year > l.year)
            JOIN country_group_member m ON m.group_id = mine.group_id
             AND (m.joined_year IS NULL OR m.joined_year <= l.year) AND (m.left_year IS NULL OR m.left_year > l.year)
        ),
        peer_values AS (
            SELECT p.indicator_code, p.group_id, p.iso3, arg_max(o.value, o.year) AS value
            FROM peers p
            JOIN indicator_value o ON o.iso3 = p.iso3 AND o.indicator_code = p.indicator_code
             AND o.year BETWEEN p.year - $tol AND p.year
            GROUP BY p.indicator_code, p.group_id, p.iso3
        ),
        ranked AS (
            SELECT v.*, i.higher_is_better,
                   rank() OVER (PARTITION BY v.indicator_code, v.group_id
                                ORDER BY CASE WHEN i.higher_is_better THEN -v.value ELSE v.value END) AS rank,
                   count(*) OVER (PARTITION BY v.indicator_code, v.group_id) AS n_ranked
            FROM peer_values v JOIN indicator i USING (indicator_code)
            WHERE i.higher_is_better IS NOT NULL
        )
        SELECT r.indicator_code, r.group_id, g.name AS group_name, r.rank, r.n_ranked
        FROM ranked r JOIN country_group g USING (group_id)
        WHERE r.iso3 = $iso3
        ORDER BY r.indicator_code, g.kind <> 'intergovernmental', g.name
        """,
        {"iso3": iso3, "tol": tolerance},
    ).df()


# --- Aid ---------------------------------------------------------------------------------------------------------

WDI_BILATERAL = r"^DC\.DAC\.([A-Z]{3})L\.CD$"  # WDI "net bilateral aid flows from DAC donors, <donor>" by recipient


def oda_donors(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Donors with flows: those in oda_flow, then those with a WDI bilateral-aid series (DC.DAC.<ISO3>L.CD) but no
    oda_flow rows; display name (the country's, for ISO3 codes), years covered and where the flows come from."""
    return con.execute(
        """
        WITH flows AS (
            SELECT donor, count(*) AS n_rows, min(year) AS year_min, max(year) AS year_max, 'oda_flow' AS via
            FROM oda_flow GROUP BY donor
        ),
        wdi AS (
            SELECT regexp_extract(o.indicator_code, $pat, 1) AS donor, count(*) AS n_rows, min(o.year) AS year_min,
                   max(o.year) AS year_max, 'WDI ' || any_value(o.indicator_code) AS via
            FROM indicator_value o WHERE regexp_matches(o.indicator_code, $pat) GROUP BY o.indicator_code
        ),
        both_ AS (
            SELECT * FROM flows
            UNION ALL SELECT * FROM wdi WHERE donor <> 'TOT' AND donor NOT IN (SELECT donor FROM flows)
        )
        SELECT b.donor, coalesce(c.name, b.donor) AS name, b.n_rows, b.year_min, b.year_max, b.via
        FROM both_ b LEFT JOIN country c ON c.iso3 = b.donor ORDER BY name
        """,
        {"pat": WDI_BILATERAL},
    ).df()


def oda_flows(con: duckdb.DuckDBPyConnection, donors: tuple[str, ...], recipients: tuple[str, ...], year_from: int,
              year_to: int) -> pd.DataFrame:
    """Flows from ``donors`` to ``recipients`` by year. From oda_flow in one measure and price basis for the whole
    table (net ODA disbursements, DAC measure 206, at constant prices when present, else the most common ones); for
    donors without oda_flow rows, from their WDI bilateral-aid series (current US$; the measure names the series)."""
    return con.execute(
        """
        WITH pick AS (
            SELECT measure, price_basis FROM oda_flow GROUP BY measure, price_basis
            ORDER BY (measure = '206') DESC, (price_basis = 'constant') DESC, count(*) DESC, measure LIMIT 1
        ),
        dac AS (
            SELECT f.donor, f.recipient, f.year, f.amount_usd, f.measure, f.price_basis, f.source_id
            FROM oda_flow f JOIN pick USING (measure, price_basis)
        ),
        wdi AS (
            SELECT regexp_extract(o.indicator_code, $pat, 1) AS donor, o.iso3 AS recipient, o.year,
                   o.value AS amount_usd, o.indicator_code AS measure, 'current' AS price_basis, o.source_id
            FROM indicator_value o WHERE regexp_matches(o.indicator_code, $pat)
        ),
        flows AS (
            SELECT * FROM dac
            UNION ALL SELECT * FROM wdi WHERE donor NOT IN (SELECT DISTINCT donor FROM oda_flow)
        )
        SELECT f.donor, coalesce(d.name, f.donor) AS donor_name, f.recipient,
               coalesce(r.name, f.recipient) AS recipient_name, f.year, sum(f.amount_usd) AS amount_usd,
               any_value(f.measure) AS measure, any_value(f.price_basis) AS price_basis, min(f.source_id) AS source_id
        FROM flows f LEFT JOIN country d ON d.iso3 = f.donor LEFT JOIN country r ON r.iso3 = f.recipient
        WHERE f.donor IN (SELECT unnest($donors::VARCHAR[])) AND f.recipient IN (SELECT unnest($recipients::VARCHAR[]))
          AND f.year BETWEEN $lo AND $hi
        GROUP BY f.donor, d.name, f.recipient, r.name, f.year ORDER BY f.donor, f.recipient, f.year
        """,
        {"donors": list(donors), "recipients": list(recipients), "lo": year_from, "hi": year_to, "pat": WDI_BILATERAL},
    ).df()


# --- Trust Fund for Human Security -------------------------------------------------------------------------------

def tfhs_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Project counts as published (the paper's 2007 figures), with their source's citation."""
    return con.execute(
        """
        SELECT t.as_of, t.region, t.category, t.projects, t.figure_id, t.source_id, s.citation
        FROM tfhs_project_count t LEFT JOIN source s USING (source_id)
        ORDER BY t.as_of, t.region, t.category = 'all' DESC, t.category
        """
    ).df()


def tfhs_projects(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The imported project register (empty until one is imported)."""
    return con.execute("SELECT * EXCLUDE (raw_sha256) FROM tfhs_project ORDER BY region, category, project_id").df()


# --- Data & sources ----------------------------------------------------------------------------------------------

def source_status(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per source: what it is, its licence and vintage, its last refresh (the latest run that did not skip it),
    rows loaded and quarantined, raw files and when they were retrieved."""
    return con.execute(
        """
        WITH last AS (
            SELECT source_id, arg_max(status, finished_at) AS status, max(finished_at) AS last_refresh,
                   arg_max(rows_loaded, finished_at) AS rows_loaded, arg_max(rows_quarantined, finished_at) AS rows_quarantined,
                   arg_max(message, finished_at) AS message
            FROM etl_run WHERE status <> 'skipped' GROUP BY source_id
        ), files AS (
            SELECT source_id, count(*) AS raw_files, max(retrieved_at) AS retrieved_at FROM raw_file GROUP BY source_id
        ), held AS (
            SELECT source_id, count(*) AS observations FROM observation GROUP BY source_id
        ), quarantined AS (
            SELECT source_id, count(*) AS in_quarantine FROM quarantine  -- flagged jumps were loaded: not counted
            WHERE "table" <> 'jump (kept)' GROUP BY source_id
        )
        SELECT s.source_id, s.publisher, s.kind, l.status, l.last_refresh, l.rows_loaded, l.rows_quarantined,
               coalesce(h.observations, 0) AS observations, coalesce(q.in_quarantine, 0) AS in_quarantine,
               f.raw_files, f.retrieved_at, s.vintage, s.licence, s.title, s.url, s.citation, l.message
        FROM source s LEFT JOIN last l USING (source_id) LEFT JOIN files f USING (source_id)
        LEFT JOIN held h USING (source_id) LEFT JOIN quarantined q USING (source_id)
        UNION ALL  -- sources that ran but never loaded (no source row)
        SELECT l.source_id, NULL, NULL, l.status, l.last_refresh, l.rows_loaded, l.rows_quarantined, 0, 0, NULL, NULL,
               NULL, NULL, NULL, NULL, NULL, l.message
        FROM last l WHERE l.source_id NOT IN (SELECT source_id FROM source)
        ORDER BY 1
        """
    ).df()


def quarantine_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        """
        SELECT source_id, "table", reason, count(*) AS rows FROM quarantine
        GROUP BY ALL ORDER BY rows DESC, source_id, reason
        """
    ).df()


def quarantine_rows(con: duckdb.DuckDBPyConnection, source_id: str | None, table: str | None, reason: str | None,
                    limit: int = 500) -> pd.DataFrame:
    """Quarantined rows (the rejected record as JSON and why), filtered; ``reason`` matches as a substring."""
    return con.execute(
        """
        SELECT run_id, source_id, "table", reason, record FROM quarantine
        WHERE ($src IS NULL OR source_id = $src) AND ($tbl IS NULL OR "table" = $tbl)
          AND ($reason IS NULL OR contains(lower(reason), lower($reason)))
        ORDER BY source_id, "table", reason LIMIT $limit
        """,
        {"src": source_id, "tbl": table, "reason": reason, "limit": limit},
    ).df()


def revisions(con: duckdb.DuckDBPyConnection, limit: int = 2000) -> pd.DataFrame:
    """Published values that later refreshes changed or removed, newest first, with names and vintages."""
    has = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'revision'").fetchone()[0]
    if not has:
        return pd.DataFrame()
    return con.execute(
        """
        SELECT r.detected_at, r.run_id, r.source_id, r.iso3, coalesce(c.name, r.iso3) AS country, r.indicator_code,
               coalesce(i.name, r.indicator_code) AS indicator, r.year, r.old_value, r.new_value,
               CASE WHEN r.new_value IS NULL THEN 'removed' ELSE 'changed' END AS change,
               r.old_vintage, r.new_vintage
        FROM revision r LEFT JOIN country c USING (iso3) LEFT JOIN indicator i USING (indicator_code)
        ORDER BY r.detected_at DESC, r.source_id, r.indicator_code, r.iso3, r.year
        LIMIT ?
        """,
        [limit],
    ).df()


# --- names, coverage and agreement for the pages (Indicators, Aid, Data & sources) ---------------------------------

def source_names(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every source with what a reader needs to name it: title, publisher, how it arrived (kind), vintage and its
    parsed date, licence and URL (``dashboard.labels.source_label`` makes the display name)."""
    return con.execute(
        "SELECT source_id, title, publisher, kind, vintage, vintage_date, licence, url, citation FROM source "
        "ORDER BY source_id"
    ).df()


def indicator_coverage(con: duckdb.DuckDBPyConnection, indicator_code: str, iso3s: tuple[str, ...] = ()
                       ) -> pd.DataFrame:
    """Per country (``iso3s``; empty: every country with a value) the resolved values of one indicator: first and
    last year, how many years, the latest value. Countries of ``iso3s`` without any value come back with
    ``n_years`` 0."""
    return con.execute(
        """
        WITH wanted AS (SELECT unnest($iso3s::VARCHAR[]) AS iso3),
        stats AS (
            SELECT iso3, min(year) AS first_year, max(year) AS last_year, count(*) AS n_years,
                   arg_max(value, year) AS latest_value, arg_max(source_id, year) AS latest_source
            FROM indicator_value
            WHERE indicator_code = $ind AND (len($iso3s) = 0 OR iso3 IN (SELECT iso3 FROM wanted))
            GROUP BY iso3
        ),
        rows_ AS (
            SELECT iso3 FROM wanted UNION SELECT iso3 FROM stats
        )
        SELECT r.iso3, coalesce(c.name, r.iso3) AS name, s.first_year, s.last_year, coalesce(s.n_years, 0) AS n_years,
               s.latest_value, s.latest_source
        FROM rows_ r LEFT JOIN stats s USING (iso3) LEFT JOIN country c USING (iso3)
        ORDER BY name
        """,
        {"ind": indicator_code, "iso3s": list(iso3s)},
    ).df()


def source_agreement(con: duckdb.DuckDBPyConnection, indicator_code: str) -> pd.DataFrame:
    """How each pair of sources of one indicator compare where both give a value (``source_agreement`` table)."""
    return con.execute(
        """
        SELECT source_id, other_source, n_overlap, n_agree, median_abs_diff, max_abs_diff, median_rel_diff
        FROM source_agreement WHERE indicator_code = ? ORDER BY source_id, other_source
        """,
        [indicator_code],
    ).df()
