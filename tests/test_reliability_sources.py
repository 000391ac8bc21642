"""Issue 7: every live source (wdi, hdr, oecd_dac2a) against local fault servers on 127.0.0.1 — timeout,
connection refused, 429 with Retry-After, 5xx then success, permanent 5xx, HTML error page, truncated body,
invalid JSON, wrong page count (wdi), changed columns, empty data. Transient faults are retried and the new data
published (exit 0); the others leave the source 'kept' with a message naming the fault, its last good rows
published, the other sources at their new vintage, exit 3, and no hang (see tests/reliability/live.py)."""

import pytest

from reliability.live import FAULTS, LiveRig, cases
from reliability.servers import dac2a_body


@pytest.fixture(scope="module")
def rig(built, tmp_path_factory):
    with LiveRig(built, tmp_path_factory.mktemp("live")) as r:
        yield r


def test_every_fault_of_the_issue_is_covered_for_every_source():
    assert len(FAULTS) == 11
    assert len(cases()) == 3 * 11 - 2  # 'wrong page count' is a wdi-only fault


def test_oecd_fault_server_serves_the_oecd_tests_body():
    from test_oecd_live import body

    assert dac2a_body(0.0) == body()


@pytest.mark.parametrize("source, fault", cases(), ids=[f"{s}-{f.replace(' ', '_')}" for s, f in cases()])
def test_live_source_fault(rig, source, fault):
    out = rig.run(source, fault)
    print(out.detail)
    assert out.ok, out.detail
