"""UNDP format: ``hdr``, the Human Development Report composite indices complete time series CSV (``iso3,country,
hdicode,region,<stem>_<year>…``). An imported file becomes a new snapshot of the live ``hdr`` source; parsing is
:mod:`etl.parsers.hdr`."""

from __future__ import annotations

from pathlib import Path

from etl.formats import Detected, Format, ImportError_, Parsed, register
from etl.mapping import ColumnInfo
from etl.rawzone import utc_now


class Hdr(Format):
    name = "hdr"
    summary = "UNDP HDR composite indices time series CSV"
    priority = 30

    def claims(self, path: Path, header: list[str]) -> bool:
        return path.is_file() and header[:2] == ["iso3", "country"]

    def describe(self, path: Path, options: dict) -> Detected:
        if path.is_dir():
            raise ImportError_(f"{path} is a folder; pass the HDR CSV file itself")
        return Detected(self.name, "hdr", {path.name: path}, "", options)

    def origin(self, det: Detected) -> dict:
        return {"retrieved_at": utc_now(), "notes": "",
                "publisher": "United Nations Development Programme (UNDP), Human Development Report Office",
                "title": "Human Development Composite Indices, complete time series",
                "url": "https://hdr.undp.org/data-center/documentation-and-downloads", "licence": "CC BY 3.0 IGO",
                "citation": "UNDP Human Development Report Office, composite indices time series (imported file).",
                "vintage": _edition(det.files[next(iter(det.files))].name)}

    def parse(self, files: dict, options: dict, ctx) -> Parsed:
        from etl.parsers.hdr import parse_composite_csv

        main = next(iter(files))
        result = parse_composite_csv(files[main].path.read_bytes())
        codes = result.frame["indicator_code"].unique().tolist() if len(result.frame) else []
        return Parsed("observation", result, "hdr", "UNDP Human Development Report composite indices",
                      {c: ColumnInfo(column=c) for c in codes}, main)


def _edition(filename: str) -> str:
    """``HDR23-24_Composite_…csv`` → ``2023-24`` (the edition the file name states), else ''."""
    import re

    m = re.match(r"^HDR(\d{2})-?(\d{2})?_", filename)
    if not m:
        return ""
    return f"20{m.group(1)}-{m.group(2)}" if m.group(2) else f"20{m.group(1)}"


register(Hdr())
