"""Staff language helpers (dashboard/labels.py) and the table layout that fits the page (components/staff_table.py):
pure functions, checked on the forms the warehouse really stores."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from dashboard import labels
from dashboard.components import staff_table
from dashboard.components.staff_table import Col


@pytest.mark.parametrize("value, day, with_time", [
    ("2018-10-03", "3 Oct 2018", "3 Oct 2018"),
    ("2026-12-02T07:41:08Z", "2 Dec 2026", "2 Dec 2026, 07:41 UTC"),
    ("2026-11-23 15:50:00", "23 Nov 2026", "23 Nov 2026, 15:50 UTC"),
    ("20261202T074108Z-d304d35b", "2 Dec 2026", "2 Dec 2026, 07:41 UTC"),  # a version / run id
    ("2007-02", "Feb 2007", "Feb 2007"),
    (datetime(2019, 5, 8, 9, 5), "8 May 2019", "8 May 2019, 09:05 UTC"),
    (date(2019, 6, 7), "7 Jun 2019", "7 Jun 2019"),
])
def test_human_date_reads_iso_dates_timestamps_and_run_ids(value, day, with_time):
    assert labels.human_date(value) == day
    assert labels.human_date(value, with_time=True) == with_time


@pytest.mark.parametrize("value", ["08/05/2019", "03/10/18", "3rd April 2019", "as of 2006", "2018-13-40"])
def test_human_date_never_guesses(value):
    """Day-first or month-first? Text stays as the publisher wrote it; an impossible date is not a date."""
    assert labels.human_date(value) == value


@pytest.mark.parametrize("value", [None, float("nan"), pd.NA, pd.NaT, np.nan, ""])
def test_missing_values_read_as_a_dash(value):
    assert labels.human_date(value) == labels.MISSING
    assert labels.number(value) == labels.MISSING
    assert labels.text_or(value) == labels.MISSING


def test_vintage_prefers_the_parsed_date_and_says_when_there_is_none():
    assert labels.vintage_label("08/05/2019", "2019-05-08") == "8 May 2019"
    assert labels.vintage_label("plotly 7.1.0 package data", None) == "plotly 7.1.0 package data"
    assert labels.vintage_label(None, None) == "not stated"


def test_source_label_names_title_and_how_it_arrived():
    assert labels.source_label("Global Hunger Index (2021)", "Concern", "starter", "starter-ghi") == \
        "Global Hunger Index (2021) · bundled starter copy"
    assert labels.source_label(None, "World Bank", "live", "wdi") == "World Bank"
    assert labels.source_label(None, None, None, "hdr") == "hdr"


def test_direction_says_why_there_is_none():
    assert labels.direction_text(True) == "Higher is better"
    assert labels.direction_text(np.False_) == "Lower is better"
    assert labels.direction_text(None, "A donor's aid volume is reported, not ranked.") == \
        "No better direction: A donor's aid volume is reported, not ranked."
    assert labels.direction_text(float("nan")) == "No better direction stated"


def test_numbers_and_years_in_words():
    assert [labels.number(x) for x in (1714.0, 0.582, 19574, 45.81, 1234567.89)] == \
        ["1,714", "0.582", "19,574", "45.81", "1,234,568"]
    assert labels.year_span(1990, 2017) == "1990–2017" and labels.year_span(2015, 2015) == "2015"
    assert labels.year_span(None, 2000) == "no data"


def test_codes_in_explanations_become_names():
    names = {"SI.POV.DDAY": "Poverty headcount ratio at $3.00 a day", "SH.DYN.MORT": "Under-5 mortality"}
    text = "The warehouse holds no series for SI.POV.DDAY. SH.DYN.MORT, not X.UNKNOWN."
    assert labels.with_names(text, names) == ("The warehouse holds no series for Poverty headcount ratio at $3.00 a "
                                              "day. Under-5 mortality, not X.UNKNOWN.")
    assert labels.field_words("kept (value_high = 1,020,000)") == "kept (upper value = 1,020,000)"


# --- tables that fit -----------------------------------------------------------------------------------------------

def test_widths_are_scaled_into_the_page():
    wide = {f"c{i}": Col(f"C{i}", 300) for i in range(5)}
    fitted = staff_table.fitted(wide)
    assert sum(c.width for c in fitted.values()) <= staff_table.BUDGET_PX
    assert staff_table.fitted({"a": Col("A", 100)}) == {"a": Col("A", 100)}


def test_long_text_asks_for_wrapped_rows_and_blank_columns_are_found():
    frame = pd.DataFrame({"name": ["x" * 90, "short"], "empty": [None, ""], "n": [1.0, None]})
    cols = {"name": Col("Name", 200), "empty": Col("Empty", 100), "n": Col("N", 60, "number")}
    assert staff_table.lines_needed(staff_table.prepared(frame, cols), cols) == 3
    assert staff_table.lines_needed(staff_table.prepared(frame, cols), {"name": Col("Name", 800)}) == 1
    assert staff_table.blank(frame["empty"]) and not staff_table.blank(frame["name"])
    shown = staff_table.prepared(frame, cols)
    assert list(shown["empty"]) == ["", ""] and shown["n"].isna().iloc[1]  # text blank, numbers stay numbers


def test_an_unknown_column_kind_is_refused():
    with pytest.raises(ValueError):
        Col("X", kind="sparkles")
