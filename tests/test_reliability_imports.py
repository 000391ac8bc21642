"""Issue 7: at least 30 malformed import files (wrong encodings, missing/renamed columns, duplicate keys,
non-numeric and out-of-range values, unknown countries, empty file, header only, a huge single line, a zip that is
not WDI, …): each gives a clear error or quarantines the bad rows with reasons, never a traceback, and the file is
kept unchanged (and byte for byte in the raw zone once accepted). See tests/reliability/malformed.py."""

import pytest

from reliability.malformed import CASES, ERROR, QUARANTINE, run_case


def test_at_least_thirty_malformed_files_of_every_format():
    assert len(CASES) >= 30
    assert {c.expect for c in CASES} == {ERROR, QUARANTINE}
    names = " ".join(c.name for c in CASES)
    for kind in ("encoding", "missing", "renamed", "duplicate", "non-numeric", "out-of-range", "unknown countr",
                 "empty file", "huge single line", "not WDI"):
        assert kind in names, kind


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_import(built, tmp_path, case):
    out = run_case(built, tmp_path / "case", case)
    print(out.detail)
    assert out.ok, out.detail
