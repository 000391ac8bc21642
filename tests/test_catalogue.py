"""The curated catalogue (catalogue/*.csv): valid, consistent, covering every real file in ../shared/data, and the
mapping step that applies it (user mappings with a factor, skipped columns, plausibility, names that are never codes)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

from etl import catalogue, mapping
from etl.catalogue import CatalogueError

REPO = Path(__file__).resolve().parents[1]
CAT = REPO / "catalogue"

WDI_CODES = {
    "SI.POV.DDAY", "SI.POV.LMIC", "SI.POV.NAHC", "SI.POV.GINI", "SN.ITK.DEFC.ZS", "SH.STA.STNT.ZS", "SH.STA.WAST.ZS",
    "SH.STA.MALN.ZS", "SH.DYN.MORT", "SH.STA.MMRT", "SE.PRM.CMPT.ZS", "SE.ENR.PRIM.FM.ZS", "SH.H2O.BASW.ZS",
    "SH.DYN.AIDS.ZS", "SP.DYN.LE00.IN", "SP.POP.TOTL", "NY.GDP.PCAP.PP.KD", "DT.ODA.ODAT.CD", "DT.ODA.ODAT.PC.ZS",
    "DT.ODA.ODAT.GN.ZS", "DC.DAC.JPNL.CD", "DC.DAC.KORL.CD", "DC.DAC.USAL.CD", "DC.DAC.AUSL.CD", "DC.DAC.TOTL.CD",
    "VC.BTL.DETH", "VC.IHR.PSRC.P5", "SM.POP.REFG.OR",
    # JMP's SDG 6 series, which the water file also carries (issue 10)
    "SH.H2O.SMDW.ZS", "SH.STA.BASS.ZS", "SH.STA.SMSS.ZS", "SH.STA.ODFC.ZS", "SH.STA.HYGN.ZS",
}
HDR_STEMS = [
    "hdi", "le", "eys", "mys", "gnipc", "gdi", "hdi_f", "hdi_m", "le_f", "le_m", "eys_f", "eys_m", "mys_f", "mys_m",
    "gni_pc_f", "gni_pc_m", "gii", "mmr", "abr", "se_f", "se_m", "pr_f", "pr_m", "lfpr_f", "lfpr_m", "ihdi",
    "coef_ineq", "loss", "ineq_le", "ineq_edu", "ineq_inc", "phdi", "co2_prod", "mf", "pop_total",
]


@pytest.fixture(scope="module")
def cat():
    return catalogue.load()


def test_files_are_utf8_lf_and_valid(cat):
    for name in ("indicators.csv", "series.csv", "unit_kinds.csv", "aliases.csv"):
        raw = (CAT / name).read_bytes()
        raw.decode("utf-8")
        assert b"\r" not in raw and not raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\n"), name
    assert len(cat.indicators) > 300 and cat.indicators["indicator_code"].is_unique


def test_every_indicator_has_meaning(cat):
    ind = cat.indicators
    assert (ind["name"] != ind["indicator_code"]).all()
    assert ind[["name", "short_name", "unit", "unit_kind", "definition"]].notna().all().all()
    no_direction = ind[ind["higher_is_better"].isna()]
    assert no_direction["direction_note"].str.len().gt(10).all(), no_direction["indicator_code"].tolist()
    floored = ind[ind["reporting_floor"].notna()].set_index("indicator_code")
    assert floored.loc["SN.ITK.DEFC.ZS", "reporting_floor"] == 2.5


def test_wdi_rows_are_exactly_the_series_the_connector_fetches(cat):
    from etl.sources.worldbank import catalogue_codes

    assert set(catalogue_codes()) == WDI_CODES


def test_every_hdr_stem_is_a_catalogue_code_or_mapped(cat):
    for stem in HDR_STEMS:
        code = f"HDR.{stem.upper()}"
        m = cat.lookup("hdr", code)
        assert m is not None and cat.known(m.indicator_code), code
    assert cat.lookup("hdr", "HDR.POP_TOTAL").factor == 1_000_000  # millions → persons
    assert cat.lookup("hdr", "HDR.MMR").indicator_code == "SH.STA.MMRT"


def test_gapminder_columns_are_mapped(cat):
    assert cat.lookup("gapminder", "lifeExp").indicator_code == "SP.DYN.LE00.IN"
    assert cat.lookup("gapminder", "pop").indicator_code == "SP.POP.TOTL"
    assert cat.lookup("gapminder", "gdpPercap").relation == "separate"


def _columns(path: Path, skip: int) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh))[skip:]


def test_every_column_of_every_shared_file_is_catalogued(shared, cat):
    """Every value column of the real files in ../shared/data has a reviewed row in series.csv (same, asserted,
    separate or skip) — none is left to a raw column code."""
    missing = []
    for folder in sorted((shared / "data/owid").iterdir()):
        for col in _columns(folder / "data.csv", 2):
            if cat.lookup(f"owid:{folder.name}", col) is None:
                missing.append((folder.name, col))
    for col in ("Value",):
        assert cat.lookup("datapackage:population", col).indicator_code == "SP.POP.TOTL"
    for vintage in sorted((shared / "data/one/oda_gni_ts").iterdir()):
        for col in _columns(vintage / "oda_gni_ts.csv", 2):
            assert cat.lookup("csv:oda-gni-ts", col) is not None, col
    assert missing == []


def test_same_measures_are_mapped_and_different_ones_kept_apart(cat):
    mm = "owid:maternal-mortality-ratio-gapminder-2010-who-2019-and-oecd-20"
    assert cat.lookup(mm, "maternal_mortality_rate_who_2019").indicator_code == "SH.STA.MMRT"
    spliced = cat.lookup(mm, "Maternal Mortality Ratio (Gapminder (2010) and World Bank (2015))")
    assert spliced.relation == "separate" and "splice" in spliced.reason.lower()
    stunted = cat.lookup("owid:number-of-children-who-are-stunted-owid-based-on-unicef-who", "Number of children who are stunted")
    assert stunted.indicator_code != "SH.STA.STNT.ZS" and "count" in stunted.reason.lower()
    cme = cat.lookup("owid:child-mortality-estimates-cme-info-2018", "Child Mortality Estimates (CME Info (2016))")
    assert cme.relation == "asserted" and cme.indicator_code == "SH.DYN.MORT" and "agreement" in cme.reason
    pou = cat.lookup("owid:prevalence-of-undernourishment-world-bank-2017-un-sofi-2018",
                     "Prevalence of undernourishment (World Bank 2017 & UN FAO SOFI (2018))")
    assert pou.reporting_floor == 5  # this vintage floors at 5, not FAO's current 2.5


def test_aliases_translate_old_codes(cat):
    assert cat.canonical("SP.DYN.LE00.IN") == "SP.DYN.LE00.IN"
    assert cat.canonical("HDR.HDI") == "HDR.HDI"


def test_search_finds_by_words_in_name_or_definition(cat):
    assert "SH.STA.STNT.ZS" in set(cat.search("stunting")["indicator_code"])
    assert "SH.H2O.BASW.ZS" in set(cat.search("basic drinking water")["indicator_code"])


@pytest.mark.parametrize("file, edit, words", [
    ("indicators.csv", lambda df: df.assign(unit_kind=df["unit_kind"].where(df.index != 0, "furlongs")), "unit kinds not in"),
    ("series.csv", lambda df: df.assign(indicator_code=df["indicator_code"].where(df.index != 0, "NO.SUCH.CODE")), "maps to indicators not in"),
    ("indicators.csv", lambda df: df.assign(name=df["name"].where(df.index != 0, df["indicator_code"])), "name_is_not_the_code"),
    ("indicators.csv", lambda df: df.assign(higher_is_better=df["higher_is_better"].where(df.index != 0, ""),
                                            direction_note=df["direction_note"].where(df.index != 0, "")), "direction_or_reason"),
])
def test_a_broken_catalogue_is_refused(tmp_path, file, edit, words):
    folder = tmp_path / "catalogue"
    shutil.copytree(CAT, folder)
    df = pd.read_csv(folder / file, dtype=str, keep_default_na=False)
    edit(df).to_csv(folder / file, index=False)
    with pytest.raises(CatalogueError, match=words):
        catalogue.load(str(folder))


# --- the mapping step ------------------------------------------------------------------------------------------------

def _frame(rows):
    """SYNTHETIC long rows under a source's own keys."""
    return pd.DataFrame(rows, columns=["iso3", "indicator_code", "year", "value", "note", "flag"])


def test_user_mapping_with_factor_beats_the_catalogue_and_is_recorded(cat):
    frame = _frame([("KHM", "k1", 2015, 3.5, None, None), ("LAO", "k1", 2015, 6.0, None, None)])
    cols = {"k1": mapping.ColumnInfo(column="Deaths under five (per 100)")}
    out = mapping.apply(frame, dataset="owid:toy", columns=cols, cat=cat,
                        user={"Deaths under five (per 100)": mapping.UserMapping("SH.DYN.MORT", 10)})
    assert out.frame["indicator_code"].tolist() == ["SH.DYN.MORT"] * 2
    assert out.frame["value"].tolist() == [35.0, 60.0]
    assert out.frame["note"].str.contains("× 10").all()
    assert out.series[0]["relation"] == "user" and out.series[0]["origin"] == "user" and out.series[0]["factor"] == 10


def test_implausible_values_are_rejected_with_the_reason(cat):
    frame = _frame([("KHM", "HDR.HDI", 2017, 7.5, None, None), ("LAO", "HDR.HDI", 2017, -0.9, None, None),
                    ("VNM", "HDR.HDI", 2017, 1e308, None, None), ("THA", "HDR.HDI", 2017, 0.77, None, None)])
    out = mapping.apply(frame, dataset="hdr", columns={}, cat=cat, describe_unmapped=False)
    assert out.frame["iso3"].tolist() == ["THA"]
    assert len(out.rejected) == 3 and out.rejected["reason"].str.startswith("implausible value").all()
    assert "valid range 0–1" in out.rejected["reason"].iloc[0]


def test_unmapped_columns_are_described_never_named_by_their_code(cat):
    frame = _frame([("KHM", "OWID.toy.wat_x", 2015, 1.0, None, None), ("KHM", "OWID.toy.score", 2015, 2.0, None, None),
                    ("KHM", "OWID.toy.rank", 2015, 3.0, None, None)])
    cols = {"OWID.toy.wat_x": mapping.ColumnInfo(column="wat_x"),
            "OWID.toy.score": mapping.ColumnInfo(column="Score of things", unit="points", description="A score."),
            "OWID.toy.rank": mapping.ColumnInfo(column="Rank of things", is_rank=True)}
    out = mapping.apply(frame, dataset="owid:toy", columns=cols, cat=cat, dataset_title="Toy data set")
    names = {i["indicator_code"]: i for i in out.indicators}
    assert names["OWID.toy.wat_x"]["name"] == "Toy data set: column “wat_x”" and out.unnamed == ["wat_x"]
    assert names["OWID.toy.score"]["name"] == "Score of things" and names["OWID.toy.score"]["unit"] == "points"
    assert all(i["name"] != i["indicator_code"] for i in out.indicators)
    assert all(i["direction_note"] for i in out.indicators)
    assert "Rank of things" in out.skipped and "rank" in out.skipped["Rank of things"]


def test_two_columns_on_one_indicator_are_refused(cat):
    frame = _frame([("KHM", "a", 2015, 1.0, None, None), ("KHM", "b", 2015, 2.0, None, None)])
    user = {"A": mapping.UserMapping("HDR.HDI"), "B": mapping.UserMapping("HDR.HDI")}
    cols = {"a": mapping.ColumnInfo(column="A"), "b": mapping.ColumnInfo(column="B")}
    out = mapping.apply(frame, dataset="owid:toy", columns=cols, cat=cat, user=user)
    assert len(out.frame) == 1 and "already gives" in out.rejected["reason"].iloc[0]


@pytest.mark.parametrize("text, column, code, factor", [
    ("Under 5=SH.DYN.MORT", "Under 5", "SH.DYN.MORT", 1.0),
    ("a=b=c=HDR.HDI*0.01", "a=b=c", "HDR.HDI", 0.01),
])
def test_parse_user_mapping(text, column, code, factor):
    col, um = mapping.parse_user_mapping(text)
    assert (col, um.indicator_code, um.factor) == (column, code, factor)


@pytest.mark.parametrize("text", ["nocode", "x=", "x=BAD CODE", "x=HDR.HDI*-1", "x=HDR.HDI*abc"])
def test_parse_user_mapping_refuses(text):
    with pytest.raises(ValueError):
        mapping.parse_user_mapping(text)
