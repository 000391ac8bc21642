"""Malformed import files, all SYNTHETIC (generated here; names, numbers and projects are made up), and the check
that ``hsdash import`` handles each: a clear error, or the bad rows quarantined with their reasons, never a
traceback, the file itself never changed (and, once accepted, kept in the raw zone byte for byte)."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable

from click.testing import CliRunner

from etl import config
from etl.cli import main
from etl.rawzone import list_raw_files, sealed_snapshots

from . import synth
from .checks import Invalid, published_state, query, validate_published

ERROR, QUARANTINE = "clear error", "rows quarantined"


@dataclass
class Case:
    name: str
    fmt: str | None  # --format given, or None (detected)
    build: Callable[[Path], Path]  # writes the file(s) into a folder, returns what to import
    expect: str  # ERROR | QUARANTINE
    words: tuple[str, ...]  # the output must contain these (lower case)
    loaded: int | None = None  # QUARANTINE: rows that must still load


def _file(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path
    return build


# ---- Trust Fund register (tfhs) -------------------------------------------------------------------------------
def _reg(edit=None, columns=None, n: int = 900) -> bytes:
    rows = synth.register_rows(n)
    if edit:
        edit(rows)
    return synth.to_csv(rows, columns)


def _set(i: int, **values):
    def edit(rows):
        rows[i].update(values)
    return edit


def _dup(rows):
    rows[3]["project_id"] = rows[1]["project_id"]


def _latin1_title() -> bytes:
    rows = synth.register_rows(901)
    rows[0]["title"] = "Sécurité humaine — projet synthétique"
    return synth.to_csv(rows).decode("utf-8").replace("—", "-").encode("latin-1")


def _huge_line() -> bytes:
    head = ",".join(synth.COLUMNS) + "\r\n"
    row = synth.register_rows(902)[0]
    row["title"] = "x" * (24 << 20)  # one 24 MB line
    return (head + ",".join(row[c] for c in synth.COLUMNS)).encode()


TFHS = [
    Case("tfhs: wrong encoding (latin-1)", "tfhs", _file("register.csv", _latin1_title()), ERROR, ("utf-8",)),
    Case("tfhs: wrong encoding (UTF-16)", "tfhs", _file("register.csv", _reg().decode().encode("utf-16")), ERROR, ("utf-8",)),
    Case("tfhs: missing column", "tfhs", _file("register.csv", _reg(columns=[c for c in synth.COLUMNS if c != "budget_usd"])),
         ERROR, ("lacks column", "budget_usd")),
    Case("tfhs: renamed column", "tfhs", _file("register.csv", _reg().replace(b"project_id", b"id", 1)), ERROR, ("lacks column", "project_id")),
    Case("tfhs: semicolon-separated", "tfhs", _file("register.csv", _reg().replace(b",", b";")), ERROR, ("lacks column",)),
    Case("tfhs: duplicate project ids", "tfhs", _file("register.csv", _reg(_dup)), QUARANTINE, ("duplicate project_id",), 5),
    Case("tfhs: non-numeric budget", "tfhs", _file("register.csv", _reg(_set(2, budget_usd="1,250,000"))), QUARANTINE,
         ("non-numeric budget_usd",), 5),
    Case("tfhs: negative budget (out of range)", "tfhs", _file("register.csv", _reg(_set(2, budget_usd="-5000"))), QUARANTINE,
         ("negative budget_usd",), 5),
    Case("tfhs: end before start", "tfhs", _file("register.csv", _reg(_set(1, start_date="2010-05-01", end_date="2004"))),
         QUARANTINE, ("end_date 2004 before start_date",), 5),
    Case("tfhs: impossible date", "tfhs", _file("register.csv", _reg(_set(4, start_date="2006-13-45"))), QUARANTINE,
         ("bad start_date",), 5),
    Case("tfhs: unknown countries", "tfhs", _file("register.csv", _reg(_set(0, countries="KHM;ATL;ZZ9"))), QUARANTINE,
         ("bad iso3",), 5),
    Case("tfhs: unknown category", "tfhs", _file("register.csv", _reg(_set(5, category="space"))), QUARANTINE,
         ("unknown category",), 5),
    Case("tfhs: required field empty, bad URL", "tfhs", _file("register.csv", _reg(_set(0, title="", source_url="ftp://x"))),
         QUARANTINE, ("missing required", "not an http(s) url"), 5),
    Case("tfhs: empty file", "tfhs", _file("register.csv", b""), ERROR, ("is empty",)),
    Case("tfhs: header only", "tfhs", _file("register.csv", synth.to_csv([])), ERROR, ("no data rows",)),
    Case("tfhs: huge single line (24 MB)", "tfhs", _file("register.csv", _huge_line()), ERROR, ("not a readable csv", "field limit")),
    Case("tfhs: binary garbage", "tfhs", _file("register.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8),
         ERROR, ("utf-8",)),
]


# ---- Our World in Data ----------------------------------------------------------------------------------------
def _owid_csv(rows: list[tuple], header: str = "Entity,Year,Synthetic share of something") -> bytes:
    return (header + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n").encode()


GOOD_OWID = [("Cambodia", 2000, 10.5), ("Cambodia", 2001, 11.0), ("Viet Nam", 2000, 20.25), ("Thailand", 2001, 30.0)]
PACKAGE = json.dumps({"title": "Synthetic dataset (reliability test)",
                      "sources": [{"name": "Synthetic", "link": "https://example.org/synthetic", "retrievedDate": "2026-11-01"}],
                      "resources": [{"schema": {"fields": [{"name": "Synthetic share of something"}]}}]}).encode()


def _owid(rows, header: str | None = None, package: bytes | None = PACKAGE, encoding: str = "utf-8") -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        ds = folder / "synthetic-reliability-dataset"
        ds.mkdir()
        data = _owid_csv(rows, header) if header else _owid_csv(rows)
        (ds / "data.csv").write_bytes(data.decode().encode(encoding))
        if package is not None:
            (ds / "datapackage.json").write_bytes(package)
        return ds
    return build


def _owid_huge(folder: Path) -> Path:
    ds = _owid(GOOD_OWID)(folder)
    with open(ds / "data.csv", "ab") as fh:
        fh.write(b"Cambodia,2002," + b"9" * (24 << 20) + b"\n")
    return ds


OWID = [
    Case("owid: no datapackage.json", None, _owid(GOOD_OWID, package=None), ERROR, ("datapackage.json",)),
    Case("owid: datapackage.json not JSON", None, _owid(GOOD_OWID, package=b'{"title": "Synth'), ERROR, ("datapackage.json", "json")),
    Case("owid: wrong encoding (cp1252)", None, _owid(GOOD_OWID + [("Côte d'Ivoire", 2000, 1.0)], encoding="cp1252"), ERROR, ("utf-8",)),
    Case("owid: unknown countries", None, _owid(GOOD_OWID + [("Atlantis", 2000, 5.0), ("Narnia", 2001, 6.0)]), QUARANTINE,
         ("unknown entity: atlantis", "unknown entity: narnia"), 4),
    Case("owid: non-numeric values", None, _owid(GOOD_OWID + [("Lao PDR", 2000, "n/a"), ("Lao PDR", 2001, "12;5")]), QUARANTINE,
         ("non-numeric value",), 4),
    Case("owid: duplicate keys", None, _owid(GOOD_OWID + [("Cambodia", 2000, 99.0)]), QUARANTINE, ("duplicate",), 4),
    Case("owid: bad and out-of-range years", None, _owid(GOOD_OWID + [("Viet Nam", "20O1", 1.0), ("Viet Nam", 2999, 2.0),
                                                                     ("Viet Nam", 1500, 3.0)]), QUARANTINE, ("bad year", "year"), 4),
    Case("owid: infinite value (out of range)", None, _owid(GOOD_OWID + [("Japan", 2000, "1e999")]), QUARANTINE, ("finite",), 4),
    Case("owid: missing Year column", "owid", _owid([("Cambodia", 1.0)], header="Entity,Synthetic share"), ERROR, ("year",)),
    Case("owid: renamed Entity column", "owid", _owid(GOOD_OWID, header="Country,Year,Synthetic share of something"), ERROR, ("entity",)),
    Case("owid: huge single line (24 MB)", None, _owid_huge, QUARANTINE, ("non-numeric value",), 4),
]


# ---- WDI bulk -------------------------------------------------------------------------------------------------
def _wdi_csv(rows: list[tuple], header=("Country Name", "Country Code", "Indicator Name", "Indicator Code", "2000", "2001")) -> bytes:
    lines = [",".join(f'"{h}"' for h in header) + ","]
    lines += [",".join(f'"{c}"' for c in r) + "," for r in rows]
    return ("\n".join(lines) + "\n").encode()


GOOD_WDI = [("Cambodia", "KHM", "Population, total", "SP.POP.TOTL", "100", "110"),
            ("Viet Nam", "VNM", "Population, total", "SP.POP.TOTL", "200", "210")]


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


WDI = [
    Case("wdi-bulk: a zip that is not WDI", None, _file("WDI_CSV.zip", _zip({"README.txt": b"synthetic", "photo.jpg": b"\xff\xd8\xff"})),
         ERROR, ("no data file",)),
    Case("wdi-bulk: corrupt zip", None, _file("WDI_CSV.zip", b"PK\x03\x04" + b"\x00" * 64), ERROR, ("corrupt",)),
    Case("wdi-bulk: unknown country codes", None, _file("WDICSV.csv", _wdi_csv(GOOD_WDI + [("Atlantis", "ATL", "Population, total", "SP.POP.TOTL", "5", "6")])),
         QUARANTINE, ("unknown country code 'atl'",), 4),
    Case("wdi-bulk: non-numeric values", None, _file("WDICSV.csv", _wdi_csv(GOOD_WDI + [("Japan", "JPN", "Population, total", "SP.POP.TOTL", "abc", "..")])),
         QUARANTINE, ("non-numeric value 'abc'",), 4),
    Case("wdi-bulk: duplicate rows", None, _file("WDICSV.csv", _wdi_csv(GOOD_WDI + [GOOD_WDI[0][:4] + ("1", "2")])),
         QUARANTINE, ("duplicate row for khm/sp.pop.totl",), 4),
    Case("wdi-bulk: missing Indicator Code column", "wdi-bulk", _file("WDICSV.csv", _wdi_csv([r[:3] + r[4:] for r in GOOD_WDI],
         header=("Country Name", "Country Code", "Indicator Name", "2000", "2001"))), ERROR, ("identifier columns",)),
    Case("wdi-bulk: no year columns", "wdi-bulk", _file("WDICSV.csv", _wdi_csv([r[:4] for r in GOOD_WDI],
         header=("Country Name", "Country Code", "Indicator Name", "Indicator Code"))), ERROR, ("no year columns",)),
]


# ---- HDR --------------------------------------------------------------------------------------------------------
def _hdr(rows: list[str], header: str = "iso3,country,hdicode,region,hdi_2000,hdi_2001") -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode("latin-1")


GOOD_HDR = ["KHM,Cambodia,Medium,EAP,0.45,0.46", "VNM,Viet Nam,High,EAP,0.60,0.61"]
HDR = [
    Case("hdr: duplicate countries", None, _file("hdr.csv", _hdr(GOOD_HDR + ["KHM,Cambodia again,Medium,EAP,0.9,0.9"])), QUARANTINE,
         ("duplicate iso3",), 4),
    Case("hdr: unknown country", None, _file("hdr.csv", _hdr(GOOD_HDR + ["ATL,Atlantis,High,EAP,0.7,0.7"])), QUARANTINE,
         ("not a country: 'atl'",), 4),
    Case("hdr: non-numeric cells", None, _file("hdr.csv", _hdr(GOOD_HDR + ["THA,Thailand,High,EAP,high,0.7"])), QUARANTINE,
         ("non-numeric value 'high'",), 5),
    Case("hdr: renamed iso3 column", "hdr", _file("hdr.csv", _hdr(GOOD_HDR, header="ISO code,country,hdicode,region,hdi_2000,hdi_2001")),
         ERROR, ("lacks column", "iso3")),
]


# ---- anything else ------------------------------------------------------------------------------------------------
def _two_csvs(folder: Path) -> Path:
    d = folder / "download"
    d.mkdir()
    (d / "a.csv").write_bytes(b"x,y\n1,2\n")
    (d / "b.csv").write_bytes(b"x,y\n3,4\n")
    return d


OTHER = [
    Case("unknown format (PDF bytes)", None, _file("report.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n"),
         ERROR, ("cannot tell the format",)),
    Case("folder without data.csv", None, _two_csvs, ERROR, ("without data.csv",)),
]

CASES = TFHS + OWID + WDI + HDR + OTHER


def _sha(path: Path) -> dict[str, str]:
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@dataclass
class Outcome:
    ok: bool
    detail: str


def run_case(base: config.Paths, workdir: Path, case: Case) -> Outcome:
    """Import ``case``'s file into a copy of ``base`` and check the outcome (see the module docstring)."""
    data = workdir / "data"
    shutil.copytree(base.data, data, symlinks=True)
    paths = config.paths(data)
    inputs = workdir / "in"
    inputs.mkdir()
    target = case.build(inputs)
    before = _sha(target)
    published_before = published_state(paths)
    args = ["--data-dir", str(data), "import", str(target)] + (["--format", case.fmt] if case.fmt else [])
    out = CliRunner().invoke(main, args)
    text = out.output
    low = text.lower()
    problems = []
    if out.exception is not None and not isinstance(out.exception, SystemExit):
        problems.append(f"uncaught {type(out.exception).__name__}: {str(out.exception)[:200]}")
    if "traceback" in low:
        problems.append("traceback in the output")
    if _sha(target) != before:
        problems.append("the imported file was changed or removed")
    missing = [w for w in case.words if w not in low]
    if missing:
        problems.append(f"output lacks {missing}")
    try:
        validate_published(paths)
    except Invalid as exc:
        problems.append(f"published warehouse invalid: {exc}")
    stored = [r for src in paths.raw.iterdir() if src.is_dir() for snap in sealed_snapshots(src) for r in list_raw_files(snap)]
    kept_in_raw = any(r.origin.sha256 in before.values() for r in stored)
    if "stored " in text and not kept_in_raw:
        problems.append("the file was stored but is not in the raw zone byte for byte")
    if case.expect == ERROR:
        if out.exit_code == 0:
            problems.append("exit 0 for a file that cannot be imported")
        if "published warehouse-" in text and "status: failed" not in low:
            problems.append("something was published from it")
    else:
        if out.exit_code != 0:
            problems.append(f"exit {out.exit_code}, expected 0")
        if "quarantine reasons" not in low:
            problems.append("no quarantine reasons listed")
        if not problems:
            sid = next(line.split("(source ", 1)[1].split(",")[0] for line in text.splitlines() if line.startswith("stored "))
            reasons = [r[0].lower() for r in query(paths, "SELECT reason FROM quarantine WHERE source_id = ?", [sid])]
            longest = query(paths, "SELECT max(length(record) + length(reason)) FROM quarantine")[0][0] or 0
            if not reasons or not all(r.strip() for r in reasons):
                problems.append("quarantine rows without reasons")
            elif longest > 10_000:
                problems.append(f"a quarantine row of {longest:,} characters (an input cell copied whole)")
            elif missing_q := [w for w in case.words if not any(w in r for r in reasons)]:
                problems.append(f"quarantine reasons lack {missing_q}")
            n = query(paths, "SELECT count(*) FROM (SELECT source_id FROM observation WHERE source_id = ? "
                             "UNION ALL SELECT source_id FROM tfhs_project WHERE source_id = ?)", [sid, sid])[0][0]
            if case.loaded is not None and n != case.loaded:
                problems.append(f"{n} rows loaded, expected {case.loaded}")
    if case.expect == ERROR and published_state(paths) != published_before and "status: failed" not in low:
        problems.append("published warehouse changed")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    key = next((ln for ln in lines if any(w in ln.lower() for w in case.words)), lines[-1] if lines else "").strip()
    key = key.removeprefix("status: failed — ").removeprefix("load failed (SourceError): ")
    if case.expect == QUARANTINE:
        key = "quarantined: " + key.split(None, 1)[-1]  # the count column of the report's reason list
    where = "stored in raw zone" if kept_in_raw else "not stored, file untouched"
    detail = f"exit {out.exit_code}, {where}; {key[:160]}"
    shutil.rmtree(workdir, ignore_errors=True)
    return Outcome(not problems, detail if not problems else "; ".join(problems) + f" | {detail}")
