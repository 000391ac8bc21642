"""A warehouse whose TEXT is hostile (issue 12): the offline build's real numbers under SYNTHETIC labels — country,
group and indicator names, units, descriptions, publisher, licence, citation, vintage, URL and flags — that try
markup (HTML links and images, markdown images), script URLs, spreadsheet formulas and terminal escape sequences.
Nothing here is real data; only the labels are changed, by the code below. Test modules import the ``hostile``
fixture from here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from etl import config, publish

LINK = '<a href="https://evil.example">World Bank</a>'
MD_IMAGE = "![x](https://evil.example/p.png)"
IMG = "<img src=x onerror=alert(1)>"
SCRIPT_URL = "javascript:alert(1)"
FORMULA = '=HYPERLINK("http://x")'
DDE = "@SUM(1+1)*cmd|' /C calc'!A0"
TEMPLATE = "%{customdata[0]} &amp; &lt;b&gt;"  # a plotly template variable and ready-made entities: shown as typed
HOSTILE = (LINK, MD_IMAGE, IMG, SCRIPT_URL, FORMULA, DDE, TEMPLATE)
TERMINAL = "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\x1b[2J"  # a terminal link, then "clear the screen"

INDICATOR = "SP.DYN.LE00.IN"  # offline: Gapminder's life expectancy (the only source of it)
COUNTRIES = {"THA": LINK, "VNM": IMG, "KHM": FORMULA, "PHL": MD_IMAGE, "MMR": SCRIPT_URL, "IDN": TEMPLATE}
GROUP = ("asean", DDE)
INDICATOR_NAME = f"Life expectancy {IMG}"
UNIT = f"{LINK} years"
DESCRIPTION = f"{MD_IMAGE} {FORMULA}"
SOURCE = {"publisher": f"{LINK} {TERMINAL}", "title": MD_IMAGE, "licence": IMG, "citation": FORMULA,
          "vintage": SCRIPT_URL, "url": SCRIPT_URL}
FLAG = (("THA", 2007), "-2+3 " + LINK)


def make_hostile(built: config.Paths, target: Path, version: str = "hostile-1") -> config.Paths:
    """A data directory at ``target`` whose published warehouse is the offline build with the labels above."""
    paths = config.paths(target)
    paths.state.mkdir(parents=True, exist_ok=True)
    shutil.copy(built.state / "runs.jsonl", paths.state / "runs.jsonl")
    paths.warehouses.mkdir(parents=True, exist_ok=True)
    staging = paths.warehouses / f".build-{version}.duckdb"
    shutil.copy(built.warehouse.resolve(), staging)
    staging.chmod(0o644)
    con = duckdb.connect(str(staging))
    try:
        for iso3, name in COUNTRIES.items():
            con.execute("UPDATE country SET name = ? WHERE iso3 = ?", [name, iso3])
        con.execute("UPDATE country_group SET name = ? WHERE group_id = ?", [GROUP[1], GROUP[0]])
        con.execute("UPDATE indicator SET name = ?, unit = ?, description = ? WHERE indicator_code = ?",
                    [INDICATOR_NAME, UNIT, DESCRIPTION, INDICATOR])
        con.execute("UPDATE source SET publisher = ?, title = ?, licence = ?, citation = ?, vintage = ?, url = ? "
                    "WHERE source_id = 'gapminder'", [SOURCE[k] for k in ("publisher", "title", "licence",
                                                                          "citation", "vintage", "url")])
        (iso3, year), flag = FLAG
        for table in ("observation", "indicator_value"):  # the resolved value carries its source's flag
            con.execute(f"UPDATE {table} SET flag = ? WHERE iso3 = ? AND year = ? AND indicator_code = ?",
                        [flag, iso3, year, INDICATOR])
        con.execute("UPDATE meta SET value = ? WHERE key = 'version'", [version])
    finally:
        con.close()
    publish.publish(paths, staging, version)
    return paths


@pytest.fixture(scope="session")
def hostile(built, tmp_path_factory) -> config.Paths:
    """Data directory with the hostile-labelled warehouse published (session-wide, read-only for tests)."""
    return make_hostile(built, tmp_path_factory.mktemp("hostile"))
