"""Word-stem search over indicator names and definitions, as ``hsdash indicators SEARCH`` does it: each word of the
search, stripped of a common ending ("stunting" → "stunt"), must occur in the text. The same rule as
``etl.indicators_cli.matches`` (tests/test_indicators_page.py holds the two to each other), stated here because that
module imports the refresh machinery — and through it HTTP, which the dashboard never imports."""

from __future__ import annotations

SUFFIXES = ("ings", "ing", "ed", "es", "s", "y")


def stem(word: str) -> str:
    """'stunting' → 'stunt', 'hungry' → 'hungr': enough for a search box, no dictionary."""
    for suffix in SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def matches(hay: str, search: str) -> bool:
    """Whether every word of ``search`` (stemmed) occurs in ``hay`` (already lower case)."""
    return all(stem(w) in hay for w in search.lower().split())
