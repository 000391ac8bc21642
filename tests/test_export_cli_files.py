"""``hsdash export`` and its files (issue 12): every output written atomically, one clear line and a documented exit
code for each way writing can fail, and spec files read as hostile input (bounded size and nesting, regular files).

Real processes where the operating system must refuse: a file-size limit (RLIMIT_FSIZE, so a write fails with EFBIG
as on a full disk) and, when run as root, the permission-bypassing capabilities dropped with ``setpriv`` (as the
reliability suite does) so that a directory without write bits is really unwritable.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dashboard.export import engine, specfile
from etl.cli import main
from hostile_data import TERMINAL, hostile  # noqa: F401  (fixture)

HSDASH = Path(sys.executable).with_name("hsdash")
ARGS = ["--indicator", "SP.DYN.LE00.IN", "--group", "ASEAN+3", "--country", "THA", "--from", "1952", "--to", "2007"]
DROP = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner,-chown", "--"]
NOBODY = 65534


def run(built, *args: str, cwd: Path):
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, ["--data-dir", str(built.data), "export", *args], catch_exceptions=False)
    finally:
        os.chdir(old)


def one_line(result_output: str) -> str:
    lines = [ln for ln in result_output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in result_output, result_output
    assert lines[0].startswith("hsdash export: "), lines[0]
    return lines[0]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


def _drop_prefix() -> list[str] | None:
    """How to run a child that file modes bind: nothing when not root; setpriv when root and it works; else None."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None or subprocess.run(DROP + ["true"], capture_output=True).returncode != 0:
        return None
    return DROP


def _env(built) -> dict:
    return {**os.environ, "HSDASH_DATA_DIR": str(built.data), "PYTHONDONTWRITEBYTECODE": "1"}


# --- where the output goes ------------------------------------------------------------------------------------------

def test_a_successful_export_leaves_no_temporary_file_and_replaces_the_old_one(built, tmp_path):
    target = tmp_path / "life.csv"
    target.write_text("old\n")
    target.chmod(0o640)
    result = run(built, *ARGS, "--format", "csv", "--out", str(target), cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith("\ufeff".encode()) and b"Thailand" in target.read_bytes()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the replaced file's permissions are kept
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_dev_full_is_refused_not_replaced(built, tmp_path):
    result = run(built, *ARGS, "--format", "csv", "--out", "/dev/full", cwd=tmp_path)
    assert result.exit_code == 7
    assert "/dev/full" in one_line(result.output) and "not a regular file" in result.output
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)  # still the device


def test_a_path_under_a_regular_file(built, tmp_path):
    (tmp_path / "some_file").write_text("x")
    for fmt, out in (("png", "some_file/x.png"), ("csv", "some_file/deeper/x.csv")):
        result = run(built, *ARGS, "--format", fmt, "--out", out, cwd=tmp_path)
        assert result.exit_code == 7
        assert "some_file is a regular file, not a directory" in one_line(result.output)
    assert (tmp_path / "some_file").read_text() == "x"


def test_a_missing_output_directory(built, tmp_path):
    result = run(built, *ARGS, "--format", "csv", "--out", "nowhere/x.csv", cwd=tmp_path)
    assert result.exit_code == 7
    assert "the directory nowhere does not exist" in one_line(result.output)
    several = run(built, *ARGS, "--chart", "line", "--chart", "table", "--format", "csv", "--out", "a/b", cwd=tmp_path)
    assert several.exit_code == 7 and "the directory a does not exist" in one_line(several.output)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_directory_that_is_not_writable(built, tmp_path):
    prefix = _drop_prefix()
    if prefix is None:
        pytest.skip("root, and setpriv cannot drop the permission-bypassing capabilities here")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "life.csv").write_bytes(b"previous good file\r\n")
    locked.chmod(0o555)
    if os.geteuid() == 0:
        os.chown(locked, NOBODY, NOBODY)
    try:
        proc = subprocess.run(prefix + [str(HSDASH), "export", *ARGS, "--format", "csv", "--out",
                                        str(locked / "life.csv")], capture_output=True, text=True, env=_env(built))
    finally:
        locked.chmod(0o755)
    assert proc.returncode == 7, proc.stderr
    assert "not writable" in one_line(proc.stderr) and proc.stdout == ""
    assert (locked / "life.csv").read_bytes() == b"previous good file\r\n" and leftovers(locked) == []


def _limited(limit: int):
    def preexec():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # a write past it fails with EFBIG (SIGXFSZ ignored)
    return preexec


@pytest.mark.parametrize("fmt, reason", [("csv", "cannot write"), ("xlsx", "cannot make")])
def test_disk_full_keeps_the_previous_good_file(built, tmp_path, fmt, reason):
    """A re-export that cannot finish (file-size limit: EFBIG, as ENOSPC on a full disk) leaves the last good file."""
    target = tmp_path / f"life.{fmt}"
    first = run(built, *ARGS, "--format", fmt, "--out", str(target), cwd=tmp_path)
    assert first.exit_code == 0, first.output
    before = sha(target)
    assert target.stat().st_size > 1024
    proc = subprocess.run([str(HSDASH), "export", *ARGS, "--format", fmt, "--out", str(target)], capture_output=True,
                          text=True, env=_env(built), preexec_fn=_limited(1024))
    assert proc.returncode == 7, proc.stderr
    line = one_line(proc.stderr)
    assert line.startswith(f"hsdash export: {reason} {target}") and "file too large" in line
    assert sha(target) == before and leftovers(tmp_path) == []


# --- spec files -----------------------------------------------------------------------------------------------------

def _spec(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


@pytest.mark.parametrize("name, content, message", [
    ("deep.json", '{"charts": [{"indicator": "SP.DYN.LE00.IN", "title": ' + "[" * 5000 + "]" * 5000 + "}]}",
     "nested more than 32 levels"),
    ("deep.toml", 'title = "x"\nnest = ' + "[" * 5000 + "]" * 5000 + "\n", "nested more than 32 levels"),
    ("dotted.toml", "[[chart]]\nindicator = \"SP.DYN.LE00.IN\"\n" + ".".join(["a"] * 3000) + " = 1\n",
     "nested more than 32 levels"),
    ("big.json", '{"charts": [], "pad": "' + "x" * (1 << 20) + '"}', "larger than 1024 KB"),
    ("latin1.json", '{"title": "Côte d\'Ivoire"}'.encode("latin-1"), "is not UTF-8 text"),
    ("broken.json", '{"charts": [', "not valid JSON"),
    ("broken.toml", "[[chart]\n", "not valid TOML"),
    ("scalar.json", "3", "expected a JSON object with charts, not int"),
    ("charts.json", '{"charts": 3}', "charts must be a list of tables"),
    ("item.json", '{"charts": ["line"]}', "a chart must be a table"),
    ("title.json", '{"title": {"a": 1}, "charts": [{"indicator": "X"}]}', "title must be text"),
    ("value.json", '{"charts": [{"indicator": {"a": 1}}]}', "indicator must be text"),
])
def test_bad_spec_files_are_one_line_usage_errors(built, tmp_path, name, content, message):
    spec = _spec(tmp_path, name, content)
    result = run(built, "--spec", str(spec), "--format", "csv", "--out", str(tmp_path / "x.csv"), cwd=tmp_path)
    assert result.exit_code == 2
    assert message in one_line(result.output)
    assert not (tmp_path / "x.csv").exists()


def test_a_brackets_inside_strings_and_comments_do_not_count(built, tmp_path):
    spec = _spec(tmp_path, "ok.toml", '# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\ntitle = "' + "[" * 40 + '"\n'
                 "[defaults]\ngroups = ['ASEAN']\nfrom = 1990\nto = 2007\n"
                 '[[chart]]\nindicator = "SP.DYN.LE00.IN"\n')
    result = run(built, "--spec", str(spec), "--format", "csv", "--out", str(tmp_path / "x.csv"), cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert specfile.text_depth(spec.read_text(), toml=True) == 2


def test_missing_fifo_and_directory_spec_files(built, tmp_path):
    fifo = tmp_path / "spec.json"
    os.mkfifo(fifo)  # opening it must not wait for a writer
    for path, message in ((tmp_path / "none.json", "No such file or directory"), (fifo, "is not a regular file"),
                          (tmp_path, "is not a regular file")):
        result = run(built, "--spec", str(path), "--format", "csv", cwd=tmp_path)
        assert result.exit_code == 2 and message in one_line(result.output)


def test_an_unreadable_spec_file(built, tmp_path):
    prefix = _drop_prefix()
    if prefix is None:
        pytest.skip("root, and setpriv cannot drop the permission-bypassing capabilities here")
    spec = _spec(tmp_path, "secret.toml", '[[chart]]\nindicator = "SP.DYN.LE00.IN"\n')
    spec.chmod(0o000)
    if os.geteuid() == 0:
        os.chown(spec, NOBODY, NOBODY)
    proc = subprocess.run(prefix + [str(HSDASH), "export", "--spec", str(spec), "--group", "ASEAN", "--format", "csv",
                                    "--out", str(tmp_path / "x.csv")], capture_output=True, text=True, env=_env(built))
    assert proc.returncode == 2 and "Permission denied" in one_line(proc.stderr)


def test_names_echoed_to_the_terminal_carry_no_control_characters(hostile, tmp_path):  # noqa: F811
    """The publisher holds a terminal hyperlink and a clear-screen sequence: echoed, they are inert."""
    result = run(hostile, *ARGS, "--format", "csv", "--out", str(tmp_path / "x.csv"), cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("wrote ") and "\ufffd]8;;https://evil.example" in result.output
    assert not any(ch in result.output for ch in "\x1b\x07") and TERMINAL not in result.output


# --- the codes are documented ---------------------------------------------------------------------------------------

def test_help_and_readme_document_the_exit_codes():
    help_text = CliRunner().invoke(main, ["export", "--help"]).output
    for line in ("0  written", "1  no data for a chart", "2  usage error", "4  no published warehouse",
                 "6  image export unavailable", "7  cannot write the output"):
        assert line in help_text, line
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Briefings"):readme.index("### Unattended refreshes")]
    assert "| 7 |" in section and "| 6 |" in section and "atomically" in section


def test_without_chromium_the_exit_code_is_still_6(built, tmp_path, monkeypatch):
    monkeypatch.setenv(engine.ENV, "off")
    result = run(built, *ARGS, "--format", "png", "--out", str(tmp_path / "x.png"), cwd=tmp_path)
    assert result.exit_code == 6 and "cannot make PNG here" in one_line(result.output)
