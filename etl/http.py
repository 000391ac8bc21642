"""HTTP for live connectors: one retrying ``requests`` session with timeouts, backoff, a capped Retry-After and a
descriptive User-Agent. Fails fast when the network is unreachable (no internet, air-gapped office). Bodies are
read in bounded chunks: a response over the file-size limit (``HSDASH_MAX_FILE_BYTES``, etl/limits.py) — announced
or not — is refused before it fills memory.
"""

from __future__ import annotations

import os

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from etl import limits

USER_AGENT = "hsdash/0.1 (Human Security Indicators Dashboard; +https://github.com/ refresh job)"


def _env(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def timeouts() -> tuple[float, float]:
    """(connect, read) seconds; ``HSDASH_CONNECT_TIMEOUT`` / ``HSDASH_READ_TIMEOUT`` override 5 s / 60 s."""
    return _env("HSDASH_CONNECT_TIMEOUT", 5), _env("HSDASH_READ_TIMEOUT", 60)


class FetchError(RuntimeError):
    """A request failed after its retries (or the server answered with an error page)."""


def session(retries: int = 4, backoff: float = 0.5) -> requests.Session:
    """A session that retries connection errors and 429/5xx with exponential backoff, honouring Retry-After
    up to ``HSDASH_RETRY_AFTER_MAX`` (120) seconds so a hostile header cannot stall an unattended run."""
    retry = Retry(
        total=retries,
        connect=2,
        read=2,
        status=retries,
        backoff_factor=backoff,
        backoff_max=30,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET", "HEAD"}),
        respect_retry_after_header=True,
        retry_after_max=int(_env("HSDASH_RETRY_AFTER_MAX", 120)),
        raise_on_status=False,
    )
    s = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    s.headers["User-Agent"] = USER_AGENT
    return s


def get(s: requests.Session, url: str, params: dict | None = None, **kwargs) -> requests.Response:
    """GET with timeouts; network failures and final HTTP errors become :class:`FetchError` with a plain message."""
    connect, read = timeouts()
    where = url.split("?")[0]
    where = where if len(where) <= 90 else where[:87] + "…"
    try:
        resp = s.get(url, params=params, timeout=(connect, read), stream=True, **kwargs)
        if resp.status_code < 400:
            _read_bounded(resp, where)
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
        cause = _root_cause(exc)
        if isinstance(exc, requests.exceptions.ReadTimeout) or "timed out" in cause.lower():
            raise FetchError(f"timed out after {read:g}s waiting for {where} (after retries)") from exc
        raise FetchError(f"cannot reach {where}: {cause}") from exc
    except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
        raise FetchError(f"response from {where} truncated: the connection broke before the whole body arrived "
                         f"({_root_cause(exc)})") from exc
    except requests.exceptions.RetryError as exc:
        raise FetchError(f"gave up on {url.split('?')[0]} after retries: {_root_cause(exc)}") from exc
    if resp.status_code >= 400:
        resp.close()
        kind = resp.headers.get("Content-Type", "").split(";")[0]
        raise FetchError(f"HTTP {resp.status_code} from {where} ({kind or 'no content type'})")
    return resp


def _read_bounded(resp: requests.Response, where: str) -> None:
    """Read the body into ``resp`` (so ``.content``/``.json()`` work as usual), at most the file-size limit."""
    cap = limits.current().file_bytes
    declared = resp.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > cap:
        resp.close()
        raise FetchError(f"{where} announces {int(declared):,} bytes, over the download limit of {cap:,} bytes "
                         f"(HSDASH_MAX_FILE_BYTES)")
    body = bytearray()
    for chunk in resp.iter_content(1 << 20):
        body += chunk
        if len(body) > cap:
            resp.close()
            raise FetchError(f"{where} sent more than the download limit of {cap:,} bytes (HSDASH_MAX_FILE_BYTES); "
                             f"the download was stopped")
    resp._content = bytes(body)  # requests' own cache of the body: what .content, .text and .json() read


def _root_cause(exc: BaseException) -> str:
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__
    text = str(exc)
    return text[:200]
