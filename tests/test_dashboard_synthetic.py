"""A SYNTHETIC warehouse for the dashboard tests: the offline build (real reference tables, paper, Gapminder) plus
series, aid flows, a project register and quarantined rows generated here by formula, under the source
``synthetic`` whose publisher says it is synthetic. Nothing here is real data; it only exercises the pages.

Other dashboard test modules import the ``synthetic`` fixture from here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl import config, publish, resolve, warehouse

SRC = "synthetic"
SHA = "5" * 64
AT = "2026-01-01T00:00:00Z"
ASEAN = ("BRN", "IDN", "KHM", "LAO", "MMR", "MYS", "PHL", "SGP", "THA", "VNM")
OTHERS = ("CHN", "JPN", "KOR")
# stunting at 2000 (percent) and its yearly fall; populations in millions at 2000 and yearly growth
STUNTING = {"BRN": (20, 0.3), "IDN": (42, 0.8), "KHM": (50, 1.2), "LAO": (48, 0.9), "MMR": (40, 0.8),
            "MYS": (22, 0.2), "PHL": (34, 0.4), "SGP": (4, 0.05), "THA": (18, 0.4), "VNM": (36, 0.9),
            "CHN": (17, 0.5), "JPN": (7, 0.1), "KOR": (3, 0.05)}
POPULATION = {"BRN": (0.33, 0.005), "IDN": (211, 2.5), "KHM": (12, 0.25), "LAO": (5.3, 0.1), "MMR": (46, 0.4),
              "MYS": (23, 0.4), "PHL": (78, 1.5), "SGP": (4, 0.07), "THA": (63, 0.3), "VNM": (80, 0.9),
              "CHN": (1260, 6), "JPN": (127, 0), "KOR": (47, 0.2)}
LATE_REPORTERS = ("IDN", "PHL", "VNM", "THA", "MYS")  # no stunting value before 2005: ASEAN coverage is low then
TFHS_REGIONS = {"Southeast Asia": ("poverty", "health", "health"), "Asia other than Southeast Asia": ("poverty",)}


def stunting(iso3: str, year: int) -> float:
    base, fall = STUNTING[iso3]
    return round(base - fall * (year - 2000), 3)


def population(iso3: str, year: int) -> float:
    base, growth = POPULATION[iso3]
    return (base + growth * (year - 2000)) * 1e6


def _observations() -> pd.DataFrame:
    rows = []
    for iso3 in ASEAN + OTHERS:
        for year in range(1995, 2023):
            rows.append((iso3, "SP.POP.TOTL", year, population(iso3, year)))
        for year in range(2000, 2021):
            if year >= 2005 or iso3 not in LATE_REPORTERS:
                rows.append((iso3, "SH.STA.STNT.ZS", year, stunting(iso3, year)))
    for k, iso3 in enumerate(ASEAN):  # Australia's flows only as a WDI bilateral-aid series (no oda_flow rows)
        rows += [(iso3, "DC.DAC.AUSL.CD", year, 5e6 + k * 1e5) for year in range(2005, 2021)]
    for iso3 in ASEAN:
        for year in range(2000, 2021, 2):
            rows.append((iso3, "SI.POV.DDAY", year, round(stunting(iso3, year) * 0.6, 3)))
            rows.append((iso3, "DT.ODA.ODAT.PC.ZS", year, round(60 - STUNTING[iso3][0] + 0.5 * (year - 2000), 3)))
    frame = pd.DataFrame(rows, columns=["iso3", "indicator_code", "year", "value"])
    return frame.assign(source_id=SRC, retrieved_at=AT, raw_sha256=SHA, note="SYNTHETIC", flag=None)


def _oda() -> pd.DataFrame:
    rows = [(donor, rec, year, "206", (i + 1) * 1e7 + k * 1e6 + (year - 2005) * 1e5, "constant")
            for i, donor in enumerate(("JPN", "KOR", "USA")) for k, rec in enumerate(ASEAN) for year in range(2005, 2021)]
    frame = pd.DataFrame(rows, columns=["donor", "recipient", "year", "measure", "amount_usd", "price_basis"])
    return frame.assign(source_id=SRC, retrieved_at=AT, raw_sha256=SHA)


def _tfhs() -> pd.DataFrame:
    rows, n = [], 0
    for region, categories in TFHS_REGIONS.items():
        for category in categories:
            n += 1
            rows.append({"project_id": f"SYN-{n:03d}", "title": f"Synthetic project {n} ({category})",
                         "countries": "KHM;LAO" if region == "Southeast Asia" else "MNG", "region": region,
                         "lead_agency": "SYNTHETIC agency", "category": category, "start_date": "2004-01-01",
                         "end_date": "2007-12-31", "budget_usd": 1e6 * n, "source_url": "https://example.invalid/synthetic"})
    return pd.DataFrame(rows).assign(source_id=SRC, retrieved_at=AT, raw_sha256=SHA)


def add_synthetic(con: duckdb.DuckDBPyConnection) -> None:
    """Insert the synthetic source and its rows into an open (writable) warehouse."""
    warehouse.insert(con, "source", pd.DataFrame([{
        "source_id": SRC, "publisher": "SYNTHETIC test data (tests/test_dashboard_synthetic.py) — not real",
        "title": "Synthetic series for dashboard tests", "url": "https://example.invalid/synthetic",
        "licence": "none (synthetic)", "citation": "synthetic", "kind": "bundled", "vintage": "synthetic-1"}]))
    warehouse.insert(con, "raw_file", pd.DataFrame([{
        "source_id": SRC, "path": "raw/synthetic/generated.csv", "sha256": SHA, "bytes": 0, "retrieved_at": AT,
        "url": "https://example.invalid/synthetic"}]))
    obs = _observations()
    warehouse.insert(con, "observation", obs)
    counts = obs.groupby("indicator_code").size()
    warehouse.insert(con, "series_map", pd.DataFrame({  # what a loader records: which series this source gives
        "source_id": SRC, "dataset": "synthetic", "source_column": counts.index, "indicator_code": counts.index,
        "relation": "same", "role": "publisher", "factor": 1.0, "origin": "catalogue", "rows_loaded": counts.values}))
    warehouse.insert(con, "oda_flow", _oda())
    warehouse.insert(con, "tfhs_project", _tfhs())
    warehouse.insert(con, "quarantine", pd.DataFrame([
        {"run_id": "synthetic-run", "source_id": SRC, "table": "observation", "record": json.dumps({"iso3": "XXX", "value": i}),
         "reason": "unknown country 'XXX' (synthetic)"} for i in range(3)]))
    warehouse.insert(con, "etl_run", pd.DataFrame([{
        "run_id": "synthetic-run", "source_id": SRC, "started_at": AT, "finished_at": AT, "status": "ok",
        "rows_loaded": 1, "rows_quarantined": 3, "message": "synthetic rows for tests"}]))
    resolve.rematerialise(con)  # the synthetic series outrank the bundled starter set's (as any non-starter source)


def make_synthetic(built: config.Paths, target: Path, version: str = "synthetic-1") -> config.Paths:
    """A data directory at ``target`` whose published warehouse is the built one plus the synthetic rows."""
    paths = config.paths(target)
    (paths.state).mkdir(parents=True, exist_ok=True)
    shutil.copy(built.state / "runs.jsonl", paths.state / "runs.jsonl")
    paths.warehouses.mkdir(parents=True, exist_ok=True)
    staging = paths.warehouses / f".build-{version}.duckdb"
    shutil.copy(built.warehouse.resolve(), staging)
    con = duckdb.connect(str(staging))
    try:
        add_synthetic(con)
        con.execute("UPDATE meta SET value = ? WHERE key = 'version'", [version])
    finally:
        con.close()
    publish.publish(paths, staging, version)
    return paths


@pytest.fixture(scope="session")
def synthetic(built, tmp_path_factory) -> config.Paths:
    """Data directory with the SYNTHETIC warehouse published (session-wide, read-only for tests)."""
    return make_synthetic(built, tmp_path_factory.mktemp("synthetic"))


def test_synthetic_warehouse_keeps_the_contract(synthetic):
    con = duckdb.connect(str(synthetic.warehouse.resolve()), read_only=True)
    try:
        assert warehouse.contract_problems(con) == []
        assert con.execute("SELECT publisher FROM source WHERE source_id = 'synthetic'").fetchone()[0].startswith("SYNTHETIC")
        # ASEAN stunting before 2005 covers only the small members: the aggregate flags it
        from etl.aggregate import group_series

        agg = group_series(con, "asean", "SH.STA.STNT.ZS").set_index("year")
        assert agg.loc[2000, "low_coverage"] and not agg.loc[2010, "low_coverage"]
    finally:
        con.close()
