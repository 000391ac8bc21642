"""World Bank formats: ``wdi-bulk`` (``WDI_CSV.zip``, ``WDICSV.csv``/``WDIData.csv``, a per-indicator ``API_…csv`` or a
DataBank export). Every WDI code is a catalogue code when the catalogue lists it (identity mapping); parsing is
:mod:`etl.parsers.wdi_bulk`."""

from __future__ import annotations

from pathlib import Path

from etl.formats import Detected, Format, ImportError_, Parsed, register
from etl.mapping import ColumnInfo
from etl.rawzone import utc_now


class WdiBulk(Format):
    name = "wdi-bulk"
    summary = "World Bank WDI bulk download (WDI_CSV.zip, WDICSV.csv or API_…csv)"
    priority = 30

    def claims(self, path: Path, header: list[str]) -> bool:
        return path.is_file() and (header == ["<zip>"] or (bool(header) and header[0] == "Country Name"))

    def describe(self, path: Path, options: dict) -> Detected:
        if path.is_dir():
            raise ImportError_(f"{path} is a folder; pass the WDI zip or CSV file itself")
        return Detected(self.name, "wdi-bulk", {path.name: path}, "", options)

    def origin(self, det: Detected) -> dict:
        return {"retrieved_at": utc_now(), "notes": "", "publisher": "World Bank",
                "title": "World Development Indicators (bulk download)",
                "url": "https://databank.worldbank.org/data/download/WDI_CSV.zip", "licence": "CC BY 4.0",
                "citation": "World Bank, World Development Indicators (bulk CSV)."}

    def parse(self, files: dict, options: dict, ctx) -> Parsed:
        from etl.catalogue import load
        from etl.parsers import wdi_bulk

        main = next(iter(files))
        cat = load()
        wdi_codes = sorted(cat.indicators.loc[cat.indicators["source_hint"] == "wdi", "indicator_code"])
        result = wdi_bulk.parse_wdi_csv(files[main].path.read_bytes(), indicators=wdi_codes)
        codes = result.frame["indicator_code"].unique().tolist() if len(result.frame) else []
        return Parsed("observation", result, "wdi-bulk", "World Development Indicators (bulk download)",
                      {c: ColumnInfo(column=c) for c in codes}, main)


register(WdiBulk())
