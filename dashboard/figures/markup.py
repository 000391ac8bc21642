"""Data text in figures is text: the one function that turns a string from a file or an API into plotly text.

plotly.js draws every label — titles, subtitles, annotations, axis titles and ticks, legend entries, hover labels,
text labels, table cells, Sankey nodes — from a pseudo-HTML subset (``<a href>``, ``<b>``, ``<i>``, ``<br>``,
``<span style>``, ``<sub>``, ``<sup>``, …) and decodes the entities ``&lt; &gt; &amp;`` and ``&#NN;`` in the text
between tags. So a publisher named ``<a href="https://evil.example">World Bank</a>`` becomes a link unless its
``<``, ``>`` and ``&`` are written as entities: then plotly shows exactly the characters the data holds.

* ``plain(text)`` — for any data string placed in a figure (our own markup such as the ``<br>`` between footer lines
  or ``<b>`` around a group's name is added around the escaped text, never inside it);
* ``plain_lines(lines)`` — several plain lines joined by ``<br>``;
* ``template_text(text)`` — a data string written into a ``hovertemplate`` itself (rather than passed as
  ``customdata``): also ``%`` → ``&#37;``, so ``%{…}`` in the data is not substituted.

Figures never carry links made from data, nor characters that an SVG (hence an image export) cannot hold.
"""

from __future__ import annotations

import re

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def plain(text) -> str:
    """``text`` (anything; ``None`` → empty) as plotly text that shows it literally. Characters an SVG cannot hold
    (C0 controls other than tab and line breaks, lone surrogates) become U+FFFD: image export would fail on them."""
    if text is None:
        return ""
    text = _NOT_XML.sub("\ufffd", str(text))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain_lines(lines) -> str:
    return "<br>".join(plain(line) for line in lines)


def template_text(text) -> str:
    """``plain`` for text written into a hovertemplate: ``%`` too, so data cannot name a template variable."""
    return plain(text).replace("%", "&#37;")

