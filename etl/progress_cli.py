"""``hsdash progress``: the Progress page's table on the command line — each member of a group, and the group
aggregate, against one MDG/SDG target (methods: etl/progress.py, docs/progress-methods.md).

Registered as an entry point in pyproject.toml (``[project.entry-points."hsdash.commands"]``).
"""

from __future__ import annotations

import json
import sys

import click
import duckdb
import pandas as pd
from rich.console import Console
from rich.table import Table

from etl import config, publish, writers
from etl.progress_table import progress_table, resolve_group, targets
from etl.refresh import EXIT_FAILED

console = Console(highlight=False)
SHORT = {"target_met": "✔ met", "on_track": "● on track", "acceleration_needed": "◐ accelerate",
         "stagnation_regression": "✖ stagnation/regression", "insufficient_data": "· insufficient data",
         "no_data": "· no data"}


def _num(value, digits: int = 4) -> str:
    if _clean(value) is None:
        return "-"
    return f"{value:,.{digits}g}"


def _rate(value) -> str:
    if _clean(value) is None:
        return "-"
    return f"{value:+.2%}"


def _point(year, value) -> str:
    return "-" if _clean(year) is None else f"{int(year)}: {_num(value)}"


def _clean(value):
    """JSON-safe: NaN/NA → null, numpy scalars → Python."""
    if value is None:
        return None
    try:
        if value != value:  # NaN / NA
            return None
    except TypeError:
        return None
    return value.item() if hasattr(value, "item") else value


@click.command("progress", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--group", "group", metavar="GROUP", help="Group id or name, any case: ASEAN, asean_plus_3, 'ASEAN+3', EAS, …")
@click.option("--target", "target_id", metavar="TARGET", help="Target id from the catalogue, e.g. sdg-3.2, mdg-4a-under5.")
@click.option("--source", "source_id", metavar="SOURCE", default=None,
              help="Use only this source's values (default: per country and year the best source, as resolved at build).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--list", "list_targets", is_flag=True, help="List the target catalogue and exit.")
@click.pass_context
def progress(ctx: click.Context, group: str | None, target_id: str | None, source_id: str | None, fmt: str,
             list_targets: bool) -> None:
    """Progress of each member of a group, and of the group aggregate, towards an MDG/SDG target.

    \b
    Examples:
      hsdash progress --group ASEAN --target sdg-3.2
      hsdash progress --group "ASEAN+3" --target mdg-1c-undernourishment --format csv > progress.csv
      hsdash progress --group asean --target sdg-2.1 --format json | jq '.[] | {name, band}'
      hsdash progress --list
    \b
    Bands (anticipated progress ratio R, ESCAP/UNSD): target met · on track (R ≥ 0.95) ·
    acceleration needed (0.10 ≤ R < 0.95) · stagnation or regression (R < 0.10) · insufficient data.
    Each row names the baseline and latest years used and the source.
    """
    paths = config.paths((ctx.obj or {}).get("data_dir") if ctx.obj else None)
    file = publish.published_file(paths)
    if file is None:
        console.print(f"No published warehouse at {paths.warehouse}. Run: hsdash refresh", markup=False)
        sys.exit(EXIT_FAILED)
    con = duckdb.connect(str(file), read_only=True)
    try:
        if list_targets:
            cat = targets(con)
            if fmt == "table":
                for _, t in cat.iterrows():
                    click.echo(f"{t['target_id']:<26} {t['indicator_code']:<16} {t['baseline_year']}–{t['target_year']}  {t['label']}")
            else:
                _emit(cat, fmt)
            return
        if not group or not target_id:
            raise click.UsageError("give --group and --target (or --list to see the targets)")
        try:
            group_id = resolve_group(con, group)
        except KeyError as exc:
            raise click.BadParameter(exc.args[0], param_hint="--group") from None
        try:
            table = progress_table(con, group_id, target_id, source_id)
        except KeyError as exc:
            raise click.BadParameter(exc.args[0], param_hint="--target") from None
    finally:
        con.close()
    if fmt != "table":
        _emit(table, fmt)
        return
    first = table.iloc[0]
    console.print(f"{first['target_id']} for {group_id} · indicator {first['indicator_code']} · "
                  f"source {first['source_id'] if _clean(first['source_id']) else '-'}", markup=False, soft_wrap=True)
    rows = [
        [r["name"], SHORT.get(r["band"], r["band"]), _point(r["baseline_year"], r["baseline_value"]),
         _point(r["latest_year"], r["latest_value"]), f"{r['target_year']}: {_num(r['target_value'])}",
         _rate(r["required_rate"]), _rate(r["actual_rate"]), _num(r["ratio"], 3)]
        for _, r in table.iterrows()
    ]
    header = ["member", "band", "baseline", "latest", "target", "need/yr", "actual/yr", "R"]
    if console.is_terminal:
        out = Table(show_lines=False)
        for col in header:
            out.add_column(col, overflow="fold")
        for r in rows:
            out.add_row(*r)
        console.print(out)
    else:  # plain text for pipes, cron and CI: no wrapping, no box drawing
        plain = pd.DataFrame(rows, columns=header)
        left = {c: (lambda w: (lambda v: f"{v:<{w}}"))(int(plain[c].str.len().max())) for c in ("member", "band")}
        click.echo(plain.to_string(index=False, formatters=left, justify="left"))
    click.echo("Explanations: --format csv or json.")


def _emit(frame, fmt: str) -> None:
    if fmt == "csv":  # neutralised like every CSV the product writes; no BOM on a stream
        click.echo(writers.to_csv_bytes(frame, bom=False), nl=False)
    else:
        records = [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
        click.echo(json.dumps(records, indent=2, ensure_ascii=False))
