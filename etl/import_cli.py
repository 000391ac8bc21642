"""``hsdash import PATH``: copy a downloaded file into the raw zone, validate, load, publish, and report what was
loaded, which indicators it created or filled, what was skipped (columns, rows) and why."""

from __future__ import annotations

import sys
from collections import Counter

import click
import duckdb

from etl import catalogue, config, formats, publish
from etl.imports import ImportError_, Rejected, check_user_mappings, detect, store_import
from etl.mapping import parse_user_mapping
from etl.plausibility import JUMP_TABLE
from etl.refresh import EXIT_FAILED, EXIT_LOCKED, run_refresh


def _quarantine_reasons(paths: config.Paths, source_id: str, run_id: str, jumps: bool = False) -> Counter:
    """Reasons of this run's quarantined rows (``jumps``: of its flagged jumps, loaded but listed there)."""
    live = publish.published_file(paths)
    if live is None:
        return Counter()
    con = duckdb.connect(str(live), read_only=True)
    try:
        rows = con.execute('SELECT reason FROM quarantine WHERE source_id = ? AND run_id = ? AND ("table" = ?) = ?',
                           [source_id, run_id, JUMP_TABLE, jumps]).fetchall()
    finally:
        con.close()
    return Counter(r[0] for r in rows)


def _indicator_names(paths: config.Paths, codes: list[str]) -> dict[str, tuple[str, str]]:
    live = publish.published_file(paths)
    if live is None or not codes:
        return {}
    con = duckdb.connect(str(live), read_only=True)
    try:
        rows = con.execute("SELECT indicator_code, name, unit FROM indicator WHERE indicator_code IN (SELECT unnest(?))",
                           [codes]).fetchall()
    finally:
        con.close()
    return {code: (name, unit) for code, name, unit in rows}


def _options(entity, year, values, publisher, url, licence, vintage, title, mappings) -> dict:
    options = {k: v for k, v in dict(entity=entity, year=year, publisher=publisher, url=url, licence=licence,
                                     vintage=vintage, title=title).items() if v}
    if values:
        options["values"] = list(values)
    if mappings:
        user = {}
        for text in mappings:
            try:
                column, um = parse_user_mapping(text)
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint="--indicator") from None
            user[column] = {"indicator_code": um.indicator_code, "factor": um.factor}
        options["indicators"] = user
    return options


def _report(outcome, paths: config.Paths, result, source_id: str) -> None:
    rec = outcome.details.get("reconciliation", {})
    ents = outcome.details.get("entities", {})
    click.echo(f"status: {outcome.status} — {outcome.message}")
    if rec:
        click.echo(f"rows in file {rec.get('rows_in_file')}, value cells {rec.get('value_cells')}, "
                   f"empty cells {rec.get('empty_cells')}, parsed {rec.get('loaded')}, rejected by the parser {rec.get('rejected')}")
    click.echo(f"loaded into the warehouse: {outcome.rows_loaded} rows; quarantined: {outcome.rows_quarantined}")
    series = outcome.details.get("series") or []
    if series:
        names = _indicator_names(paths, [s["indicator_code"] for s in series]) if result.published else {}
        click.echo(f"indicators ({len(series)}):")
        for s in series[:60]:
            name, unit = names.get(s["indicator_code"], ("", ""))
            how = {"same": "is", "asserted": "is (asserted by the catalogue)", "separate": "→ its own indicator",
                   "user": "mapped by you to", "unmapped": "→ new indicator described by the file"}.get(s["relation"], s["relation"])
            factor = f" × {s['factor']:g}" if s["factor"] != 1 else ""
            click.echo(f"  {s['source_column'][:60]!s} {how} {s['indicator_code']}{factor}"
                       + (f" — {name} ({unit})" if name else "") + f": {s['rows_loaded']} values")
        if len(series) > 60:
            click.echo(f"  … {len(series) - 60} more (hsdash indicators lists them all)")
    if outcome.details.get("series_count") is not None:  # a staged import (all of WDI): counts, not a list
        d = outcome.details
        click.echo(f"series: {d['series_count']:,} — {d.get('curated', 0):,} with the catalogue's curated metadata, "
                   f"{d.get('named_from_metadata', 0):,} named by the file (its series metadata, else its Indicator Name) "
                   f"({'staged parse reused' if d.get('staging') == 'reused' else 'parsed afresh'}; "
                   f"`hsdash indicators` lists them)")
    for column, why in (outcome.details.get("skipped_columns") or {}).items():
        click.echo(f"  skipped column {column!r}: {why}")
    unnamed = outcome.details.get("unnamed_columns") or []
    if unnamed:
        click.echo(f"  {len(unnamed)} column(s) have no human name in the file ({', '.join(unnamed[:8])}): map them with "
                   f"--indicator \"COLUMN=CODE\" or add them to catalogue/series.csv")
    if ents:
        unknown = ents.get("unknown") or {}
        aggregates = ents.get("aggregate") or []
        click.echo(f"entities mapped to countries: {ents.get('country')}; aggregates recognised: {len(aggregates)}; not mapped: {len(unknown)}")
        if aggregates:
            click.echo("  aggregates (not loaded): " + ", ".join(sorted(map(str, aggregates))[:40]) + (" …" if len(aggregates) > 40 else ""))
        for name, why in sorted(unknown.items()):
            click.echo(f"  not mapped: {name} — {why}")
    reasons = _quarantine_reasons(paths, source_id, result.run_id) if result.published else Counter()
    if reasons:
        click.echo("quarantine reasons (count):")
        for reason, n in reasons.most_common(15):
            click.echo(f"  {n:6d}  {reason[:160]}")
        if len(reasons) > 15:
            click.echo(f"  … {len(reasons) - 15} more distinct reasons (see the Data & sources page)")
    jumps = _quarantine_reasons(paths, source_id, result.run_id, jumps=True) if result.published else Counter()
    if jumps:
        click.echo(f"large year-on-year jumps flagged for review ({sum(jumps.values())}; loaded, not dropped):")
        for reason, _ in jumps.most_common(10):
            click.echo(f"  {reason[:160]}")
        if len(jumps) > 10:
            click.echo(f"  … {len(jumps) - 10} more (see the Data & sources page)")


@click.command("import")
@click.argument("path", type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(formats.names()), default=None, help="Format (detected from the file when omitted).")
@click.option("--indicator", "mappings", multiple=True, metavar="COLUMN=CODE[*FACTOR]",
              help="Map a column to a catalogue indicator, optionally converting its unit (repeatable); kept with the "
                   "snapshot so every refresh repeats it.")
@click.option("--entity", default=None, help="csv/datapackage: the column naming the place (country name or ISO3 code).")
@click.option("--year", default=None, help="csv/datapackage: the year column.")
@click.option("--value", "values", multiple=True, help="csv/datapackage: a value column (repeatable).")
@click.option("--publisher", default=None, help="csv: who published the data (required for a plain CSV).")
@click.option("--url", default=None, help="csv: where the file comes from (http/https; required for a plain CSV).")
@click.option("--licence", default=None, help="csv: the licence of the data.")
@click.option("--vintage", default=None, help="csv: the publisher's date or version of this file (e.g. 2025-04-16).")
@click.option("--title", default=None, help="csv: a title for the data set.")
@click.option("--data-dir", type=click.Path(file_okay=False), envvar="HSDASH_DATA_DIR", default=None)
@click.pass_context
def import_(ctx: click.Context, path: str, fmt: str | None, mappings: tuple[str, ...], entity, year, values, publisher,
            url, licence, vintage, title, data_dir: str | None) -> None:
    """Import a downloaded file: copy into the raw zone with its origin, validate, map its columns to catalogue
    indicators, load, publish, report.

    \b
    Examples:
      hsdash import ../shared/data/owid/human-development-index-undp
      hsdash import ../shared/data/datahub/population            # Frictionless package
      hsdash import share-of-adults-who-smoke.csv --format owid-grapher
      hsdash import my-owid-folder --indicator "Under-5 deaths (per 100)=SH.DYN.MORT*10"
      hsdash import oda_gni_ts.csv --format csv --entity name --year year \\
          --value "ODA (left-axis)" --value "ODA/GNI (right-axis)" \\
          --publisher "ONE Campaign (from OECD DAC)" --url https://data.one.org --vintage 2025-04-16
      hsdash import WDI_CSV.zip
      hsdash import tfhs_projects.csv --format tfhs
    \b
    Entities that cannot be mapped to a country go to quarantine with the reason; the
    report lists every indicator created or filled and what was skipped. Exit codes:
    0 ok; 1 refused before anything was stored (a symlink, FIFO or device; over a
    limit of etl/limits.py; unknown format); 3 partial (loaded with a problem, or
    published while this source failed); 4 failed (the file cannot be loaded: kept
    apart in raw/_rejected/, see `hsdash raw list`; or nothing could be published);
    5 locked (another refresh or import is running; the file is stored and the next
    refresh loads it).
    """
    parent = (ctx.parent.obj or {}).get("data_dir") if ctx.parent else None
    paths = config.paths(data_dir or parent)
    options = _options(entity, year, values, publisher, url, licence, vintage, title, mappings)
    try:
        det = detect(path, fmt, options)
        check_user_mappings(det, catalogue.load())
    except ImportError_ as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        snap = store_import(paths, det, check=True)
    except Rejected as exc:
        click.echo(f"status: failed — {det.source_id}: {exc}", err=False)
        click.echo(f"rejected: the file was kept apart in {exc.where.relative_to(paths.data)} (`hsdash raw list`); "
                   f"the source's good snapshots and the published warehouse are unchanged")
        sys.exit(EXIT_FAILED)
    except ImportError_ as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:  # the raw zone cannot be written (permissions, disk full): nothing was stored
        where = f" ({exc.filename})" if exc.filename else ""
        click.echo(f"cannot store {path} in {paths.raw}: {exc.strerror or exc}{where}; nothing was imported, "
                   f"the published warehouse is untouched", err=True)
        sys.exit(EXIT_FAILED)
    click.echo(f"stored {', '.join(det.files)} as {snap.relative_to(paths.data)} (source {det.source_id}, format {det.format})")
    said: list[str] = []
    code, result = run_refresh(paths, [det.source_id], extract=False, echo=said.append)
    if result is None:
        why = "another refresh or import holds the lock" if code == EXIT_LOCKED else "the data directory cannot be written"
        detail = f" ({said[-1]})" if said else ""
        click.echo(f"not loaded: {why}{detail}; the file is stored and the next refresh will load it "
                   f"(exit {code}: {'locked' if code == EXIT_LOCKED else 'failed'})", err=True)
        sys.exit(code)
    outcome = next(o for o in result.outcomes if o.source_id == det.source_id)
    _report(outcome, paths, result, det.source_id)
    if result.error:
        click.echo(f"build failed, published warehouse untouched: {result.error}")
    elif result.published:
        click.echo(f"published {publish.published_file(paths).name}")
    else:
        click.echo("content unchanged; nothing republished")
    if result.error:
        sys.exit(EXIT_FAILED)
    sys.exit(code)  # the README's table: 3 when this source failed or kept older data but the build published
