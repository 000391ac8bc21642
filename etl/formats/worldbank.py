"""World Bank formats: ``wdi-bulk`` (``WDI_CSV.zip``, ``WDICSV.csv``/``WDIData.csv``, a per-indicator ``API_…csv`` or a
DataBank export). Every series of the file is loaded: a WDI code the catalogue lists keeps its curated metadata
(identity mapping), every other one is described from the series metadata (``WDISeries.csv`` in the zip, or beside
the CSV) or, failing that, from the data file's own "Indicator Name". Parsing is :mod:`etl.parsers.wdi_bulk`,
through the staging cache (:mod:`etl.staging`): a snapshot is parsed once and reused while unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path

from etl.formats import Detected, Format, ImportError_, Parsed, register
from etl.mapping import ColumnInfo
from etl.rawzone import utc_now

SERIES_FILE = "WDISeries.csv"
_UNIT_IN_NAME = re.compile(r"\(([^()]*)\)\s*$")  # "… (% of population)": WDI names end with their unit


class WdiBulk(Format):
    name = "wdi-bulk"
    summary = "World Bank WDI bulk download (WDI_CSV.zip, WDICSV.csv or API_…csv)"
    priority = 30

    def claims(self, path: Path, header: list[str]) -> bool:
        return path.is_file() and (header == ["<zip>"] or (bool(header) and header[0] == "Country Name"))

    def describe(self, path: Path, options: dict) -> Detected:
        if path.is_dir():
            raise ImportError_(f"{path} is a folder; pass the WDI zip or CSV file itself")
        files = {path.name: path}
        beside = path.with_name(SERIES_FILE)
        if path.name != SERIES_FILE and beside.is_file() and not path.name.lower().endswith(".zip"):
            files[SERIES_FILE] = beside  # the series metadata travels with a bare WDICSV.csv
        return Detected(self.name, "wdi-bulk", files, "", options)

    def origin(self, det: Detected) -> dict:
        return {"retrieved_at": utc_now(), "notes": "", "publisher": "World Bank",
                "title": "World Development Indicators (bulk download)",
                "url": "https://databank.worldbank.org/data/download/WDI_CSV.zip", "licence": "CC BY 4.0",
                "citation": "World Bank, World Development Indicators (bulk CSV)."}

    def parse(self, files: dict, options: dict, ctx) -> Parsed:
        from etl import staging
        import pandas as pd

        from etl.parsers import OBSERVATION_COLUMNS, ParseResult, StagedRows, wdi_bulk

        main = next(n for n in files if n != SERIES_FILE) if len(files) > 1 else next(iter(files))
        series = files.get(SERIES_FILE) if main != SERIES_FILE else None
        raws = [files[main]] + ([series] if series is not None else [])
        folder, hit = staging.staged(
            ctx.paths, files[main].origin.source_id, raws, wdi_bulk.PARSER_VERSION,
            lambda out: wdi_bulk.stage_wdi(files[main].path, out, series.path if series is not None else None))
        st = wdi_bulk.load_staged(folder)
        what = "staged parse reused" if hit else "parsed and staged"
        ctx.log(f"{files[main].origin.source_id}: {what} ({folder.name})")
        names = wdi_bulk.file_names(st)
        keys = list(st.meta.get("indicator_codes") or [])
        rows = StagedRows(wdi_bulk.OBSERVATIONS_SQL, wdi_bulk.rejected_sql(), st.params, keys)
        meta = {**st.meta, "staging": "reused" if hit else "parsed", "indicator_codes": len(keys)}
        result = ParseResult(pd.DataFrame(columns=OBSERVATION_COLUMNS), meta=meta, staged=rows)
        columns = {c: column_info(c, st.series.get(c), names.get(c, "")) for c in keys}
        return Parsed("observation", result, "wdi-bulk", "World Development Indicators (bulk download)", columns, main)


def column_info(code: str, meta: dict | None, file_name: str) -> ColumnInfo:
    """What the series metadata (else the data file's "Indicator Name") says about one WDI series."""
    meta = meta or {}
    name = (meta.get("name") or file_name or "").strip()
    unit = (meta.get("unit") or "").strip()
    if not unit and name:
        found = _UNIT_IN_NAME.search(name)
        unit = found.group(1).strip() if found else ""
    definition = (meta.get("definition") or meta.get("short_definition") or "").strip()
    source = (meta.get("source") or "").strip()
    if definition and source:
        definition = f"{definition} Source: {source}"
    caveats = (meta.get("limitations") or "").strip()
    return ColumnInfo(column=code, name=name, unit=unit, description=definition, caveats=caveats)


register(WdiBulk())
