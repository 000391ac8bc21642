"""URL state (dashboard.urlstate, the generic machinery, and each page's parameters in dashboard/views/*_url.py):
parsing against allow-lists, notices for unknown or malicious values, round trips."""

import re

import pandas as pd
import pytest

from dashboard import urlstate as state
from dashboard.urlstate import Param
from dashboard.views import PAGE_KEYS, aid_url, compare_url, country_url, indicators_url, sources_url, tfhs_url

PARAMS = [
    Param("ind", "one", "A"), Param("c", "many", ("KHM",)), Param("time", "range", None), Param("year", "int", None),
    Param("log", "bool", False), Param("q", "text", ""),
]
ALLOWED = {"ind": {"A", "B.C-1"}, "c": {"KHM", "VNM", "THA"}, "time": (1990, 2020), "year": (1990, 2020)}


def test_absent_parameters_take_their_defaults():
    values, notices = state.parse({}, PARAMS, ALLOWED)
    assert values == {"ind": "A", "c": ("KHM",), "time": None, "year": None, "log": False, "q": ""}
    assert notices == []


def test_valid_values_are_parsed():
    query = {"ind": "B.C-1", "c": "VNM,THA", "time": "2000..2010", "year": "2005", "log": "1", "q": "Viet Nam"}
    values, notices = state.parse(query, PARAMS, ALLOWED)
    assert values == {"ind": "B.C-1", "c": ("VNM", "THA"), "time": (2000, 2010), "year": 2005, "log": True, "q": "Viet Nam"}
    assert notices == []


def test_explicit_empty_selection_is_not_the_default():
    values, _ = state.parse({"c": "", "year": ""}, PARAMS, ALLOWED)
    assert values["c"] == () and values["year"] is None


@pytest.mark.parametrize("query, name", [
    ({"ind": "x'; DROP TABLE observation; --"}, "ind"),
    ({"time": "1800..2100"}, "time"), ({"time": "2010..2000"}, "time"), ({"time": "abc"}, "time"),
    ({"year": "2e3"}, "year"), ({"year": "99999"}, "year"), ({"log": "yes"}, "log"),
    ({"q": "<script>alert(1)</script>"}, "q"), ({"q": "x" * 200}, "q"),
])
def test_bad_values_are_ignored_with_a_notice(query, name):
    values, notices = state.parse(query, PARAMS, ALLOWED)
    assert values[name] == next(p.default for p in PARAMS if p.name == name)
    assert len(notices) == 1 and name in notices[0]
    for echoed in re.findall(r"'([^']*)'", notices[0]):  # the value is never echoed raw
        assert re.fullmatch(r"[A-Za-z0-9._+\- ?…]*", echoed)


def test_unknown_codes_in_a_list_are_dropped_and_named():
    values, notices = state.parse({"c": "KHM,ZZZ,<b>,VNM,KHM"}, PARAMS, ALLOWED)
    assert values["c"] == ("KHM", "VNM")
    assert "ZZZ" in notices[0] and "<b>" not in notices[0]


def test_unknown_keys_get_a_notice_but_other_pages_keys_do_not():
    _, notices = state.parse({"evil": "1", "iso3": "KHM"}, PARAMS, ALLOWED, others=PAGE_KEYS)
    assert notices == ["unknown parameter 'evil'"]
    _, notices = state.parse({"evil": "1", "iso3": "KHM"}, PARAMS, ALLOWED)  # without the other pages' keys
    assert notices == ["unknown parameter 'evil'", "unknown parameter 'iso3'"]


def test_page_keys_are_every_pages_parameters():
    catalogue = pd.DataFrame({"indicator_code": ["A"], "n_countries": [1], "year_min": [2000], "year_max": [2010]})
    declared = {
        compare_url: compare_url.params(catalogue, {"KHM"}, {"asean"}), country_url: country_url.params(["KHM"]),
        aid_url: aid_url.params(["JPN"], ["asean"], (2000, 2010), ["A"]), tfhs_url: tfhs_url.params(),
        sources_url: sources_url.params(), indicators_url: indicators_url.params(["asean"]),
    }
    for module, params in declared.items():
        assert tuple(p.name for p in params) == module.KEYS, module.__name__
    assert PAGE_KEYS == {k for m in declared for k in m.KEYS}
    prefixes = [m.PREFIX for m in declared]
    assert len(set(prefixes)) == len(prefixes)  # widget keys of two pages never collide


def test_long_lists_are_cut():
    allowed = {"c": {f"C{i:02d}" for i in range(40)}}
    values, notices = state.parse({"c": ",".join(sorted(allowed["c"]))}, [Param("c", "many", ())], allowed)
    assert len(values["c"]) == state.MAX_ITEMS and "first" in notices[0]


@pytest.mark.parametrize("values", [
    {"ind": "B.C-1", "c": ("VNM", "THA"), "time": (2000, 2010), "year": 2005, "log": True, "q": "water"},
    {"ind": "A", "c": (), "time": (1990, 2020), "year": None, "log": False, "q": ""},
])
def test_serialise_then_parse_round_trips(values):
    query = state.serialise(values, PARAMS)
    assert all(isinstance(v, str) for v in query.values()) and set(query) == {p.name for p in PARAMS}
    assert state.parse(query, PARAMS, ALLOWED) == (values, [])


def test_compare_spec_keeps_years_inside_the_indicator_span():
    row = {"indicator_code": "X", "name": "X", "unit": "%", "year_min": 1995, "year_max": 2015, "higher_is_better": pd.NA}
    spec = compare_url.chart_spec({"ind": "X", "c": ("KHM",), "g": (), "time": (1980, 2030), "view": "bar", "year": 2030,
                               "w": True, "log": False, "lowcov": "hide", "base": None, "x": "Y"}, row)
    assert (spec.year_from, spec.year_to, spec.year) == (1995, 2015, 2015)
    assert spec.hide_low_coverage and spec.higher_is_better is None and spec.x_indicator_code is None
    assert state.clamp_range(None, 1952, 2007) == (2000, 2007)
    assert state.clamp_range(None, 1960, 1990) == (1960, 1990)


def test_compare_defaults_prefer_stunting_cambodia_and_asean():
    catalogue = pd.DataFrame({"indicator_code": ["HDR.HDI", "SH.STA.STNT.ZS", "Z"], "n_countries": [10, 5, 50],
                              "year_min": [1990, 2000, 1950], "year_max": [2017, 2020, 2020]})
    params = {p.name: p.default for p in compare_url.params(catalogue, {"KHM", "VNM"}, {"asean", "eas"})}
    assert params["ind"] == "SH.STA.STNT.ZS" and params["c"] == ("KHM",) and params["g"] == ("asean",)
    assert params["x"] == compare_url.AUTO_X and params["mem"] == "current"  # x: chosen for the countries shown
    overlap = pd.DataFrame({"indicator_code": ["Z", "HDR.HDI"], "n_countries": [10, 9]})
    assert compare_url.auto_x(overlap, catalogue.assign(unit_kind="percent"), "SH.STA.STNT.ZS") == "HDR.HDI"


def test_plain_text_filter():
    assert state.is_plain_text("Viet Nam, rural +5") and not state.is_plain_text("a'b") and not state.is_plain_text("%")
