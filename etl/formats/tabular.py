"""Generic entity-year formats for files that follow no publisher's layout:

* ``datapackage`` — a Frictionless data package (``datapackage.json`` + a CSV resource) in long or wide form: a place
  column (ISO3 codes, e.g. ``Country Code``, or names), a year column and one or more numeric value columns, found
  from the package's field types and names (or named with ``--entity``/``--year``/``--value``). Provenance from the
  package (``sources``, ``licenses``, ``version``/``last_updated``). E.g. the World Bank population package of
  datasets/population.
* ``csv`` — any CSV with the entity, year and value columns named on the command line (``--entity name --year year
  --value "ODA (left-axis)"``) and the provenance given too (``--publisher``, ``--url``, ``--licence``, ``--vintage``):
  nothing is assumed about a file that says nothing about itself. E.g. the ONE Campaign's ``oda_gni_ts.csv``.

Places are resolved as ISO3 codes when every place cell looks like one, else as names; aggregates and unknown
names are rejected with the reason (never dropped silently). The data set key for the catalogue is
``datapackage:<package name>`` / ``csv:<file stem>``, so a new vintage of the same file maps the same way.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath

from etl.formats import Detected, Format, ImportError_, Parsed, check_json_object, register, slugify
from etl.mapping import ColumnInfo
from etl.rawzone import utc_now

PLACE_CODE_NAMES = ("country code", "country_code", "iso3", "iso3_code", "iso", "code", "countryiso3code")
PLACE_NAME_NAMES = ("country name", "country", "entity", "name", "country_name", "location")
YEAR_NAMES = ("year", "date", "time", "period")
NUMERIC = {"number", "integer"}


def _lower(names) -> dict[str, str]:
    return {str(n).strip().lower(): n for n in names}


def _pick(fields: list[dict], options: dict) -> tuple[str, str, list[str]]:
    """(place column, year column, value columns) from the options, else from the package's field names/types."""
    names = [f.get("name") for f in fields if isinstance(f, dict) and f.get("name")]
    low = _lower(names)
    place = options.get("entity") or next((low[n] for n in PLACE_CODE_NAMES if n in low), None) \
        or next((low[n] for n in PLACE_NAME_NAMES if n in low), None)
    year = options.get("year") or next((f["name"] for f in fields if str(f.get("type", "")).lower() == "year"), None) \
        or next((low[n] for n in YEAR_NAMES if n in low), None)
    values = options.get("values") or [f["name"] for f in fields if str(f.get("type", "")).lower() in NUMERIC
                                       and f["name"] not in (place, year)]
    return place, year, list(values)


def _check_columns(header: list[str], place: str | None, year: str | None, values: list[str], what: str) -> None:
    missing = [c for c in (place, year, *values) if c is not None and c not in header]
    if place is None or year is None or not values:
        need = [w for w, c in (("a place column", place), ("a year column", year), ("value columns", values)) if not c]
        raise ImportError_(f"{what}: cannot tell {', '.join(need)} (the header has {len(header)} columns); "
                           f"name them with "
                           f"--entity, --year and --value")
    if missing:
        raise ImportError_(f"{what}: column(s) {missing} not in the header ({len(header)} columns)")


def _parse_table(body: bytes, place: str, year: str, values: list[str], slug: str, what: str):
    """Entity-year rows → observations with the source's own key per value column."""
    from etl.countries import resolve_codes, resolve_names
    from etl.parsers.wide import build_long, check_header, column_slug, read_csv, unique_codes

    df = read_csv(body, what)
    check_header(df, [place, year, *values], what)
    cells = df[place].str.strip()
    filled = cells[cells.ne("")]
    by_code = len(filled) > 0 and filled.str.fullmatch(r"[A-Z]{3}|[A-Z0-9]{2}").all()
    places = resolve_codes(cells) if by_code else resolve_names(df[place])
    keys = unique_codes([column_slug(v) for v in values])
    codes = {v: f"IMPORT.{slug}.{k}" for v, k in zip(values, keys)}
    names = _lower(df.columns)
    label = next((names[n] for n in PLACE_NAME_NAMES if n in names and names[n] != place), place) if by_code else place
    result = build_long(df, places=places, value_columns=values, codes=codes, flags={}, skipped={}, entity_col=label,
                        year_col=year, code_col=place if by_code else None)
    result.meta["places_by"] = "ISO3 codes" if by_code else "names"
    return result, codes


class DataPackage(Format):
    name = "datapackage"
    summary = "Frictionless data package (datapackage.json + CSV: place, year, value columns)"
    priority = 40

    def claims(self, path: Path, header: list[str]) -> bool:
        package = path / "datapackage.json" if path.is_dir() else path
        return package.name == "datapackage.json" and package.is_file()

    def _package(self, path: Path) -> Path:
        package = path / "datapackage.json" if path.is_dir() else path
        if package.name != "datapackage.json" or not package.is_file():
            raise ImportError_(f"{path}: expected a folder with datapackage.json, or the datapackage.json itself")
        return package

    def describe(self, path: Path, options: dict) -> Detected:
        package = self._package(path)
        doc = check_json_object(package)
        resources = [r for r in doc.get("resources") or [] if isinstance(r, dict) and isinstance(r.get("path"), str)
                     and r["path"].lower().endswith(".csv")]
        if not resources:
            raise ImportError_(f"{package}: no CSV resource (resources[].path ending in .csv)")
        resource = resources[0]
        rel = PurePosixPath(resource["path"])
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            raise ImportError_(f"{package}: resource path {resource['path']!r} points outside the package folder")
        data = package.parent.joinpath(*rel.parts)
        if data.is_symlink() or not data.is_file():
            raise ImportError_(f"{package}: resource {resource['path']!r} is not a regular file in the package folder")
        fields = ((resource.get("schema") or {}).get("fields")) or []
        place, year, values = _pick(fields, options)
        from etl.formats import header_of

        _check_columns(header_of(data), place, year, values, data.name)
        name = slugify(str(doc.get("name") or package.parent.name))
        opts = {**options, "entity": place, "year": year, "values": values, "package": name}
        return Detected(self.name, f"datapackage-{name}", {"data.csv": data, "datapackage.json": package}, name, opts)

    def origin(self, det: Detected) -> dict:
        doc = json.loads(det.files["datapackage.json"].read_text(encoding="utf-8"))
        src = next((s for s in doc.get("sources") or [] if isinstance(s, dict)), {})
        lic = next((x for x in doc.get("licenses") or [] if isinstance(x, dict)), {})
        url = str(src.get("path") or src.get("url") or doc.get("homepage") or "")
        if not url.startswith(("http://", "https://")):
            url = "https://datahub.io/"
        vintage = str(doc.get("last_updated") or doc.get("version") or "")
        publisher = str(src.get("title") or src.get("name") or "publisher not stated in the package")
        licence = " / ".join(x for x in (str(lic.get("name") or ""), str(lic.get("title") or "")) if x) or "not stated in the package"
        return {"retrieved_at": utc_now(), "publisher": publisher, "title": str(doc.get("title") or det.slug), "url": url,
                "licence": f"{licence} (package); data under {publisher}'s terms",
                "citation": f"{publisher}. {doc.get('title') or det.slug}. Frictionless data package '{doc.get('name') or det.slug}'"
                            + (f", version {doc.get('version')}" if doc.get("version") else "") + ".",
                "vintage": vintage, "notes": str(doc.get("description") or "")[:1000]}

    def parse(self, files: dict, options: dict, ctx) -> Parsed:
        slug = options.get("package") or "package"
        doc = json.loads(files["datapackage.json"].path.read_text(encoding="utf-8"))
        result, codes = _parse_table(files["data.csv"].path.read_bytes(), options["entity"], options["year"],
                                     options["values"], slug, f"data package {slug!r}")
        fields = {}
        for res in doc.get("resources") or []:
            for f in ((res or {}).get("schema") or {}).get("fields") or []:
                if isinstance(f, dict) and f.get("name"):
                    fields[f["name"]] = f
        columns = {code: ColumnInfo(column=col, name=str(fields.get(col, {}).get("title") or ""),
                                    unit=str(fields.get(col, {}).get("unit") or ""),
                                    description=str(fields.get(col, {}).get("description") or doc.get("description") or ""))
                   for col, code in codes.items()}
        return Parsed("observation", result, f"datapackage:{slug}", str(doc.get("title") or slug), columns, "data.csv")


class EntityYearCsv(Format):
    name = "csv"
    summary = "any entity-year CSV: --entity, --year, --value and the provenance (--publisher, --url, …) named"
    priority = 90
    sniffable = False

    def describe(self, path: Path, options: dict) -> Detected:
        if path.is_dir():
            raise ImportError_(f"{path} is a folder; pass the CSV file itself")
        from etl.formats import header_of

        place, year, values = options.get("entity"), options.get("year"), list(options.get("values") or [])
        _check_columns(header_of(path), place, year, values, path.name)
        missing = [f"--{k}" for k in ("publisher", "url") if not options.get(k)]
        if missing:
            raise ImportError_(f"{path.name}: a plain CSV says nothing about where it comes from; give {' and '.join(missing)} "
                               f"(and --licence, --vintage if known)")
        if not re.match(r"^https?://", str(options["url"])):
            raise ImportError_(f"--url must be an http(s) address, got {options['url']!r}")
        stem = slugify(path.stem)
        return Detected(self.name, f"csv-{stem}", {path.name: path}, stem, {**options, "values": values, "stem": stem})

    def origin(self, det: Detected) -> dict:
        o = det.options
        return {"retrieved_at": utc_now(), "publisher": str(o["publisher"]), "title": str(o.get("title") or det.slug),
                "url": str(o["url"]), "licence": str(o.get("licence") or "not stated (given on import)"),
                "citation": f"{o['publisher']}. {o.get('title') or det.slug}. {o['url']}.",
                "vintage": str(o.get("vintage") or ""), "notes": "provenance given on the command line at import"}

    def parse(self, files: dict, options: dict, ctx) -> Parsed:
        main = next(iter(files))
        stem = options.get("stem") or "file"
        result, codes = _parse_table(files[main].path.read_bytes(), options["entity"], options["year"], options["values"],
                                     stem, f"CSV {main!r}")
        columns = {code: ColumnInfo(column=col) for col, code in codes.items()}
        return Parsed("observation", result, f"csv:{stem}", str(options.get("title") or stem), columns, main)


register(DataPackage())
register(EntityYearCsv())
