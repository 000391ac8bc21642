"""The Progress page (AppTest, no browser) for ASEAN and ASEAN+3, and its pure figure builder.

The warehouse is ``owid_imported`` (bundled sources + the ../shared/data/owid imports) when conftest provides it;
until then the bundled ``built`` warehouse plus the one OWID extract this page's targets map to (prevalence of
undernourishment → SN.ITK.DEFC.ZS), imported with ``hsdash import`` into a private copy; without ../shared, the
bundled warehouse alone (every cell then honestly says "insufficient data").
"""

import re
import shutil

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from dashboard.figures.progress import progress_figure
from dashboard_text import shown
from etl import config

APP = str(config.REPO_ROOT / "dashboard" / "app.py")
UNDERNOURISHMENT = "prevalence-of-undernourishment-world-bank-2017-un-sofi-2018"
N_TARGETS = 13
CELL = re.compile(r"^(met|on track|accelerate|regress|insufficient data|no data)( · \d{4}(→\d{4}| only))?$"
                  r"|^— not a member in the target period$")
MEMBERS = {  # members at any time 1990–2030 (reference/country_group_members.csv)
    "asean": {"BRN", "IDN", "KHM", "LAO", "MMR", "MYS", "PHL", "SGP", "THA", "TLS", "VNM"},
    "asean_plus_3": {"BRN", "IDN", "KHM", "LAO", "MMR", "MYS", "PHL", "SGP", "THA", "TLS", "VNM", "CHN", "JPN", "KOR"},
}


@pytest.fixture(scope="module")
def owid_fallback(built, tmp_path_factory):
    """A private copy of the built data directory with the OWID undernourishment extract imported (real data)."""
    shared_owid = config.REPO_ROOT.parent / "shared" / "data" / "owid" / UNDERNOURISHMENT
    if not shared_owid.is_dir():
        return built
    from etl.cli import main

    target = tmp_path_factory.mktemp("progress") / "data"
    shutil.copytree(built.data, target, symlinks=True)
    result = CliRunner().invoke(main, ["--data-dir", str(target), "import", str(shared_owid)])
    assert result.exit_code in (0, 3), result.output
    return config.paths(target)


@pytest.fixture()
def paths(request):
    try:
        return request.getfixturevalue("owid_imported")
    except pytest.FixtureLookupError:
        return request.getfixturevalue("owid_fallback")


@pytest.fixture()
def app(paths, monkeypatch):
    monkeypatch.setenv("HSDASH_DATA_DIR", str(paths.data))
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("views/progress.py").run()
    assert not at.exception, at.exception
    assert len(at.pills(key="progress_targets").value) < N_TARGETS  # one framework by default: the matrix fits
    at.pills(key="progress_targets").set_value(list(at.pills(key="progress_targets").options)).run()
    return at


def names_of(paths, iso3s) -> dict[str, str]:
    con = duckdb.connect(str(paths.warehouse.resolve()), read_only=True)
    try:
        rows = con.execute("SELECT iso3, name FROM country WHERE iso3 IN (SELECT unnest(?::VARCHAR[]))", [sorted(iso3s)]).fetchall()
    finally:
        con.close()
    return dict(rows)


def has_undernourishment(paths) -> bool:
    con = duckdb.connect(str(paths.warehouse.resolve()), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM observation WHERE indicator_code = 'SN.ITK.DEFC.ZS' AND iso3 = 'PHL'").fetchone()[0] > 0
    finally:
        con.close()


@pytest.mark.parametrize("group_id", ["asean", "asean_plus_3"])
def test_matrix_for_the_group_members_and_aggregate(app, paths, group_id):
    at = app
    at.selectbox(key="progress_group").select(group_id).run()
    assert not at.exception
    matrix = at.dataframe[0].value
    names = names_of(paths, MEMBERS[group_id])
    assert set(matrix.index[:-1]) == set(names.values())
    assert matrix.index[-1].endswith("(aggregate)")
    assert matrix.shape == (len(MEMBERS[group_id]) + 1, N_TARGETS)
    bad = [v for v in matrix.to_numpy().ravel() if not CELL.match(v)]
    assert bad == []
    # Timor-Leste joined ASEAN in 2025: no MDG cell, SDG cells assessed
    tls = matrix.loc[names["TLS"]]
    assert tls.iloc[0] == "— not a member in the target period" and tls.iloc[-1] != tls.iloc[0]
    # every cell's detail names the years and the source used
    at.selectbox(key="progress_cell").select("TLS|sdg-2.1").run()
    caption = shown(at.caption[0].value)
    assert caption.startswith("Years used: baseline") and " from " in caption
    assert "Prevalence of undernourishment" in caption and "SN.ITK.DEFC.ZS" not in caption  # names, not codes
    assert len(at.get("plotly_chart")) == 1


def test_real_data_cell_with_hand_check(app, paths):
    if not has_undernourishment(paths):
        pytest.skip("the warehouse holds no prevalence of undernourishment (../shared OWID extract not imported)")
    at = app
    at.selectbox(key="progress_group").select("asean").run()
    matrix = at.dataframe[0].value
    philippines = matrix.loc["Philippines"]
    # OWID/WDI 2017 PoU, Philippines: 1991 26.3 → 2015 13.5; halve → 13.15; at the target year no extrapolation:
    # R = (13.5 − 26.3)/(13.15 − 26.3) = 12.8/13.15 = 0.973 ≥ 0.95 → on track
    assert philippines["MDG 1.C undernourishment halved"] == "on track · 1991→2015"
    at.selectbox(key="progress_cell").select("PHL|mdg-1c-undernourishment").run()
    assert not at.exception
    assert "baseline 1991, latest 2015" in shown(at.caption[0].value) and "imported file" in shown(at.caption[0].value)
    words = " ".join(shown(m.value) for m in at.markdown)
    assert "Philippines" in words and "on track" in words
    assert any("26.3" in shown(m.value) and "13.5" in shown(m.value) for m in at.markdown)
    # the group aggregate row is assessed on the same source (ASEAN was 6 members in 1991, 10 in 2015)
    at.selectbox(key="progress_cell").select("_aggregate|mdg-1c-undernourishment").run()
    assert any("members report" in shown(m.value) for m in at.markdown)


def test_clicking_a_matrix_cell_opens_that_cell(app, paths):
    at = app
    matrix = at.dataframe[0].value
    row = list(matrix.index).index(names_of(paths, {"VNM"})["VNM"])
    # a single-cell selection as the browser sends it: (row position, column label)
    at.session_state["progress_matrix_df"] = {"selection": {"rows": [], "columns": [],
                                                            "cells": [[row, "SDG 3.2 under-5 mortality at most 25"]]}}
    at.run()
    assert not at.exception
    assert at.selectbox(key="progress_cell").value == "VNM|sdg-3.2"
    assert any(m.value.startswith("###") and "Viet" in m.value and "SDG 3.2" in shown(m.value) for m in at.markdown)
    # choosing another cell by hand afterwards is not overridden by the old click
    at.selectbox(key="progress_cell").select("THA|sdg-3.2").run()
    assert at.selectbox(key="progress_cell").value == "THA|sdg-3.2"


def test_target_choice_and_wording(app):
    at = app
    at.pills(key="progress_targets").set_value(["sdg-3.1", "sdg-3.2"]).run()
    assert not at.exception and at.dataframe[0].value.shape[1] == 2
    at.selectbox(key="progress_cell").select("_aggregate|sdg-3.1").run()
    assert any("reduce the global maternal mortality ratio to less than 70 per 100,000 live births" in shown(m.value)
               for m in at.markdown)


# --- the pure figure builder ----------------------------------------------------------------------------------------

def test_figure_draws_series_required_path_projection_and_target():
    # SYNTHETIC cell: 2015: 50, 2020: 40.5; at most 25 by 2030
    frame = pd.DataFrame({"year": [2015, 2020, 2030], "observed": [50.0, 40.5, None],
                          "required": [50.0, 50 * 0.5 ** (5 / 15), 25.0], "projected": [None, 40.5, 26.57205]})
    row = {"band": "acceleration_needed", "baseline_year": 2015, "baseline_value": 50.0, "latest_year": 2020,
           "latest_value": 40.5, "target_year": 2030, "target_value": 25.0, "source_id": "syn", "indicator_code": "X"}
    fig = progress_figure(frame, row, title="Synthetic", unit="per 1,000")
    names = [t.name for t in fig.data]
    assert names[:3] == ["observed", "required path (from baseline)", "at the observed rate"]
    assert "target (2030)" in names and "baseline (2015)" in names and "latest value used (2020)" in names
    required = fig.data[1]
    assert list(required.x) == [2015, 2020, 2030] and required.y[-1] == 25.0
    assert any("Source: syn" in a.text for a in fig.layout.annotations)


def test_figure_without_data_says_so():
    fig = progress_figure(pd.DataFrame(columns=["year", "observed", "required", "projected"]),
                          {"band": "insufficient_data", "target_year": 2030})
    assert not fig.data and "No observations" in fig.layout.annotations[0].text
