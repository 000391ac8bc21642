"""Imports of downloaded files (air-gapped offices): detect the format, copy the file(s) into the raw zone as a
sealed snapshot with origin sidecars, and define the source that loads them.

Formats: ``owid`` (owid-datasets ``Entity,Year,…`` + ``datapackage.json``), ``owid-grapher`` (``Entity,Code,Year,…``
+ ``<slug>.metadata.json``), ``wdi-bulk`` (``WDI_CSV.zip`` / ``WDICSV.csv`` / ``API_…csv``), ``hdr`` (UNDP HDR
composite indices time series) and ``tfhs`` (our Trust Fund project-register CSV, see etl/parsers/tfhs.py).
Each imported data set is its own source (``owid-<slug>``, ``owid-grapher-<slug>``, ``wdi-bulk``, ``tfhs-register``);
an HDR file becomes a new snapshot of the ``hdr`` source.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl.parsers import ParseError
from etl.rawzone import MANIFEST, list_raw_files, new_snapshot_dir, seal_snapshot, sealed_snapshots, store_bytes, utc_now
from etl.sources.base import Context, Loaded, Source, SourceError, provenance, source_row

FORMATS = ("owid", "owid-grapher", "wdi-bulk", "hdr", "tfhs")
THEME_WORDS = [  # display grouping of imported indicators that have no catalogue entry
    ("freedom_from_fear", ("conflict", "battle", "homicide", "refugee", "violence", "terror")),
    ("dignity", ("gender", "inequality", "women", "female", "girls", "parliament")),
    ("environment", ("co2", "emission", "renewable", "energy", "forest", "pollution")),
    ("freedom_from_want", ("poverty", "hunger", "undernourish", "stunt", "wasting", "mortality", "water", "sanitation",
                           "malnutrition", "life expectancy", "human development", "school", "education", "health")),
]


class ImportError_(ValueError):
    """The file cannot be imported (unknown format, missing companion file, unreadable)."""


@dataclass
class Detected:
    format: str
    source_id: str
    files: dict[str, Path]  # name in the raw zone -> original path
    slug: str = ""


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "data"


def _header(path: Path) -> list[str]:
    raw = path.read_bytes()[:65536]
    if raw[:4] == b"PK\x03\x04":
        return ["<zip>"]
    for enc in ("utf-8-sig", "latin-1"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    for line in text.splitlines()[:6]:
        cells = next(csv.reader([line]), [])
        if cells and cells[0].strip() in ("Country Name", "Entity", "iso3", "project_id"):
            return [c.strip() for c in cells]
    return next(csv.reader([text.splitlines()[0]]), []) if text else []


def detect(path: Path, fmt: str | None = None) -> Detected:
    """Work out the format and the source a file belongs to (``fmt`` overrides the guess)."""
    path = Path(path)
    if not path.exists():
        raise ImportError_(f"no such file or folder: {path}")
    if path.is_dir():
        data = path / "data.csv"
        if not data.exists():
            csvs = sorted(path.glob("*.csv"))
            if len(csvs) != 1:
                raise ImportError_(f"{path} is a folder without data.csv (expected an owid-datasets folder)")
            data = csvs[0]
        return detect(data, fmt)
    if path.stat().st_size == 0:
        raise ImportError_(f"{path} is empty")
    header = _header(path)
    guess = fmt
    if guess is None:
        if header == ["<zip>"] or (header and header[0] == "Country Name"):
            guess = "wdi-bulk"
        elif header[:3] == ["Entity", "Code", "Year"]:
            guess = "owid-grapher"
        elif header[:2] == ["Entity", "Year"]:
            guess = "owid"
        elif header[:2] == ["iso3", "country"]:
            guess = "hdr"
        elif header[:1] == ["project_id"]:
            guess = "tfhs"
        else:
            raise ImportError_(f"cannot tell the format of {path.name} from its header {header[:5]}; pass --format ({', '.join(FORMATS)})")
    if guess not in FORMATS:
        raise ImportError_(f"unknown format {guess!r}; choose from {', '.join(FORMATS)}")
    if guess == "owid":
        package = path.parent / "datapackage.json"
        if not package.exists():
            raise ImportError_(f"{path.name}: an owid-datasets CSV needs its datapackage.json beside it (provenance)")
        _check_json(package)
        slug = path.parent.name if path.name == "data.csv" else path.stem
        return Detected(guess, f"owid-{_slugify(slug)}", {"data.csv": path, "datapackage.json": package}, slug)
    if guess == "owid-grapher":
        slug = path.name.split(".")[0]
        files = {"data.csv": path}
        meta = path.with_name(slug + ".metadata.json")
        if meta.exists():
            _check_json(meta)
            files["metadata.json"] = meta
        return Detected(guess, f"owid-grapher-{_slugify(slug)}", files, slug)
    if guess == "wdi-bulk":
        return Detected(guess, "wdi-bulk", {path.name: path})
    if guess == "hdr":
        return Detected(guess, "hdr", {path.name: path})
    return Detected(guess, "tfhs-register", {path.name: path})


def _check_json(path: Path) -> None:
    """A companion metadata file must be a JSON object (its provenance is read from it before anything is stored)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise ImportError_(f"{path.name} is not valid JSON ({exc}); download the data set again") from exc
    if not isinstance(doc, dict):
        raise ImportError_(f"{path.name} is not a JSON object (found {type(doc).__name__}); download the data set again")


def _origin_for(det: Detected) -> dict:
    """Publisher/URL/licence for the imported files, from the companion metadata where the format has one."""
    base = {"retrieved_at": utc_now(), "notes": ""}
    if det.format == "owid":
        pkg = json.loads(det.files["datapackage.json"].read_text(encoding="utf-8"))
        src = (pkg.get("sources") or [{}])[0] or {}
        return {**base,
                "publisher": str(src.get("dataPublishedBy") or src.get("name") or "Our World in Data"),
                "title": str(pkg.get("title") or det.slug),
                "url": str(src.get("link") or "https://github.com/owid/owid-datasets").split(" ")[0].strip() or "https://github.com/owid/owid-datasets",
                "licence": "CC BY 4.0 (Our World in Data); underlying data under the publisher's terms",
                "citation": "; ".join(str(x) for x in (src.get("name"), src.get("dataPublishedBy"), src.get("link")) if x) or str(pkg.get("title")),
                "vintage": str(src.get("retrievedDate") or ""),
                "notes": f"owid-datasets folder {det.slug}; retrieved by OWID {src.get('retrievedDate') or 'date unknown'}"}
    if det.format == "owid-grapher":
        meta = {}
        if "metadata.json" in det.files:
            meta = json.loads(det.files["metadata.json"].read_text(encoding="utf-8"))
        chart = meta.get("chart", {})
        cols = list((meta.get("columns") or {}).values())
        return {**base,
                "publisher": "Our World in Data" + (f" — {cols[0].get('citationShort')}" if cols and cols[0].get("citationShort") else ""),
                "title": str(chart.get("title") or det.slug),
                "url": str(chart.get("originalChartUrl") or f"https://ourworldindata.org/grapher/{det.slug}"),
                "licence": "CC BY 4.0 (Our World in Data chart data)",
                "citation": str(chart.get("citation") or (cols[0].get("citationLong") if cols else "") or det.slug),
                "vintage": str(meta.get("dateDownloaded") or ""),
                "retrieved_at": str(meta.get("dateDownloaded") or base["retrieved_at"])}
    if det.format == "wdi-bulk":
        return {**base, "publisher": "World Bank", "title": "World Development Indicators (bulk download)",
                "url": "https://databank.worldbank.org/data/download/WDI_CSV.zip", "licence": "CC BY 4.0",
                "citation": "World Bank, World Development Indicators (bulk CSV)."}
    if det.format == "hdr":
        return {**base, "publisher": "United Nations Development Programme (UNDP), Human Development Report Office",
                "title": "Human Development Composite Indices, complete time series",
                "url": "https://hdr.undp.org/data-center/documentation-and-downloads", "licence": "CC BY 3.0 IGO",
                "citation": "UNDP Human Development Report Office, composite indices time series (imported file)."}
    return {**base, "publisher": "Trust Fund for Human Security project register (as imported)",
            "title": "United Nations Trust Fund for Human Security projects",
            "url": "https://www.un.org/humansecurity/", "licence": "as published by UNTFHS",
            "citation": "UN Trust Fund for Human Security, project register (imported CSV)."}


def store_import(paths, det: Detected) -> Path:
    """Copy the file(s) into a new sealed snapshot of the source; the originals are never moved or changed."""
    snap = new_snapshot_dir(paths.raw / det.source_id)
    try:
        origin = _origin_for(det)
        for name, src in det.files.items():
            store_bytes(snap / name, src.read_bytes(), source_id=det.source_id,
                        **{**origin, "notes": (origin.get("notes", "") + f" Imported from {src} at {utc_now()}.").strip()})
        seal_snapshot(snap, {"import_format": det.format, "slug": det.slug, "imported_from": str(det.files[next(iter(det.files))])})
    except BaseException:  # e.g. disk full: leave no half-copied snapshot behind
        shutil.rmtree(snap, ignore_errors=True)
        raise
    return snap


def _theme(text: str) -> str:
    low = text.lower()
    for theme, words in THEME_WORDS:
        if any(w in low for w in words):
            return theme
    return "context"


class ImportSource(Source):
    """A data set that arrived by ``hsdash import``: loads its newest sealed snapshot."""

    kind = "import"

    def __init__(self, source_id: str, fmt: str):
        self.source_id, self.format = source_id, fmt
        self.description = f"imported {fmt} file"

    def extract(self, ctx: Context) -> str:
        return "imported file; nothing to fetch"

    def transform(self, ctx: Context) -> Loaded:
        snaps = sealed_snapshots(ctx.paths.raw / self.source_id)
        if not snaps:
            raise SourceError(f"no imported snapshot for {self.source_id}")
        files = list_raw_files(snaps[-1])
        return load_files(self.source_id, self.format, files, ctx, self.kind)


def load_files(source_id: str, fmt: str, files, ctx: Context, kind: str) -> Loaded:
    """Parse imported raw files of format ``fmt`` into warehouse tables (shared by imports and the hdr source)."""
    from etl.parsers import hdr, owid, tfhs, wdi_bulk  # imported lazily: each import touches one parser

    by_name = {f.path.name: f for f in files}
    main = by_name.get("data.csv") or files[0]
    body = main.path.read_bytes()
    tables: dict[str, pd.DataFrame] = {}
    try:
        if fmt == "owid":
            result = owid.parse_dataset(body, by_name["datapackage.json"].path.read_bytes(), _slug_of(source_id, "owid-"))
        elif fmt == "owid-grapher":
            meta = by_name.get("metadata.json")
            result = owid.parse_grapher(body, meta.path.read_bytes() if meta else None, _slug_of(source_id, "owid-grapher-"))
        elif fmt == "wdi-bulk":
            from etl.sources.worldbank import catalogue_codes
            result = wdi_bulk.parse_wdi_csv(body, indicators=catalogue_codes(ctx))
        elif fmt == "hdr":
            result = hdr.parse_composite_csv(body)
        else:
            result = tfhs.parse_register(body)
    except ParseError as exc:
        raise SourceError(f"{main.path.name}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise SourceError(f"{main.path.name} is not UTF-8 text ({exc.reason} at byte {exc.start}); "
                          f"save it as UTF-8 and import it again") from exc
    except csv.Error as exc:
        raise SourceError(f"{main.path.name} is not a readable CSV: {exc}") from exc
    if result.frame.empty and not len(result.rejected):  # would replace the source's published rows with nothing
        raise SourceError(f"{main.path.name} has no data rows to load ({result.meta.get('rows_in_file', result.meta.get('reconciliation', {}).get('rows_in_file', 0))} rows in the file)")
    frame = result.frame.assign(**provenance(main))
    tables["tfhs_project" if fmt == "tfhs" else "observation"] = frame
    indicators = result.meta.get("indicators") or []
    if indicators:
        ind = pd.DataFrame(indicators)
        tables["indicator"] = pd.DataFrame({
            "indicator_code": ind["indicator_code"],
            "name": ind["name"],
            "unit": ind["unit"].where(ind["unit"].astype(str).str.len() > 0, "as published"),
            "theme": (ind["name"] + " " + ind["description"]).map(_theme),
            "higher_is_better": None,
            "description": ind["description"].where(ind["description"].astype(str).str.len() > 0, ind["name"])
                           + " (imported from Our World in Data; theme assigned by keyword)",
            "source_hint": source_id,
            "related_indicator": None,
            "defined_by": source_id,
        })
    loaded = Loaded(
        source=source_row(main, kind),
        raw_files=files,
        tables=tables,
        rejected=[("tfhs_project" if fmt == "tfhs" else "observation", result.rejected)] if len(result.rejected) else [],
        message=f"{len(frame)} rows from {main.path.name}",
    )
    loaded.report = {k: v for k, v in result.meta.items() if k != "indicators"}
    return loaded


def _slug_of(source_id: str, prefix: str) -> str:
    return source_id[len(prefix):] if source_id.startswith(prefix) else source_id


def discover(raw_dir: Path, known: set[str]) -> list[ImportSource]:
    """Import sources present in the raw zone (folders whose sealed snapshots say how they were imported)."""
    out = []
    if not raw_dir.is_dir():
        return out
    for folder in sorted(p for p in raw_dir.iterdir() if p.is_dir() and p.name not in known):
        snaps = sealed_snapshots(folder)
        if not snaps:
            continue
        manifest = json.loads((snaps[-1] / MANIFEST).read_text(encoding="utf-8"))
        fmt = manifest.get("import_format")
        if fmt in FORMATS:
            out.append(ImportSource(folder.name, fmt))
    return out
