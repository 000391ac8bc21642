"""Local fault servers on 127.0.0.1 for the HDR and OECD live sources (the World Bank one is ``tests/wb_server.py``).

Each serves one SYNTHETIC file (generated here, values made up) for any GET, in the vintage set by ``shift``, and
injects faults from a queue, one per request: ``503`` (then the next request is served), ``429`` with
``Retry-After: 1``, ``hang`` (no answer until the server stops), ``html`` (HTTP 200 with an HTML error page),
``cut`` (Content-Length of the whole body, half of it sent, connection dropped), ``json`` (HTTP 200 with a broken
JSON error document instead of CSV), ``columns`` (the CSV with a renamed column) and ``empty`` (header only).
``always`` makes the last fault permanent.
"""

from __future__ import annotations

import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from collections.abc import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: wb_server, test_oecd_live

from test_oecd_live import HEADER as DAC2A_HEADER, ROWS as DAC2A_ROWS  # noqa: E402  (reuse the OECD test's layout)

HDR_COUNTRIES = [("KHM", "Cambodia", "Medium", "EAP"), ("VNM", "Viet Nam", "High", "EAP"),
                 ("LAO", "Lao People's Democratic Republic", "Medium", "EAP"), ("THA", "Thailand", "High", "EAP"),
                 ("JPN", "Japan", "Very High", ""), ("ZZK.WORLD", "World", "", "")]
HDR_YEARS = range(1990, 1996)


def hdr_body(shift: float = 0.0, rename: dict[str, str] | None = None, rows: bool = True) -> bytes:
    """A SYNTHETIC HDR composite-indices CSV (latin-1, CRLF, wide ``<stem>_<year>``); ``shift`` moves the values."""
    cols = ["iso3", "country", "hdicode", "region"] + [f"{s}_{y}" for s in ("hdi", "le") for y in HDR_YEARS] + ["hdi_rank_2022"]
    cols = [(rename or {}).get(c, c) for c in cols]
    lines = [",".join(cols)]
    for k, (iso3, name, code, region) in enumerate(HDR_COUNTRIES if rows else []):
        hdi = [f"{0.4 + k * 0.08 + (y - 1990) * 0.01 + shift / 100:.3f}" for y in HDR_YEARS]
        le = [f"{55 + k * 3 + (y - 1990) * 0.3 + shift:.2f}" for y in HDR_YEARS]
        lines.append(",".join([iso3, f'"{name}"', code, region, *hdi, *le, str(k + 1)]))
    return ("\r\n".join(lines) + "\r\n").encode("latin-1")


def hdr_expected(shift: float = 0.0) -> dict[tuple[str, str, int], float]:
    """What a correct load of ``hdr_body(shift)`` puts in ``observation``: countries only (no aggregate, no rank);
    life expectancy under the catalogue code it maps to (catalogue/series.csv: HDR.LE → SP.DYN.LE00.IN)."""
    out = {}
    for k, (iso3, _, _, _) in enumerate(HDR_COUNTRIES):
        if iso3.startswith("ZZ"):
            continue
        for y in HDR_YEARS:
            out[(iso3, "HDR.HDI", y)] = round(0.4 + k * 0.08 + (y - 1990) * 0.01 + shift / 100, 3)
            out[(iso3, "SP.DYN.LE00.IN", y)] = round(55 + k * 3 + (y - 1990) * 0.3 + shift, 2)
    return out


def dac2a_body(shift: float = 0.0, rename: dict[str, str] | None = None, rows: bool = True) -> bytes:
    """The SYNTHETIC DAC2A SDMX-CSV of tests/test_oecd_live.py (same header and rows), values moved by ``shift``."""
    header = ",".join((rename or {}).get(c, c) for c in DAC2A_HEADER.split(","))
    lines = [header]
    for donor, dname, rec, rname, price, year, value, mult in (DAC2A_ROWS if rows else []):
        base = "2022" if price == "Q" else ""
        value = f"{float(value) + shift:g}" if shift else value
        lines.append(f"DATAFLOW,OECD.DCD.FSD:DSD_DAC2@DF_DAC2A(1.6),DAC2A,I,{donor},{dname},{rec},{rname},206,ODA,"
                     f"USD,US dollar,{price},{'Constant prices' if price == 'Q' else 'Current prices'},{year},{year},{value},,{mult},Millions,{base},")
    return ("\n".join(lines) + "\n").encode()


def dac2a_expected(shift: float = 0.0) -> dict[tuple, float]:
    """``(donor, recipient, year, price_basis) -> amount_usd`` a correct load of ``dac2a_body(shift)`` gives."""
    return {(d, r, int(y), "constant" if p == "Q" else "current"): (float(v) + shift) * 10 ** int(m)
            for d, _, r, _, p, y, v, m in DAC2A_ROWS}


HTML_PAGE = (b"<!DOCTYPE html><html><head><title>503 Service Temporarily Unavailable</title></head>"
             b"<body><h1>Service Temporarily Unavailable</h1><p>The server is down for maintenance.</p></body></html>")


class FileFaultServer:
    """Serves ``make_body(shift)`` with ``content_type``; ``faults`` is consumed one per request."""

    def __init__(self, make_body: Callable[..., bytes], content_type: str, path_prefix: str = ""):
        self.make_body, self.content_type, self.prefix = make_body, content_type, path_prefix
        self.shift = 0.0
        self.faults: list[str] = []
        self.requests: list[str] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, code, body, ctype, headers=None):
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                outer.requests.append(self.path)
                fault = outer.next_fault()
                body = outer.make_body(outer.shift)
                if fault == "503":
                    return self._send(503, HTML_PAGE, "text/html")
                if fault == "429":
                    return self._send(429, b"Too Many Requests", "text/plain", {"Retry-After": "1"})
                if fault == "hang":
                    outer.stop.wait(60)
                    return
                if fault == "html":
                    return self._send(200, HTML_PAGE, "text/html; charset=utf-8")
                if fault == "json":
                    return self._send(200, b'{"errors": [{"code": 500, "message": "Internal', "application/json")
                if fault == "columns":
                    body = outer.make_body(outer.shift, rename=outer.rename)
                if fault == "empty":
                    body = outer.make_body(outer.shift, rows=False)
                if fault == "cut":
                    self.send_response(200)
                    self.send_header("Content-Type", outer.content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self._send(200, body, outer.content_type, {"Last-Modified": "Mon, 02 Nov 2026 00:00:00 GMT"})

        self.rename: dict[str, str] = {}
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def next_fault(self) -> str:
        with self.lock:
            if not self.faults:
                return "ok"
            if self.faults[0] == "always":
                return self.faults[1] if len(self.faults) > 1 else "ok"
            return self.faults.pop(0)

    def reset(self, shift: float = 0.0) -> None:
        with self.lock:
            self.shift, self.faults = shift, []
            self.requests.clear()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{self.prefix}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def hdr_server() -> FileFaultServer:
    srv = FileFaultServer(hdr_body, "text/csv")
    srv.rename = {"iso3": "country_code"}
    return srv


def oecd_server() -> FileFaultServer:
    srv = FileFaultServer(dac2a_body, "application/vnd.sdmx.data+csv", "/public/rest")
    srv.rename = {"OBS_VALUE": "VALUE"}
    return srv


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (connection refused)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port
