"""etl/parsers/hdr.py on the two real HDR 2023-24 excerpts (../shared/fixtures/undp_hdr) and small synthetic edge cases."""

from __future__ import annotations

import csv
import io
import json

import pytest

from etl.parsers import OBSERVATION_COLUMNS, ParseError
from etl.parsers.hdr import parse_composite_csv

HEAD = "fixtures/undp_hdr/HDR23-24_Composite_indices_complete_time_series.HEAD_32_lines.csv"
TAIL = "fixtures/undp_hdr/HDR23-24_Composite_indices_complete_time_series.TAIL_aggregates_no_header.csv"
IDS = {"iso3", "country", "hdicode", "region"}
RANK_GROUP_2022 = ["hdi_rank_2022", "gdi_group_2022", "gii_rank_2022", "rankdiff_hdi_phdi_2022"]


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("latin-1"), newline="")))


def _value_cells(header: list[str], rows: list[list[str]]) -> int:
    """Independent count: non-empty cells outside the identifier and rank/group columns."""
    keep = [i for i, c in enumerate(header) if c not in IDS and c not in RANK_GROUP_2022]
    return sum(1 for r in rows for i in keep if r[i].strip())


def test_head_excerpt(shared):
    data = (shared / HEAD).read_bytes()
    rows = _rows(data)
    header, body = rows[0], rows[1:]
    res = parse_composite_csv(data)
    assert list(res.frame.columns) == OBSERVATION_COLUMNS
    assert len(header) == 1076 and len(body) == 31
    expected = _value_cells(header, body)
    assert expected == 29452
    assert res.meta["value_cells"] == expected == len(res.frame) == res.meta["loaded"]
    assert res.meta["rejected_cells"] == 0 and res.rejected.empty
    assert res.meta["rows_in_file"] == 31 and res.meta["country_rows"] == 31
    assert res.meta["skipped_columns"] == RANK_GROUP_2022
    assert res.meta["skipped_rank_group_cells"] == sum(
        1 for r in body for c in RANK_GROUP_2022 if r[header.index(c)].strip()
    )
    assert res.meta["observation_columns"] == 1076 - 4 - 4
    assert len(res.meta["indicator_codes"]) == 36
    assert not res.frame.duplicated(["iso3", "indicator_code", "year"]).any()
    assert sorted(res.frame["iso3"].unique()) == sorted(r[0] for r in body)
    # No rank/group column leaks into the observations.
    assert not res.frame["indicator_code"].str.contains("RANK|GROUP").any()

    obs = res.frame.set_index(["iso3", "indicator_code", "year"])["value"]
    # spot values read by eye from the file
    assert obs[("KHM", "HDR.HDI", 2022)] == 0.6
    assert obs[("KHM", "HDR.HDI", 1990)] == 0.379
    assert obs[("KHM", "HDR.LE_F", 2022)] == 72.622
    assert obs[("KHM", "HDR.GNI_PC_M", 2022)] == 5034.254198
    assert obs[("KHM", "HDR.CO2_PROD", 2022)] == 1.213483157
    assert obs[("KHM", "HDR.MMR", 2020)] == 217.983153
    assert obs[("KHM", "HDR.POP_TOTAL", 2022)] == 16.7678425
    assert obs[("AFG", "HDR.HDI", 1990)] == 0.284
    assert obs[("AFG", "HDR.IHDI", 2010)] == 0.287
    assert obs[("AFG", "HDR.GNIPC", 2022)] == 1335.205733
    # ihdi only exists from 2010
    assert res.frame.loc[res.frame["indicator_code"] == "HDR.IHDI", "year"].min() == 2010


def test_tail_excerpt_with_header_from_head(shared):
    head = (shared / HEAD).read_bytes()
    tail = (shared / TAIL).read_bytes()
    header = _rows(head)[0]
    body = _rows(tail)
    assert len(body) == 11
    with pytest.raises(ParseError, match="lacks column"):
        parse_composite_csv(tail)
    res = parse_composite_csv(tail, header=head.split(b"\r\n", 1)[0])
    assert res.frame.empty
    assert res.meta["aggregate_rows"] == 11 and res.meta["country_rows"] == 0
    assert res.meta["value_cells"] == _value_cells(header, body) == res.meta["rejected_cells"] == 11182
    assert res.rejected["reason"].tolist() == [f"aggregate: {r[1]} ({r[0]})" for r in body]
    world = json.loads(res.rejected["record"].iloc[-1])
    assert world["iso3"] == "ZZK.WORLD" and world["country"] == "World"
    assert world["value_cells"] == sum(1 for i, c in enumerate(header) if c not in IDS and c not in RANK_GROUP_2022
                                       and body[-1][i].strip())


def _synthetic(lines: list[str]) -> bytes:
    # SYNTHETIC: a few rows in the HDR layout written by this test (latin-1, CRLF), not UNDP data.
    return ("\r\n".join(lines) + "\r\n").encode("latin-1")


def test_synthetic_edge_cases():
    data = _synthetic(
        [
            "iso3,country,hdicode,region,hdi_rank_2023,hdi_2022,hdi_2023,le_f_2023,gii_rank_2023,gdi_group_2023,notes",
            "CIV,Côte d'Ivoire,Low,SSA,166,0.530,0.534,60.1,150,5,x",
            'HKG,"Hong Kong, China (SAR)",Very High,,4,0.956,..,,,,',
            "CIV,Côte d'Ivoire,Low,SSA,166,0.9,0.9,,,,",
            "XXX,Nowhere,,,,0.1,,,,,",
            "ZZK.WORLD,World,,,,0.739,0.74,,,,",
        ]
    )
    res = parse_composite_csv(data)
    assert res.meta["skipped_columns"] == ["hdi_rank_2023", "gii_rank_2023", "gdi_group_2023"]
    assert res.meta["unrecognised_columns"] == ["notes"]
    assert res.frame[["iso3", "indicator_code", "year", "value"]].values.tolist() == [
        ["CIV", "HDR.HDI", 2022, 0.53],
        ["CIV", "HDR.HDI", 2023, 0.534],
        ["CIV", "HDR.LE_F", 2023, 60.1],
        ["HKG", "HDR.HDI", 2022, 0.956],
    ]
    reasons = res.rejected["reason"].tolist()
    assert reasons[0] == "duplicate iso3 'CIV' (first occurrence kept)"
    assert reasons[1].startswith("not a country: 'XXX' (Nowhere)")
    assert reasons[2] == "aggregate: World (ZZK.WORLD)"
    assert reasons[3] == "non-numeric value '..' in hdi_2023"
    assert res.meta["value_cells"] == 3 + 2 + 2 + 1 + 2 == res.meta["loaded"] + res.meta["rejected_cells"]


def test_not_an_hdr_file():
    with pytest.raises(ParseError, match="no <stem>_<year> columns"):
        parse_composite_csv(b"iso3,country,foo\r\nKHM,Cambodia,1\r\n")
