"""`hsdash refresh --source wdi` against a local emulation of the World Bank API (127.0.0.1 only): pagination,
exact rows, vintage skipping, and every fault case keeping the last good data while the other sources publish."""

import duckdb
import pytest
from click.testing import CliRunner

from etl.cli import main
from etl.refresh import EXIT_OK, EXIT_PARTIAL
from wb_server import WBServer, synthetic_rows


def wdi_codes():
    import csv
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "catalogue/indicators.csv"  # the curated catalogue (data)
    return sorted(r["indicator_code"] for r in csv.DictReader(open(path, encoding="utf-8")) if r["source_hint"] == "wdi")


def expected_rows(code):
    """What a correct connector loads from the synthetic server: countries only, no nulls."""
    return {(r["countryiso3code"], int(r["date"])): r["value"] for r in synthetic_rows(code)
            if r["countryiso3code"] != "WLD" and r["value"] is not None}


@pytest.fixture()
def server(monkeypatch):
    with WBServer() as srv:
        monkeypatch.setenv("HSDASH_WB_BASE_URL", srv.url)
        monkeypatch.setenv("HSDASH_WB_PER_PAGE", "25")  # 60 rows per series -> 3 pages
        monkeypatch.setenv("HSDASH_READ_TIMEOUT", "1")
        yield srv


def refresh(paths):
    return CliRunner().invoke(main, ["--data-dir", str(paths.data), "refresh", "--source", "wdi"])


def wdi_values(paths):
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        rows = con.execute("SELECT indicator_code, iso3, year, value FROM observation WHERE source_id = 'wdi'").fetchall()
        other = con.execute("SELECT count(*) FROM paper_figure").fetchone()[0]
        status = con.execute("SELECT status, message FROM etl_run WHERE source_id = 'wdi' ORDER BY finished_at DESC LIMIT 1").fetchone()
    finally:
        con.close()
    out = {}
    for code, iso3, year, value in rows:
        out.setdefault(code, {})[(iso3, year)] = value
    return out, other, status


def test_loads_exactly_the_served_rows_across_pages(fresh, server):
    out = refresh(fresh)
    assert out.exit_code == EXIT_OK, out.output
    values, _, status = wdi_values(fresh)
    codes = wdi_codes()
    assert len(codes) >= 28 and sorted(values) == codes
    for code in codes:
        assert values[code] == pytest.approx(expected_rows(code)), code
    assert status[0] == "ok"
    pages = [r for r in server.state.requests if "per_page=25" in r]
    assert len(pages) == 3 * len(codes)


def test_unchanged_vintage_is_not_downloaded_again(fresh, server):
    assert refresh(fresh).exit_code == EXIT_OK
    server.state.requests.clear()
    out = refresh(fresh)
    assert out.exit_code == EXIT_OK and "unchanged" in out.output
    series = [r for r in server.state.requests if "/indicator/" in r]
    assert len(series) == len(wdi_codes())  # one probe per series ...
    assert all("per_page=1&" in r for r in series)  # ... of a single row; no page was downloaded again


@pytest.mark.parametrize(
    "faults, ok, words",
    [
        (["503", "ok"], True, None),                  # transient: retried, then fine
        (["429"], True, None),                        # rate limited with Retry-After: 1 -> waits, then fine
        (["503"] * 6, False, "HTTP 503"),             # permanent 5xx
        (["stall"] * 4, False, "timed out"),
        (["truncated"], False, "not valid JSON"),
        (["invalid"], False, "not valid JSON"),
        (["html"], False, "HTTP 400"),
        (["message"], False, "Invalid value"),
        (["wrong_pages"] * 10, False, "row count mismatch"),
    ],
    ids=["503-then-200", "429-retry-after", "permanent-503", "timeout", "truncated", "invalid-json", "html-error",
         "api-message", "wrong-page-count"],
)
def test_faults_keep_last_good_data(fresh, server, faults, ok, words):
    assert refresh(fresh).exit_code == EXIT_OK
    good, n_paper, _ = wdi_values(fresh)
    server.state.lastupdated = "2026-11-15"  # a new vintage: the connector must download again
    target = "SP.POP.TOTL"
    server.state.faults[target] = list(faults)
    out = refresh(fresh)
    values, n_paper_after, status = wdi_values(fresh)
    assert values == good  # same rows either way (the synthetic data did not change), never fewer
    assert n_paper_after == n_paper == 53  # the other sources are still published
    if ok:
        assert out.exit_code == EXIT_OK, out.output
        assert status[0] == "ok"
    else:
        assert out.exit_code == EXIT_PARTIAL, out.output
        assert status[0] == "kept" and words.lower() in status[1].lower(), status
        assert words.lower() in out.output.lower()


def test_unreachable_api_fails_fast_and_keeps_published_data(fresh, monkeypatch):
    import socket
    import time

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there: connection refused
    monkeypatch.setenv("HSDASH_WB_BASE_URL", f"http://127.0.0.1:{port}/v2")
    t0 = time.monotonic()
    out = refresh(fresh)
    elapsed = time.monotonic() - t0
    assert out.exit_code == EXIT_PARTIAL and "cannot reach" in out.output
    assert elapsed < 30  # fails in seconds, not minutes (every series is abandoned after the first refusal)
    con = duckdb.connect(str(fresh.warehouse), read_only=True)
    assert con.execute("SELECT status FROM etl_run WHERE source_id='wdi' ORDER BY finished_at DESC LIMIT 1").fetchone()[0] == "failed"
    con.close()


def test_country_metadata_refreshes_the_classification(fresh, server, shared):
    body = shared / "fixtures/worldbank_api/wbdata-go_extracted_bodies/TestCountriesService_List__1__200.json"
    server.state.countries_body = body.read_bytes()  # real recorded response (region=EAS, 2 economies)
    import json

    rows = json.loads(body.read_bytes())[1]
    assert refresh(fresh).exit_code == EXIT_OK
    con = duckdb.connect(str(fresh.warehouse), read_only=True)
    got = con.execute("SELECT iso3, wb_region, wb_income_group FROM country_classification ORDER BY iso3").fetchall()
    con.close()
    assert got == sorted((r["id"], r["region"]["value"].strip(), r["incomeLevel"]["value"].strip()) for r in rows)
