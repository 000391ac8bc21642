"""Text stays text on the pages (issue 12): a warehouse whose publisher, indicator name and description, country
and group names, quarantine reason and URLs are HOSTILE strings (a SYNTHETIC copy of the synthetic warehouse, edited
here) renders them literally on every page — as table cells, select-box options or escaped markdown — never as a
link, an image or HTML; a URL becomes a link only when it is a plain http(s) one. (Figures and exports: the export
helper's tests.)"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dashboard_text import shown
from google.protobuf.descriptor import FieldDescriptor
from streamlit.testing.v1 import AppTest

from dashboard import plain
from dashboard.components import briefing_keeper
from etl import config, publish
from etl.urls import safe_http_url
from test_dashboard_synthetic import synthetic  # noqa: F401  (fixture)

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
PIECES = ["[x](javascript:alert(1))", "![p](https://evil.example/p.png)", "<b>bold</b>",
          '<a href="https://evil.example">World Bank</a>']
HOSTILE = " ".join(PIECES)
BAD_URL = "javascript:alert(1)"
MARKDOWN_FIELDS = {"body", "label", "help", "content"}  # proto fields Streamlit renders as markdown
PLAIN_ELEMENTS = {"Code", "Text", "PlotlyChart", "Json", "UnknownElement"}  # shown as is, or not text at all
PAGES = {
    "compare": ("views/compare.py", {"ind": "SH.STA.STNT.ZS", "c": "KHM", "g": "asean", "time": "2000..2020"}),
    "compare table": ("views/compare.py", {"ind": "SH.STA.STNT.ZS", "c": "KHM", "g": "asean", "time": "2000..2020",
                                           "view": "table"}),
    "indicators": ("views/indicators.py", {"ind": "SH.STA.STNT.ZS", "rg": "asean"}),
    "country": ("views/country.py", {"iso3": "KHM", "g": "asean"}),
    "aid": ("views/aid.py", {"donors": "JPN", "rg": "asean", "time": "2010..2012"}),
    "tfhs": ("views/tfhs.py", {}),
    "sources": ("views/sources.py", {"src": "synthetic"}),
    "paper": ("views/paper.py", {}),
    "progress": ("views/progress.py", {}),
}


@pytest.fixture(scope="module")
def hostile(synthetic, tmp_path_factory):
    """The synthetic warehouse with HOSTILE strings where files and APIs put names, descriptions and URLs."""
    paths = config.paths(tmp_path_factory.mktemp("hostile") / "data")
    shutil.copytree(synthetic.data, paths.data, symlinks=True)
    staging = paths.warehouses / ".build-hostile.duckdb"
    shutil.copy(paths.warehouse.resolve(), staging)
    con = duckdb.connect(str(staging))
    try:
        con.execute("UPDATE source SET publisher = ?, url = ? WHERE source_id = 'synthetic'", [HOSTILE, BAD_URL])
        con.execute("UPDATE indicator SET name = ?, description = ? WHERE indicator_code = 'SH.STA.STNT.ZS'",
                    [f"Stunting {HOSTILE}", f"Described {HOSTILE}"])
        con.execute("UPDATE country SET name = ? WHERE iso3 = 'KHM'", [f"Cambodia {HOSTILE}"])
        con.execute("UPDATE country_group SET name = ? WHERE group_id = 'asean'", [f"ASEAN {HOSTILE}"])
        con.execute("UPDATE quarantine SET reason = ? WHERE source_id = 'synthetic'", [f"unknown {HOSTILE}"])
        con.execute("UPDATE tfhs_project SET source_url = ? WHERE project_id = 'SYN-001'", [BAD_URL])
        con.execute("UPDATE meta SET value = 'hostile-1' WHERE key = 'version'")
    finally:
        con.close()
    publish.publish(paths, staging, "hostile-1")
    return paths


def render(data_dir: Path, monkeypatch, page: str, query: dict) -> AppTest:
    monkeypatch.setenv("HSDASH_DATA_DIR", str(data_dir))
    monkeypatch.setattr(briefing_keeper, "cookie_id", lambda: None)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(page)
    at.query_params.clear()
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from nodes(child)


def _strings(message, names=MARKDOWN_FIELDS):
    for field, value in message.ListFields():
        single = isinstance(value, (str, bytes)) or hasattr(value, "ListFields") or not hasattr(value, "__len__")
        values = [value] if single else value
        for v in values:
            if field.type == FieldDescriptor.TYPE_STRING and field.name in names:
                yield v
            elif field.type == FieldDescriptor.TYPE_MESSAGE:
                yield from _strings(v, names)


def markdown_texts(at) -> list[str]:
    """Every string of the page that Streamlit renders as markdown: bodies of markdown, captions, alerts and headings,
    widget / expander / tab labels, help tooltips (also in a table's column config), segmented-control options."""
    out = []
    for node in nodes(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or type(node).__name__ in PLAIN_ELEMENTS:
            continue
        if type(node).__name__ == "Dataframe":
            out += [c["help"] for c in json.loads(proto.columns or "{}").values() if c.get("help")]
            continue
        out += list(_strings(proto))
    return out


def plain_texts(at) -> list[str]:
    """Strings shown as they are: table cells, column names and the options of select boxes and multiselects."""
    out = []
    for frame in at.dataframe:
        value = frame.value
        value = value.data if hasattr(value, "data") and not isinstance(value, pd.DataFrame) else value
        out += [str(c) for c in value.columns]
        out += [str(v) for col in value.columns for v in value[col] if isinstance(v, str)]
    for widget in [*at.selectbox, *at.multiselect]:
        out += [str(o) for o in widget.options]
    return out


def link_targets(at) -> list[str]:
    """The values of every table column shown as a link."""
    out = []
    for frame in at.dataframe:
        links = [name for name, c in json.loads(frame.proto.columns or "{}").items()
                 if c.get("type_config", {}).get("type") == "link"]
        value = frame.value.data if not isinstance(frame.value, pd.DataFrame) else frame.value
        out += [v for name in links if name in value.columns for v in value[name] if isinstance(v, str)]
    return out


def render_briefing(data_dir: Path, monkeypatch) -> AppTest:
    """The Briefing page holding the Compare chart of the hostile indicator, country and group."""
    at = render(data_dir, monkeypatch, *PAGES["compare"])
    next(b for b in at.button if b.label == "Add to briefing").click().run()
    at.switch_page("views/briefing.py").run()
    assert not at.exception and at.session_state["briefing_charts"]
    return at


@pytest.mark.parametrize("name", [*PAGES, "briefing"])
def test_markdown_from_the_warehouse_is_escaped_on_every_page(hostile, monkeypatch, name):
    if name == "briefing":
        at = render_briefing(hostile.data, monkeypatch)
    else:
        at = render(hostile.data, monkeypatch, *PAGES[name])
    texts = markdown_texts(at)
    assert texts
    for text in texts:
        assert not re.search(r"(?<!\\)\]\(", text), text  # no [text](target) link or ![image](src)
        assert not re.search(r"(?<!\\)<[A-Za-z/!]", text), text  # no HTML tag
        assert "javascript:" not in text and "//evil" not in text.replace("\\", ""), text  # no (auto)link target
    for md in at.markdown:
        assert not md.proto.allow_html
    for url in link_targets(at):
        assert safe_http_url(url) == url


def test_the_hostile_strings_read_literally(hostile, monkeypatch):
    seen = {}
    for name, (page, query) in PAGES.items():
        at = render(hostile.data, monkeypatch, page, query)
        seen[name] = " ".join(plain_texts(at) + [shown(t) for t in markdown_texts(at)])
    for piece in PIECES:
        for name in ("compare", "compare table", "country", "sources"):
            assert piece in seen[name], (piece, name)
    assert f"Stunting {HOSTILE}" in seen["compare"]  # the indicator, in the picker
    assert f"Described {HOSTILE}" in seen["compare"]  # its description, in "About"
    assert f"Cambodia {HOSTILE}" in seen["country"] and f"ASEAN {HOSTILE}" in seen["country"]
    assert f"Stunting {HOSTILE}" in seen["indicators"] and f"Described {HOSTILE}" in seen["indicators"]
    assert f"ASEAN {HOSTILE}" in seen["indicators"]  # the region of the heat strip
    assert HOSTILE in seen["compare table"]  # the publisher, in the table's footer caption
    assert HOSTILE in seen["sources"] and f"unknown {HOSTILE}" in seen["sources"]
    briefing = render_briefing(hostile.data, monkeypatch)
    listed = " ".join(shown(t) for t in markdown_texts(briefing))
    assert f"Stunting {HOSTILE}" in listed and f"Cambodia {HOSTILE}" in listed  # title and subtitle of the chart


def test_only_plain_http_urls_become_links(hostile, monkeypatch):
    sources = render(hostile.data, monkeypatch, *PAGES["sources"])
    assert BAD_URL not in link_targets(sources)
    licences = next(f.value for f in sources.dataframe if "licence" in f.value.columns)
    assert BAD_URL in set(licences["url as given (not a web link)"])
    tfhs = render(hostile.data, monkeypatch, *PAGES["tfhs"])
    assert BAD_URL not in link_targets(tfhs) and "https://example.invalid/synthetic" in link_targets(tfhs)
    register = tfhs.dataframe[0].value
    assert list(register.loc[register["title"] == "Synthetic project 1 (poverty)", "source_as_given"]) == [BAD_URL]


@pytest.mark.parametrize("text, url", [
    ("https://data.worldbank.org/indicator/SH.STA.STNT.ZS?locations=KH", True), ("http://127.0.0.1:8501/x", True),
    ("HTTPS://EXAMPLE.ORG", True), ("javascript:alert(1)", False), ("JavaScript:alert(1)", False),
    ("data:text/html,<b>x</b>", False), ("//evil.example", False), ("https://user:pw@evil.example", False),
    ("https://evil.example\\@good.example", False), ("https://good.example /x", False), ("https:/x", False),
    ("https://exa mple.org", False), ("https://münchen.de", False), ("ftp://example.org", False), ("", False),
    (None, False), ("https://x.org/" + "a" * 3000, False), ("https://x.org/\nSet-Cookie", False),
])
def test_safe_http_url(text, url):
    assert safe_http_url(text) == (text if url else None)


@pytest.mark.parametrize("text", [*PIECES, "1. item", "# head", "**b** _i_ `c` ~s~", ":red[x] :smile: $x^2$",
                                  "a\nb\r\n\tc", "AT&amp;T", "back\\slash",
                                  "https://evil.example www.evil.example a@b.example"])
def test_md_escapes_every_markdown_special(text):
    out = plain.md(text)
    assert shown(out) == " ".join(text.split())  # reads as the text (on one line)
    unescaped = re.sub(r"\\[!-/:-@\[-`{-~]", "", out)
    assert not re.search(r"[!-/:-@\[-`{-~]", unescaped)  # every markdown special is escaped
    assert "\n" not in out and "://evil" not in out


def test_code_spans_cannot_be_closed_from_inside():
    out = plain.code("a ``b` c")
    assert out == "``` a ``b` c ```"
