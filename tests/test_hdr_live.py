"""The HDR source against a local static-file server on 127.0.0.1: download, conditional GET (ETag → 304),
unchanged sha256 skipped, and a bad file refused while the last good one is kept."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb
import pytest
from click.testing import CliRunner

from etl.cli import main
from etl.refresh import EXIT_OK, EXIT_PARTIAL


class StaticServer:
    def __init__(self, body: bytes, etag: str = '"v1"'):
        self.body, self.etag, self.requests = body, etag, []
        outer = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                outer.requests.append(dict(self.headers))
                if self.headers.get("If-None-Match") == outer.etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("ETag", outer.etag)
                self.send_header("Content-Length", str(len(outer.body)))
                self.end_headers()
                self.wfile.write(outer.body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/HDR_Composite_indices_complete_time_series.csv"


@pytest.fixture()
def hdr_file(shared):
    return (shared / "fixtures/undp_hdr/HDR23-24_Composite_indices_complete_time_series.HEAD_32_lines.csv").read_bytes()


def refresh(paths):
    return CliRunner().invoke(main, ["--data-dir", str(paths.data), "refresh", "--source", "hdr"])


def hdr_rows(paths):
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM observation WHERE source_id = 'hdr'").fetchone()[0]
    finally:
        con.close()


def test_download_then_not_modified(fresh, hdr_file, monkeypatch):
    srv = StaticServer(hdr_file)
    monkeypatch.setenv("HSDASH_HDR_URL", srv.url)
    out = refresh(fresh)
    assert out.exit_code == EXIT_OK, out.output
    n = hdr_rows(fresh)
    assert n > 25_000
    out = refresh(fresh)
    assert out.exit_code == EXIT_OK and "304" in out.output
    assert srv.requests[-1].get("If-None-Match") == '"v1"'
    assert hdr_rows(fresh) == n
    srv.httpd.shutdown()


def test_unparseable_new_file_keeps_the_last_good_one(fresh, hdr_file, monkeypatch):
    srv = StaticServer(hdr_file)
    monkeypatch.setenv("HSDASH_HDR_URL", srv.url)
    assert refresh(fresh).exit_code == EXIT_OK
    n = hdr_rows(fresh)
    srv.body, srv.etag = b"<html><body>Maintenance</body></html>", '"v2"'  # the site answers with an HTML page
    out = refresh(fresh)
    assert out.exit_code == EXIT_PARTIAL, out.output
    assert hdr_rows(fresh) == n
    srv.httpd.shutdown()
