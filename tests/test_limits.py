"""Issue 12.1: bounded reads. Every input is checked before any work — regular files only (lstat, O_NOFOLLOW,
fstat), size, zip members' declared size and ratio, line length, rows, columns — with messages that give positions
and lengths, never the file's content. Small SYNTHETIC files generated here; limits lowered through the environment."""

from __future__ import annotations

import os
import stat
import struct
import zipfile

import pytest

from etl import formats, limits
from etl.imports import store_import
from etl.config import paths as make_paths

SECRET = "SYNTHETIC-SECRET-CONTENT"


@pytest.fixture
def small(monkeypatch):
    for var, value in {"HSDASH_MAX_COLUMNS": "50", "HSDASH_MAX_LINE_BYTES": "2000", "HSDASH_MAX_ROWS": "100",
                       "HSDASH_MAX_FILE_BYTES": "100000", "HSDASH_MAX_MEMBER_BYTES": "50000",
                       "HSDASH_MAX_ZIP_RATIO": "20"}.items():
        monkeypatch.setenv(var, value)
    return limits.current()


def _check(path, lim):
    with pytest.raises(limits.LimitError) as err:
        limits.check_file(path, lim)
    assert SECRET not in str(err.value)
    return str(err.value)


def test_defaults_and_environment(monkeypatch):
    assert limits.current() == limits.Limits()
    monkeypatch.setenv("HSDASH_MAX_COLUMNS", "1_000")
    assert limits.current().columns == 1000
    monkeypatch.setenv("HSDASH_MAX_COLUMNS", "many")
    with pytest.raises(limits.LimitError, match="HSDASH_MAX_COLUMNS"):
        limits.current()


def test_columns_rows_line_length_and_size(tmp_path, small):
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"{SECRET}{i}" for i in range(60)) + "\n1\n")
    assert "line 1 has 60 columns, over the limit of 50" in _check(wide, small)
    tall = tmp_path / "tall.csv"
    tall.write_text("a,b\n" + "1,2\n" * 200)
    assert "more than 100 lines" in _check(tall, small)
    long = tmp_path / "long.csv"
    long.write_text("a,b\n1,2\n" + SECRET * 200 + "\n")
    assert "line 3 is longer than the limit" in _check(long, small)
    big = tmp_path / "big.csv"
    with open(big, "wb") as fh:
        fh.truncate(200_000)
    assert "over the limit" in _check(big, small)
    ok = tmp_path / "ok.csv"
    ok.write_text("a,b\n1,2\n3,4")
    assert limits.check_file(ok, small) == {"bytes": 11, "rows": 3, "longest_line": 3, "columns": 2}


def test_a_million_columns_are_counted_without_parsing(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_bytes(b"Entity,Year," + b",".join(b"c%07d" for i in range(1_000_000)) + b"\n")
    with pytest.raises(limits.LimitError, match="1,000,002 columns"):
        limits.check_file(path)


def test_zip_member_declared_size_and_ratio(tmp_path, small):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("WDICSV.csv", b"0,1\n" * 90)
    # highly compressible, but a member under 1 MiB is not judged by its ratio
    assert limits.check_file(bomb, small)["members"] == 1
    liar = tmp_path / "liar.zip"
    with zipfile.ZipFile(liar, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("WDICSV.csv", os.urandom(1000))
    data = bytearray(liar.read_bytes())
    struct.pack_into("<I", data, data.find(b"PK\x01\x02") + 24, 4_000_000_000)
    liar.write_bytes(bytes(data))
    assert "declares 3.7 GiB unpacked" in _check(liar, small)
    ratio = tmp_path / "ratio.zip"
    with zipfile.ZipFile(ratio, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.bin", b"0" * (2 << 20))
    assert "unpacks" in _check(ratio, limits.Limits(zip_ratio=20))
    corrupt = tmp_path / "corrupt.zip"
    corrupt.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    assert "corrupt zip" in _check(corrupt, small)


@pytest.mark.parametrize("kind", ["symlink", "fifo", "device", "folder"])
def test_only_regular_files(tmp_path, kind):
    secret = tmp_path / "secret.csv"
    secret.write_text(f"{SECRET},x\n")
    secret.chmod(0o600)
    path = tmp_path / "input.csv"
    if kind == "symlink":
        path.symlink_to(secret)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path = "/dev/zero"
    else:
        path.mkdir()
    with pytest.raises(limits.LimitError, match="only regular files"):
        limits.check_regular(path)
    if kind != "folder":  # open_regular never blocks on a FIFO and never follows the final link
        with pytest.raises(limits.LimitError, match="only regular files"):
            limits.open_regular(path)


def test_detect_refuses_links_fifos_and_devices_before_reading(tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text(f"project_id,{SECRET}\n")
    link = tmp_path / "secret-link.csv"
    link.symlink_to(secret)
    with pytest.raises(formats.ImportError_, match="symbolic link") as err:
        formats.detect(link, "tfhs")
    assert SECRET not in str(err.value)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(formats.ImportError_, match="FIFO"):
        formats.detect(fifo)
    with pytest.raises(formats.ImportError_, match="character device"):
        formats.detect("/dev/zero", "tfhs")


def test_unknown_format_message_gives_lengths_not_content(tmp_path):
    path = tmp_path / "mystery.csv"
    path.write_text(f"{SECRET},b,c\n1,2,3\n")
    with pytest.raises(formats.ImportError_) as err:
        formats.detect(path)
    assert SECRET not in str(err.value) and "3 fields" in str(err.value)


def test_header_sniffing_reads_a_bounded_prefix(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_bytes(b"Entity,Year," + b"x," * 200_000 + b"\n")
    assert len(formats.read_prefix(path)) == formats.HEADER_BYTES
    assert formats.header_of(path)[:2] == ["Entity", "Year"]


def test_raw_copies_are_private_and_made_from_the_checked_descriptor(tmp_path):
    src = tmp_path / "in" / "register.csv"
    src.parent.mkdir()
    src.write_text("project_id,title\nA,b\n")
    src.chmod(0o644)
    dst = tmp_path / "copy.csv"
    assert limits.copy_private(src, dst, 1000) == src.stat().st_size
    assert stat.S_IMODE(dst.stat().st_mode) == 0o600
    with pytest.raises(limits.LimitError, match="over the limit"):
        limits.copy_private(src, tmp_path / "copy2.csv", 5)
    link = tmp_path / "link.csv"
    link.symlink_to(src)
    with pytest.raises(limits.LimitError, match="symbolic link"):
        limits.copy_private(link, tmp_path / "copy3.csv", 1000)


def test_store_import_makes_0600_files_in_0700_folders(tmp_path):
    ds = tmp_path / "in" / "synthetic-dataset"
    ds.mkdir(parents=True)
    (ds / "data.csv").write_text("Entity,Year,Synthetic share\nCambodia,2000,1.5\n")
    (ds / "datapackage.json").write_text('{"title": "Synthetic", "sources": [{"name": "Synthetic"}]}')
    for f in ds.iterdir():
        f.chmod(0o644)
    paths = make_paths(tmp_path / "data")
    snap = store_import(paths, formats.detect(ds))
    assert stat.S_IMODE(snap.stat().st_mode) == 0o700
    assert {stat.S_IMODE(f.stat().st_mode) for f in snap.iterdir()} == {0o600}
