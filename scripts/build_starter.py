"""Build the bundled **starter set** in ``data/raw/starter/``: a few real, openly licensed files copied unmodified from
``../shared/data/`` so that a fresh install without internet opens on the mission's indicators (HDI,
undernourishment, child and maternal mortality, drinking water, stunting, hunger, multidimensional poverty, conflict
deaths, and population for the group weights).

Each data set becomes one source ``starter-<slug>`` (kind ``starter``, outranked by live sources and later imports,
etl/resolve.py) laid out exactly as an import snapshot: the files, an ``.origin.json`` sidecar each (publisher, title,
URL, licence and vintage from the data set's own metadata, via the format in :mod:`etl.formats`; sha256, size) and a
sealed ``_manifest.json``. Snapshot names and dates are fixed, so re-running this script reproduces the same bytes.
``LICENCES.md`` says under which terms each file is redistributed.

Run: ``python scripts/build_starter.py [--shared ../shared] [--check]`` (``--check`` only verifies the committed set).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from etl import formats  # noqa: E402
from etl.rawzone import MANIFEST, list_raw_files, store_bytes  # noqa: E402

OUT = REPO / "data" / "raw" / "starter"
COPIED_AT = "2026-12-02T07:00:00Z"
SNAPSHOT = "20261202T070000Z-starter"
OWID_COMMIT = "owid/owid-datasets at commit 48c9992ae317b35ed327fc36d2af75fe8b3ef7ed"
DATAHUB_COMMIT = "datasets/population at commit 425fc447a53a26c767a15a7de60c4cc2478a0595"

# (folder under ../shared/data, why it is in the starter set)
DATASETS = [
    ("owid/human-development-index-undp", "the Human Development Index (UNDP HDR 2020)"),
    ("owid/prevalence-of-undernourishment-world-bank-2017-un-sofi-2018", "undernourishment (FAO via WDI, 2017)"),
    ("owid/child-mortality-estimates-cme-info-2018", "under-five mortality (UN IGME)"),
    ("owid/maternal-mortality-ratio-gapminder-2010-who-2019-and-oecd-20", "maternal mortality (WHO/MMEIG 2019 and long-run series)"),
    ("owid/water-and-sanitation-who-wash-2021", "drinking water, sanitation and hygiene (WHO/UNICEF JMP 2021)"),
    ("owid/number-of-children-who-are-stunted-owid-based-on-unicef-who", "stunted children (UNICEF/WHO/World Bank JME)"),
    ("owid/global-hunger-index-2021", "the Global Hunger Index 2021"),
    ("owid/multidimensional-poverty-index-mpi-2022-harmonized-over-time", "multidimensional poverty (OPHI/UNDP MPI 2022)"),
    ("owid/conflict-deaths-by-country-ucdp-2019", "deaths in organised violence (UCDP GED 19.1)"),
    ("datahub/population", "total population 1960-2024 (World Bank), the weights of group averages"),
]

LICENCES = """# Licences of the starter set

These files are copied unmodified from public repositories so that hsdash shows real data on a machine without
internet. Every file has an `.origin.json` sidecar with its publisher, source URL, licence, retrieval date and sha256.
Live sources and later imports outrank them (etl/resolve.py).

| data set | copied from | redistributed under |
|---|---|---|
| Our World in Data datasets (`starter-<slug>` except population) | {owid} | Our World in Data: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). The underlying data remain under their publishers' terms, which allow re-use with attribution: UNDP HDR (CC BY 3.0 IGO), World Bank WDI (CC BY 4.0), UN IGME / WHO / UNICEF (re-use with attribution), WHO/UNICEF JMP (re-use with attribution), Concern Worldwide & Welthungerhilfe (GHI: free to use with citation), OPHI (MPI: citation required), UCDP (CC BY 4.0). |
| `starter-datapackage-population` | {datahub} | Packaging: ODC-PDDL-1.0. Data: World Bank, SP.POP.TOTL, CC BY 4.0. |

Cite the publisher shown in each chart's footer (hsdash puts it there from the sidecar).
"""


def build(shared: Path, out: Path) -> list[str]:
    written = []
    for folder, why in DATASETS:
        src = shared / "data" / folder
        det = formats.detect(src)
        fmt = formats.get(det.format)
        origin = fmt.origin(det)
        origin["retrieved_at"] = COPIED_AT
        origin["notes"] = (f"{origin.get('notes', '')} Starter set: {why}. Copied unmodified from "
                           f"{OWID_COMMIT if folder.startswith('owid/') else DATAHUB_COMMIT} "
                           f"(path {folder}) on {COPIED_AT[:10]}.").strip()
        source_id = f"starter-{det.source_id.removeprefix('owid-')}"
        snap = out / source_id / SNAPSHOT
        if snap.exists():
            shutil.rmtree(snap)
        snap.mkdir(parents=True)
        for name, path in det.files.items():
            store_bytes(snap / name, path.read_bytes(), source_id=source_id, **origin)
        manifest = {"sealed_at": COPIED_AT, "import_format": det.format, "slug": det.slug, "options": det.options,
                    "imported_from": f"../shared/data/{folder}",
                    "files": {f.path.name: f.origin.sha256 for f in list_raw_files(snap)}}
        (snap / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written.append(source_id)
    (out / "LICENCES.md").write_text(LICENCES.format(owid=OWID_COMMIT, datahub=DATAHUB_COMMIT), encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--check", action="store_true", help="verify every committed starter file against its sidecar")
    args = ap.parse_args(argv)
    if args.check:
        n = sum(len(list_raw_files(p)) for p in OUT.glob("*/*") if p.is_dir())  # list_raw_files verifies sha256
        total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
        print(f"starter set: {n} files verified, {total:,} bytes in all")
        return 0
    ids = build(args.shared, OUT)
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"starter set: {len(ids)} sources, {total:,} bytes in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
