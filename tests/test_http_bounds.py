"""Live downloads are bounded like files (issue 12): a server on 127.0.0.1 whose body is over the file-size limit
— with an honest Content-Length, or chunked with none — is refused with a clear message, not read into memory;
a body within the limit arrives whole."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from etl import http

BODY = b'{"rows": "' + b"x" * 50_000 + b'"}'


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 — http.server's name
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if self.path.startswith("/chunked"):
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(BODY), 8192):
                part = BODY[i:i + 8192]
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)

    def log_message(self, *args):
        pass


class _Quiet(ThreadingHTTPServer):
    def handle_error(self, request, client_address):  # the client hanging up on a refused body is expected
        pass


@pytest.fixture(scope="module")
def server():
    srv = _Quiet(("127.0.0.1", 0), _Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


@pytest.mark.parametrize("path", ["/plain", "/chunked"])
def test_a_body_within_the_limit_arrives_whole(server, path):
    resp = http.get(http.session(retries=0), server + path)
    assert resp.content == BODY and resp.json()["rows"] == "x" * 50_000


@pytest.mark.parametrize("path, said", [("/plain", "announces 50,012 bytes"), ("/chunked", "sent more than")])
def test_a_body_over_the_limit_is_refused(server, path, said, monkeypatch):
    monkeypatch.setenv("HSDASH_MAX_FILE_BYTES", "20000")
    with pytest.raises(http.FetchError, match=said) as caught:
        http.get(http.session(retries=0), server + path)
    assert "HSDASH_MAX_FILE_BYTES" in str(caught.value) and "xxxx" not in str(caught.value)
