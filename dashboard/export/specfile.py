"""Chart specs as people type them: ``hsdash export`` options, ``--chart`` strings and JSON/TOML spec files.

A chart is a small mapping — ``indicator``, ``kind``, ``groups``, ``countries``, ``from``, ``to``, ``year``,
``x_indicator``, ``base_year``, ``weighted``, ``hide_low_coverage``, ``log``, ``title``, ``source`` (only this
source's values; default: per cell the best source), ``membership`` (``as_of_year`` or ``current``), ``more`` (kind
``multiples``: the indicators drawn beside ``indicator``, one small chart each) — that
``to_spec`` turns into a ChartSpec after ``Resolver`` maps what was typed to warehouse ids: indicator codes
case-insensitively (codes of earlier versions translated, e.g. GAPMINDER.LIFEEXP → SP.DYN.LE00.IN), groups by
id, name or abbreviation (``ASEAN``, ``ASEAN+3`` → ``asean``, ``asean_plus_3``; the resolver of
``etl.progress_table``), countries by ISO3, ISO2 or name.

A spec file (``.json`` or ``.toml``; YAML is not installed)::

    title = "ASEAN nutrition briefing"        # optional: pack title
    size = "slide"                            # optional: slide | half_a4 | square
    [defaults]                                # optional: shared by every chart
    groups = ["ASEAN"]
    from = 2000
    to = 2022
    [[chart]]
    indicator = "SH.STA.STNT.ZS"
    kind = "line"
    [[chart]]
    indicator = "SN.ITK.DEFC.ZS"
    kind = "bar"
    year = 2020

The same as JSON: ``{"title": …, "defaults": {…}, "charts": [{…}, …]}`` (``chart`` or ``charts``).

A spec file is input like any other: only a regular file is read, at most ``MAX_SPEC_BYTES`` (1 MB), and its
nesting is measured before it is parsed (brackets and braces outside strings and comments; more than
``MAX_DEPTH`` levels is refused — the parsers recurse), then again on the parsed document (TOML dotted keys nest
without brackets). Every problem is a ``SpecError`` with one line that says what to fix.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shlex
import stat
import tomllib
from pathlib import Path

import duckdb

from dashboard.chart_data import ODA_FLOW, TFHS_PROJECTS
from dashboard.figures.spec import KINDS, ChartSpec
from etl.progress_table import resolve_group

LIST_KEYS = {"groups": "groups", "group": "groups", "countries": "countries", "country": "countries",
             "more": "more", "more_indicators": "more"}
INT_KEYS = {"from": "from", "year_from": "from", "to": "to", "year_to": "to", "year": "year", "base_year": "base_year"}
BOOL_KEYS = {"weighted", "hide_low_coverage", "log"}
TEXT_KEYS = {"indicator": "indicator", "kind": "kind", "chart": "kind", "view": "kind", "x_indicator": "x_indicator",
             "title": "title", "source": "source", "membership": "membership"}
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
# Charts of the Aid and Trust Fund pages drawn from tables rather than an indicator: their kinds, name and unit
# (so a briefing that holds one rebuilds it with its name after a reload). Donors are countries, recipients groups.
PAGE_CHARTS = {ODA_FLOW: (("sankey", "line"), "Net ODA disbursements", "US$"),
               TFHS_PROJECTS: (("counts",), "Trust Fund for Human Security projects", "projects")}
MAX_SPEC_BYTES = 1 << 20
MAX_DEPTH = 32
MAX_CHARTS = 200
SCALAR = (str, int, float, bool)
# what can open a level, and what hides a bracket (strings; in TOML also literal strings and comments)
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_TOML_TOKENS = re.compile(r"'''[\s\S]*?'''|\"\"\"(?:[^\\]|\\[\s\S])*?\"\"\"|\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'|#[^\n]*"
                          r"|[\[\]{}]")


class SpecError(ValueError):
    """A chart description that cannot be turned into a ChartSpec (the message says why)."""


def _as_list(key: str, value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, SCALAR) for v in value):
        raise SpecError(f"{key} must be a list of names or codes, not {type(value).__name__}")
    return [str(v).strip() for v in value if str(v).strip()]


def _as_bool(key: str, value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE | FALSE:
        return text in TRUE
    raise SpecError(f"{key} must be true or false, not {value!r}")


def normalise(raw: dict) -> dict:
    """Canonical keys and types; unknown keys are an error (a typo must not silently change a chart)."""
    if not isinstance(raw, dict):
        raise SpecError(f"a chart must be a table of key = value pairs, not {type(raw).__name__}")
    out: dict = {}
    for key, value in raw.items():
        k = str(key).strip().lower().replace("-", "_")
        if k in LIST_KEYS:
            out.setdefault(LIST_KEYS[k], [])
            out[LIST_KEYS[k]] += _as_list(str(key), value)
        elif k in INT_KEYS:
            try:
                out[INT_KEYS[k]] = None if value in (None, "") else int(value)
            except (TypeError, ValueError):
                raise SpecError(f"{key} must be a year, not {value!r}") from None
        elif k in BOOL_KEYS:
            out[k] = _as_bool(k, value)
        elif k in TEXT_KEYS:
            if not isinstance(value, SCALAR):
                raise SpecError(f"{key} must be text, not {type(value).__name__}")
            out[TEXT_KEYS[k]] = str(value).strip()
        else:
            known = sorted(set(LIST_KEYS) | set(INT_KEYS) | BOOL_KEYS | set(TEXT_KEYS))
            raise SpecError(f"unknown key {key!r}; known keys: {', '.join(known)}")
    return out


def parse_chart_option(text: str) -> dict:
    """``--chart`` value: a view (``line``) optionally followed by key=value words: ``bar year=2015 groups=ASEAN,EAS``."""
    words = shlex.split(text)
    raw: dict = {}
    for word in words:
        if "=" in word:
            key, value = word.split("=", 1)
            raw[key] = value
        elif "kind" not in raw:
            raw["kind"] = word
        else:
            raise SpecError(f"--chart {text!r}: expected one view and key=value words, got {word!r}")
    return normalise(raw)


def read_text(path: str | Path) -> str:
    """The spec file's text: a regular file, at most ``MAX_SPEC_BYTES``, UTF-8 (a byte-order mark is allowed)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # a FIFO must not block the open
    except OSError as exc:
        raise SpecError(f"cannot read spec file {path}: {exc.strerror or exc}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_SPEC_BYTES:
        os.close(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SpecError(f"spec file {path} is not a regular file")
        raise SpecError(f"spec file {path} is larger than {MAX_SPEC_BYTES // 1024} KB ({info.st_size:,} bytes)")
    with os.fdopen(fd, "rb") as fh:
        try:
            data = fh.read(MAX_SPEC_BYTES + 1)
        except OSError as exc:
            raise SpecError(f"cannot read spec file {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_SPEC_BYTES:
        raise SpecError(f"spec file {path} is larger than {MAX_SPEC_BYTES // 1024} KB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(f"spec file {path} is not UTF-8 text (byte {exc.start})") from None


def text_depth(text: str, toml: bool) -> int:
    """How deeply brackets and braces nest in ``text``, outside strings (and TOML comments); stops past the limit."""
    depth = deepest = 0
    for match in (_TOML_TOKENS if toml else _JSON_TOKENS).finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                break
        elif token in ("]", "}"):
            depth = max(0, depth - 1)
    return deepest


def doc_depth(doc) -> int:
    """Nesting of a parsed document (lists and tables), counted without recursion; stops past the limit."""
    deepest, stack = 0, [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                break
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def load_file(path: str | Path) -> tuple[dict, list[dict]]:
    """(top-level settings: title, size, format, defaults; charts) from a .json or .toml file."""
    path = Path(path)
    toml = path.suffix.lower() == ".toml"
    kind = "TOML" if toml else "JSON"
    text = read_text(path)
    if text_depth(text, toml) > MAX_DEPTH:
        raise SpecError(f"{path}: nested more than {MAX_DEPTH} levels deep (a spec file needs three)")
    try:
        doc = tomllib.loads(text) if toml else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise SpecError(f"{path}: not valid {kind}: {exc}") from None
    except RecursionError:  # not reached after the check above; kept so that no input can end in a traceback
        raise SpecError(f"{path}: nested too deeply to read") from None
    if doc_depth(doc) > MAX_DEPTH:
        raise SpecError(f"{path}: nested more than {MAX_DEPTH} levels deep (a spec file needs three)")
    if isinstance(doc, list):
        doc = {"charts": doc}
    if not isinstance(doc, dict):
        raise SpecError(f"{path}: expected a {kind} {'document' if toml else 'object'} with charts, "
                        f"not {type(doc).__name__}")
    charts = doc.get("charts", doc.get("chart", []))
    if isinstance(charts, dict):
        charts = [charts]
    if not isinstance(charts, list):
        raise SpecError(f"{path}: charts must be a list of tables, not {type(charts).__name__}")
    if not charts:
        raise SpecError(f"{path}: no charts (add [[chart]] tables in TOML, or a \"charts\" list in JSON)")
    if len(charts) > MAX_CHARTS:
        raise SpecError(f"{path}: {len(charts)} charts; at most {MAX_CHARTS} in one export")
    settings = {k: v for k, v in doc.items() if k in ("title", "size", "format")}
    for key, value in settings.items():
        if not isinstance(value, str):
            raise SpecError(f"{path}: {key} must be text, not {type(value).__name__}")
    defaults = doc.get("defaults", {})
    if not isinstance(defaults, dict):
        raise SpecError(f"{path}: defaults must be a table of key = value pairs, not {type(defaults).__name__}")
    settings["defaults"] = normalise(defaults)
    return settings, [normalise(c) for c in charts]


def merge(defaults: dict, chart: dict) -> dict:
    return {**defaults, **{k: v for k, v in chart.items() if v is not None}}


class Resolver:
    """Maps what was typed to warehouse ids, with suggestions when nothing matches."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.indicators = dict(con.execute("SELECT indicator_code, name FROM indicator").fetchall())
        self.aliases = {old.upper(): new for old, new in con.execute("SELECT old_code, indicator_code FROM indicator_alias").fetchall()}
        self.countries = con.execute("SELECT iso3, iso2, name FROM country").fetchall()
        self.sources = [r[0] for r in con.execute("SELECT source_id FROM source ORDER BY source_id").fetchall()]

    def source(self, text: str) -> str:
        if text in self.sources:
            return text
        close = difflib.get_close_matches(text, self.sources, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise SpecError(f"unknown source {text!r}{hint} (hsdash status lists them)")

    def indicator(self, text: str) -> str:
        if text.upper() in self.aliases:  # a code of an earlier version (a saved briefing, an old link)
            return self.aliases[text.upper()]
        if text in self.indicators:
            return text
        by_upper = {c.upper(): c for c in self.indicators}
        if text.upper() in by_upper:
            return by_upper[text.upper()]
        by_name = {n.lower(): c for c, n in self.indicators.items() if n}
        if text.lower() in by_name:
            return by_name[text.lower()]
        close = difflib.get_close_matches(text.upper(), list(by_upper), n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(by_upper[c] for c in close)}?" if close else ""
        raise SpecError(f"unknown indicator {text!r}{hint} (the Compare page lists them; codes as in the catalogue)")

    def group(self, text: str) -> str:
        try:
            return resolve_group(self.con, text)
        except KeyError as exc:
            raise SpecError(exc.args[0]) from None

    def country(self, text: str) -> str:
        t = text.strip().lower()
        for iso3, iso2, name in self.countries:
            if t in (iso3.lower(), (iso2 or "").lower(), (name or "").lower()):
                return iso3
        raise SpecError(f"unknown country {text!r} (give an ISO3 code such as THA, an ISO2 code or the name)")


def to_spec(d: dict, resolve: Resolver) -> ChartSpec:
    if not d.get("indicator"):
        raise SpecError("every chart needs an indicator (--indicator CODE, or indicator = \"…\" in the spec file)")
    kind = (d.get("kind") or "line").lower()
    if d["indicator"] in PAGE_CHARTS:
        return _page_chart(d, kind, resolve)
    if kind not in KINDS:
        raise SpecError(f"unknown chart {kind!r}; choose from {', '.join(KINDS)}")
    groups = tuple(dict.fromkeys(resolve.group(g) for g in d.get("groups", [])))
    countries = tuple(dict.fromkeys(resolve.country(c) for c in d.get("countries", [])))
    if not groups and not countries:
        raise SpecError("pick at least one group or country (--group ASEAN, --country THA)")
    more = tuple(dict.fromkeys(resolve.indicator(c) for c in d.get("more", []))) if kind == "multiples" else ()
    if kind == "multiples" and not more:
        raise SpecError("small multiples need more indicators: more = [\"CODE\", …] beside the indicator")
    x = d.get("x_indicator")
    if kind == "scatter" and not x:
        raise SpecError("a scatter needs an x axis: --x-indicator CODE (or x_indicator = \"…\")")
    lo, hi, year = d.get("from"), d.get("to"), d.get("year")
    if lo is not None and hi is not None and lo > hi:
        raise SpecError(f"--from {lo} is after --to {hi}")
    if kind in ("bar", "map", "scatter") and year is not None and hi is None:
        hi = year
    return ChartSpec(
        indicator_code=resolve.indicator(d["indicator"]), countries=countries, groups=groups, year_from=lo,
        year_to=hi, kind=kind, log_scale=bool(d.get("log", False)),
        base_year=d.get("base_year") if kind != "scatter" else None, weighted=bool(d.get("weighted", True)),
        hide_low_coverage=bool(d.get("hide_low_coverage", False)),
        year=year if kind in ("bar", "map", "scatter") else None,
        x_indicator_code=resolve.indicator(x) if kind == "scatter" and x else None, title=d.get("title", ""),
        source_id=resolve.source(d["source"]) if d.get("source") else None,
        membership=_membership(d.get("membership")), more_indicators=more,
    )


def _page_chart(d: dict, kind: str, resolve: Resolver) -> ChartSpec:
    """An Aid flow chart (donors → a recipient group) or the Trust Fund counts."""
    kinds, name, unit = PAGE_CHARTS[d["indicator"]]
    if kind not in kinds:
        raise SpecError(f"{d['indicator']} is drawn as {' or '.join(kinds)}, not {kind!r}")
    groups = tuple(dict.fromkeys(resolve.group(g) for g in d.get("groups", [])))
    countries = tuple(dict.fromkeys(resolve.country(c) for c in d.get("countries", [])))
    if d["indicator"] == ODA_FLOW and not (groups and countries):
        raise SpecError("aid flows need donors (countries) and a recipient group")
    return ChartSpec(d["indicator"], indicator_name=name, unit=unit, countries=countries, groups=groups,
                     year_from=d.get("from"), year_to=d.get("to"), kind=kind)


def _membership(value) -> str:
    text = (value or "as_of_year").strip().lower().replace("-", "_").replace(" ", "_")
    if text not in ("as_of_year", "current"):
        raise SpecError(f"membership must be as_of_year (members as of each year) or current (today's members), "
                        f"not {value!r}")
    return text


def to_mapping(spec: ChartSpec) -> dict:
    """The spec-file form of a ChartSpec (what ``to_spec`` reads back): for ``hsdash export --spec``."""
    out: dict = {"indicator": spec.indicator_code, "kind": spec.kind}
    if spec.groups:
        out["groups"] = list(spec.groups)
    if spec.countries:
        out["countries"] = list(spec.countries)
    for key, value in (("from", spec.year_from), ("to", spec.year_to), ("year", spec.year),
                       ("x_indicator", spec.x_indicator_code), ("base_year", spec.base_year)):
        if value is not None:
            out[key] = value
    if not spec.weighted:
        out["weighted"] = False
    if spec.hide_low_coverage:
        out["hide_low_coverage"] = True
    if spec.log_scale:
        out["log"] = True
    if spec.source_id:
        out["source"] = spec.source_id
    if spec.membership != "as_of_year":
        out["membership"] = spec.membership
    if spec.more_indicators:
        out["more"] = list(spec.more_indicators)
    return out


def dump_json(specs: list[ChartSpec], title: str = "", size: str = "") -> str:
    """A spec file that rebuilds this pack: ``hsdash export --spec pack.json --format pptx``."""
    doc = {k: v for k, v in (("title", title), ("size", size)) if v}
    doc["charts"] = [to_mapping(s) for s in specs]
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
