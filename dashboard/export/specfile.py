"""Chart specs as people type them: ``hsdash export`` options, ``--chart`` strings and JSON/TOML spec files.

A chart is a small mapping — ``indicator``, ``kind``, ``groups``, ``countries``, ``from``, ``to``, ``year``,
``x_indicator``, ``base_year``, ``weighted``, ``hide_low_coverage``, ``log``, ``title`` — that ``to_spec`` turns into
a ChartSpec after ``Resolver`` maps what was typed to warehouse ids: indicator codes case-insensitively, groups by
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
"""

from __future__ import annotations

import difflib
import json
import shlex
import tomllib
from pathlib import Path

import duckdb

from dashboard.figures.spec import KINDS, ChartSpec
from etl.progress_table import resolve_group

LIST_KEYS = {"groups": "groups", "group": "groups", "countries": "countries", "country": "countries"}
INT_KEYS = {"from": "from", "year_from": "from", "to": "to", "year_to": "to", "year": "year", "base_year": "base_year"}
BOOL_KEYS = {"weighted", "hide_low_coverage", "log"}
TEXT_KEYS = {"indicator": "indicator", "kind": "kind", "chart": "kind", "view": "kind", "x_indicator": "x_indicator",
             "title": "title"}
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


class SpecError(ValueError):
    """A chart description that cannot be turned into a ChartSpec (the message says why)."""


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
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
    out: dict = {}
    for key, value in raw.items():
        k = str(key).strip().lower().replace("-", "_")
        if k in LIST_KEYS:
            out.setdefault(LIST_KEYS[k], [])
            out[LIST_KEYS[k]] += _as_list(value)
        elif k in INT_KEYS:
            try:
                out[INT_KEYS[k]] = None if value in (None, "") else int(value)
            except (TypeError, ValueError):
                raise SpecError(f"{key} must be a year, not {value!r}") from None
        elif k in BOOL_KEYS:
            out[k] = _as_bool(k, value)
        elif k in TEXT_KEYS:
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


def load_file(path: str | Path) -> tuple[dict, list[dict]]:
    """(top-level settings: title, size, format, defaults; charts) from a .json or .toml file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot read spec file {path}: {exc.strerror or exc}") from None
    try:
        doc = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise SpecError(f"{path}: not valid {'TOML' if path.suffix.lower() == '.toml' else 'JSON'}: {exc}") from None
    if isinstance(doc, list):
        doc = {"charts": doc}
    charts = doc.get("charts", doc.get("chart", []))
    if isinstance(charts, dict):
        charts = [charts]
    if not charts:
        raise SpecError(f"{path}: no charts (add [[chart]] tables in TOML, or a \"charts\" list in JSON)")
    settings = {k: v for k, v in doc.items() if k in ("title", "size", "format")}
    settings["defaults"] = normalise(doc.get("defaults", {}))
    return settings, [normalise(c) for c in charts]


def merge(defaults: dict, chart: dict) -> dict:
    return {**defaults, **{k: v for k, v in chart.items() if v is not None}}


class Resolver:
    """Maps what was typed to warehouse ids, with suggestions when nothing matches."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.indicators = dict(con.execute("SELECT indicator_code, name FROM indicator").fetchall())
        self.countries = con.execute("SELECT iso3, iso2, name FROM country").fetchall()

    def indicator(self, text: str) -> str:
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
    if kind not in KINDS:
        raise SpecError(f"unknown chart {kind!r}; choose from {', '.join(KINDS)}")
    groups = tuple(dict.fromkeys(resolve.group(g) for g in d.get("groups", [])))
    countries = tuple(dict.fromkeys(resolve.country(c) for c in d.get("countries", [])))
    if not groups and not countries:
        raise SpecError("pick at least one group or country (--group ASEAN, --country THA)")
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
    )


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
    return out


def dump_json(specs: list[ChartSpec], title: str = "", size: str = "") -> str:
    """A spec file that rebuilds this pack: ``hsdash export --spec pack.json --format pptx``."""
    doc = {k: v for k, v in (("title", title), ("size", size)) if v}
    doc["charts"] = [to_mapping(s) for s in specs]
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
