"""Issue 12: hostile and unlucky inputs (a million columns, zip bombs, a 2 GiB line, FIFOs, devices, symlinks,
implausible values, a bad re-import, a quote in the data directory, a held lock, export to /dev/full): each is refused
or handled with a clear message and the documented exit code, within 30 s and 1 GB where bounded, and the published
warehouse and the good raw snapshots are unchanged. See tests/reliability/hostile.py (synthetic files only)."""

import pytest

from reliability.hostile import CASES


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_hostile_input(built, tmp_path, case):
    _, _, scenario = case
    out = scenario(built, tmp_path / "case")
    print(out.detail)
    assert out.ok, out.detail
