"""URL state, the generic part: every page keeps its view in the query string, so a copied link reopens the same
chart. Each page's own parameters live beside it (``dashboard/views/<page>_url.py``); this module is what they share.

Encoding (one key per setting, values from allow-lists taken from the warehouse):

* ``one``   a single code, e.g. ``ind=SH.STA.STNT.ZS``, ``view=map``
* ``many``  comma-separated codes, e.g. ``c=KHM,VNM``; ``c=`` is an explicit empty selection
* ``int``   a year, e.g. ``year=2015``; ``base=`` (empty) means none
* ``range`` two years, OWID style ``time=2000..2020``
* ``bool``  ``1`` or ``0``
* ``text``  a short free-text filter (letters, digits, spaces and ``.,+-`` only; it filters in pandas or is bound as
  a parameter, never spliced into SQL), e.g. ``q=water``

``parse`` is pure: unknown keys, unknown codes and malformed values are dropped with a notice (never echoed raw,
never reaching SQL), and the default is used instead; keys another page uses (``others``) are dropped silently.
``serialise`` writes every setting explicitly, so a link does not depend on the defaults of the warehouse it is
opened against. ``restore``/``current``/``publish`` bind it to Streamlit's widget keys and ``st.query_params``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MAX_ITEMS = 24  # a `many` list longer than this is cut (and said so)
MAX_TEXT = 60
DEFAULT_FROM = 2000  # a range parameter left unset starts here (or at the series' first year, if later)
_YEAR = re.compile(r"^-?\d{1,4}$")
_RANGE = re.compile(r"^(-?\d{1,4})\.\.(-?\d{1,4})$")
_SAFE = re.compile(r"[^A-Za-z0-9._+\- ]")
_TEXT = re.compile(r"^[\w .,+-]*$")


@dataclass(frozen=True)
class Param:
    name: str  # the URL key, and the widget key after the page prefix
    kind: str  # one | many | int | range | bool | text
    default: Any = None


def shown(text: object, limit: int = 32) -> str:
    """A value as it may appear in a notice: only harmless characters, bounded length."""
    cleaned = _SAFE.sub("?", str(text))
    return cleaned[:limit] + ("…" if len(cleaned) > limit else "")


def is_plain_text(text: str) -> bool:
    """Whether a free-text filter is acceptable (short; letters, digits, spaces and . , + - only)."""
    return len(text) <= MAX_TEXT and bool(_TEXT.match(text))


def _first(raw: object) -> str:
    if isinstance(raw, (list, tuple)):
        return str(raw[-1]) if raw else ""
    return str(raw)


def _parse_one(p: Param, raw: str, allowed: Any) -> tuple[Any, str | None]:
    if p.kind == "one":
        return (raw, None) if raw in allowed else (p.default, f"unknown {p.name} '{shown(raw)}'")
    if p.kind == "many":
        if raw.strip() == "":
            return (), None
        items = [i.strip() for i in raw.split(",") if i.strip()]
        good = tuple(dict.fromkeys(i for i in items if i in allowed))
        bad = [shown(i, 16) for i in items if i not in allowed]
        notes = []
        if bad:
            notes.append(f"unknown {p.name} " + ", ".join(f"'{b}'" for b in bad[:5]) + (" …" if len(bad) > 5 else ""))
        if len(good) > MAX_ITEMS:
            good = good[:MAX_ITEMS]
            notes.append(f"only the first {MAX_ITEMS} {p.name} are kept")
        return good, "; ".join(notes) or None
    if p.kind == "int":
        if raw == "":
            return None, None
        lo, hi = allowed
        if _YEAR.match(raw) and lo <= int(raw) <= hi:
            return int(raw), None
        return p.default, f"{p.name} '{shown(raw)}' is not a year between {lo} and {hi}"
    if p.kind == "range":
        lo, hi = allowed
        m = _RANGE.match(raw)
        if m and lo <= int(m[1]) <= int(m[2]) <= hi:
            return (int(m[1]), int(m[2])), None
        return p.default, f"{p.name} '{shown(raw)}' is not a range like {lo}..{hi}"
    if p.kind == "text":
        if is_plain_text(raw):
            return raw, None
        return p.default, f"{p.name} '{shown(raw)}' is not a plain search text"
    if p.kind == "bool":
        if raw in ("1", "0"):
            return raw == "1", None
        return p.default, f"{p.name} '{shown(raw)}' is not 1 or 0"
    raise ValueError(f"unknown parameter kind {p.kind!r}")


def parse(query: Mapping[str, object], params: Sequence[Param], allowed: Mapping[str, Any],
          others: Collection[str] = ()) -> tuple[dict[str, Any], list[str]]:
    """Validated values for ``params`` from ``query`` (defaults where absent or invalid) and the notices.

    ``allowed[name]``: a collection of codes (one, many), or ``(lo, hi)`` bounds (int, range); bool needs none.
    ``others``: keys other pages use (``dashboard.views.PAGE_KEYS``), left in a URL without a notice.
    """
    names = {p.name for p in params}
    notices = [f"unknown parameter '{shown(k)}'" for k in query if k not in names and k not in others]
    values = {}
    for p in params:
        if p.name not in query:
            values[p.name] = p.default
            continue
        value, note = _parse_one(p, _first(query[p.name]), allowed.get(p.name, ()))
        values[p.name] = value
        if note:
            notices.append(note)
    return values, notices


def _encode(p: Param, value: Any) -> str:
    if p.kind == "many":
        return ",".join(value or ())
    if p.kind == "range":
        return f"{value[0]}..{value[1]}"
    if p.kind == "bool":
        return "1" if value else "0"
    return "" if value is None else str(value)


def serialise(values: Mapping[str, Any], params: Sequence[Param]) -> dict[str, str]:
    """The query string for ``values``: every parameter, explicitly (empty string for none)."""
    return {p.name: _encode(p, values.get(p.name, p.default)) for p in params}


def query_string(query: Mapping[str, str]) -> str:
    """``?k=v&…`` for display (percent-encoding all but letters, digits and ``.,_~-``; no HTTP library needed)."""
    def enc(text: str) -> str:
        return "".join(c if c.isascii() and (c.isalnum() or c in ".,_~-") else
                       "".join(f"%{b:02X}" for b in c.encode("utf-8")) for c in text)
    return "?" + "&".join(f"{enc(k)}={enc(v)}" for k, v in query.items())


# --- Streamlit binding -------------------------------------------------------------------------------------------

def widget_key(prefix: str, name: str) -> str:
    return f"{prefix}_{name}"


def restore(prefix: str, params: Sequence[Param], allowed: Mapping[str, Any], others: Collection[str] = ()
            ) -> list[str]:
    """Put the URL's values into the page's widget keys when the URL changed outside the page (first load, a pasted
    link, back/forward); otherwise the widgets keep their state. Returns the notices to show."""
    import streamlit as st

    query = st.query_params.to_dict()
    marker = f"_url_{prefix}"
    keys = [widget_key(prefix, p.name) for p in params]
    if st.session_state.get(marker) == query and all(k in st.session_state for k in keys):
        return []
    values, notices = parse(query, params, allowed, others)
    for p, key in zip(params, keys):
        value = values[p.name]
        st.session_state[key] = list(value) if p.kind == "many" and value is not None else value
    st.session_state[marker] = None  # applied; publish() records what the page settles on
    return notices


def current(prefix: str, params: Sequence[Param]) -> dict[str, Any]:
    import streamlit as st

    return {p.name: st.session_state.get(widget_key(prefix, p.name), p.default) for p in params}


def publish(prefix: str, params: Sequence[Param], values: Mapping[str, Any]) -> dict[str, str]:
    """Write ``values`` to the URL (only if it changes) and remember it as this page's own."""
    import streamlit as st

    out = serialise(values, params)
    if st.query_params.to_dict() != out:
        st.query_params.from_dict(out)
    st.session_state[f"_url_{prefix}"] = out
    return out


def notice_text(notices: Sequence[str]) -> str:
    return "Some link parameters were ignored: " + "; ".join(notices) + "."


# --- year ranges ---------------------------------------------------------------------------------------------------

def default_time(year_min: int, year_max: int) -> tuple[int, int]:
    return (max(DEFAULT_FROM, year_min) if year_max >= DEFAULT_FROM else year_min, year_max)


def clamp_range(value: tuple[int, int] | None, year_min: int, year_max: int) -> tuple[int, int]:
    """The range inside the series' span (its default span when unset or entirely outside)."""
    if not value:
        return default_time(year_min, year_max)
    lo, hi = max(value[0], year_min), min(value[1], year_max)
    return (lo, hi) if lo <= hi else default_time(year_min, year_max)


