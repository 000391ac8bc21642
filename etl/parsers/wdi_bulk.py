"""World Bank WDI bulk CSV → long observations, streamed through DuckDB (file in, Parquet out).

Owns reading the wide WDI layouts (FORMATS.md §2):

* ``WDICSV.csv`` / ``WDIData.csv``: ``Country Name, Country Code, Indicator Name, Indicator Code, 1960, …`` — the
  header may be fully quoted and end with a trailing comma (an empty last column, which must hold nothing);
* the same inside ``WDI_CSV.zip`` (the data member is found by name and extracted to a temporary file in bounded
  chunks; ``WDISeries.csv``, the series metadata, is read for names, units and definitions);
* per-indicator ``API_<code>_DS2_….csv`` (alone or in its zip): preamble lines (``"Data Source"``, ``"Last Updated
  Date"``) before the header;
* DataBank exports (``Series Name, Series Code, 1960 [YR1960]``, ``..`` for missing, footer lines).

How: the header is found in a bounded prefix; DuckDB's CSV reader then streams the file (every cell as text, so a
bad cell is quarantined rather than stopping the load) through ``UNPIVOT`` into ``long.parquet`` — one row per
non-empty year cell plus one marker row per line (its names) — and the per-line facts go to ``rows.parquet``. The
file is never held as Python strings. Lines of aggregates (``Country Code`` EAS, WLD, …), of non-ISO codes, without
an indicator code, or repeating an earlier (country, indicator) line are rejected whole with the number of value
cells they held; non-numeric cells one by one. ``meta`` reconciles: ``value_cells == loaded + rejected_cells``.

:func:`stage_wdi` writes the staged files; :data:`OBSERVATIONS_SQL` reads the loadable rows back (the build inserts
them with SQL); :func:`parse_wdi_csv` is the small-input convenience returning pandas frames (tests, tools).
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from etl.parsers import OBSERVATION_COLUMNS, ParseError, ParseResult

PARSER_VERSION = "wdi-duckdb-1"  # bump when the staged output of the same file would differ
DATA_MEMBERS = ("wdicsv.csv", "wdidata.csv")
SERIES_MEMBERS = ("wdiseries.csv",)
MAX_MEMBER_BYTES = 8 << 30  # a zip member claiming more than this is refused (zip bomb)
CHUNK = 1 << 20
SNIFF_BYTES = 1 << 16
DUCKDB_MEMORY = "512MB"  # DuckDB spills beyond this: peak memory does not grow with the file
_YEAR = re.compile(r"^(\d{4})(?: \[YR\d{4}\])?$")
_ID_SETS = (
    ("Country Name", "Country Code", "Indicator Name", "Indicator Code"),
    ("Country Name", "Country Code", "Series Name", "Series Code"),  # DataBank export
)
_ID_NAMES = ("cname", "ccode", "iname", "icode")
_SEP = "\x1f"  # joins a line's country name and indicator name in its marker row

# The staged observations that may be loaded: cells of accepted lines (rows.parquet ok) with a finite value.
OBSERVATIONS_SQL = """
    SELECT l.iso3, l.indicator_code, l.year::INTEGER AS year, l.value, NULL::VARCHAR AS note, NULL::VARCHAR AS flag
    FROM read_parquet($long) l SEMI JOIN (SELECT rn FROM read_parquet($rows) WHERE ok) r USING (rn)
    WHERE l.year IS NOT NULL AND l.value IS NOT NULL"""


@dataclass
class Staged:
    """A WDI file staged to Parquet: ``long`` (cells), ``rows`` (one per line), ``meta`` (counts), ``series``."""

    folder: Path
    meta: dict = field(default_factory=dict)
    series: dict[str, dict] = field(default_factory=dict)  # code -> name, unit, definition, source, topic

    @property
    def long(self) -> Path:
        return self.folder / "long.parquet"

    @property
    def rows(self) -> Path:
        return self.folder / "rows.parquet"

    @property
    def params(self) -> dict:
        return {"long": str(self.long), "rows": str(self.rows)}


def _member(zf: zipfile.ZipFile, wanted: tuple[str, ...], api_ok: bool) -> zipfile.ZipInfo | None:
    infos = [i for i in zf.infolist() if not i.is_dir()]
    base = {i.filename: i.filename.rsplit("/", 1)[-1].lower() for i in infos}
    pick = [i for i in infos if base[i.filename] in wanted]
    if not pick and api_ok:
        pick = [i for i in infos if base[i.filename].startswith("api_") and base[i.filename].endswith(".csv")]
    pick.sort(key=lambda i: wanted.index(base[i.filename]) if base[i.filename] in wanted else len(wanted))
    return pick[0] if pick else None


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> Path:
    """Copy one member to ``target`` in bounded chunks, refusing members larger than MAX_MEMBER_BYTES."""
    if info.file_size > MAX_MEMBER_BYTES:
        raise ParseError(f"zip member {info.filename} claims {info.file_size:,} bytes (limit {MAX_MEMBER_BYTES:,})")
    written = 0
    with zf.open(info) as src, open(target, "wb") as dst:
        for chunk in iter(lambda: src.read(CHUNK), b""):
            written += len(chunk)
            if written > MAX_MEMBER_BYTES:
                raise ParseError(f"zip member {info.filename} is larger than {MAX_MEMBER_BYTES:,} bytes")
            dst.write(chunk)
    return target


def unzip_members(path: Path, work: Path) -> tuple[Path, Path | None, str]:
    """The data member (and the series metadata member, if any) of a WDI zip, extracted into ``work``."""
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ParseError(f"WDI zip is corrupt: {exc}") from exc
    with zf:
        data = _member(zf, DATA_MEMBERS, api_ok=True)
        if data is None:
            names = [i.filename for i in zf.infolist()][:20]
            raise ParseError("WDI zip contains no data file (expected WDICSV.csv, WDIData.csv or API_*.csv); "
                             "members: " + ", ".join(names))
        series = _member(zf, SERIES_MEMBERS, api_ok=False)
        try:
            data_path = _extract(zf, data, work / "data.csv")
            series_path = _extract(zf, series, work / "series.csv") if series is not None else None
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ParseError(f"WDI zip member could not be read: {exc}") from exc
    return data_path, series_path, data.filename


def _encoding(path: Path) -> str:
    """utf-8 unless the file's bounded prefix is not UTF-8 (then latin-1, as Excel saves it)."""
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut by the prefix
            return "latin-1"
    return "utf-8"


def _header(path: Path, encoding: str) -> tuple[int, list[str], dict]:
    """(index of the header line, its cells, preamble facts) from a bounded prefix of the file."""
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES).decode(encoding, errors="replace").lstrip("\ufeff")
    meta: dict = {}
    for i, line in enumerate(head.splitlines()[:50]):
        cells = next(csv.reader([line]), [""])
        if cells and cells[0].strip() == "Country Name":
            return i, [c.strip() for c in cells], meta
        if len(cells) >= 2 and cells[0].strip() in ("Data Source", "Last Updated Date"):
            meta[cells[0].strip().lower().replace(" ", "_")] = cells[1].strip()
    raise ParseError("not a WDI CSV: no 'Country Name' header line in the first 50 lines")


def _plan_columns(header: list[str]) -> tuple[list[str], dict[str, int], list[str]]:
    """Safe internal column names (never file text in SQL), the year of each year column, the unnamed ones."""
    ids = next((s for s in _ID_SETS if all(c in header for c in s)), None)
    if ids is None:
        raise ParseError(f"WDI CSV lacks the identifier columns {list(_ID_SETS[0])}; header is {header[:6]}")
    names, years, unnamed = [], {}, []
    for k, h in enumerate(header):
        if h in ids:
            names.append(_ID_NAMES[ids.index(h)])
        elif _YEAR.match(h):
            name = f"y{int(_YEAR.match(h).group(1)):04d}_{k}"  # the year is read back from the name
            years[name] = int(_YEAR.match(h).group(1))
            names.append(name)
        else:
            names.append(f"x{k}")
            unnamed.append(f"x{k}")
    if not years:
        raise ParseError("WDI CSV has no year columns (1960, 1961, … or '1960 [YR1960]')")
    return names, years, unnamed


def _connect(work: Path):
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    con.execute("SET temp_directory = ?", [str(work / "duckdb-spill")])
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = false")
    return con


def _read_csv_sql(names: list[str], skip: int, encoding: str) -> str:
    cols = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
    return (f"read_csv($path, header = false, skip = {int(skip)}, columns = {cols}, delim = ',', quote = '\"', "
            f"escape = '\"', strict_mode = false, encoding = '{encoding}')")


def _stream_long(con, path: Path, names, years, unnamed, skip: int, encoding: str, out: Path) -> None:
    """One pass over the file: every non-empty cell (value, or the raw text when it is not a finite number) and one
    marker row per line carrying its names, to ``out``. Per-line work (trim of the codes) happens before UNPIVOT,
    per-cell work is one cast; a cell that does not cast is missing only when it is blank or ``..``."""
    value_cols = ", ".join([*years, *unnamed, "__row"])
    sql = f"""
        COPY (
            SELECT rn, iso3, indicator_code,
                   CASE WHEN col[1] = 'y' THEN substr(col, 2, 4)::SMALLINT END AS year,
                   CASE WHEN col[1] = 'y' AND isfinite(v) THEN v END AS value,
                   CASE WHEN col[1] <> 'y' OR NOT coalesce(isfinite(v), false) THEN raw END AS raw,
                   CASE WHEN col[1] = 'x' THEN col END AS unnamed
            FROM (
                SELECT *, TRY_CAST(raw AS DOUBLE) AS v FROM (
                    UNPIVOT (SELECT row_number() OVER () AS rn, trim(ccode) AS iso3, trim(icode) AS indicator_code,
                                    * EXCLUDE (ccode, icode, cname, iname),
                                    coalesce(cname, '') || '{_SEP}' || coalesce(iname, '') AS __row
                             FROM {_read_csv_sql(names, skip, encoding)})
                    ON {value_cols} INTO NAME col VALUE raw
                )
            )
            WHERE v IS NOT NULL OR col = '__row' OR trim(raw) NOT IN ('', '..')
        ) TO $out (FORMAT parquet, COMPRESSION zstd)"""
    con.execute(sql, {"path": str(path), "out": str(out)})


def _classify_codes(con, long: Path) -> pd.DataFrame:
    from etl.countries import resolve_codes

    codes = con.execute("SELECT DISTINCT iso3 FROM read_parquet($p) WHERE year IS NULL", {"p": str(long)}).df()
    kinds = resolve_codes(codes["iso3"].fillna(""))
    return pd.DataFrame({"code": codes["iso3"].fillna("").tolist(), "kind": kinds["kind"].tolist(),
                         "why": kinds["reason"].fillna("").tolist()})


def _write_rows(con, long: Path, rows: Path, codes: pd.DataFrame) -> None:
    """One row per line: names, cells, whether it loads and why not (aggregate, unknown code, duplicate, footer)."""
    con.register("_codes", codes)
    try:
        con.execute(f"""
            COPY (
                WITH marks AS (
                    SELECT rn, coalesce(iso3, '') AS code, coalesce(indicator_code, '') AS ind,
                           split_part(raw, '{_SEP}', 1) AS cname, split_part(raw, '{_SEP}', 2) AS iname
                    FROM read_parquet($long) WHERE year IS NULL AND unnamed IS NULL
                ),
                cells AS (SELECT rn, count(*) AS value_cells FROM read_parquet($long)
                          WHERE year IS NOT NULL GROUP BY rn),
                lines AS (
                    SELECT m.*, coalesce(c.value_cells, 0) AS value_cells, k.kind, k.why,
                           m.code = '' AND m.ind = '' AS footer,
                           row_number() OVER (PARTITION BY m.code, m.ind ORDER BY m.rn) > 1 AS dup
                    FROM marks m LEFT JOIN cells c USING (rn) LEFT JOIN _codes k ON k.code = m.code
                )
                SELECT *, NOT footer AND ind <> '' AND NOT dup AND kind = 'country' AS ok,
                       CASE WHEN footer THEN NULL
                            WHEN ind = '' THEN 'row without indicator code'
                            WHEN dup THEN 'duplicate row for ' || code || '/' || ind || ' (first occurrence kept)'
                            WHEN kind = 'aggregate' THEN 'aggregate: ' || trim(cname)
                            WHEN kind <> 'country' THEN 'unknown country code ''' || code || ''' (' || trim(cname)
                                                        || '): ' || why
                       END AS reason
                FROM lines ORDER BY rn
            ) TO $rows (FORMAT parquet)""", {"long": str(long), "rows": str(rows)})
    finally:
        con.unregister("_codes")


def _meta(con, staged: Staged, years: dict[str, int]) -> dict:
    p = staged.params
    rows = con.execute("""
        SELECT count(*) FILTER (WHERE NOT footer), count(*) FILTER (WHERE footer),
               count(*) FILTER (WHERE kind = 'aggregate' AND NOT dup AND NOT footer),
               coalesce(sum(value_cells) FILTER (WHERE NOT footer), 0),
               coalesce(sum(value_cells) FILTER (WHERE NOT ok AND NOT footer), 0)
        FROM read_parquet($rows)""", {"rows": p["rows"]}).fetchone()
    bad_cells, loaded = con.execute("""
        SELECT count(*) FILTER (WHERE l.value IS NULL), count(*) FILTER (WHERE l.value IS NOT NULL)
        FROM read_parquet($long) l SEMI JOIN (SELECT rn FROM read_parquet($rows) WHERE ok) r USING (rn)
        WHERE l.year IS NOT NULL""", p).fetchone()
    codes = [r[0] for r in con.execute(
        "SELECT DISTINCT ind FROM read_parquet($rows) WHERE ok AND value_cells > 0 ORDER BY 1", {"rows": p["rows"]}
    ).fetchall()]
    return {
        "rows_in_file": int(rows[0]), "footer_rows": int(rows[1]), "aggregate_rows": int(rows[2]),
        "value_cells": int(rows[3]), "rejected_cells": int(rows[4]) + int(bad_cells), "loaded": int(loaded),
        "year_columns": len(years), "first_year": min(years.values()), "last_year": max(years.values()),
        "indicator_codes": codes,
    }


def _check_unnamed(con, long: Path, unnamed: list[str]) -> None:
    if not unnamed:
        return
    hit = con.execute("SELECT any_value(unnamed) FROM read_parquet($p) WHERE unnamed IS NOT NULL",
                      {"p": str(long)}).fetchone()[0]
    if hit is not None:
        raise ParseError(f"WDI CSV has an unnamed column (position {hit[1:]}) holding data")


def read_series_metadata(path: Path | None) -> dict[str, dict]:
    """``WDISeries.csv``: code → name, unit, definition, source, topic (empty dict when absent or unreadable)."""
    if path is None or not Path(path).is_file():
        return {}
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    try:
        cur = con.execute("SELECT * FROM read_csv($p, header = true, all_varchar = true, strict_mode = false, "
                          "encoding = $enc)", {"p": str(path), "enc": _encoding(Path(path))})
        names = [str(d[0]).strip().lstrip("\ufeff") for d in cur.description]
        records = cur.fetchall()
    except duckdb.Error:
        return {}
    finally:
        con.close()
    if "Series Code" not in names:
        return {}
    pick = {"name": "Indicator Name", "unit": "Unit of measure", "definition": "Long definition",
            "short_definition": "Short definition", "source": "Source", "topic": "Topic",
            "limitations": "Limitations and exceptions"}
    at = {k: names.index(col) for k, col in pick.items() if col in names}
    code_at = names.index("Series Code")
    out = {}
    for rec in records:
        code = (rec[code_at] or "").strip()
        if code:
            out[code] = {k: (rec[at[k]] or "").strip() if k in at else "" for k in pick}
    return out


def stage_wdi(path: Path, out_dir: Path, series_path: Path | None = None) -> Staged:
    """Stream the WDI file (or zip) at ``path`` into Parquet files in ``out_dir`` (created; must not exist)."""
    path, out_dir = Path(path), Path(out_dir)
    out_dir.mkdir(parents=True)
    work = Path(tempfile.mkdtemp(prefix="wdi-", dir=out_dir))
    staged = Staged(out_dir)
    meta: dict = {}
    try:
        with open(path, "rb") as fh:
            is_zip = fh.read(4) == b"PK\x03\x04"
        if is_zip:
            path, zipped_series, meta["zip_member"] = unzip_members(path, work)
            series_path = series_path or zipped_series
        encoding = _encoding(path)
        header_at, header, pre = _header(path, encoding)
        meta.update(pre)
        meta["preamble_lines"] = header_at
        names, years, unnamed = _plan_columns(header)
        meta["dropped_empty_columns"] = len(unnamed)
        con = _connect(work)
        try:
            import duckdb

            try:
                _stream_long(con, path, names, years, unnamed, header_at + 1, encoding, staged.long)
            except duckdb.Error as exc:
                raise ParseError(f"WDI CSV could not be read: {str(exc).splitlines()[0]}") from exc
            _check_unnamed(con, staged.long, unnamed)
            _write_rows(con, staged.long, staged.rows, _classify_codes(con, staged.long))
            meta.update(_meta(con, staged, years))
        finally:
            con.close()
        staged.series = read_series_metadata(series_path)
        meta["series_metadata"] = len(staged.series)
        staged.meta = meta
    finally:
        shutil.rmtree(work, ignore_errors=True)
    (out_dir / "series.json").write_text(json.dumps(staged.series, ensure_ascii=False), encoding="utf-8")
    (out_dir / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return staged


def load_staged(folder: Path) -> Staged:
    folder = Path(folder)
    return Staged(folder, json.loads((folder / "meta.json").read_text(encoding="utf-8")),
                  json.loads((folder / "series.json").read_text(encoding="utf-8")))


def rejected_sql() -> str:
    """Quarantine rows of a staged file: whole lines (in file order), then non-numeric cells."""
    return """
        SELECT record, reason FROM (
            SELECT 0 AS part, rn, 0 AS year, to_json({'country_name': trim(cname), 'country_code': code,
                   'indicator_code': ind, 'value_cells': value_cells})::VARCHAR AS record, reason
            FROM read_parquet($rows) WHERE NOT ok AND reason IS NOT NULL
            UNION ALL
            SELECT 1, l.rn, l.year, to_json({'country_code': l.iso3, 'indicator_code': l.indicator_code,
                   'year': l.year::VARCHAR, 'value': l.raw})::VARCHAR,
                   'non-numeric value ''' || l.raw || ''''
            FROM read_parquet($long) l SEMI JOIN (SELECT rn FROM read_parquet($rows) WHERE ok) r USING (rn)
            WHERE l.year IS NOT NULL AND l.value IS NULL
        ) ORDER BY part, rn, year"""


def parse_wdi_csv(body: bytes, indicators=None) -> ParseResult:
    """Parse a small WDI file (or zip) given as bytes into pandas frames (``indicators``: keep only these codes;
    the others are skipped, not rejected, and counted in ``meta['rows_other_indicators']``)."""
    import duckdb

    with tempfile.TemporaryDirectory(prefix="wdi-parse-") as tmp:
        src = Path(tmp) / "input"
        src.write_bytes(body)
        staged = stage_wdi(src, Path(tmp) / "staged")
        con = duckdb.connect()
        try:
            frame = con.execute(OBSERVATIONS_SQL + " ORDER BY l.rn, l.year", staged.params).df()
            rejected = con.execute(rejected_sql(), staged.params).df()
            lines = con.execute("SELECT ind FROM read_parquet($rows) WHERE NOT footer", {"rows": str(staged.rows)}).df()
        finally:
            con.close()
    meta = dict(staged.meta)
    if indicators is not None:
        wanted = set(indicators)
        meta["rows_other_indicators"] = int((~lines["ind"].isin(wanted)).sum())
        frame = frame[frame["indicator_code"].isin(wanted)].reset_index(drop=True)
    frame["year"] = frame["year"].astype("int64")
    return ParseResult(frame=frame[OBSERVATION_COLUMNS], rejected=rejected.reset_index(drop=True), meta=meta)


def file_names(staged: Staged) -> dict[str, str]:
    """The data file's own "Indicator Name" of each indicator code (its first accepted line's)."""
    import duckdb

    con = duckdb.connect()
    try:
        rows = con.execute("SELECT ind, arg_min(trim(iname), rn) FROM read_parquet($rows) WHERE ind <> '' "
                           "GROUP BY ind", {"rows": str(staged.rows)}).fetchall()
    finally:
        con.close()
    return {code: name or "" for code, name in rows}
