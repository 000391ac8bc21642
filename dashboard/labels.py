"""Display text for what the warehouse stores in its own vocabulary — one place, used by every page and figure:
theme names, source kinds, dates ("5 Oct 2018", never "08/05/2019" or "2018-10-05T…"), lists of names
("Laos and Myanmar"), and the order of picker options that makes a typed name or acronym find its own option first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence

THEME_LABELS = {
    "freedom_from_want": "Freedom from want", "freedom_from_fear": "Freedom from fear", "dignity": "Dignity",
    "environment": "Environment", "context": "Context",
}
SOURCE_KIND_LABELS = {
    "bundled": "bundled with hsdash", "package": "package data", "live": "downloaded from the publisher",
    "import": "imported file", "starter": "starter set",
}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")


def theme_label(theme: object) -> str:
    """The theme's display name (an unknown theme as it is stored)."""
    return THEME_LABELS.get(theme, str(theme)) if isinstance(theme, str) else str(theme)


def date_text(value: object, default: str = "") -> str:
    """An ISO date or timestamp as people write it, ``"5 Oct 2018"``; anything else (free text such as "plotly 7.1.0
    package data") as it is; missing as ``default``. The one date format of the dashboard's text and figures."""
    if value is None or (isinstance(value, float) and value != value):
        return default
    if isinstance(value, (dt.date, dt.datetime)):
        day = value
    else:
        text = str(value).strip()
        m = _ISO_DATE.match(text)
        if not m:
            return text or default
        try:
            day = dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return text
    return f"{day.day} {day:%b %Y}"


def source_kind_label(kind: object) -> str:
    return SOURCE_KIND_LABELS.get(kind, "") if isinstance(kind, str) else ""


def source_label(publisher: object, kind: object = None, vintage_date: object = None, fallback: str = "") -> str:
    """A source as staff know it: ``"UNDP, Human Development Report 2020 — imported file, 8 May 2019"``; its id
    (``fallback``) only when the publisher is unknown."""
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
