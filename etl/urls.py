"""Which URLs from data may become links: ``safe_http_url(text) -> str | None``, the one check every exporter (and
any page) applies before a URL read from a file or an API is made clickable.

Strict on purpose — a source URL in the warehouse is a plain ``http(s)://host/path`` and anything else stays text:
the scheme is http or https, there is a host (letters, digits, dots and hyphens, or a bracketed IPv6 address), an
optional numeric port, no user name or password (``https://worldbank.org@evil.example`` names the host
``evil.example``), and only the characters RFC 3986 allows in a URI, with well-formed ``%XX`` escapes: no
whitespace, control or bidirectional characters, no quotes or angle brackets, no backslash (browsers read it as
``/``), no look-alike Unicode host names. The URL comes back unchanged (surrounding whitespace removed); whoever
writes it into a document still escapes it for that document. Plain regular expressions (no URL library), so every layer, the dashboard included, may use it.
"""

from __future__ import annotations

import re

MAX_URL = 2048
_URI_CHARS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+")  # RFC 3986, nothing else
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*\.?")
_IPV6 = re.compile(r"\[[0-9A-Fa-f:.]+\]")
_PORT = re.compile(r":[0-9]{1,5}")
_SPLIT = re.compile(r"(?P<scheme>https?)://(?P<netloc>[^/?#]*)(?P<rest>[/?#].*)?", re.IGNORECASE | re.DOTALL)


def safe_http_url(text) -> str | None:
    """``text`` (surrounding whitespace removed) when it is a plain http(s) URL safe to link, else ``None``."""
    if not isinstance(text, str):
        return None
    url = text.strip()
    if not url or len(url) > MAX_URL or not _URI_CHARS.fullmatch(url):
        return None
    parts = _SPLIT.fullmatch(url)  # scheme, then the authority up to the first / ? or # (RFC 3986 §3)
    if parts is None:
        return None
    netloc = parts["netloc"]
    if not netloc or "@" in netloc:
        return None
    host, port = netloc, ""
    if not netloc.startswith("["):
        host, sep, port = netloc.partition(":")
        port = sep + port
    else:
        close = netloc.find("]")
        host, port = netloc[:close + 1], netloc[close + 1:]
    if port and not (_PORT.fullmatch(port) and 0 < int(port[1:]) <= 65535):
        return None
    if not (_HOST.fullmatch(host) or _IPV6.fullmatch(host)):
        return None
    return url
