"""`hsdash import` on the real OWID extracts in ../shared/data/owid: every file imports, every value cell is either
loaded or quarantined with a reason, and loaded values equal the file's."""

import csv
import json

import duckdb
import pytest
from click.testing import CliRunner

from etl.cli import main
from etl.imports import ImportError_, detect

OWID = [
    "child-mortality-estimates-cme-info-2018",
    "gender-inequality-index-human-development-report-2015",
    "global-hunger-index-2021",
    "human-development-index-undp",
    "maternal-mortality-ratio-gapminder-2010-who-2019-and-oecd-20",
    "multidimensional-poverty-index-mpi-2022-harmonized-over-time",
    "number-of-children-who-are-stunted-owid-based-on-unicef-who",
    "prevalence-of-undernourishment-world-bank-2017-un-sofi-2018",
    "water-and-sanitation-who-wash-2021",
    # added to ../shared with issue 10
    "population-by-country-1800-to-2100-gapminder-un",
    "global-extreme-poverty-present-and-past-since-1820-moatsos-i",
    "natural-disasters-emdat",
    "vaccine-coverage-and-disease-burden-who-2017",
    "conflict-deaths-by-country-ucdp-2019",
]


def value_cells(shared, slug):
    """Count non-empty value cells in the file, independently of the importer (csv module only)."""
    with open(shared / "data/owid" / slug / "data.csv", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    return header, rows, sum(1 for r in rows for v in r[2:] if v.strip() != "")


def test_the_shared_folder_holds_the_expected_files(shared):
    assert sorted(p.name for p in (shared / "data/owid").iterdir()) == sorted(OWID)


@pytest.mark.parametrize("slug", OWID)
def test_every_value_cell_is_loaded_or_quarantined(owid_imported, shared, slug):
    header, rows, cells = value_cells(shared, slug)
    sid = f"owid-{slug}"
    con = duckdb.connect(str(owid_imported.warehouse), read_only=True)
    loaded = con.execute("SELECT count(*) FROM observation WHERE source_id = ?", [sid]).fetchone()[0]
    skipped_cols = 0
    # flagged jumps are loaded rows listed beside the quarantine (etl/plausibility.py), not quarantined cells
    quarantined = con.execute("SELECT count(*) FROM quarantine WHERE source_id = ? AND \"table\" <> 'jump (kept)'",
                              [sid]).fetchone()[0]
    reasons = [r[0] for r in con.execute("SELECT DISTINCT reason FROM quarantine WHERE source_id = ?", [sid]).fetchall()]
    src = con.execute("SELECT publisher, url FROM source WHERE source_id = ?", [sid]).fetchone()
    con.close()
    # non-numeric or rank columns are not observations: the parser lists them and they are not counted
    from etl.parsers.owid import parse_dataset

    meta = parse_dataset((shared / "data/owid" / slug / "data.csv").read_bytes(),
                         (shared / "data/owid" / slug / "datapackage.json").read_bytes(), slug).meta
    for col in meta.get("skipped_columns", {}):
        i = header.index(col)
        skipped_cols += sum(1 for r in rows if r[i].strip() != "")
    assert loaded > 0
    assert loaded + quarantined == cells - skipped_cols
    assert all(reasons)  # every quarantined cell says why
    assert src[0] and src[1].startswith("http")


def _lookup(shared, slug, entity, year, column):
    header, rows, _ = value_cells(shared, slug)
    i = header.index(column)
    for r in rows:
        if r[0] == entity and r[1] == str(year):
            return float(r[i])
    raise KeyError((entity, year, column))


@pytest.mark.parametrize(
    "slug, entity, iso3, year, column, code",
    [
        ("human-development-index-undp", "Cambodia", "KHM", 2017, "Human Development Index (UNDP)", "HDR.HDI"),
        ("human-development-index-undp", "Vietnam", "VNM", 2000, "Human Development Index (UNDP)", "HDR.HDI"),
        ("prevalence-of-undernourishment-world-bank-2017-un-sofi-2018", "Laos", "LAO", 2015,
         "Prevalence of undernourishment (World Bank 2017 & UN FAO SOFI (2018))", "SN.ITK.DEFC.ZS"),
        ("child-mortality-estimates-cme-info-2018", "Myanmar", "MMR", 2010, "Child Mortality Estimates (CME Info (2016))",
         "SH.DYN.MORT"),
        ("water-and-sanitation-who-wash-2021", "Laos", "LAO", 2015, "wat_bas", "SH.H2O.BASW.ZS"),
        ("maternal-mortality-ratio-gapminder-2010-who-2019-and-oecd-20", "Cambodia", "KHM", 2015,
         "maternal_mortality_rate_who_2019", "SH.STA.MMRT"),
    ],
)
def test_spot_values_equal_the_file(owid_imported, shared, slug, entity, iso3, year, column, code):
    expected = _lookup(shared, slug, entity, year, column)
    con = duckdb.connect(str(owid_imported.warehouse), read_only=True)
    sql = "SELECT value, indicator_code FROM observation WHERE source_id = ? AND iso3 = ? AND year = ?"
    params = [f"owid-{slug}", iso3, year]
    if code:
        sql += " AND indicator_code = ?"
        params.append(code)
    got = con.execute(sql, params).fetchall()
    con.close()
    assert len(got) == 1 and got[0][0] == pytest.approx(expected, rel=0, abs=0)


def test_imported_observations_carry_provenance(owid_imported):
    con = duckdb.connect(str(owid_imported.warehouse), read_only=True)
    n = con.execute("""
        SELECT count(*) FROM observation o JOIN source s USING (source_id)
        JOIN raw_file r ON r.source_id = o.source_id AND r.sha256 = o.raw_sha256
        WHERE o.source_id LIKE 'owid-%' AND s.publisher <> '' AND s.url <> '' AND o.retrieved_at <> ''
    """).fetchone()[0]
    total = con.execute("SELECT count(*) FROM observation WHERE source_id LIKE 'owid-%'").fetchone()[0]
    con.close()
    assert n == total > 0


def test_import_cli_reports_mapping_and_quarantine(fresh, shared):
    out = CliRunner().invoke(main, ["--data-dir", str(fresh.data), "import",
                                    str(shared / "data/owid/number-of-children-who-are-stunted-owid-based-on-unicef-who")])
    assert out.exit_code == 0, out.output
    assert "entities mapped to countries" in out.output and "quarantine reasons" in out.output
    assert "aggregate" in out.output
    raw = list((fresh.raw / "owid-number-of-children-who-are-stunted-owid-based-on-unicef-who").glob("*/data.csv"))
    assert len(raw) == 1 and raw[0].read_bytes() == (shared / "data/owid/number-of-children-who-are-stunted-owid-based-on-unicef-who/data.csv").read_bytes()
    side = json.loads((raw[0].parent / "data.csv.origin.json").read_text())
    assert side["sha256"] and "UNICEF" in side["publisher"] + side["citation"]


def test_grapher_csv_detected_and_imported(fresh, shared):
    path = shared / "fixtures/owid_grapher/share-of-adults-who-smoke.csv"
    assert detect(path).format == "owid-grapher"
    out = CliRunner().invoke(main, ["--data-dir", str(fresh.data), "import", str(path)])
    assert out.exit_code == 0, out.output
    con = duckdb.connect(str(fresh.warehouse), read_only=True)
    n = con.execute("SELECT count(*) FROM observation WHERE source_id = 'owid-grapher-share-of-adults-who-smoke'").fetchone()[0]
    q = con.execute("SELECT count(*) FROM quarantine WHERE source_id = 'owid-grapher-share-of-adults-who-smoke' "
                    "AND \"table\" <> 'jump (kept)'").fetchone()[0]
    con.close()
    with open(path, encoding="utf-8") as fh:
        cells = sum(1 for r in list(csv.reader(fh))[1:] for v in r[3:] if v.strip())
    assert n + q == cells and n > 1000


@pytest.mark.parametrize("content, words", [
    (b"", "empty"),
    (b"foo,bar\n1,2\n", "cannot tell the format"),
    (b"Entity,Year,x\nCambodia,2000,1\n", "datapackage.json"),
])
def test_bad_files_get_a_clear_error(tmp_path, content, words):
    path = tmp_path / "input.csv"
    path.write_bytes(content)
    with pytest.raises(ImportError_, match=words):
        detect(path)
