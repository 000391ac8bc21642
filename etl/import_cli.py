"""``hsdash import PATH``: copy a downloaded file into the raw zone, validate, load, publish, and report what
was loaded, what was mapped, and what went to quarantine and why."""

from __future__ import annotations

import sys
from collections import Counter

import click
import duckdb

from etl import config, publish
from etl.imports import FORMATS, ImportError_, detect, store_import
from etl.refresh import EXIT_FAILED, EXIT_OK, run_refresh


def _quarantine_reasons(paths: config.Paths, source_id: str, run_id: str) -> Counter:
    live = publish.published_file(paths)
    if live is None:
        return Counter()
    con = duckdb.connect(str(live), read_only=True)
    try:
        rows = con.execute("SELECT reason FROM quarantine WHERE source_id = ? AND run_id = ?", [source_id, run_id]).fetchall()
    finally:
        con.close()
    # group reasons by their first clause so per-entity reasons read as one line each
    return Counter(r[0] for r in rows)


@click.command("import")
@click.argument("path", type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Format (detected from the header when omitted).")
@click.option("--data-dir", type=click.Path(file_okay=False), envvar="HSDASH_DATA_DIR", default=None)
@click.pass_context
def import_(ctx: click.Context, path: str, fmt: str | None, data_dir: str | None) -> None:
    """Import a downloaded file: copy into the raw zone with its origin, validate, load, publish, report.

    \b
    Examples:
      hsdash import ../shared/data/owid/human-development-index-undp
      hsdash import share-of-adults-who-smoke.csv --format owid-grapher
      hsdash import WDI_CSV.zip
      hsdash import HDR23-24_Composite_indices_complete_time_series.csv
      hsdash import tfhs_projects.csv --format tfhs
    \b
    Entities that cannot be mapped to a country go to quarantine with the reason; the
    report lists them. Exit codes as for refresh (0 ok, 3 partial, 4 failed, 5 locked).
    """
    parent = (ctx.parent.obj or {}).get("data_dir") if ctx.parent else None
    paths = config.paths(data_dir or parent)
    try:
        det = detect(path, fmt)
    except ImportError_ as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        snap = store_import(paths, det)
    except OSError as exc:  # the raw zone cannot be written (permissions, disk full): nothing was stored
        where = f" ({exc.filename})" if exc.filename else ""
        click.echo(f"cannot store {path} in {paths.raw}: {exc.strerror or exc}{where}; nothing was imported, "
                   f"the published warehouse is untouched", err=True)
        sys.exit(EXIT_FAILED)
    click.echo(f"stored {', '.join(det.files)} as {snap.relative_to(paths.data)} (source {det.source_id}, format {det.format})")
    code, result = run_refresh(paths, [det.source_id], extract=False)
    if result is None:
        sys.exit(code)
    outcome = next(o for o in result.outcomes if o.source_id == det.source_id)
    rec = outcome.details.get("reconciliation", {})
    ents = outcome.details.get("entities", {})
    click.echo(f"status: {outcome.status} — {outcome.message}")
    if rec:
        click.echo(f"rows in file {rec.get('rows_in_file')}, value cells {rec.get('value_cells')}, "
                   f"empty cells {rec.get('empty_cells')}, parsed {rec.get('loaded')}, rejected by the parser {rec.get('rejected')}")
    click.echo(f"loaded into the warehouse: {outcome.rows_loaded} rows; quarantined: {outcome.rows_quarantined}")
    if ents:
        unknown = ents.get("unknown") or {}
        aggregates = ents.get("aggregate") or []
        click.echo(f"entities mapped to countries: {ents.get('country')}; aggregates recognised: {len(aggregates)}; not mapped: {len(unknown)}")
        if aggregates:
            click.echo("  aggregates (not loaded): " + ", ".join(sorted(map(str, aggregates))[:40]) + (" …" if len(aggregates) > 40 else ""))
        for name, why in sorted(unknown.items()):
            click.echo(f"  not mapped: {name} — {why}")
    reasons = _quarantine_reasons(paths, det.source_id, result.run_id) if result.published else Counter()
    if reasons:
        click.echo("quarantine reasons (count):")
        for reason, n in reasons.most_common(15):
            click.echo(f"  {n:6d}  {reason[:160]}")
        if len(reasons) > 15:
            click.echo(f"  … {len(reasons) - 15} more distinct reasons (see the Data & sources page)")
    if result.error:
        click.echo(f"build failed, published warehouse untouched: {result.error}")
    elif result.published:
        click.echo(f"published {publish.published_file(paths).name}")
    else:
        click.echo("content unchanged; nothing republished")
    sys.exit(EXIT_OK if code == EXIT_OK else (code if outcome.status == "ok" else EXIT_FAILED if outcome.status == "failed" else code))
