"""Ingest of a WDI-shaped bulk file: `hsdash import` against a DuckDB floor and a pandas peer, at 1× and 2× size.

The files are SYNTHETIC (benchmarks/wdi_synth.py: seeded values, real ISO3 codes and WDI layout; 1× = 1,498 series
× 266 economies × 64 years, ≈222 MB; 2× doubles the series). For each size, each in a fresh child process whose
peak RSS is read with resource.getrusage(RUSAGE_CHILDREN) by a wrapper that runs only that child:

* DuckDB floor  read_csv + keep country rows + UNPIVOT (non-empty cells) + write a table to a new DuckDB file
* pandas peer   pd.read_csv + keep country rows + melt + dropna (nothing written: generous to pandas)
* hsdash import the real command into a copy of a data directory holding an offline build of the bundled sources:
                store in the raw zone, parse (DuckDB → staged Parquet), map, validate, build, publish

Prints times, the ratios the issue asks for (import ÷ floor ≤ 2, pandas ÷ import ≥ 5), peak RSS of each, the
import's RSS growth from 1× to 2× (≤ 25%), how many series landed and how many are named from series metadata,
and the load average before and after (a busy machine slows everything: compare ratios, not seconds).

    nice -n 10 .venv/bin/python benchmarks/bench_ingest.py [--work /tmp/hsdash-bench-ingest] [--scales 1 2]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO))
from common import load  # noqa: E402

PY = sys.executable
HSDASH = str(Path(sys.executable).with_name("hsdash"))

FLOOR = """
import duckdb, sys
src, out, countries = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect(out)
years = [c for c in con.execute("DESCRIBE SELECT * FROM read_csv(?, header = true)", [src]).df()["column_name"]
         if c.isdigit()]
cols = ", ".join(f'"{y}"' for y in years)
con.execute(f'''CREATE TABLE obs AS
    SELECT "Country Code" AS iso3, "Indicator Code" AS indicator_code, year::INTEGER AS year, value
    FROM (UNPIVOT (SELECT * FROM read_csv($src, header = true)
                   WHERE "Country Code" IN (SELECT iso3 FROM read_csv($countries, header = true)))
          ON {cols} INTO NAME year VALUE value)''', {"src": src, "countries": countries})
print(con.execute("SELECT count(*) FROM obs").fetchone()[0])
"""

PANDAS = """
import sys
import pandas as pd
src, countries = sys.argv[1], sys.argv[2]
iso3 = set(pd.read_csv(countries, keep_default_na=False)["iso3"])
wide = pd.read_csv(src)
wide = wide[wide["Country Code"].isin(iso3)]
long = wide.melt(id_vars=["Country Name", "Country Code", "Indicator Name", "Indicator Code"], var_name="year")
long = long.dropna(subset=["value"])
print(len(long))
"""

WRAP = """
import json, resource, subprocess, sys, time
t = time.perf_counter()
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
secs = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": secs, "rss_mb": rss / 1024, "rc": proc.returncode,
                  "out": proc.stdout[-3000:], "err": proc.stderr[-3000:]}))
"""


def measured(cmd: list[str], env: dict | None = None) -> dict:
    """Run ``cmd`` as the only child of a fresh wrapper: wall time and that child's peak RSS."""
    proc = subprocess.run([PY, "-c", WRAP, *cmd], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout)


def base_data_dir(work: Path) -> Path:
    """An offline build of the bundled sources (made once, then copied for each import)."""
    base = work / "base-data"
    if not (base / "warehouse.duckdb").exists():
        shutil.rmtree(base, ignore_errors=True)
        env = {**os.environ, "HSDASH_DATA_DIR": str(base)}
        proc = subprocess.run([HSDASH, "refresh", "--offline"], capture_output=True, text=True, env=env)
        if not (base / "warehouse.duckdb").exists():
            raise RuntimeError(f"base build failed: {proc.stdout[-1500:]} {proc.stderr[-1500:]}")
    return base


def landed(data: Path) -> dict:
    import duckdb

    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    try:
        series, rows = con.execute("SELECT count(DISTINCT indicator_code), count(*) FROM observation "
                                   "WHERE source_id = 'wdi-bulk'").fetchone()
        named = con.execute("""
            SELECT count(*) FILTER (WHERE i.defined_by = 'wdi-bulk' AND i.name NOT LIKE '%: column “%'),
                   count(*) FILTER (WHERE i.defined_by <> 'wdi-bulk'),
                   count(*) FILTER (WHERE i.name NOT LIKE '%: column “%' AND i.name <> i.indicator_code)
            FROM (SELECT DISTINCT indicator_code FROM observation WHERE source_id = 'wdi-bulk') o
            JOIN indicator i USING (indicator_code)""").fetchone()
        quarantined = con.execute("SELECT count(*) FROM quarantine WHERE source_id = 'wdi-bulk'").fetchone()[0]
    finally:
        con.close()
    return {"series": series, "rows": rows, "named_from_metadata": named[0], "curated": named[1],
            "named_total": named[2], "quarantined": quarantined}


def run_scale(work: Path, scale: int, base: Path) -> dict:
    from wdi_synth import generate

    files = generate(work / "files", scale=scale)
    src = files["csv"]
    countries = str(REPO / "data" / "raw" / "reference" / "countries.csv")
    out = {"scale": scale, "bytes": src.stat().st_size}
    floor_db = work / f"floor-x{scale}.duckdb"
    floor_db.unlink(missing_ok=True)
    out["floor"] = measured([PY, "-c", FLOOR, str(src), str(floor_db), countries])
    floor_db.unlink(missing_ok=True)
    out["pandas"] = measured([PY, "-c", PANDAS, str(src), countries])
    data = work / f"data-x{scale}"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(base, data, symlinks=True)
    env = {**os.environ, "HSDASH_DATA_DIR": str(data)}
    out["import"] = measured([HSDASH, "import", str(src)], env=env)
    out["landed"] = landed(data) if out["import"]["rc"] in (0, 3) else {}
    out["data_dir"] = str(data)
    return out


def report(results: list[dict], load_before, load_after) -> None:
    print("SYNTHETIC WDI-shaped files (benchmarks/wdi_synth.py); times in seconds, peak RSS in MB")
    print(f"load average before: {load_before}   after: {load_after}   (2 cores)")
    for r in results:
        f, p, i = r["floor"], r["pandas"], r["import"]
        print(f"\n{r['scale']}× file: {r['bytes'] / 1e6:,.1f} MB")
        for label, m in (("DuckDB floor", f), ("pandas peer", p), ("hsdash import", i)):
            print(f"  {label:14s} {m['seconds']:7.2f} s   peak RSS {m['rss_mb']:7.1f} MB   exit {m['rc']}")
        print(f"  import ÷ floor  {i['seconds'] / f['seconds']:.2f}×   (must be ≤ 2)")
        print(f"  pandas ÷ import {p['seconds'] / i['seconds']:.2f}×   (must be ≥ 5)")
        print(f"  import peak RSS {i['rss_mb']:.0f} MB   (must be ≤ 1024)")
        land = r.get("landed") or {}
        print(f"  series landed {land.get('series')}  rows {land.get('rows')}  named from series metadata "
              f"{land.get('named_from_metadata')}  curated {land.get('curated')}  named in all "
              f"{land.get('named_total')}  quarantined {land.get('quarantined')}")
        if i["rc"] not in (0, 3):
            print("  import output:", i["out"][-1500:], i["err"][-1500:])
    if len(results) >= 2:
        a, b = results[0]["import"]["rss_mb"], results[1]["import"]["rss_mb"]
        growth = 100 * (b / a - 1)
        print(f"\nimport peak RSS growth {results[0]['scale']}× → {results[1]['scale']}×: {growth:+.1f}% "
              f"(must be ≤ +25%)")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", default="/tmp/hsdash-bench-ingest")
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--json", default=None, help="also write the results here")
    args = ap.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    load_before = load()
    base = base_data_dir(work)
    results = [run_scale(work, s, base) for s in args.scales]
    load_after = load()
    report(results, load_before, load_after)
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "load_before": load_before,
                                               "load_after": load_after}, indent=2))


if __name__ == "__main__":
    main()
