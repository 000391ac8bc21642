"""Checks on the bundled ``reference`` source (data/raw/reference/), built by scripts/build_reference.py."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pandas as pd
import pytest

from etl.rawzone import ORIGIN_SUFFIX, read_origin

REPO = Path(__file__).resolve().parents[1]
REF = REPO / "data" / "raw" / "reference"

KINDS = {"intergovernmental", "geographic", "analytical", "donor_club"}
# Groups defined without a time dimension: no joining years expected.
TIMELESS_GROUPS = {"east_asia", "southeast_asia", "wb_eap", "arf_soh2008"}

def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / name, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def countries() -> pd.DataFrame:
    return _read("countries.csv")


@pytest.fixture(scope="module")
def groups() -> pd.DataFrame:
    return _read("country_groups.csv")


@pytest.fixture(scope="module")
def members() -> pd.DataFrame:
    return _read("country_group_members.csv")


def _members_of(members: pd.DataFrame, group_id: str, as_of: int | None = None) -> set[str]:
    rows = members[members.group_id == group_id]
    if as_of is not None:
        joined = pd.to_numeric(rows.joined_year, errors="coerce")
        left = pd.to_numeric(rows.left_year, errors="coerce")
        rows = rows[(joined <= as_of) & (left.isna() | (left > as_of))]
    return set(rows.iso3)


# --- file format ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, columns",
    [
        ("countries.csv", ["iso3", "iso2", "name", "official_name", "wb_region", "wb_income_group", "un_region"]),
        ("country_groups.csv", ["group_id", "name", "kind", "definition_source", "description"]),
        ("country_group_members.csv", ["group_id", "iso3", "joined_year", "left_year", "note"]),
    ],
)
def test_derived_csv_header_encoding_and_line_ends(name, columns):
    raw = (REF / name).read_bytes()
    text = raw.decode("utf-8")  # raises if not UTF-8
    assert not raw.startswith(b"\xef\xbb\xbf"), "no BOM"
    assert b"\r" not in raw, "LF line ends only"
    assert text.endswith("\n")
    assert list(_read(name).columns) == columns


def test_every_raw_file_has_a_sidecar_whose_sha256_matches():
    data_files = sorted(p for p in REF.iterdir() if p.is_file() and not p.name.endswith(ORIGIN_SUFFIX))
    assert {p.name for p in data_files} >= {
        "countries.csv", "country_groups.csv", "country_group_members.csv",
        "wb_wdicountry_fy2026.csv", "wb_class_fy2024.csv",
    }
    for path in data_files:
        origin = read_origin(path)  # verifies sha256 against the file, raises RawZoneError if it differs
        assert origin.source_id == "reference"
        assert origin.bytes == path.stat().st_size
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", origin.retrieved_at)


def test_world_bank_raw_files_are_credited_to_the_world_bank_under_cc_by():
    for name in ("wb_wdicountry_fy2026.csv", "wb_class_fy2024.csv"):
        origin = read_origin(REF / name)
        assert origin.publisher == "World Bank"
        assert origin.licence == "CC BY 4.0"
        assert "worldbank.org" in origin.url
        assert re.search(r"commit [0-9a-f]{40}", origin.notes), "notes name the commit the copy was read from"


def test_derived_sidecars_record_the_inputs_they_were_built_from():
    for name in ("countries.csv", "country_group_members.csv"):
        derived_from = read_origin(REF / name).extra["derived_from"]
        for entry in derived_from:
            assert read_origin(REPO / entry["path"]).sha256 == entry["sha256"]


def test_generator_reproduces_the_committed_outputs():
    spec = importlib.util.spec_from_file_location("build_reference", REPO / "scripts" / "build_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, data in module.build_all().items():
        assert (REF / name).read_bytes() == data, f"{name} is stale: rerun scripts/build_reference.py"


# --- countries -----------------------------------------------------------------------------------------------------


def test_countries_are_unique_iso_codes(countries):
    assert countries.iso3.is_unique
    assert countries.iso3.str.fullmatch(r"[A-Z]{3}").all()
    iso2 = countries.iso2[countries.iso2 != ""]
    assert iso2.str.fullmatch(r"[A-Z]{2}").all() and iso2.is_unique
    assert (countries.name != "").all()


def test_namibia_iso2_survives_as_a_string(countries):
    assert countries.set_index("iso3").at["NAM", "iso2"] == "NA"


def test_taiwan_and_kosovo_are_listed_with_a_world_bank_classification(countries):
    c = countries.set_index("iso3")
    assert c.at["TWN", "wb_region"] == "East Asia & Pacific"
    assert c.at["XKX", "wb_region"] == "Europe & Central Asia"
    assert c.at["TWN", "wb_income_group"] and c.at["XKX", "wb_income_group"]


def test_world_bank_columns_match_the_raw_wdi_file(countries):
    wdi = _read("wb_wdicountry_fy2026.csv").set_index("Country Code")
    both = countries[countries.iso3.isin(wdi.index)].set_index("iso3")
    assert len(both) > 200
    assert (both.wb_region == wdi.loc[both.index, "Region"]).all()
    assert (both.wb_income_group == wdi.loc[both.index, "Income Group"]).all()


def test_world_bank_vocabularies(countries):
    assert set(countries.wb_income_group) <= {"", "Low income", "Lower middle income", "Upper middle income",
                                              "High income"}
    assert set(countries.wb_region) <= {"", "East Asia & Pacific", "Europe & Central Asia",
                                        "Latin America & Caribbean", "Middle East & North Africa", "North America",
                                        "South Asia", "Sub-Saharan Africa"}


# --- groups and members --------------------------------------------------------------------------------------------


def test_group_ids_kinds_and_sources(groups):
    assert groups.group_id.is_unique
    assert groups.group_id.str.fullmatch(r"[a-z0-9_]+").all()
    assert set(groups.kind) <= KINDS
    assert (groups.definition_source != "").all()
    assert set(groups.group_id) == {"asean", "asean_plus_3", "eas", "arf", "arf_soh2008", "cica", "sco", "saarc",
                                    "east_asia", "southeast_asia", "wb_eap", "dac"}


def test_every_member_group_is_defined(members, groups):
    assert set(members.group_id) <= set(groups.group_id)
    assert set(groups.group_id) <= set(members.group_id), "no empty group"


def test_every_member_iso3_is_a_known_country(members, countries):
    assert set(members.iso3) <= set(countries.iso3)


def test_memberships_are_unique_and_years_plausible(members):
    assert not members.duplicated(["group_id", "iso3"]).any()
    joined = pd.to_numeric(members.joined_year, errors="coerce")
    assert joined.dropna().between(1945, 2026).all()
    assert (members.left_year == "").all()


def test_missing_joining_years_are_explained(members):
    missing = members[members.joined_year == ""]
    unexplained = missing[~missing.group_id.isin(TIMELESS_GROUPS) & ~missing.note.str.contains("unverified")]
    assert unexplained.empty, unexplained[["group_id", "iso3"]].values.tolist()
    assert (members[members.group_id.isin(TIMELESS_GROUPS)].joined_year == "").all()


def test_asean_has_ten_members_before_2025_and_eleven_from_2025(members):
    assert len(_members_of(members, "asean", 2024)) == 10
    assert len(_members_of(members, "asean", 2025)) == 11
    assert _members_of(members, "asean", 2025) - _members_of(members, "asean", 2024) == {"TLS"}
    founders = {"IDN", "MYS", "PHL", "SGP", "THA"}
    assert _members_of(members, "asean", 1967) == founders


def test_asean_plus_3_is_asean_plus_china_japan_korea(members):
    assert _members_of(members, "asean_plus_3") == _members_of(members, "asean") | {"CHN", "JPN", "KOR"}
    assert pd.to_numeric(members[members.group_id == "asean_plus_3"].joined_year).min() == 1997


def test_east_asia_summit_grew_from_16_to_18(members):
    assert len(_members_of(members, "eas", 2005)) == 16
    assert _members_of(members, "eas", 2011) - _members_of(members, "eas", 2010) == {"USA", "RUS"}


def test_arf_founding_and_current_participants(members):
    assert len(_members_of(members, "arf", 1994)) == 17  # 18 founding participants incl. the EU
    assert len(_members_of(members, "arf")) == 26  # 27 participants incl. the EU


def test_arf_soh2008_has_the_23_countries_of_footnote_15(members):
    soh = _members_of(members, "arf_soh2008")
    assert len(soh) == 23  # 24 listed minus the EU
    assert not soh & {"TLS", "BGD", "LKA"}, "kept as published: the footnote omits them"
    assert soh <= _members_of(members, "arf", 2008)


def test_arf_soh2008_row_count_matches_the_paper(members, shared):
    paper = (shared / "seeds" / "004_3ab8b12c12badfc2.txt").read_text(encoding="utf-8")
    line = next(line for line in paper.splitlines() if line.startswith("<sup>15</sup>"))
    listed = line.split("include:", 1)[1].rstrip(".").replace(" and ", ", ").split(",")
    listed = [x.strip() for x in listed if x.strip()]
    assert len(listed) == 24
    assert "EU" in listed
    notes = members[members.group_id == "arf_soh2008"].note
    printed = {re.search(r"'(.+)'", n).group(1) for n in notes}
    assert printed == set(listed) - {"EU"}


def test_regional_organisation_sizes(members):
    assert len(_members_of(members, "sco")) == 10
    assert _members_of(members, "sco", 2001) == {"CHN", "KAZ", "KGZ", "RUS", "TJK", "UZB"}
    assert len(_members_of(members, "saarc")) == 8
    assert _members_of(members, "saarc", 2006) == {"BGD", "BTN", "IND", "MDV", "NPL", "PAK", "LKA"}
    assert len(_members_of(members, "cica")) == 28
    assert len(_members_of(members, "dac")) == 31  # 32 members incl. the EU


def test_geographic_groups_follow_the_country_table(members, countries):
    assert _members_of(members, "east_asia") == set(countries.iso3[countries.un_region == "Eastern Asia"])
    assert _members_of(members, "southeast_asia") == set(countries.iso3[countries.un_region == "South-eastern Asia"])
    assert _members_of(members, "wb_eap") == set(countries.iso3[countries.wb_region == "East Asia & Pacific"])
    assert _members_of(members, "asean") <= _members_of(members, "southeast_asia")
