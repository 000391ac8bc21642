"""etl/countries.py: names and codes → ISO3, aggregates and historical entities kept apart."""

from __future__ import annotations

import csv
import io
import time

import pandas as pd
import pytest

from etl import countries
from etl.countries import HISTORICAL_REASON, iso2_to_iso3, is_iso3, resolve_codes, resolve_names

HDR_HEAD = "fixtures/undp_hdr/HDR23-24_Composite_indices_complete_time_series.HEAD_32_lines.csv"


def _one(name: str) -> tuple:
    row = resolve_names([name]).iloc[0]
    return (row["iso3"] if row["kind"] == "country" else None, row["kind"])


@pytest.mark.parametrize(
    "name, iso3",
    [
        ("Cambodia", "KHM"),
        ("Viet Nam", "VNM"),
        ("Vietnam", "VNM"),
        ("Laos", "LAO"),
        ("Lao People's Democratic Republic", "LAO"),
        ("Namibia", "NAM"),  # ISO2 "NA": the pandas-3 NA trap
        ("South Africa", "ZAF"),  # made only of region words, yet a country
        ("Central African Republic", "CAF"),
        ("Timor", "TLS"),  # alias: coco misses OWID's short form
        ("Korea", "KOR"),  # alias
        ("South Korea", "KOR"),
        ("North Korea", "PRK"),
        ("Korea (Democratic People's Rep. of)", "PRK"),
        ("Micronesia (country)", "FSM"),
        ("Cote d'Ivoire", "CIV"),
        ("Côte d'Ivoire", "CIV"),
        ("Democratic Republic of Congo", "COD"),
        ("Congo", "COG"),
        ("Kosovo", "XKX"),
        ("Saint Martin (French part)", "MAF"),
    ],
)
def test_country_names(name, iso3):
    assert _one(name) == (iso3, "country")


@pytest.mark.parametrize(
    "name",
    [
        "World",
        "East Asia & Pacific",
        "East Asia & Pacific (WB)",
        "East Asia & Pacific (excluding high income)",
        "Sub-Saharan Africa",
        "Latin America and the Caribbean",
        "High income",
        "Lower-middle income",
        "Low & middle income (WB)",
        "IDA total",
        "Arab World",
        "Euro area",
        "Small Island Developing States",
        "Least developed countries: UN classification",
        "Africa (EI)",
        "ASEAN (Ember)",
        "European Union (27)",
        "Australia and New Zealand",  # alias: coco matches AUS and NZL
        "Very high human development",
        "Polynesia",
    ],
)
def test_aggregate_names(name):
    assert _one(name) == (None, "aggregate")


@pytest.mark.parametrize(
    "name", ["USSR", "Soviet Union", "Yugoslavia", "Czechoslovakia", "Serbia and Montenegro", "Netherlands Antilles",
             "Sudan (former)", "East Germany"],
)
def test_historical_entities_are_never_mapped(name):
    row = resolve_names([name]).iloc[0]
    assert row["kind"] == "unknown"
    assert pd.isna(row["iso3"])
    assert row["reason"].startswith(HISTORICAL_REASON)


def test_subnational_unknown_and_order():
    out = resolve_names(["China (urban)", "Narnia", "", "Japan", "World", "Japan"])
    assert out["name"].tolist() == ["China (urban)", "Narnia", "", "Japan", "World", "Japan"]
    assert out["kind"].tolist() == ["unknown", "unknown", "unknown", "country", "aggregate", "country"]
    assert out["iso3"].iloc[3] == "JPN" and out["iso3"].iloc[5] == "JPN"
    assert "sub-national" in out["reason"].iloc[0]
    assert "unknown entity" in out["reason"].iloc[1]


def test_codes():
    out = resolve_codes(["JPN", "OWID_WRL", "OWID_KOS", "ZZK.WORLD", "ARB", "WLD", "EAS", "SUN", "ANT", "XYZ", "", "NAM"])
    assert out["kind"].tolist() == [
        "country", "aggregate", "country", "aggregate", "aggregate", "aggregate", "aggregate",
        "unknown", "unknown", "unknown", "unknown", "country",
    ]
    assert out["iso3"].iloc[0] == "JPN" and out["iso3"].iloc[2] == "XKX" and out["iso3"].iloc[11] == "NAM"
    assert out["reason"].iloc[7] == HISTORICAL_REASON
    assert is_iso3("KHM") and not is_iso3("khm") and not is_iso3("WLD") and not is_iso3("SUN")
    assert iso2_to_iso3("NA") == "NAM" and iso2_to_iso3("jp") == "JPN" and iso2_to_iso3("1A") is None
    # no World Bank aggregate code is also a current ISO3 code
    assert not (countries.WB_AGGREGATE_CODES & countries.current_iso3_codes())


def test_alias_table_is_well_formed():
    with countries.ALIAS_FILE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and set(rows[0]) == {"name", "iso3", "kind", "note"}
    for row in rows:
        assert row["note"].strip(), row
        if row["kind"] == "country":
            assert is_iso3(row["iso3"]), row


def test_every_owid_entity_is_classified(shared):
    names: list[str] = []
    for path in sorted((shared / "data" / "owid").glob("*/data.csv")):
        names += pd.read_csv(path, usecols=["Entity"], keep_default_na=False)["Entity"].tolist()
    start = time.perf_counter()
    out = resolve_names(names)
    assert time.perf_counter() - start < 5
    assert len(out) == len(names)
    assert set(out["kind"]) <= {"country", "aggregate", "unknown"}
    countries_ = out[out["kind"] == "country"]
    assert countries_["iso3"].map(is_iso3).all()
    # The only names we refuse to map in the fourteen OWID extracts (all deliberately: no current ISO3 code):
    unknown = set(out.loc[out["kind"] == "unknown", "name"])
    assert unknown == {"Channel Islands", "Netherlands Antilles", "Czechoslovakia", "Serbia-Montenegro", "Soviet Union",
                       "Yemen Arab Republic", "Yugoslavia"}
    # Distinct spellings that land on the same ISO3 (checked by hand: real synonyms, not collisions).
    syn = countries_.drop_duplicates("name").groupby("iso3")["name"].apply(sorted)
    assert syn[syn.str.len() > 1].to_dict() == {
        "CZE": ["Czech Republic", "Czechia"],
        "FSM": ["Micronesia", "Micronesia (country)"],
        "KOR": ["Korea", "South Korea"],
        "MAF": ["Saint Martin (French Part)", "Saint Martin (French part)"],
        "MKD": ["Macedonia", "North Macedonia"],
        "SHN": ["Saint Helena", "Saint Helena, Ascension and Tristan da Cunha"],
        "SWZ": ["Eswatini", "Swaziland"],
        "SYR": ["Syria", "Syrian Arab Republic"],
        "WLF": ["Wallis and Futuna", "Wallis and Futuna Islands"],
    }
    agg = set(out.loc[out["kind"] == "aggregate", "name"])
    assert {"World", "East Asia & Pacific", "Sub-Saharan Africa", "High income", "East Asia & Pacific (WB)"} <= agg
    assert {"Western Offshoots", "Eastern Europe and former USSR", "Eastern Mediterranean"} <= agg  # regions, not countries
    assert len(agg) == 76


def test_hdr_country_names_agree_with_hdr_iso3(shared):
    """UNDP's long names (e.g. 'Bolivia (Plurinational State of)') resolve to the iso3 UNDP gives them."""
    text = (shared / HDR_HEAD).read_bytes().decode("latin-1")
    rows = list(csv.reader(io.StringIO(text, newline="")))[1:]
    out = resolve_names([r[1] for r in rows])
    assert len(rows) == 31
    assert out["iso3"].tolist() == [r[0] for r in rows]
