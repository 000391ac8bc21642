"""File names say what an export is; spec files and --chart strings become the specs the dashboard would draw."""

from __future__ import annotations

import json

import pytest

from dashboard.export import naming, specfile
from dashboard.figures.spec import ChartSpec

STUNTING = "Prevalence of stunting, height for age (% of children under 5)"


def test_the_issue_example_name():
    spec = ChartSpec("SH.STA.STNT.ZS", indicator_name=STUNTING, groups=("asean",), year_from=2000, year_to=2022)
    assert naming.filename(spec, "png") == "stunting_ASEAN_2000-2022.png"
    assert naming.filename(spec, "xlsx") == "stunting_ASEAN_2000-2022.xlsx"
    assert naming.filename(spec, "png", "square") == "stunting_ASEAN_2000-2022_square.png"


@pytest.mark.parametrize("spec, expected", [
    (ChartSpec("HDR.HDI", indicator_name="Human Development Index (value)", groups=("asean_plus_3",),
               countries=("THA",), kind="map", year_from=2000, year_to=2022, year=2019),
     "human-development-index_ASEAN+3-THA_2019_map.svg"),
    (ChartSpec("SP.DYN.LE00.IN", indicator_name="Life expectancy at birth, total (years)", groups=("wb_eap",),
               year_from=1952, year_to=2007, base_year=1990),
     "life-expectancy-at-birth_WB-EAP_1952-2007_change-since-1990.svg"),
    (ChartSpec("A", indicator_name="Share of the population using safely managed water", kind="scatter",
               x_indicator_code="B", x_indicator_name="GDP per capita (constant 2015 US$)", year=2020,
               countries=("KHM", "LAO", "MMR", "VNM")),
     "population-using-safely-managed-water-vs-gdp-per-capita_KHM-LAO-MMR-and-1-more_2020_scatter.svg"),
    (ChartSpec("X/../../etc", indicator_name="", countries=("THA",), year_from=2001, year_to=2001, kind="table"),
     "x-etc_THA_2001_table.svg"),
])
def test_names(spec, expected):
    assert naming.filename(spec, "svg") == expected


def test_names_are_safe_characters_only():
    spec = ChartSpec("X", indicator_name='Bad "name" <script>/\\:*?|', countries=("THA",), year_from=2000, year_to=2001)
    name = naming.filename(spec, "png")
    assert set(name) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+._-")


@pytest.fixture()
def resolver(ro):
    return specfile.Resolver(ro)


def test_chart_option_and_typed_names_resolve(resolver):
    d = specfile.merge({"indicator": "gapminder.lifeexp", "groups": ["ASEAN", "ASEAN+3"], "countries": ["thailand"],
                        "from": 1990, "to": 2007}, specfile.parse_chart_option("bar year=2002 weighted=false"))
    spec = specfile.to_spec(d, resolver)
    assert spec == ChartSpec("SP.DYN.LE00.IN", countries=("THA",), groups=("asean", "asean_plus_3"),
                             year_from=1990, year_to=2007, kind="bar", weighted=False, year=2002)


@pytest.mark.parametrize("raw, message", [
    ({"indicator": "SP.DYN.LE00.INX", "groups": ["asean"]}, "did you mean SP.DYN.LE00.IN"),
    ({"indicator": "SP.DYN.LE00.IN", "groups": ["NOPE"]}, "unknown group 'NOPE'"),
    ({"indicator": "SP.DYN.LE00.IN"}, "at least one group or country"),
    ({"indicator": "SP.DYN.LE00.IN", "countries": ["THA"], "kind": "pie"}, "unknown chart 'pie'"),
    ({"indicator": "SP.DYN.LE00.IN", "countries": ["THA"], "kind": "scatter"}, "x axis"),
    ({"indicator": "SP.DYN.LE00.IN", "countries": ["THA"], "from": 2005, "to": 2000}, "after --to"),
])
def test_bad_specs_say_why(resolver, raw, message):
    with pytest.raises(specfile.SpecError, match=message):
        specfile.to_spec(specfile.normalise(raw), resolver)


def test_unknown_keys_are_refused():
    with pytest.raises(specfile.SpecError, match="unknown key 'grups'"):
        specfile.normalise({"grups": ["asean"]})


def test_toml_and_json_spec_files_and_the_round_trip(tmp_path, resolver):
    toml = tmp_path / "pack.toml"
    toml.write_text('title = "ASEAN"\nsize = "square"\n[defaults]\ngroups = ["ASEAN"]\nfrom = 1970\nto = 2007\n'
                    '[[chart]]\nindicator = "SP.DYN.LE00.IN"\nkind = "line"\n'
                    '[[chart]]\nindicator = "GAPMINDER.GDPPERCAP"\nkind = "map"\nyear = 2002\n', encoding="utf-8")
    settings, charts = specfile.load_file(toml)
    assert settings["title"] == "ASEAN" and settings["size"] == "square"
    specs = [specfile.to_spec(specfile.merge(settings["defaults"], c), resolver) for c in charts]
    assert [s.kind for s in specs] == ["line", "map"] and specs[1].year == 2002 and specs[0].groups == ("asean",)
    # the Briefing page's spec file reads back to the same specs
    dumped = tmp_path / "pack.json"
    dumped.write_text(specfile.dump_json(specs, "ASEAN", "square"), encoding="utf-8")
    assert json.loads(dumped.read_text())["title"] == "ASEAN"
    settings2, charts2 = specfile.load_file(dumped)
    assert [specfile.to_spec(c, resolver) for c in charts2] == specs
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(specfile.SpecError, match="not valid JSON"):
        specfile.load_file(bad)
