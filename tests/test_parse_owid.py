"""etl/parsers/owid.py on the nine real OWID dataset extracts (../shared/data/owid) and the grapher fixtures."""

from __future__ import annotations

import csv
import functools
import json
import re
from pathlib import Path

import pytest

from etl.parsers import OBSERVATION_COLUMNS, ParseError
from etl.parsers.owid import column_slug, parse_dataset, parse_grapher

OWID = Path("data/owid")
GRAPHER = Path("fixtures/owid_grapher")

# Columns that are not observations, per file (everything else after Entity,Year is a value column).
SKIPPED: dict[str, set[str]] = {}  # rank columns are parsed (marked is_rank); the mapping step decides (tests/test_catalogue.py)
# Measured once and checked by hand against the files (see the independent counts in the test below).
RECONCILIATION = {
    "child-mortality-estimates-cme-info-2018": (10694, 10694, 10694, 0, 0),
    "gender-inequality-index-human-development-report-2015": (1296, 1452, 1452, 0, 1140),
    "global-hunger-index-2021": (471, 471, 471, 0, 0),
    "human-development-index-undp": (5001, 5001, 4973, 28, 0),
    "maternal-mortality-ratio-gapminder-2010-who-2019-and-oecd-20": (5958, 12867, 12327, 540, 10965),
    "multidimensional-poverty-index-mpi-2022-harmonized-over-time": (205, 1846, 1846, 0, 614),
    "number-of-children-who-are-stunted-owid-based-on-unicef-who": (958, 958, 802, 156, 0),
    "prevalence-of-undernourishment-world-bank-2017-un-sofi-2018": (3741, 3741, 2875, 866, 0),
    "water-and-sanitation-who-wash-2021": (5118, 381696, 360484, 21212, 211992),
    "vaccine-coverage-and-disease-burden-who-2017": (7818, 63277, 60855, 2422, 30539),
    "conflict-deaths-by-country-ucdp-2019": (1606, 1606, 1592, 14, 0),
    "population-by-country-1800-to-2100-gapminder-un": (59297, 102637, 102637, 0, 15957),
    "natural-disasters-emdat": (5569, 205565, 192830, 12735, 713320),
    "global-extreme-poverty-present-and-past-since-1820-moatsos-i": (2316, 47616, 1050, 46566, 12600),
}


def _csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


@functools.cache
def _parse_folder(folder: Path):
    return parse_dataset((folder / "data.csv").read_bytes(), (folder / "datapackage.json").read_bytes(), folder.name)


def _obs(res) -> dict:
    return res.frame.set_index(["iso3", "indicator_code", "year"])["value"].to_dict()


def test_every_owid_folder_parses_and_reconciles(shared):
    folders = sorted(p for p in (shared / OWID).iterdir() if p.is_dir())
    assert {p.name for p in folders} == set(RECONCILIATION)
    for folder in folders:
        res = _parse_folder(folder)
        header, rows = _csv_rows(folder / "data.csv")
        value_idx = [i for i, c in enumerate(header[2:], start=2) if c not in SKIPPED.get(folder.name, set())]
        value_cells = sum(1 for r in rows for i in value_idx if r[i].strip())
        empty = sum(1 for r in rows for i in value_idx if not r[i].strip())
        rec = res.meta["reconciliation"]
        assert rec == dict(zip(["rows_in_file", "value_cells", "loaded", "rejected", "empty_cells"],
                               RECONCILIATION[folder.name])), folder.name
        # independent counts with the csv module
        assert rec["rows_in_file"] == len(rows)
        assert rec["value_cells"] == value_cells == len(res.frame) + len(res.rejected)
        assert rec["empty_cells"] == empty
        assert set(res.meta["skipped_columns"]) == SKIPPED.get(folder.name, set())
        assert list(res.frame.columns) == OBSERVATION_COLUMNS
        assert not res.frame.duplicated(["iso3", "indicator_code", "year"]).any()
        assert res.frame["iso3"].str.fullmatch(r"[A-Z]{3}").all()
        # every rejected record names a real cell of the file and a reason of the documented kinds
        cells = {(r[0], r[1], header[i]): r[i] for r in rows for i in value_idx if r[i].strip()}
        for record, reason in zip(res.rejected["record"], res.rejected["reason"]):
            d = json.loads(record)
            assert cells[(d["entity"], d["year"], d["column"])] == d["value"]
            assert re.match(r"(aggregate: |unknown entity: |duplicate: )", reason), reason
        rejected_entities = {json.loads(r)["entity"] for r in res.rejected["record"]}
        assert "Cambodia" not in rejected_entities and "Vietnam" not in rejected_entities
        # each indicator column gets exactly one code
        n_cols = len(value_idx)
        assert res.frame["indicator_code"].nunique() <= n_cols
        assert len(res.meta["columns"]) == n_cols - len(res.meta["skipped_columns"])
        assert {c["column"] for c in res.meta["columns"].values()} == {header[i] for i in value_idx} - set(res.meta["skipped_columns"])


def test_owid_spot_values_read_by_eye(shared):
    base = shared / OWID
    hdi = _parse_folder(base / "human-development-index-undp")
    obs = _obs(hdi)
    key = "OWID.human-development-index-undp.human_development_index_undp"  # the source's own key; the catalogue maps it
    assert obs[("KHM", key, 2017)] == 0.582
    assert obs[("LAO", key, 2015)] == 0.593
    assert obs[("VNM", key, 2000)] == 0.579
    assert obs[("KOR", key, 1980)] == 0.622  # only 'South Korea' has 1980
    # 'Korea' repeats 'South Korea' for 1990-2017: all 28 cells go to quarantine as duplicates, none silently lost
    assert hdi.rejected["reason"].str.startswith("duplicate: 'Korea' gives the same KOR/").all()
    assert len(hdi.rejected) == 28
    assert hdi.meta["columns"][key]["column"] == "Human Development Index (UNDP)"

    pou = _parse_folder(base / "prevalence-of-undernourishment-world-bank-2017-un-sofi-2018")
    obs = _obs(pou)
    key = "OWID.prevalence-of-undernourishment-world-bank-2017-un-sofi-2018.prevalence_of_undernourishment_world_bank_2017_un_fao_sofi_2018"
    assert obs[("KHM", key, 2015)] == 14.2
    assert obs[("LAO", key, 2000)] == 39.2
    world = pou.rejected[pou.rejected["reason"] == "aggregate: World"]
    assert {json.loads(r)["year"]: json.loads(r)["value"] for r in world["record"]}["2017"] == "10.9"

    cme = _parse_folder(base / "child-mortality-estimates-cme-info-2018")
    code = "OWID.child-mortality-estimates-cme-info-2018.child_mortality_estimates_cme_info_2016"
    assert _obs(cme)[("VNM", code, 2017)] == 20.9
    assert list(cme.meta["columns"]) == [code]
    assert cme.meta["columns"][code]["unit"] == ""  # the file states no unit: the catalogue asserts it, with evidence

    gii = _parse_folder(base / "gender-inequality-index-human-development-report-2015")
    obs = _obs(gii)
    key = "OWID.gender-inequality-index-human-development-report-2015.gender_inequality_index_human_development_report_2015"
    assert obs[("LAO", key, 2015)] == 0.46799999
    assert obs[("KHM", key, 2000)] == 0.59899998
    # the HDI ranking column is parsed but marked as a rank: only the catalogue decides what it is (HDR.HDI_RANK)
    rank = "OWID.gender-inequality-index-human-development-report-2015.hdi_2015_ranking_human_development_report_2015"
    assert set(gii.frame["indicator_code"]) == {key, rank}
    assert gii.meta["columns"][rank]["is_rank"] and not gii.meta["columns"][key]["is_rank"]
    assert "refers to 1997" in gii.meta["columns"][key]["caveats"]  # the file's own caveat travels with the series

    mmr = _parse_folder(base / "maternal-mortality-ratio-gapminder-2010-who-2019-and-oecd-20")
    obs = _obs(mmr)
    slug = "OWID.maternal-mortality-ratio-gapminder-2010-who-2019-and-oecd-20."
    assert obs[("KOR", slug + "maternal_mortality_ratio_gapminder_2010_and_world_bank_2015", 2000)] == 15.0
    assert obs[("KOR", slug + "maternal_mortality_rate_who_2019", 2000)] == 17.0
    assert obs[("KOR", slug + "maternal_mortality_rate_oecd", 2000)] == 15.0
    assert (("KHM", slug + "maternal_mortality_rate_oecd", 2000)) not in obs  # empty cell, not an observation

    wash = _parse_folder(base / "water-and-sanitation-who-wash-2021")
    obs = _obs(wash)
    assert obs[("KHM", "OWID.water-and-sanitation-who-wash-2021.wat_imp", 2017)] == 80.32
    assert obs[("VNM", "OWID.water-and-sanitation-who-wash-2021.wat_bas", 2017)] == 94.81
    assert obs[("LAO", "OWID.water-and-sanitation-who-wash-2021.san_od", 2000)] == 61.56
    assert obs[("FSM", "OWID.water-and-sanitation-who-wash-2021.wat_imp", 2000)] == 85.32  # "Micronesia" alias
    assert set(wash.meta["entities"]["unknown"]) == {"Channel Islands", "Netherlands Antilles"}
    unknown = wash.rejected[wash.rejected["reason"].str.startswith("unknown entity: ")]
    assert {json.loads(r)["entity"] for r in unknown["record"]} == {"Channel Islands", "Netherlands Antilles"}

    ghi = _parse_folder(base / "global-hunger-index-2021")
    flagged = ghi.frame[ghi.frame["flag"].notna()]
    assert sorted(flagged["iso3"].unique()) == sorted(
        ["BDI", "COM", "GIN", "GNB", "MDA", "NER", "SSD", "SYR", "TJK", "UGA", "ZMB", "ZWE"]
    )
    assert set(flagged["flag"]) == {"Value represents the mid-point of its group in the GHI severity scale"}
    assert _obs(ghi)[("KHM", "OWID.global-hunger-index-2021.global_hunger_index_2021", 2000)] == 41.1

    mpi = _parse_folder(base / "multidimensional-poverty-index-mpi-2022-harmonized-over-time")
    key = ("KHM", "OWID.multidimensional-poverty-index-mpi-2022-harmonized-over-time.mpi_national", 2010)
    assert _obs(mpi)[key] == 0.2281272012492293
    ind = mpi.meta["columns"]
    assert ind[key[1].replace("mpi_national", "share_of_population_multidimensionally_poor_national")]["unit"] == "%"

    stunted = _parse_folder(base / "number-of-children-who-are-stunted-owid-based-on-unicef-who")
    code = "OWID.number-of-children-who-are-stunted-owid-based-on-unicef-who.number_of_children_who_are_stunted"
    assert _obs(stunted)[("KHM", code, 2010)] == 683718


# --- grapher --------------------------------------------------------------------------------------------------

GRAPHER_FILES = {
    # slug: (csv file, rows, value cells, loaded, rejected, empty cells)
    "economic-inequality-gini-index": ("economic-inequality-gini-index.csv", 2361, 2361, 2252, 109, 0),
    "share-electricity-renewables": ("share-electricity-renewables.csv", 7647, 7647, 6378, 1269, 0),
    "share-of-adults-who-smoke": ("share-of-adults-who-smoke.csv", 1408, 1408, 1320, 88, 0),
    "per-capita-energy-stacked": ("per-capita-energy-stacked.HEAD_300KB.csv", 4715, 29915, 25969, 3946, 7805),
}


def _loadable(entity: str, code: str) -> bool:
    """Independent rule for the grapher fixtures: ISO3-looking codes load, except the dissolved Netherlands
    Antilles; OWID_KOS (Kosovo) loads; other OWID_* codes and empty codes (source regions, urban/rural) do not."""
    return code == "OWID_KOS" or (bool(re.fullmatch(r"[A-Z]{3}", code)) and code != "ANT")


@pytest.mark.parametrize("slug", sorted(GRAPHER_FILES))
def test_grapher_fixtures(shared, slug):
    csv_name, n_rows, n_cells, n_loaded, n_rejected, n_empty = GRAPHER_FILES[slug]
    path = shared / GRAPHER / csv_name
    res = parse_grapher(path.read_bytes(), (shared / GRAPHER / f"{slug}.metadata.json").read_bytes(), slug)
    header, rows = _csv_rows(path)
    metadata = json.loads((shared / GRAPHER / f"{slug}.metadata.json").read_text(encoding="utf-8"))
    numeric = [i for i, c in enumerate(header[3:], start=3) if c != "World region according to OWID"]
    cells = [(r, i) for r in rows for i in numeric if r[i].strip()]
    expected_loaded = sum(1 for r, _ in cells if _loadable(r[0], r[1]))
    assert res.meta["reconciliation"] == {
        "rows_in_file": n_rows, "value_cells": n_cells, "loaded": n_loaded, "rejected": n_rejected,
        "empty_cells": n_empty,
    }
    assert len(rows) == n_rows and len(cells) == n_cells and expected_loaded == n_loaded == len(res.frame)
    assert len(res.rejected) == n_cells - n_loaded
    assert not res.frame.duplicated(["iso3", "indicator_code", "year"]).any()
    # one catalogue entry per numeric column, codes from the metadata shortName
    shorts = [m["shortName"] for m in metadata["columns"].values() if m.get("type") == "Numeric"]
    assert list(res.meta["columns"]) == [f"OWID.{slug}.{s}" for s in shorts]
    for ind in res.meta["columns"].values():
        assert ind["name"] and ind["description"]


def test_grapher_details(shared):
    g = shared / GRAPHER
    gini = parse_grapher((g / "economic-inequality-gini-index.csv").read_bytes(),
                         (g / "economic-inequality-gini-index.metadata.json").read_bytes(), "economic-inequality-gini-index")
    assert gini.meta["skipped_columns"] == {
        "World region according to OWID": "non-numeric column (metadata type 'Continent')"
    }
    code = next(iter(gini.meta["columns"]))
    assert code.startswith("OWID.economic-inequality-gini-index.gini__welfare_type_income_or_consumption")
    assert _obs(gini)[("VNM", code, 2020)] == 0.36790165305137634
    assert "China (urban)" in gini.meta["entities"]["unknown"]
    assert gini.meta["columns"][code]["caveats"]  # descriptionProcessing / chart note kept as the series' caveats

    ren = parse_grapher((g / "share-electricity-renewables.csv").read_bytes(),
                        (g / "share-electricity-renewables.metadata.json").read_bytes(), "share-electricity-renewables")
    assert ren.meta["column_matching"] == {
        "Renewables": {"metadata_key": "Renewables - % electricity", "how": "position"}
    }
    code = "OWID.share-electricity-renewables.renewable_share_of_electricity__pct"
    obs = _obs(ren)
    assert obs[("KHM", code, 2020)] == 49.441963
    assert obs[("LAO", code, 2015)] == 86.01485
    assert obs[("XKX", code, 2000)] == 1.6891892  # Kosovo, OWID_KOS
    assert ren.meta["columns"][code]["unit"] == "%"
    reasons = set(ren.rejected["reason"])
    assert {"aggregate: ASEAN (Ember)", "aggregate: World", "aggregate: High-income countries"} <= reasons

    energy = parse_grapher((g / "per-capita-energy-stacked.HEAD_300KB.csv").read_bytes(),
                           (g / "per-capita-energy-stacked.metadata.json").read_bytes(), "per-capita-energy-stacked")
    match = energy.meta["column_matching"]
    assert match["Hydropower"] == {"metadata_key": "Hydro per capita (kWh - equivalent)", "how": "position"}
    assert match["Other renewables"]["metadata_key"] == "Other renewables per capita (kWh - equivalent)"
    ant = energy.rejected[energy.rejected["reason"].str.startswith("unknown entity: Netherlands Antilles")]
    _, rows = _csv_rows(g / "per-capita-energy-stacked.HEAD_300KB.csv")
    assert len(ant) == sum(1 for r in rows if r[1] == "ANT" for v in r[3:] if v.strip()) == 46
    assert next(iter(energy.meta["columns"].values()))["unit"] == "kilowatt-hours"

    # without metadata the header slugs are used
    bare = parse_grapher((g / "share-of-adults-who-smoke.csv").read_bytes(), None, "share-of-adults-who-smoke")
    code = "OWID.share-of-adults-who-smoke.share_of_adults_who_smoke_or_use_tobacco_age_standardized"
    assert _obs(bare)[("KHM", code, 2020)] == 18.6
    assert _obs(bare)[("VNM", code, 2020)] == 23.2


def test_synthetic_edge_cases():
    # SYNTHETIC: tiny OWID-shaped files written by this test.
    data = "\n".join(
        [
            "Entity,Year,Score,Rank of score,Label",
            "Cambodia,2000,1.5,3,a",
            "Cambodia,2001,n/a,2,b",
            "World,2000,9,,c",
            "USSR,1980,4,,d",
            "Laos,20x1,2,,e",
            "Narnia,2000,,,f",
        ]
    ).encode()
    res = parse_dataset(data, None, "toy")
    assert res.frame[["iso3", "indicator_code", "year", "value"]].values.tolist() == [
        ["KHM", "OWID.toy.score", 2000, 1.5], ["KHM", "OWID.toy.rank_of_score", 2000, 3.0],
        ["KHM", "OWID.toy.rank_of_score", 2001, 2.0],
    ]
    assert res.meta["columns"]["OWID.toy.rank_of_score"]["is_rank"]  # the mapping step skips it unless mapped
    assert res.rejected["reason"].tolist() == [
        "non-numeric value 'n/a'",
        "aggregate: World",
        "unknown entity: USSR (historical entity, no current ISO3 (Soviet Union, dissolved 1991))",
        "bad year '20x1'",
    ]
    assert res.meta["skipped_columns"] == {"Label": "non-numeric column (no cell parses as a number)"}
    assert res.meta["reconciliation"] == {
        "rows_in_file": 6, "value_cells": 7, "loaded": 3, "rejected": 4, "empty_cells": 5,
    }
    with pytest.raises(ParseError, match=r"missing column\(s\) \['Year'\]"):
        parse_dataset(b"Entity,Day,x\nA,2020-01-01,1\n", None, "toy")
    with pytest.raises(ParseError, match=r"missing column\(s\) \['Code'\]"):
        parse_grapher(b"Entity,Year,x\nA,2020,1\n", None, "toy")
    with pytest.raises(ParseError, match="empty file"):
        parse_grapher(b"", None, "toy")
    assert column_slug("Child Mortality Estimates (CME Info (2016))") == "child_mortality_estimates_cme_info_2016"
