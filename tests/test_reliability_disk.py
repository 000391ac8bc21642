"""Issue 7: a data directory that cannot be written, and a full disk (RLIMIT_FSIZE; a small tmpfs when mounting
works), for a real ``hsdash`` process: exit 4, a clear message, no traceback, the published warehouse untouched and
no half-written build left; once the cause is gone the next refresh publishes. See tests/reliability/disk.py."""

import pytest

from reliability import disk


def _check(out):
    if out.skipped:
        pytest.skip(out.skipped)
    print(out.detail)
    assert out.ok, out.detail


@pytest.mark.parametrize("command", ["refresh", "import", "build", "link"])
def test_data_directory_not_writable(built, tmp_path, command):
    _check(disk.not_writable(built, tmp_path / "w", command))


def test_disk_full_file_size_limit(built, tmp_path):
    _check(disk.fsize_limit(built, tmp_path / "w"))


@pytest.mark.parametrize("fill", [False, True], ids=["no-room-for-the-build", "filled-to-the-last-byte"])
def test_disk_full_tmpfs(built, tmp_path, fill):
    _check(disk.tmpfs_full(built, tmp_path / "w", fill))
