"""``hsdash export``: the dashboard's briefing exports from the command line (for scheduled briefing refreshes).

Registered as an entry point in pyproject.toml (``[project.entry-points."hsdash.commands"]``), so etl/ never
imports plotly. Opens the published warehouse read-only and runs the same builders as the dashboard
(``dashboard.export``): the same data, figure, footer and file names. Where the output goes is checked before any
work and every file is written atomically (``dashboard.export.files``); each failure is one line on stderr and an
exit code listed in the command's help (``EXIT_*`` below). Names and publishers echoed to the terminal lose their
control characters.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

import click
import duckdb

from dashboard.export import FORMATS, PRESETS, engine, files, naming, specfile
from dashboard.export.meta import Chart, load_chart, now_utc

EXIT_ERROR, EXIT_USAGE, EXIT_NO_WAREHOUSE, EXIT_NO_ENGINE, EXIT_OUTPUT = 1, 2, 4, 6, 7
IMAGE_FORMATS = ("png", "svg", "pdf", "pptx")


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _printable(text: str) -> str:
    """Data text echoed to a terminal: control characters (escape sequences that would recolour the terminal or
    make links) shown as U+FFFD."""
    return _CONTROL.sub("\ufffd", text)


def _fail(code: int, message: str) -> NoReturn:
    click.echo(_printable(f"hsdash export: {message}"), err=True)
    sys.exit(code)


def _warehouse(ctx: click.Context) -> Path:
    from etl import config, publish

    paths = config.paths((ctx.obj or {}).get("data_dir") if ctx.obj else None)
    file = publish.published_file(paths)  # the versioned file behind the warehouse.duckdb link
    if file is None:
        click.echo(f"No published warehouse at {paths.warehouse}. Run: hsdash refresh", err=True)
        sys.exit(EXIT_NO_WAREHOUSE)
    return file


def _describe(chart: Chart, path: Path, fmt: str, size: str) -> str:
    frame = chart.frame
    n_series = frame["code"].nunique() if "code" in frame else 0
    what = f"{fmt.upper()}" + (f" {size}" if fmt in ("png", "svg", "pdf") else "")
    return f"wrote {path} ({what}; {len(frame)} rows, {n_series} series; source: {'; '.join(chart.spec.publishers) or '–'})"


@click.command("export", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--indicator", metavar="CODE", help="Indicator code from the catalogue, e.g. SH.STA.STNT.ZS, HDR.HDI.")
@click.option("--group", "groups", multiple=True, metavar="GROUP",
              help="Group id, name or abbreviation, any case: ASEAN, 'ASEAN+3', EAS, wb_eap (repeatable).")
@click.option("--country", "countries", multiple=True, metavar="ISO3", help="Country: ISO3, ISO2 or name (repeatable).")
@click.option("--chart", "charts", multiple=True, metavar="VIEW",
              help="line | bar | map | scatter | table, optionally with key=value overrides, e.g. "
                   "'bar year=2015' (repeatable: several charts, one pack).")
@click.option("--from", "year_from", type=int, metavar="YEAR", help="First year.")
@click.option("--to", "year_to", type=int, metavar="YEAR", help="Last year.")
@click.option("--year", type=int, help="bar / map / scatter: the year shown (default: latest up to --to).")
@click.option("--x-indicator", metavar="CODE", help="scatter: the indicator on the x axis.")
@click.option("--base-year", type=int, metavar="YEAR", help="Show % change relative to this year.")
@click.option("--unweighted", is_flag=True, help="Group values as plain means (default: population-weighted).")
@click.option("--hide-low-coverage", is_flag=True, help="Hide group values below two-thirds coverage (default: flag).")
@click.option("--log", "log_scale", is_flag=True, help="Log scale.")
@click.option("--spec", "spec_file", metavar="FILE",
              help="JSON or TOML file listing the charts (see below; at most 1 MB); command-line options act as "
                   "defaults.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format (default: from --out's "
              "extension, else png; pptx for several charts).")
@click.option("--size", type=click.Choice(sorted(PRESETS)), default=None,
              help="Image size preset: slide (16:9, 1920×1080 PNG), half_a4 (210×148.5 mm), square. Default slide.")
@click.option("--title", "pack_title", metavar="TEXT", help="Title of a pptx/pdf pack (title slide).")
@click.option("--out", type=click.Path(), metavar="PATH",
              help="Output file (its directory must exist), or a directory for one file per chart (created if its "
                   "parent exists); default: a descriptive name such as stunting_ASEAN_2000-2022.png in the current "
                   "directory. Files are replaced atomically: a failed export leaves the previous file as it was.")
@click.pass_context
def export(ctx, indicator, groups, countries, charts, year_from, year_to, year, x_indicator, base_year, unweighted,
           hide_low_coverage, log_scale, spec_file, fmt, size, pack_title, out):
    """Export a chart — image, data or briefing pack — exactly as the dashboard draws it, with title, subtitle and
    a footer naming publishers, licences, data vintage, retrieval date, group coverage and the generation date.

    \b
    Examples:
      hsdash export --indicator SH.STA.STNT.ZS --group ASEAN --chart line --from 2000 --to 2022 \\
                    --format png --out stunting.png
      hsdash export --indicator HDR.HDI --group "ASEAN+3" --chart map --year 2019 --format svg
      hsdash export --indicator SN.ITK.DEFC.ZS --group ASEAN --country CHN --format xlsx   # data + metadata sheet
      hsdash export --indicator HDR.HDI --group ASEAN --from 2000 --to 2019 \\
                    --chart line --chart "bar year=2019" --chart map --format pptx --out briefing.pptx
      hsdash export --spec briefing.toml --format pdf --out briefing.pdf                  # one PDF for all charts
    \b
    Formats: png svg pdf (images; need Chromium), csv xlsx html (no Chromium needed),
    pptx (title slide, one slide per chart with caption and speaker notes, sources slide).
    Several charts: pptx or pdf make one pack; other formats write one file per chart into --out (a directory).
    \b
    Spec file (TOML; JSON the same as {"title":…, "defaults":{…}, "charts":[{…}]}):
      title = "ASEAN nutrition"
      [defaults]
      groups = ["ASEAN"]
      from = 2000
      to = 2022
      [[chart]]
      indicator = "SH.STA.STNT.ZS"
      kind = "line"
      [[chart]]
      indicator = "SN.ITK.DEFC.ZS"
      kind = "bar"
      year = 2020
    \b
    Exit codes:
      0  written
      1  no data for a chart
      2  usage error: unknown indicator, group, country or option; a spec file that
         cannot be read, is not valid JSON/TOML, is over 1 MB or nested over 32 levels
      4  no published warehouse
      6  image export unavailable (no Chromium: the message says how to install it;
         csv, xlsx and html still work)
      7  cannot write the output: directory missing, under a regular file or not
         writable; target not a regular file (e.g. /dev/full); disk full. A file
         already at that path is left as it was.
    """
    base = {"indicator": indicator, "groups": list(groups), "countries": list(countries), "from": year_from,
            "to": year_to, "year": year, "x_indicator": x_indicator, "base_year": base_year}
    if unweighted:
        base["weighted"] = False
    if hide_low_coverage:
        base["hide_low_coverage"] = True
    if log_scale:
        base["log"] = True
    base = {k: v for k, v in base.items() if v not in (None, [])}
    try:
        settings, file_charts = specfile.load_file(spec_file) if spec_file else ({"defaults": {}}, [])
    except specfile.SpecError as exc:
        _fail(EXIT_USAGE, str(exc))
    try:
        defaults = specfile.merge(settings["defaults"], base)
        wanted = [specfile.merge(defaults, c) for c in file_charts]
        wanted += [specfile.merge(defaults, specfile.parse_chart_option(c)) for c in charts]
        if not wanted:
            wanted = [defaults]
    except specfile.SpecError as exc:
        raise click.UsageError(str(exc)) from None
    pack_title = pack_title or settings.get("title") or "Human security briefing"
    size = size or settings.get("size") or "slide"
    if size not in PRESETS:
        raise click.BadParameter(f"unknown size {size!r}; choose from {', '.join(PRESETS)}", param_hint="--size")
    fmt = fmt or settings.get("format") or _format_from(out, several=len(wanted) > 1)
    if fmt not in FORMATS:
        raise click.BadParameter(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}", param_hint="--format")

    try:  # fail before any work, with the reason and the fix: where the output goes, then the image engine
        where = _destination(out, several=len(wanted) > 1, pack=len(wanted) > 1 and fmt in ("pptx", "pdf"))
    except files.OutputError as exc:
        _fail(EXIT_OUTPUT, str(exc))
    if fmt in IMAGE_FORMATS:
        state = engine.status()
        if not state.available:
            _fail(EXIT_NO_ENGINE, f"cannot make {fmt.upper()} here. {state.reason}")

    con = duckdb.connect(str(_warehouse(ctx)), read_only=True)
    try:
        try:
            resolver = specfile.Resolver(con)
            specs = [specfile.to_spec(w, resolver) for w in wanted]
        except specfile.SpecError as exc:
            raise click.UsageError(str(exc)) from None
        loaded = [load_chart(con, s) for s in specs]
        empty = [(c, _why_empty(con, c)) for c in loaded if c.frame.empty or c.frame["value"].notna().sum() == 0]
    finally:
        con.close()
    if empty:
        for c, why in empty:
            click.echo(_printable(f"hsdash export: no data for {c.spec.indicator_name or c.spec.indicator_code} "
                                  f"({naming.stem(c.spec)}): {why}"), err=True)
        sys.exit(EXIT_ERROR)
    try:
        _write(loaded, fmt, size, pack_title, where)
    except engine.EngineUnavailable as exc:
        _fail(EXIT_NO_ENGINE, f"cannot make {fmt.upper()} here. {exc}")
    except files.OutputError as exc:
        _fail(EXIT_OUTPUT, str(exc))


def _why_empty(con: duckdb.DuckDBPyConnection, chart: Chart) -> str:
    code = chart.spec.indicator_code
    n = con.execute("SELECT count(*) FROM observation WHERE indicator_code = ? AND source_id <> 'paper'",
                    [code]).fetchone()[0]
    if n == 0:
        hint = con.execute("SELECT source_hint FROM indicator WHERE indicator_code = ?", [code]).fetchone()
        source = f" (source: {hint[0]})" if hint and hint[0] else ""
        return (f"the warehouse holds no series of {code} yet{source}; run `hsdash refresh` online or "
                "`hsdash import` a downloaded file (`hsdash status` shows what each source did)")
    return "try other groups/countries or years"


def _format_from(out: str | None, several: bool) -> str:
    suffix = Path(out).suffix.lower().lstrip(".") if out else ""
    if suffix in FORMATS:
        return suffix
    return "pptx" if several else "png"


def _destination(out: str | None, several: bool, pack: bool) -> tuple[str, Path]:
    """("dir", directory) — files named for each chart go there — or ("file", path); checked before any work.
    Several charts in a data or image format go into ``--out`` as a directory (created, one level, when the files
    are written); a pack or a single chart goes to ``--out`` as a file, or into it when it is a directory."""
    if several and not pack and out is not None and not Path(out).exists():
        files.check_directory(Path(out).parent, file=Path(out))
        return "dir", Path(out)
    if several and not pack or out is None or Path(out).is_dir():
        return "dir", files.check_directory(Path(out or "."))
    path = Path(out)
    files.check_directory(path.parent, file=path)
    files.check_target(path)
    return "file", path


def _make(path: Path, build):
    """The file's bytes; an I/O error while making them (a full disk or file-size limit met by a temporary file)
    is an output error like any other."""
    try:
        return build()
    except OSError as exc:
        raise files.OutputError(f"cannot make {path}: {files.reason(exc)} (writing temporary files under "
                                f"{tempfile.gettempdir()})") from None


def _write(charts: list[Chart], fmt: str, size: str, title: str, where: tuple[str, Path]) -> None:
    from dashboard.export import chart_bytes, pack

    generated = now_utc()
    mode, place = where
    if mode == "dir":
        files.check_directory(place, create=True)
    if len(charts) > 1 and fmt in ("pptx", "pdf"):
        path = place / naming.pack_filename(fmt, generated.date(), title) if mode == "dir" else place
        make = pack.pptx_pack if fmt == "pptx" else pack.pdf_pack
        files.write_atomic(path, _make(path, lambda: make(charts, title, generated, size)))
        click.echo(f"wrote {path} ({fmt.upper()} pack {size}: {len(charts)} charts)")
        return
    for chart in charts:
        name = naming.filename(chart.spec, fmt, size if fmt in ("png", "svg", "pdf") else None)
        path = place / name if mode == "dir" else place
        files.write_atomic(path, _make(path, lambda chart=chart: chart_bytes(chart, fmt, size, generated)))
        click.echo(_printable(_describe(chart, path, fmt, size)))
