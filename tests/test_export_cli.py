"""``hsdash export`` against a freshly refreshed warehouse (what `make up` leaves): every format, packs, spec files,
clear errors, and the no-Chromium exit."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from PIL import Image
from pptx import Presentation
from pypdf import PdfReader

from dashboard.export import engine
from etl.cli import main

STATUS = engine.status()
needs_chromium = pytest.mark.skipif(not STATUS.available, reason=f"no image engine: {STATUS.reason}")
HSDASH = Path(sys.executable).with_name("hsdash")
ARGS = ["--indicator", "SP.DYN.LE00.IN", "--group", "ASEAN", "--country", "THA", "--from", "1962", "--to", "2007"]
STEM = "life-expectancy-at-birth_ASEAN-THA_1962-2007"


@pytest.fixture()
def work(tmp_path):
    """An empty working directory (the data directory of ``fresh`` is tmp_path/data)."""
    path = tmp_path / "work"
    path.mkdir()
    return path


def run(fresh, *args: str, cwd: Path, env: dict | None = None):
    runner = CliRunner()
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, ["--data-dir", str(fresh.data), "export", *args], env=env, catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "html"])
def test_data_formats_need_no_browser(fresh, work, fmt):
    result = run(fresh, *ARGS, "--format", fmt, cwd=work, env={engine.ENV: "off"})
    assert result.exit_code == 0, result.output
    out = work / f"{STEM}.{fmt}"
    assert out.is_file() and f"wrote {STEM}.{fmt}" in result.output
    if fmt == "csv":
        frame = pd.read_csv(out, encoding="utf-8-sig")
        assert set(frame["name"]) == {"Thailand", "Association of Southeast Asian Nations (ASEAN)"}
        assert frame["year"].between(1962, 2007).all()
    elif fmt == "xlsx":
        assert load_workbook(out).sheetnames == ["data", "metadata"]
    else:
        assert b"Gapminder Foundation" in out.read_bytes()


@needs_chromium
@pytest.mark.parametrize("fmt, size", [("png", "slide"), ("svg", "square"), ("pdf", "half_a4")])
def test_image_formats(fresh, work, fmt, size):
    target = work / "out" / f"chart.{fmt}"
    target.parent.mkdir()
    result = run(fresh, *ARGS, "--chart", "line", "--format", fmt, "--size", size, "--out", str(target), cwd=work)
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    if fmt == "png":
        assert Image.open(io.BytesIO(data)).size == (1920, 1080)
    elif fmt == "svg":
        assert b"Source: Gapminder Foundation" in data and b'width="720"' in data
    else:
        assert len(PdfReader(io.BytesIO(data)).pages) == 1


@needs_chromium
def test_pptx_pack_from_several_chart_options(fresh, work):
    result = run(fresh, *ARGS, "--chart", "line", "--chart", "bar year=2002", "--chart", "map",
                 "--format", "pptx", "--title", "Weekly ASEAN", "--out", "weekly.pptx", cwd=work)
    assert result.exit_code == 0, result.output
    deck = Presentation(work / "weekly.pptx")
    assert len(deck.slides) == 5
    assert "Weekly ASEAN" in deck.slides[0].shapes.title.text
    assert all(s.notes_slide.notes_text_frame.text.startswith("Definitions:") for s in list(deck.slides)[1:4])


@needs_chromium
def test_pdf_pack_from_a_toml_spec_file(fresh, work):
    spec = work / "briefing.toml"
    spec.write_text('title = "From a spec file"\n[defaults]\ngroups = ["ASEAN+3"]\nfrom = 1980\nto = 2007\n'
                    '[[chart]]\nindicator = "SP.DYN.LE00.IN"\n'
                    '[[chart]]\nindicator = "GAPMINDER.GDPPERCAP"\nkind = "bar"\n', encoding="utf-8")
    result = run(fresh, "--spec", str(spec), "--format", "pdf", "--out", "pack.pdf", cwd=work)
    assert result.exit_code == 0, result.output
    reader = PdfReader(work / "pack.pdf")
    assert len(reader.pages) == 1 + 2 + 2 and "From a spec file" in reader.pages[0].extract_text()


def test_several_charts_as_data_go_into_a_directory(fresh, work):
    result = run(fresh, *ARGS, "--chart", "line", "--chart", "table", "--format", "csv", "--out", "data", cwd=work)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (work / "data").iterdir()) == [f"{STEM}.csv", f"{STEM}_table.csv"]


def test_without_chromium_image_formats_exit_6_with_the_fix(fresh, work):
    result = run(fresh, *ARGS, "--format", "png", cwd=work, env={engine.ENV: "/nonexistent/chromium"})
    assert result.exit_code == 6
    assert "cannot make PNG here" in result.output and "apt-get install chromium" in result.output
    assert not list(work.iterdir())


@pytest.mark.parametrize("args, code, message", [
    (["--indicator", "SP.DYN.LE00.IN", "--group", "ASEANN"], 2, "unknown group 'ASEANN'"),
    (["--indicator", "NOPE", "--group", "ASEAN"], 2, "unknown indicator 'NOPE'"),
    (["--indicator", "SP.DYN.LE00.IN", "--group", "ASEAN", "--from", "2015", "--to", "2020"], 1, "no data"),
])
def test_clear_errors(fresh, work, args, code, message):
    result = run(fresh, *args, "--format", "csv", cwd=work)
    assert result.exit_code == code and message in result.output


def test_no_warehouse(work):
    result = CliRunner().invoke(main, ["--data-dir", str(work), "export", *ARGS, "--format", "csv"])
    assert result.exit_code == 4 and "hsdash refresh" in result.output


def test_the_installed_command(fresh, work):
    """The real entry point, as a user (or cron) runs it; the group typed as in the issue."""
    env = {**os.environ, "HSDASH_DATA_DIR": str(fresh.data)}
    help_text = subprocess.run([str(HSDASH), "export", "--help"], capture_output=True, text=True, env=env, check=True)
    assert "hsdash export --indicator SH.STA.STNT.ZS --group ASEAN --chart line" in help_text.stdout
    done = subprocess.run([str(HSDASH), "export", "--indicator", "SP.POP.TOTL", "--group", "asean+3", "--chart",
                           "line", "--from", "1990", "--to", "2007", "--format", "xlsx"],
                          capture_output=True, text=True, env=env, cwd=work)
    assert done.returncode == 0, done.stderr
    assert (work / "population_ASEAN+3_1990-2007.xlsx").is_file()
