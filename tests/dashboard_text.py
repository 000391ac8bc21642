"""What a reader sees of a markdown value in AppTest: the dashboard shows strings from the warehouse through
``dashboard.plain.md`` (every ASCII punctuation character backslash-escaped, an invisible word joiner after
``://``, ``www`` and ``@``); ``shown`` undoes exactly that, so tests can look for the text as displayed."""

from __future__ import annotations

import re

from dashboard.plain import WORD_JOINER

_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(markdown: str) -> str:
    return _ESCAPED.sub(r"\1", markdown).replace(WORD_JOINER, "")


def texts(at, kinds=("info", "warning", "caption", "markdown", "error", "success")) -> str:
    """Every message, caption and markdown block of an AppTest run, as displayed, joined by spaces."""
    return " ".join(shown(e.value) for kind in kinds for e in getattr(at, kind))
