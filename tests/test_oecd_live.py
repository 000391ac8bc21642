"""OECD DAC2A connector against a local SDMX endpoint on 127.0.0.1: flows land in oda_flow with the unit
multiplier applied; the persistent rate budget and the minimum interval stop extra downloads."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb
import pytest
from click.testing import CliRunner

from etl.cli import main
from etl.refresh import EXIT_OK, EXIT_PARTIAL

# SYNTHETIC SDMX-CSV (format=csvfilewithlabels layout per ../shared/fixtures/FORMATS.md §4.1); values are made up.
HEADER = ("STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,ACTION,DONOR,Donor,RECIPIENT,Recipient,MEASURE,Measure,"
          "UNIT_MEASURE,Unit of measure,PRICE_BASE,Price base,TIME_PERIOD,Time period,OBS_VALUE,Observation value,"
          "UNIT_MULT,Unit multiplier,BASE_PER,Base period")
ROWS = [
    ("JPN", "Japan", "KHM", "Cambodia", "V", "2019", "123.45", "6"),
    ("JPN", "Japan", "KHM", "Cambodia", "V", "2020", "130.5", "6"),
    ("KOR", "Korea", "VNM", "Viet Nam", "V", "2020", "250", "6"),
    ("KOR", "Korea", "VNM", "Viet Nam", "Q", "2020", "240", "6"),
]


def body() -> bytes:
    lines = [HEADER]
    for donor, dname, rec, rname, price, year, value, mult in ROWS:
        base = "2022" if price == "Q" else ""
        lines.append(f"DATAFLOW,OECD.DCD.FSD:DSD_DAC2@DF_DAC2A(1.6),DAC2A,I,{donor},{dname},{rec},{rname},206,ODA,"
                     f"USD,US dollar,{price},{'Constant prices' if price == 'Q' else 'Current prices'},{year},{year},{value},,{mult},Millions,{base},")
    return ("\n".join(lines) + "\n").encode()


class Server:
    def __init__(self):
        self.paths = []
        outer = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                outer.paths.append(self.path)
                data = body()
                self.send_response(200)
                self.send_header("Content-Type", "application/vnd.sdmx.data+csv")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/public/rest"


@pytest.fixture()
def server(monkeypatch):
    srv = Server()
    monkeypatch.setenv("HSDASH_OECD_BASE_URL", srv.url)
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


def refresh(paths):
    return CliRunner().invoke(main, ["--data-dir", str(paths.data), "refresh", "--source", "oecd_dac2a"])


def test_flows_loaded_with_unit_multiplier(fresh, server):
    out = refresh(fresh)
    assert out.exit_code == EXIT_OK, out.output
    con = duckdb.connect(str(fresh.warehouse), read_only=True)
    rows = con.execute("SELECT donor, recipient, year, price_basis, amount_usd FROM oda_flow ORDER BY ALL").fetchall()
    con.close()
    assert rows == [("JPN", "KHM", 2019, "current", pytest.approx(123.45e6)), ("JPN", "KHM", 2020, "current", pytest.approx(130.5e6)),
                    ("KOR", "VNM", 2020, "constant", pytest.approx(240e6)), ("KOR", "VNM", 2020, "current", pytest.approx(250e6))]
    (request,) = server.paths
    assert "/data/OECD.DCD.FSD,DSD_DAC2@DF_DAC2A,/" in request and ".206.USD.V+Q" in request
    key = request.split("DF_DAC2A,/")[1].split("?")[0]
    donors, recipients = key.split(".")[0].split("+"), key.split(".")[1].split("+")
    assert {"JPN", "KOR", "USA", "AUS"} <= set(donors) and {"KHM", "VNM", "LAO", "MMR", "TLS"} <= set(recipients)


def test_minimum_interval_uses_the_cached_copy(fresh, server):
    assert refresh(fresh).exit_code == EXIT_OK
    out = refresh(fresh)
    assert out.exit_code == EXIT_OK and "cached copy used" in out.output
    assert len(server.paths) == 1


def test_rate_budget_is_never_exceeded(fresh, server, monkeypatch):
    monkeypatch.setenv("HSDASH_OECD_MIN_HOURS", "0")
    codes = [refresh(fresh).exit_code for _ in range(22)]
    assert len(server.paths) == 20  # never more than 20 downloads in an hour
    assert codes[:20] == [EXIT_OK] * 20 and codes[20:] == [EXIT_PARTIAL, EXIT_PARTIAL]
    con = duckdb.connect(str(fresh.warehouse), read_only=True)
    assert con.execute("SELECT count(*) FROM oda_flow").fetchone()[0] == 4  # last good data kept
    con.close()
    # identical content is not republished (issue 11): the refused run is in the run log, which status shows
    from etl.status import last_runs

    last = last_runs(fresh)["oecd_dac2a"]
    assert last["status"] in ("kept", "failed") and "rate budget" in last["message"]
