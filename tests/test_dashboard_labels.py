"""Shared display text (dashboard.labels): dates as people write them, sources by publisher, lists of names, and the
picker order that lets a typed name or acronym find its own option first."""

import datetime as dt

import pytest

from dashboard.labels import date_text, names_text, publisher_label, search_first


@pytest.mark.parametrize("value, text", [
    ("2018-10-05", "5 Oct 2018"), ("2026-12-02T07:47:22Z", "2 Dec 2026"), ("2019-05-08 00:00:00", "8 May 2019"),
    (dt.date(2019, 4, 3), "3 Apr 2019"), ("plotly 7.1.0 package data", "plotly 7.1.0 package data"),
    ("2019-02-30", "2019-02-30"), (None, "–"), (float("nan"), "–"), ("", "–"),
])
def test_date_text(value, text):
    assert date_text(value, "–") == text


def test_publisher_label_names_the_publisher_not_the_id():
    assert publisher_label("UNDP", "import", "2019-05-08", "owid-hdi") == "UNDP — imported file, 8 May 2019"
    assert publisher_label(None, "starter", None, "starter-hdi") == "starter-hdi — bundled starter copy"
    assert publisher_label("World Bank") == "World Bank"


def test_names_text():
    assert names_text([]) == "" and names_text(["Laos"]) == "Laos"
    assert names_text(["Laos", "Myanmar"]) == "Laos and Myanmar"
    assert names_text(["Vietnam", "Laos", "Myanmar"]) == "Vietnam, Laos and Myanmar"


def _first(options, label, typed):
    return next(o for o in options if typed.casefold() in label(o).casefold())


def test_search_first_puts_the_typed_option_first():
    names = {"NGA": "Nigeria", "NER": "Niger", "GNQ": "Equatorial Guinea", "GIN": "Guinea", "SSD": "South Sudan",
             "SDN": "Sudan", "DOM": "Dominican Republic", "DMA": "Dominica"}
    order = search_first(list(names), names.get)
    for code, name in names.items():
        assert _first(order, names.get, name) == code, (name, [names[o] for o in order])
    groups = {"apt": "ASEAN Plus Three (APT)", "arf": "ASEAN Regional Forum (ARF)",
              "asean": "Association of Southeast Asian Nations (ASEAN)", "eas": "East Asia Summit (EAS)",
              "soh": "ARF participants as listed in Soh (2008)"}
    acronym = {"apt": "APT", "arf": "ARF", "asean": "ASEAN", "eas": "EAS"}
    order = search_first(list(groups), groups.get, lambda g: [acronym[g]] if g in acronym else [])
    for g, a in acronym.items():
        assert _first(order, groups.get, a) == g, (a, order)
    assert order.index("asean") < order.index("apt") and order.index("eas") < order.index("asean")
    assert search_first(["b", "a"], str.upper) == ["b", "a"]  # nothing in common: the order given


def test_a_vintage_whose_day_month_order_is_not_stated_is_shown_as_written_and_marked():
    from dashboard.labels import vintage_text

    assert vintage_text("2018-10-03") == "3 Oct 2018"
    assert vintage_text("03/10/18") == "03/10/18 (as the publisher wrote it)"
    assert vintage_text("plotly 7.1.0 package data") == "plotly 7.1.0 package data"
    assert vintage_text(None, "not stated") == "not stated"
