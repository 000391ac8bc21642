"""``hsdash progress``: the same table as the Progress page on the command line (through the entry point)."""

import io
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from etl import resolve, warehouse
from etl.cli import main

SHA = "0" * 64


@pytest.fixture()
def synthetic_dir(tmp_path):
    """SYNTHETIC warehouse: group 'syn_group' (AAA, BBB), indicator X, populations 100 and 300, one target
    'sdg-test' (at most 25 by 2030, baseline 2015 ± 2)."""
    data = tmp_path / "data"
    data.mkdir()
    con = warehouse.create(data / "warehouse.duckdb")
    con.execute("INSERT INTO country (iso3, name) VALUES ('AAA', 'Aland'), ('BBB', 'Bland')")
    con.execute("INSERT INTO country_group VALUES ('syn_group', 'Synthetic Group (SYN)', 'analytical', 'test', NULL)")
    con.execute("INSERT INTO country_group_member VALUES ('syn_group','AAA',NULL,NULL,NULL), ('syn_group','BBB',NULL,NULL,NULL)")
    con.execute(
        "INSERT INTO target VALUES ('sdg-test', 'SDG', 3, '3.2', 'synthetic ceiling', 'X', NULL, 'synthetic indicator', "
        "2015, 2030, 'absolute_max', 25, false, NULL, 2, 'SYNTHETIC target wording', 'test', NULL)"
    )
    rows = [("AAA", "X", 2015, 50.0), ("AAA", "X", 2020, 40.5), ("BBB", "X", 2015, 20.0), ("BBB", "X", 2020, 15.0),
            ("AAA", "SP.POP.TOTL", 2015, 100.0), ("AAA", "SP.POP.TOTL", 2020, 100.0),
            ("BBB", "SP.POP.TOTL", 2015, 300.0), ("BBB", "SP.POP.TOTL", 2020, 300.0)]
    for iso3, code, year, value in rows:
        con.execute("INSERT INTO observation VALUES (?,?,?,?,'syn','2026-01-01',?,NULL,NULL)", [iso3, code, year, value, SHA])
    resolve.materialise(con)  # what every build does: one resolved value per cell
    con.close()
    return data


def run(data_dir, *args):
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), "progress", *args])


def test_synthetic_table_matches_hand_computation(synthetic_dir):
    result = run(synthetic_dir, "--group", "SYN", "--target", "sdg-test", "--format", "csv")
    assert result.exit_code == 0, result.output
    df = pd.read_csv(io.StringIO(result.output)).set_index("name")
    # Aland 2015: 50 → 2020: 40.5; predicted 2030 = 40.5·0.9⁴ = 26.57205; R = (26.57205 − 50)/(25 − 50) = 0.937118
    aland = df.loc["Aland"]
    assert aland["band"] == "acceleration_needed" and aland["ratio"] == pytest.approx(0.937118, abs=1e-6)
    assert (aland["baseline_year"], aland["latest_year"], aland["source_id"]) == (2015, 2020, "syn")
    # Bland 20 ≤ 25 from the start
    assert df.loc["Bland", "band"] == "target_met"
    # group, population-weighted: 2015 (50·100 + 20·300)/400 = 27.5; 2020 (40.5·100 + 15·300)/400 = 21.375 ≤ 25
    group = df.loc["Synthetic Group (SYN) (aggregate)"]
    assert group["row_kind"] == "aggregate" and group["band"] == "target_met"
    assert group["baseline_value"] == pytest.approx(27.5) and group["latest_value"] == pytest.approx(21.375)
    assert "2 of 2 members report" in group["explanation"]


def test_table_and_json_formats(synthetic_dir):
    table = run(synthetic_dir, "--group", "syn_group", "--target", "SDG-TEST")
    assert table.exit_code == 0, table.output
    assert "Aland" in table.output and "accelerate" in table.output and "2015: 50" in table.output
    data = json.loads(run(synthetic_dir, "--group", "syn_group", "--target", "sdg-test", "--format", "json").output)
    assert [r["name"] for r in data] == ["Aland", "Bland", "Synthetic Group (SYN) (aggregate)"]
    assert data[1]["ratio"] is None or isinstance(data[1]["ratio"], float)  # NaN becomes null, not invalid JSON


def test_unknown_group_or_target_says_what_exists(synthetic_dir):
    bad_group = run(synthetic_dir, "--group", "NATO", "--target", "sdg-test")
    assert bad_group.exit_code == 2 and "syn_group" in bad_group.output
    bad_target = run(synthetic_dir, "--group", "syn_group", "--target", "sdg-99")
    assert bad_target.exit_code == 2 and "sdg-test" in bad_target.output
    assert run(synthetic_dir, "--group", "syn_group").exit_code == 2


def test_on_the_built_warehouse_asean_names_every_member_and_the_aggregate(built):
    result = run(built.data, "--group", "ASEAN", "--target", "sdg-3.2", "--format", "csv")
    assert result.exit_code == 0, result.output
    df = pd.read_csv(io.StringIO(result.output))
    members = set(df.loc[df["row_kind"] == "member", "iso3"])
    # ASEAN members at any time 2015–2030 (Timor-Leste admitted 2025): reference/country_group_members.csv
    assert members == {"BRN", "IDN", "KHM", "LAO", "MMR", "MYS", "PHL", "SGP", "THA", "TLS", "VNM"}
    assert df["row_kind"].iloc[-1] == "aggregate" and set(df["group_id"]) == {"asean"}
    assert df["explanation"].str.len().min() > 20  # every row says in words what it used or why it cannot say
    plus3 = run(built.data, "--group", "ASEAN+3", "--target", "sdg-3.2", "--format", "csv")
    assert set(pd.read_csv(io.StringIO(plus3.output))["group_id"]) == {"asean_plus_3"}


def test_list_shows_the_catalogue(built):
    result = run(built.data, "--list")
    assert result.exit_code == 0
    for target_id in ("mdg-1a-poverty", "mdg-1c-undernourishment", "mdg-1c-underweight", "mdg-4a-under5",
                      "mdg-5a-maternal", "mdg-7c-water", "sdg-1.1", "sdg-2.1", "sdg-2.2-stunting", "sdg-2.2-wasting",
                      "sdg-3.1", "sdg-3.2", "sdg-6.1"):
        assert target_id in result.output


def test_help_has_an_example():
    result = CliRunner().invoke(main, ["progress", "--help"])
    assert result.exit_code == 0 and "hsdash progress --group ASEAN --target sdg-3.2" in result.output
