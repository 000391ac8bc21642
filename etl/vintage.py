"""Publishers' vintage and retrieval dates as ISO dates, so that "the newest vintage" can be ordered.

Owns :func:`to_date`: the many ways files state a date (``2022-09-02``, ``08/05/2019`` day first as OWID writes,
``03/10/18``, ``3rd April 2019``, ``2023-24`` for a report edition, an HTTP ``Last-Modified`` header, an ISO
timestamp) → ``YYYY-MM-DD`` or None. Nothing is guessed beyond the text: an edition ``2023-24`` is read as its
later year's 1 January, a bare year as 1 January.
"""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_to_datetime

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december"], start=1)}


def _valid(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def to_date(text) -> str | None:
    """An ISO date for ``text``, or None when it states no date."""
    if text is None:
        return None
    s = str(text).strip()
    if not s or s.lower() in ("none", "nan", "null", "unknown"):
        return None
    if m := re.match(r"^(\d{4})-(\d{2})-(\d{2})", s):  # ISO date or timestamp
        return _valid(*map(int, m.groups()))
    if m := re.match(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$", s):  # day first (OWID, UK usage)
        d, mo, y = map(int, m.groups())
        return _valid(y + 2000 if y < 100 else y, mo, d)
    if m := re.match(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\s+(\d{4})$", s):
        month = _MONTHS.get(m.group(2).lower())
        return _valid(int(m.group(3)), month, int(m.group(1))) if month else None
    if m := re.match(r"^(?:HDR\s*)?(\d{4})[-/](\d{2})$", s):  # an edition such as 2023-24
        return _valid(int(m.group(1)) + 1, 1, 1)
    if m := re.match(r"^(\d{4})$", s):
        return _valid(int(m.group(1)), 1, 1)
    try:
        return parsedate_to_datetime(s).date().isoformat()  # HTTP dates
    except (TypeError, ValueError, IndexError):
        return None
