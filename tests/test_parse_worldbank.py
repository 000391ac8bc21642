"""etl/parsers/worldbank.py against every recorded World Bank API body (../shared/fixtures/worldbank_api)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from etl.parsers import ParseError
from etl.parsers.worldbank import (
    INDICATOR_COLUMNS,
    WorldBankAPIError,
    check_total,
    parse_country_metadata,
    parse_envelope,
    parse_indicator_page,
)

BODIES = Path("fixtures/worldbank_api/wbdata-go_extracted_bodies")
LEGACY = Path("fixtures/worldbank_api/legacy_v1_2016_multipage_backTableBankers")


def _manifest(shared: Path) -> list[dict]:
    with (shared / BODIES / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _endpoint(url: str) -> str:
    path = url.split("/v2/", 1)[1].split("?", 1)[0]
    if re.match(r"countries/[^/]+/indicators/", path):
        return "data"
    if path == "countries" or re.fullmatch(r"countries/[^/]+", path):
        return "country"
    return "other"


def test_manifest_covers_every_body(shared):
    rows = _manifest(shared)
    files = {p.name for p in (shared / BODIES).iterdir() if p.name != "MANIFEST.tsv"}
    assert len(rows) == 70 and {r["file"] for r in rows} == files


def test_every_recorded_body(shared):
    """Each of the 70 bodies: data pages, country metadata, other metadata lists and both error forms."""
    seen = {"data": 0, "country": 0, "other": 0, "message": 0, "html": 0}
    for entry in _manifest(shared):
        body = (shared / BODIES / entry["file"]).read_bytes()
        kind = _endpoint(entry["request_url"])
        if entry["http_status"] == "400":
            assert body.startswith(b"\xef\xbb\xbf<")  # BOM + XHTML page, as recorded
            for fn in (parse_indicator_page, parse_country_metadata):
                with pytest.raises(WorldBankAPIError, match="HTML page.*Request Error") as err:
                    fn(body)
                assert err.value.kind == "html" and isinstance(err.value, ParseError)
            seen["html"] += 1
            continue
        doc = json.loads(body.decode("utf-8"))
        if "message" in doc[0]:
            fn = parse_country_metadata if kind == "country" else parse_indicator_page
            with pytest.raises(WorldBankAPIError) as err:
                fn(body)
            assert err.value.kind == "message"
            assert [m["id"] for m in err.value.messages] == [m["id"] for m in doc[0]["message"]]
            assert doc[0]["message"][0]["value"] in str(err.value)
            seen["message"] += 1
            continue
        meta, rows = parse_envelope(body)
        assert len(rows) == len(doc[1] or [])
        for key in ("page", "pages", "per_page", "total"):
            assert meta[key] == int(doc[0][key]) and type(meta[key]) is int
        if kind == "data":
            _check_data_page(body, doc)
        elif kind == "country":
            _check_country_page(body, doc)
        else:
            with pytest.raises(WorldBankAPIError, match="not indicator observations"):
                parse_indicator_page(body)
        seen[kind] += 1
    assert seen == {"data": 17, "country": 6, "other": 19, "message": 24, "html": 4}


def _check_data_page(body: bytes, doc: list) -> None:
    res = parse_indicator_page(body)
    rows = doc[1]
    # Independent expectation: aggregates are the rows whose World Bank country id contains a digit
    # (all aggregates in these recordings: "1A" Arab World, "S3" Caribbean small states).
    aggregates = [r for r in rows if re.search(r"\d", r["country"]["id"])]
    countries = [r for r in rows if not re.search(r"\d", r["country"]["id"])]
    with_value = [r for r in countries if r["value"] is not None]
    assert list(res.frame.columns) == INDICATOR_COLUMNS
    assert len(res.frame) == len(with_value)
    assert res.meta["null_values"] == len(countries) - len(with_value)
    assert res.meta["aggregates"] == len(aggregates) == len(res.rejected)
    assert res.meta["rows_received"] == len(rows)
    assert res.rejected["reason"].tolist() == [f"aggregate: {r['country']['value']}" for r in aggregates]
    assert res.frame["iso3"].tolist() == [r["countryiso3code"] for r in with_value]
    assert res.frame["year"].tolist() == [int(r["date"]) for r in with_value]
    assert res.frame["value"].tolist() == [r["value"] for r in with_value]
    assert res.frame["indicator_code"].tolist() == [r["indicator"]["id"] for r in with_value]
    sid = doc[0]["sourceid"]
    assert res.meta["sourceid"] == (int(sid) if sid is not None else None)
    assert res.meta["lastupdated"] == doc[0]["lastupdated"]
    check_total(res.meta, len(rows))  # page 1 of every recording is complete


def _check_country_page(body: bytes, doc: list) -> None:
    res = parse_country_metadata(body)
    rows = doc[1]
    assert res.frame["iso3"].tolist() == [r["id"] for r in rows]
    assert res.frame["iso2"].tolist() == [r["iso2Code"] for r in rows]
    assert res.frame["wb_region"].tolist() == [r["region"]["value"].strip() for r in rows]
    assert res.frame["wb_income_group"].tolist() == [r["incomeLevel"]["value"].strip() for r in rows]
    assert not res.frame["is_aggregate"].any()
    assert res.rejected.empty


def test_spot_values_read_by_eye(shared):
    jp = parse_indicator_page((shared / BODIES / "TestIndicatorValuesService_ListByCountryIDs__0__200.json").read_bytes())
    assert jp.meta["total"] == 122 and jp.meta["pages"] == 3 and jp.meta["sourceid"] == 2
    row = jp.frame.set_index("year").loc[2019]
    assert (row["iso3"], row["indicator_code"], row["value"]) == ("JPN", "NY.GDP.MKTP.CD", 5081769542379.77)
    assert jp.frame.set_index("year").loc[1971, "value"] == 240151807460.241
    assert 2020 not in set(jp.frame["year"])  # value null in the recording
    assert jp.frame["wb_country_id"].unique().tolist() == ["JP"] and jp.frame["country_name"].iloc[0] == "Japan"
    assert jp.frame["note"].isna().all() and jp.frame["flag"].isna().all()

    allc = parse_indicator_page((shared / BODIES / "TestIndicatorValuesService_List__2__200.json").read_bytes())
    assert allc.frame.empty
    assert allc.rejected["reason"].tolist() == ["aggregate: Arab World", "aggregate: Caribbean small states"]
    assert json.loads(allc.rejected["record"].iloc[1])["value"] == 77721714917.8506

    aruba = parse_country_metadata((shared / BODIES / "TestCountriesService_List__0__200.json").read_bytes())
    first = aruba.frame.iloc[0]
    assert (first["iso3"], first["iso2"], first["name"], first["wb_region"]) == ("ABW", "AW", "Aruba", "Latin America & Caribbean")
    assert (first["lending_type"], first["capital"]) == ("Not classified", "Oranjestad")
    assert aruba.meta["per_page"] == 2 and aruba.meta["total"] == 297  # per_page arrived as the string "2"
    afg = aruba.frame.iloc[1]
    assert (afg["wb_income_group"], afg["lending_type"], afg["capital"]) == ("Low income", "IDA", "Kabul")

    jpn = parse_country_metadata((shared / BODIES / "TestCountriesService_Get__0__200.json").read_bytes())
    assert jpn.frame.to_dict("records") == [
        {"iso3": "JPN", "iso2": "JP", "name": "Japan", "wb_region": "East Asia & Pacific",
         "wb_income_group": "High income", "lending_type": "Not classified", "capital": "Tokyo", "is_aggregate": False}
    ]
    # income levels: every metadata field is a string in the recording
    meta, rows = parse_envelope((shared / BODIES / "TestIncomeLevelsService_List__0__200.json").read_bytes())
    assert (meta["page"], meta["pages"], meta["per_page"], meta["total"], len(rows)) == (1, 4, 2, 7, 2)


def test_multi_message_error_and_language_error(shared):
    with pytest.raises(WorldBankAPIError, match=r"3 message\(s\)") as err:
        parse_indicator_page((shared / BODIES / "TestIndicatorValuesService_ListBySourceID__2__200.json").read_bytes())
    assert [m["id"] for m in err.value.messages] == ["120", "120", "120"]
    with pytest.raises(WorldBankAPIError, match="150 Language is not yet supported"):
        parse_envelope((shared / BODIES / "TestLanguagesService_Get__1__200.json").read_bytes())


def test_truncated_and_malformed_bodies(shared):
    real = (shared / BODIES / "TestIndicatorValuesService_ListByCountryIDs__0__200.json").read_bytes()
    with pytest.raises(WorldBankAPIError, match="not valid JSON") as err:
        parse_indicator_page(real[: len(real) // 2])
    assert err.value.kind == "json"
    for bad in (b'{"page": 1}', b"[1, 2, 3]", b"[]"):
        with pytest.raises(WorldBankAPIError, match="unexpected World Bank API shape"):
            parse_indicator_page(bad)
    with pytest.raises(WorldBankAPIError, match="empty body"):
        parse_indicator_page(b"\xef\xbb\xbf  ")
    # an empty result: WB sends [meta, null]
    empty = parse_indicator_page(b'[{"page":1,"pages":0,"per_page":50,"total":0},null]')
    assert empty.frame.empty and list(empty.frame.columns) == INDICATOR_COLUMNS and empty.meta["total"] == 0


def test_check_total():
    meta = {"page": 1, "pages": 323, "per_page": 50, "total": 16104}
    check_total(meta, 50)
    with pytest.raises(WorldBankAPIError, match="received 49 rows up to page 1/323, expected 50"):
        check_total(meta, 49)
    check_total({"page": 5, "pages": 5, "per_page": "50", "total": 248}, 248)
    with pytest.raises(WorldBankAPIError, match="expected 248"):
        check_total({"page": 5, "pages": 5, "per_page": 50, "total": 248}, 250)
    with pytest.raises(WorldBankAPIError, match="not numeric"):
        check_total({"page": 1}, 1)


# --- legacy (pre-v2, 2016) responses -------------------------------------------------------------------------


def _unwrap_legacy_js(text: str) -> str:
    """Strip the capture comments and the ``var x = ...;`` wrapper of the legacy recordings."""
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("//")]
    body = "\n".join(lines).strip()
    body = re.sub(r"^var\s+\w+\s*=\s*", "", body)
    return body.rstrip().rstrip(";")


def _synthetic_legacy_page(page: int, pages: int, total: int, rows: list[tuple]) -> str:
    # SYNTHETIC: written by this test in the documented legacy layout (FORMATS.md §1.5): string per_page,
    # string values/decimal, no countryiso3code, wrapped as a JS variable with two comment lines.
    meta = {"page": page, "pages": pages, "per_page": "50", "total": total}
    recs = [
        {"indicator": {"id": "SP.POP.TOTL", "value": "Population, total"}, "country": {"id": cid, "value": name},
         "value": value, "decimal": "0", "date": "2015"}
        for cid, name, value in rows
    ]
    return f"// captured 2016-04-11\n// http://api.worldbank.org/countries/all/indicators/SP.POP.TOTL?page={page}\n" \
           f"var myPOPdata{page} = {json.dumps([meta, recs], indent=2)};\n"


def test_legacy_layout_synthetic():
    text = _synthetic_legacy_page(
        2, 5, 248, [("1A", "Arab World", "392022276"), ("BB", "Barbados", "284215"), ("NA", "Namibia", "2458936"),
                    ("XD", "High income", "1187222703"), ("KH", "Cambodia", None), ("JG", "Channel Islands", "164541")]
    )
    res = parse_indicator_page(_unwrap_legacy_js(text).encode())
    assert res.meta["per_page"] == 50 and res.meta["legacy_rows"] == 6
    assert res.frame[["iso3", "year", "value"]].values.tolist() == [["BRB", 2015, 284215.0], ["NAM", 2015, 2458936.0]]
    assert res.meta["aggregates"] == 2 and res.meta["null_values"] == 1
    assert res.rejected["reason"].tolist() == [
        "aggregate: Arab World", "aggregate: High income", "no ISO3 for country id 'JG' (Channel Islands)"
    ]


def test_legacy_real_multipage_if_present(shared):
    folder = shared / LEGACY
    if not folder.is_dir():
        pytest.skip(f"{LEGACY} is described in PROVENANCE.md but absent from this copy of ../shared")
    for indicator in ("POP", "GDP"):
        received = 0
        for page in range(1, 6):
            text = (folder / f"my{indicator}query{page}.js").read_text(encoding="utf-8")
            doc = json.loads(_unwrap_legacy_js(text))
            res = parse_indicator_page(_unwrap_legacy_js(text).encode())
            assert res.meta["page"] == page and res.meta["per_page"] == 50
            received += res.meta["rows_received"]
            assert len(res.frame) + len(res.rejected) + res.meta["null_values"] == len(doc[1])
            check_total(res.meta, received)
        assert received == 248
