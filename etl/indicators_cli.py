"""``hsdash indicators [SEARCH]``: the indicators the published warehouse knows — code, name, unit, direction,
sources and the years and countries covered — searchable by words in the name or definition, as a table, CSV or JSON.

Registered as an entry point in pyproject.toml (``[project.entry-points."hsdash.commands"]``).
"""

from __future__ import annotations

import json
import sys

import click
import duckdb

from etl import config, publish
from etl.refresh import EXIT_FAILED

COLUMNS = ["indicator_code", "name", "unit", "direction", "theme", "curated", "sources", "year_min", "year_max",
           "countries", "values", "disagreeing"]

_SQL = """
WITH stats AS (
    SELECT indicator_code, min(year) AS year_min, max(year) AS year_max, count(DISTINCT iso3) AS countries,
           count(*) AS n_values, count(*) FILTER (WHERE disagree) AS disagreeing
    FROM indicator_value GROUP BY indicator_code
), srcs AS (
    SELECT indicator_code, string_agg(DISTINCT source_id, '; ' ORDER BY source_id) AS sources
    FROM observation WHERE source_id <> 'paper' GROUP BY indicator_code
)
SELECT i.indicator_code, i.name, i.unit,
       CASE WHEN i.higher_is_better THEN 'higher is better' WHEN NOT i.higher_is_better THEN 'lower is better'
            ELSE 'no better direction' END AS direction,
       i.theme, coalesce(i.curated, false), coalesce(s.sources, ''), st.year_min, st.year_max,
       coalesce(st.countries, 0), coalesce(st.n_values, 0), coalesce(st.disagreeing, 0),
       lower(i.indicator_code || ' ' || i.name || ' ' || coalesce(i.short_name, '') || ' ' || i.description) AS hay
FROM indicator i LEFT JOIN stats st USING (indicator_code) LEFT JOIN srcs s USING (indicator_code)
ORDER BY coalesce(st.n_values, 0) = 0, i.theme, i.name
"""


def _stem(word: str) -> str:
    """'stunting' → 'stunt', 'hungry' → 'hungr': enough for a search box, no dictionary."""
    for suffix in ("ings", "ing", "ed", "es", "s", "y"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def matches(hay: str, search: str) -> bool:
    return all(_stem(w) in hay for w in search.lower().split())


@click.command("indicators", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("search", required=False, default="")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--all", "show_all", is_flag=True, help="Also list catalogue indicators with no data yet.")
@click.option("--data-dir", type=click.Path(file_okay=False), envvar="HSDASH_DATA_DIR", default=None)
@click.pass_context
def indicators(ctx: click.Context, search: str, fmt: str, show_all: bool, data_dir: str | None) -> None:
    """List the indicators: code, name, unit, direction, sources, years and countries covered.

    \b
    Examples:
      hsdash indicators                      # every indicator with data
      hsdash indicators stunting             # words in the name or definition
      hsdash indicators "drinking water" --format csv > water.csv
      hsdash indicators --all --format json  # also catalogue entries with no data yet
    """
    parent = (ctx.parent.obj or {}).get("data_dir") if ctx.parent else None
    paths = config.paths(data_dir or parent)
    live = publish.published_file(paths)
    if live is None:
        click.echo(f"No published warehouse at {paths.warehouse}. Run: hsdash refresh", err=True)
        sys.exit(EXIT_FAILED)
    con = duckdb.connect(str(live), read_only=True)
    try:
        rows = con.execute(_SQL).fetchall()
    finally:
        con.close()
    rows = [r for r in rows if (show_all or r[10] > 0) and (not search or matches(r[-1], search))]
    if search:  # words in the name before words only in the definition; catalogue series before file-described ones
        rows.sort(key=lambda r: (r[10] == 0, not matches(r[1].lower(), search), not r[5], "NUMBER" in r[0]))
    rows = [r[:-1] for r in rows]
    records = [dict(zip(COLUMNS, r)) for r in rows]
    if fmt == "json":
        click.echo(json.dumps(records, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        import pandas as pd

        from etl.writers import to_csv_bytes  # names come from imported files: formula-safe cells

        click.echo(to_csv_bytes(pd.DataFrame(records, columns=COLUMNS), bom=False), nl=False)
    else:
        if not rows:
            click.echo("no indicator matches" + (f" {search!r}" if search else ""))
            return
        for r in records:
            years = f"{r['year_min']}–{r['year_max']}" if r["values"] else "no data"
            click.echo(f"{r['indicator_code']:<28} {r['name'][:70]:<70} [{r['unit'][:28]}] {years:<9} "
                       f"{r['countries']:>3} countries  {r['direction']}")
        click.echo(f"{len(rows)} indicator(s); --format csv or json for sources, coverage and disagreements")
