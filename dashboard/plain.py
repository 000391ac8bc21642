"""Text from files and APIs stays text on the pages: ``md(value)`` turns any string into markdown source that
Streamlit renders as exactly that text, and ``safe_http_url(value)`` lets a URL become a link only when it is a
plain http(s) address.

Streamlit renders markdown in ``st.markdown``/``st.caption``/``st.info``/``st.warning``/``st.write``, in widget and
expander labels, in ``help`` tooltips and in the options of segmented controls and pills. A name such as
``[x](javascript:alert(1))``, ``![p](https://evil.example/p.png)`` or ``<a href=…>World Bank</a>`` would become a
link or an image there. Pages put every data-derived string into those places through ``md`` (or ``code``); tables
(``st.dataframe``), ``st.text``, ``st.code`` and the options of select boxes and multiselects show text as it is.
"""

from __future__ import annotations

import re

# CommonMark lets every ASCII punctuation character be escaped with a backslash, and then renders it literally:
# links, images, emphasis, code, headings, lists, tables, HTML, $math$ and Streamlit's :color[…] / :emoji: directives
# all start with one of them.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# The browser's markdown also turns bare URLs and e-mail addresses into links (GFM autolinks) after the escapes are
# resolved; an invisible word joiner after "://", "www" and "@" breaks the pattern and leaves the text as it reads.
_AUTOLINK = re.compile(r"(?i)(:\\/\\/|www|\\@)")
WORD_JOINER = "\u2060"
_WHITESPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

def md(value: object) -> str:
    """``value`` as markdown source that renders as its text, on one line (runs of whitespace become one space)."""
    text = _CONTROL.sub("", _WHITESPACE.sub(" ", str(value))).strip()
    return _AUTOLINK.sub(lambda m: m[0] + WORD_JOINER, _PUNCTUATION.sub(r"\\\1", text))


def code(value: object) -> str:
    """``value`` as an inline code span (monospace; nothing inside a code span is markup, links included), fenced
    with one more backtick than the longest run of backticks in it."""
    text = _CONTROL.sub("", _WHITESPACE.sub(" ", str(value))).strip()
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}"
