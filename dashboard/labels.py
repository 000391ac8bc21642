"""Staff language for what the warehouse stores in its own vocabulary — one place, used by every page and figure:
theme names, source kinds and names, dates ("5 Oct 2018", never "08/05/2019" or "2018-10-05T…"), missing values
("–", not None or NaN), lists of names ("Laos and Myanmar"), and the order of picker options that makes a typed name
or acronym find its own option first. Pure functions (no Streamlit): figure and export code use them too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime

import numpy as np
import pandas as pd

THEME_LABELS = {
    "freedom_from_want": "Freedom from want", "freedom_from_fear": "Freedom from fear", "dignity": "Dignity",
    "environment": "Environment", "context": "Context",
}
MISSING = "–"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SOURCE_KINDS = {  # how a source arrived, in words (source.kind)
    "bundled": "bundled with the dashboard", "package": "shipped with a library", "live": "downloaded",
    "import": "imported file", "starter": "bundled starter copy",
}
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})"  # a date, optionally with a time and a zone
                  r"(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?)?\s*$")
_YEAR_MONTH = re.compile(r"^\s*(\d{4})-(\d{2})\s*$")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})\d{2}Z")  # run ids and versions: 20261202T074108Z-…


def theme_label(theme: object) -> str:
    """The theme's display name (an unknown theme as it is stored)."""
    return THEME_LABELS.get(theme, str(theme)) if isinstance(theme, str) else str(theme)


def missing(value: object) -> bool:
    """None, NaN, NaT and pandas' NA are all "no value"."""
    if value is None:
        return True
    try:
        result = pd.isna(value)
    except (TypeError, ValueError):
        return False
    return isinstance(result, (bool, np.bool_)) and bool(result)  # a list or array is a value, not "missing"


def text_or(value: object, blank: str = MISSING) -> str:
    """``value`` as text; a missing value as ``blank``."""
    return blank if missing(value) or str(value).strip() == "" else str(value)


def human_date(value: object, with_time: bool = False, blank: str = MISSING) -> str:
    """An ISO date or timestamp (``2018-10-03``, ``2026-12-02T07:41:08Z``, ``2007-02``, a ``datetime``/``date``, or a
    run id / version ``20261202T074108Z-…``) as "3 Oct 2018" ("2 Dec 2026, 07:41 UTC" with ``with_time``). Anything
    else is returned as it is — text such as "as of 2006" or "plotly 7.1.0 package data" is already words, and a
    date like 08/05/2019 is ambiguous (day or month first?), so it is never guessed at here."""
    if missing(value):
        return blank
    if isinstance(value, datetime):
        return _day(value.year, value.month, value.day) + (f", {value:%H:%M} UTC" if with_time else "")
    if isinstance(value, date):
        return _day(value.year, value.month, value.day)
    text = str(value).strip()
    if not text:
        return blank
    m = _ISO.match(text) or _COMPACT.match(text)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        try:
            date(y, mo, d)  # 2019-02-30 is not a day: shown as written, not as "30 Feb 2019"
        except ValueError:
            return text
        out = _day(y, mo, d)
        if with_time and m.lastindex and m.lastindex >= 5 and m[4] is not None:
            out += f", {m[4]}:{m[5]} UTC"
        return out
    m = _YEAR_MONTH.match(text)
    if m and 1 <= int(m[2]) <= 12:
        return f"{MONTHS[int(m[2]) - 1]} {m[1]}"
    return text


def _day(y: int, m: int, d: int) -> str:
    return f"{d} {MONTHS[m - 1]} {y}"


def vintage_label(vintage: object, vintage_date: object = None) -> str:
    """A source's data vintage for people: its parsed date ("8 May 2019") when the warehouse has one, else the
    vintage text as the publisher wrote it, else "not stated"."""
    if not missing(vintage_date) and str(vintage_date).strip():
        return human_date(vintage_date)
    return human_date(vintage, blank="not stated")


def source_label(title: object, publisher: object = None, kind: object = None, source_id: object = None) -> str:
    """A source's name for people: its title (else publisher), with how it arrived when it is a starter copy or an
    import ("Global Hunger Index (2021) · bundled starter copy"); the id only when nothing else is known."""
    name = text_or(title, "") or text_or(publisher, "") or text_or(source_id, "unknown source")
    if kind in ("starter", "import"):
        name += f" · {SOURCE_KINDS[kind]}"
    return name


def direction_text(higher_is_better: object, note: object = None) -> str:
    """"Higher is better", "Lower is better", or why the indicator has no better direction."""
    if not missing(higher_is_better):
        return "Higher is better" if bool(higher_is_better) else "Lower is better"
    why = text_or(note, "")
    return f"No better direction: {why}" if why else "No better direction stated"


def year_span(lo: object, hi: object, blank: str = "no data") -> str:
    """``1990–2017``, ``2015``, or ``blank`` when there is no year."""
    if missing(lo) or missing(hi):
        return blank
    lo, hi = int(lo), int(hi)
    return str(lo) if lo == hi else f"{lo}–{hi}"


def number(value: object, digits: int = 4, blank: str = MISSING) -> str:
    """A value as a reader writes it: ``0.582``, ``1,714``, ``19,574``; missing (or empty text) as ``blank``."""
    if missing(value) or (isinstance(value, str) and not value.strip()):
        return blank
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isinf(x):
        return blank
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:,.{digits}g}" if abs(x) < 10 ** digits else f"{x:,.0f}"


def yes_no(value: object, yes: str = "yes", no: str = "", blank: str = "") -> str:
    if missing(value):
        return blank
    return yes if bool(value) else no


_CODE = re.compile(r"(?<![\w.])[A-Z][A-Za-z0-9]*(?:[._][A-Za-z0-9-]+)+(?![\w])")


def with_names(text: object, names: dict[str, str]) -> str:
    """``text`` with every indicator code it mentions (``SI.POV.DDAY``) replaced by the indicator's name, so a
    method's explanation reads in words; codes it does not know stay as they are."""
    if missing(text):
        return ""
    return _CODE.sub(lambda m: names.get(m[0].rstrip("."), m[0]), str(text))


FIELD_WORDS = {"value_high": "upper value", "value_text": "value as printed", "iso3": "country code"}


def field_words(text: object) -> str:
    """A curator's note that names a warehouse column (``value_high``) with the column's meaning instead."""
    if missing(text):
        return ""
    out = str(text)
    for field, words in FIELD_WORDS.items():
        out = re.sub(rf"(?<![\w]){field}(?![\w])", words, out)
    return out


def date_text(value: object, default: str = "") -> str:
    """An ISO date or timestamp as people write it, ``"5 Oct 2018"``; anything else (free text such as "plotly 7.1.0
    package data") as it is; missing as ``default``. The same rule as :func:`human_date`, with another blank."""
    return human_date(value, blank=default)


_SLASH_DATE = re.compile(r"^\s*\d{1,2}/\d{1,2}/\d{2,4}\s*$")


def vintage_text(value: object, default: str = "") -> str:
    """A source's vintage for footers and captions: an ISO date as "5 Oct 2018"; a date such as ``03/10/18``, whose
    day/month order the publisher does not state, as written and marked so — never guessed at."""
    text = date_text(value, default)
    if isinstance(value, str) and _SLASH_DATE.match(value):
        return f"{value.strip()} (as the publisher wrote it)"
    return text


def source_kind_label(kind: object) -> str:
    return SOURCE_KINDS.get(kind, "") if isinstance(kind, str) else ""


def publisher_label(publisher: object, kind: object = None, vintage_date: object = None, fallback: str = "") -> str:
    """A source by its publisher, how it arrived and its vintage: ``"UNDP — imported file, 8 May 2019"`` (the source
    picker); its id (``fallback``) only when the publisher is unknown. :func:`source_label` names it by title."""
    name = str(publisher).strip() if isinstance(publisher, str) and publisher.strip() else fallback
    extra = ", ".join(p for p in (source_kind_label(kind), date_text(vintage_date)) if p)
    return f"{name} — {extra}" if extra else name


def names_text(names: Iterable[str]) -> str:
    """``["Laos", "Myanmar", "Cambodia"]`` → ``"Laos, Myanmar and Cambodia"``."""
    items = [str(n) for n in names]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def search_first(options: Sequence[str], label: Callable[[str], str],
                 keys: Callable[[str], Iterable[str]] | None = None) -> list[str]:
    """``options`` reordered so that typing an option's label or one of its ``keys`` (its acronym) in a picker that
    filters by case-insensitive substring (Streamlit's ``filter_mode="contains"``, which keeps the options' order and
    takes the first match on Enter) shows that option first: an option whose label or key occurs inside another
    option's label comes before it ("Niger" before "Nigeria"; "ASEAN" before "ASEAN Plus Three (APT)"; "EAS" before
    "Association of Southeast Asian Nations", which contains "eas"). Otherwise the given order is kept."""
    texts = {o: label(o).casefold() for o in options}
    terms = {o: {t.casefold() for t in (label(o), *(keys(o) if keys else ())) if t} for o in options}
    out: list[str] = []
    placed: set[str] = set()
    visiting: set[str] = set()

    def visit(option: str) -> None:
        if option in placed or option in visiting:
            return
        visiting.add(option)
        for other in options:  # whatever typed text would also match this option goes first
            if other != option and other not in placed and any(t in texts[option] for t in terms[other]):
                visit(other)
        visiting.discard(option)
        placed.add(option)
        out.append(option)

    for option in options:
        visit(option)
    return out
