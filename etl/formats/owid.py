"""Our World in Data formats: ``owid`` (an owid-datasets folder: ``data.csv`` ``Entity,Year,…`` + ``datapackage.json``)
and ``owid-grapher`` (a chart's ``<slug>.csv`` ``Entity,Code,Year,…`` + optional ``<slug>.metadata.json``).
Provenance comes from the companion metadata; parsing is :mod:`etl.parsers.owid`."""

from __future__ import annotations

import json
from pathlib import Path

from etl.formats import Detected, Format, ImportError_, Parsed, check_json_object, header_of, register, slugify
from etl.mapping import ColumnInfo
from etl.rawzone import utc_now


def _columns(meta: dict) -> dict[str, ColumnInfo]:
    return {key: ColumnInfo(**info) for key, info in (meta.get("columns") or {}).items()}


class OwidDataset(Format):
    name = "owid"
    summary = "owid-datasets folder (data.csv Entity,Year,… + datapackage.json)"
    priority = 20

    def claims(self, path: Path, header: list[str]) -> bool:
        data = path / "data.csv" if path.is_dir() else path
        if not data.is_file():
            return False
        head = header if not path.is_dir() else header_of(data)
        return head[:2] == ["Entity", "Year"]  # describe() then insists on the datapackage.json beside it

    def describe(self, path: Path, options: dict) -> Detected:
        if path.is_dir():
            data = path / "data.csv"
            if not data.is_file():
                csvs = sorted(path.glob("*.csv"))
                if len(csvs) != 1:
                    raise ImportError_(f"{path} is a folder without data.csv (expected an owid-datasets folder)")
                data = csvs[0]
        else:
            data = path
        package = data.parent / "datapackage.json"
        if not package.is_file():
            raise ImportError_(f"{data.name}: an owid-datasets CSV needs its datapackage.json beside it (provenance)")
        check_json_object(package)
        slug = data.parent.name if data.name == "data.csv" else data.stem
        return Detected(self.name, f"owid-{slugify(slug)}", {"data.csv": data, "datapackage.json": package}, slug, options)

    def origin(self, det: Detected) -> dict:
        pkg = json.loads(det.files["datapackage.json"].read_text(encoding="utf-8"))
        src = (pkg.get("sources") or [{}])[0] or {}
        published = str(src.get("dataPublishedBy") or "").strip()
        if published.lower() in ("", "none"):
            published = str(src.get("name") or "Our World in Data")
        link = str(src.get("link") or "").split(" ")[0].strip().rstrip(";")
        if not link.startswith(("http://", "https://")):
            link = "https://github.com/owid/owid-datasets"
        retrieved = str(src.get("retrievedDate") or "")
        return {"retrieved_at": utc_now(), "publisher": published, "title": str(pkg.get("title") or det.slug), "url": link,
                "licence": "CC BY 4.0 (Our World in Data); underlying data under the publisher's terms",
                "citation": "; ".join(str(x) for x in (src.get("name"), src.get("dataPublishedBy"), src.get("link"))
                                      if x and str(x).lower() != "none") or str(pkg.get("title")),
                "vintage": "" if retrieved.lower() in ("", "none") else retrieved,
                "notes": f"owid-datasets folder {det.slug}; retrieved by OWID {retrieved or 'date unknown'}"}

    def parse(self, files: dict, options: dict, ctx) -> Parsed:
        from etl.parsers import owid

        slug = options.get("slug") or "dataset"
        result = owid.parse_dataset(files["data.csv"].path.read_bytes(), files["datapackage.json"].path.read_bytes(), slug)
        return Parsed("observation", result, f"owid:{slug}", str(result.meta.get("title") or slug),
                      _columns(result.meta), "data.csv")


class OwidGrapher(Format):
    name = "owid-grapher"
    summary = "OWID chart CSV (Entity,Code,Year,…) + optional <slug>.metadata.json"
    priority = 10

    def claims(self, path: Path, header: list[str]) -> bool:
        return path.is_file() and header[:3] == ["Entity", "Code", "Year"]

    def describe(self, path: Path, options: dict) -> Detected:
        if path.is_dir():
            raise ImportError_(f"{path} is a folder; an OWID chart is one <slug>.csv file")
        slug = path.name.split(".")[0]
        files = {"data.csv": path}
        meta = path.with_name(slug + ".metadata.json")
        if meta.is_file():
            check_json_object(meta)
            files["metadata.json"] = meta
        return Detected(self.name, f"owid-grapher-{slugify(slug)}", files, slug, options)

    def origin(self, det: Detected) -> dict:
        meta = json.loads(det.files["metadata.json"].read_text(encoding="utf-8")) if "metadata.json" in det.files else {}
        chart = meta.get("chart", {})
        cols = list((meta.get("columns") or {}).values())
        first = cols[0] if cols else {}
        return {"retrieved_at": str(meta.get("dateDownloaded") or utc_now()), "notes": "",
                "publisher": "Our World in Data" + (f" — {first.get('citationShort')}" if first.get("citationShort") else ""),
                "title": str(chart.get("title") or det.slug),
                "url": str(chart.get("originalChartUrl") or f"https://ourworldindata.org/grapher/{det.slug}"),
                "licence": "CC BY 4.0 (Our World in Data chart data)",
                "citation": str(chart.get("citation") or first.get("citationLong") or det.slug),
                "vintage": str(first.get("lastUpdated") or meta.get("dateDownloaded") or "")}

    def parse(self, files: dict, options: dict, ctx) -> Parsed:
        from etl.parsers import owid

        slug = options.get("slug") or "chart"
        meta = files.get("metadata.json")
        result = owid.parse_grapher(files["data.csv"].path.read_bytes(), meta.path.read_bytes() if meta else None, slug)
        return Parsed("observation", result, f"owid-grapher:{slug}", str(result.meta.get("title") or slug),
                      _columns(result.meta), "data.csv")


register(OwidDataset())
register(OwidGrapher())
