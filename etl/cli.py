"""The ``hsdash`` command line: a thin layer over the etl library (refresh, status, serve, …).

Every command has an example in its ``--help``. Output is plain text when not on a terminal (cron, CI).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import click
from rich.console import Console

from etl import config, publish
from etl.refresh import EXIT_FAILED, run_refresh
from etl.registry import registry

console = Console(highlight=False, soft_wrap=True)  # no hard wrapping: cron logs and pipes get whole lines


def _paths(ctx: click.Context) -> config.Paths:
    return config.paths(ctx.obj.get("data_dir") if ctx.obj else None)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(file_okay=False), envvar="HSDASH_DATA_DIR", default=None,
              help="Data directory (default ./data; env HSDASH_DATA_DIR).")
@click.pass_context
def main(ctx: click.Context, data_dir: str | None) -> None:
    """Human Security Indicators Dashboard: refresh the warehouse, inspect it, serve the dashboard.

    \b
    Examples:
      hsdash refresh                 # all sources; exit 0 ok, 3 partial, 4 failed, 5 locked
      hsdash refresh --offline       # no network: rebuild from what the raw zone holds
      hsdash status                  # published version and per-source state
      hsdash serve                   # dashboard on http://localhost:8501
    """
    ctx.ensure_object(dict)
    ctx.obj["data_dir"] = data_dir


@main.command()
@click.option("--source", "sources", multiple=True, metavar="NAME",
              help="Refresh only this source (repeatable); the others keep their published rows.")
@click.option("--offline", is_flag=True, help="Do not touch the network; live sources load their last raw snapshot.")
@click.pass_context
def refresh(ctx: click.Context, sources: tuple[str, ...], offline: bool) -> None:
    """Extract → validate → build → publish the warehouse atomically.

    \b
    Examples:
      hsdash refresh
      hsdash refresh --source paper --source reference
      hsdash refresh --offline
    \b
    Exit codes: 0 all selected sources ok; 3 partial (a source failed and kept its
    last good data, the rest published); 4 failed (nothing published); 5 another
    refresh holds the lock.
    """
    paths = _paths(ctx)
    known = [s.source_id for s in registry(paths)]
    bad = [s for s in sources if s not in known]
    if bad:
        raise click.BadParameter(f"unknown source {', '.join(bad)}; choose from {', '.join(known)}", param_hint="--source")
    if console.is_terminal:  # a progress bar for people; cron and pipes get plain lines only
        from rich.progress import Progress

        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("refresh", total=len(sources or known))
            code, result = run_refresh(
                paths, list(sources) or None, offline=offline, echo=lambda m: progress.console.print(m, markup=False),
                on_source=lambda sid: progress.update(task, advance=1, description=sid))
    else:
        code, result = run_refresh(paths, list(sources) or None, offline=offline, echo=lambda m: console.print(m, markup=False))
    if result is not None and result.published:
        console.print(f"published {paths.warehouse} → {publish.published_file(paths).name}", markup=False)
    sys.exit(code)


def _runs(paths: config.Paths, limit: int = 200) -> list[dict]:
    path = paths.state / "runs.jsonl"
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()[-limit:]
    out = []
    for line in lines:
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Published warehouse version and, per source, last run, status, rows and quarantined rows.

    \b
    Examples:
      hsdash status
      hsdash status --json | jq '.sources[] | select(.status != "ok")'
    """
    import duckdb

    paths = _paths(ctx)
    meta = publish.published_meta(paths)
    if meta is None:
        console.print(f"No published warehouse at {paths.warehouse}. Run: hsdash refresh", markup=False)
        sys.exit(EXIT_FAILED)
    con = duckdb.connect(meta["file"], read_only=True)
    rows = con.execute(
        """
        WITH counts AS (
            SELECT source_id, count(*) AS n FROM observation GROUP BY ALL
            UNION ALL SELECT source_id, count(*) FROM paper_figure GROUP BY ALL
            UNION ALL SELECT source_id, count(*) FROM tfhs_project_count GROUP BY ALL
            UNION ALL SELECT source_id, count(*) FROM oda_flow GROUP BY ALL
            UNION ALL SELECT source_id, count(*) FROM tfhs_project GROUP BY ALL
            UNION ALL SELECT 'reference', count(*) FROM country
        ), q AS (SELECT source_id, count(*) AS n FROM quarantine GROUP BY ALL)
        SELECT s.source_id, s.publisher, coalesce(sum(c.n), 0) AS rows, coalesce(any_value(q.n), 0) AS quarantined
        FROM source s LEFT JOIN counts c USING (source_id) LEFT JOIN q USING (source_id)
        GROUP BY s.source_id, s.publisher ORDER BY s.source_id
        """
    ).fetchall()
    ref = dict(con.execute(
        "SELECT 'countries', count(*) FROM country UNION ALL SELECT 'groups', count(*) FROM country_group "
        "UNION ALL SELECT 'indicators', count(*) FROM indicator"
    ).fetchall())
    con.close()
    last: dict[str, dict] = {}
    for run in _runs(paths):
        for src in run.get("sources", []):
            if src["status"] != "skipped":
                last[src["source_id"]] = {**src, "run_id": run["run_id"]}
    listed = {r[0] for r in rows}
    rows += [(s.source_id, "(no data yet)", 0, 0) for s in registry(paths) if s.source_id not in listed]
    summary = {
        "warehouse": str(paths.warehouse),
        "version": meta.get("version"),
        "built_at": meta.get("built_at"),
        "content_sha256": meta.get("content_sha256"),
        "reference": ref,
        "sources": [
            {"source_id": sid, "publisher": pub, "rows": int(n), "quarantined": int(q),
             "last_run": last.get(sid, {}).get("finished_at"), "status": last.get(sid, {}).get("status"),
             "message": last.get(sid, {}).get("message")}
            for sid, pub, n, q in rows
        ],
    }
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    console.print(f"warehouse  {summary['warehouse']}\nversion    {summary['version']}\nbuilt at   {summary['built_at']}\n"
                  f"reference  {ref.get('countries')} countries, {ref.get('groups')} groups, {ref.get('indicators')} indicators", markup=False)
    width = max(len(s["source_id"]) for s in summary["sources"])
    console.print(f"{'source':<{width}}  {'status':<8} {'last run':<20} {'rows':>9} {'quarantined':>11}", markup=False)
    for s in summary["sources"]:
        console.print(f"{s['source_id']:<{width}}  {s['status'] or '-':<8} {s['last_run'] or '-':<20} "
                      f"{s['rows']:>9,} {s['quarantined']:>11,}", markup=False)
    for s in summary["sources"]:
        if s["status"] not in ("ok", None):
            console.print(f"{s['source_id']}: {s['message']}", markup=False)


@main.command()
@click.option("--port", default=8501, show_default=True)
@click.option("--address", default="localhost", show_default=True)
@click.option("--headless/--no-headless", default=True, show_default=True)
@click.pass_context
def serve(ctx: click.Context, port: int, address: str, headless: bool) -> None:
    """Start the dashboard (Streamlit), reading the published warehouse read-only.

    \b
    Examples:
      hsdash serve
      hsdash serve --port 8600 --address 0.0.0.0
    """
    paths = _paths(ctx)
    if publish.published_file(paths) is None:
        console.print(f"No published warehouse at {paths.warehouse} yet: run `hsdash refresh` first.", markup=False)
        sys.exit(EXIT_FAILED)
    spec = importlib.util.find_spec("dashboard")
    app = Path(list(spec.submodule_search_locations)[0]) / "app.py"
    env = {**os.environ, "HSDASH_DATA_DIR": str(paths.data)}
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port), "--server.address", address,
           "--server.headless", str(headless).lower(), "--browser.gatherUsageStats", "false"]
    console.print(f"serving {paths.warehouse} on http://{address}:{port}", markup=False)
    sys.exit(subprocess.call(cmd, env=env, cwd=app.parent.parent))


@main.command()
@click.option("--print", "kind", type=click.Choice(["cron", "systemd"]), required=True, help="What to print.")
@click.option("--at", "at", default="03:17", show_default=True, help="Daily time (HH:MM, local time of the machine).")
@click.pass_context
def schedule(ctx: click.Context, kind: str, at: str) -> None:
    """Print ready-to-install cron lines or systemd units for unattended daily refreshes of this installation.

    \b
    Examples:
      hsdash schedule --print cron | crontab -          # replaces the user's crontab: review first!
      hsdash schedule --print cron >> /etc/cron.d/hsdash
      hsdash schedule --print systemd --at 04:30
    \b
    The refresh takes its own lock (a second run exits 5 at once), logs each run to
    <data>/logs/, keeps the last good data of a failed source (exit 3) and never
    touches the published warehouse unless a new one passes validation.
    """
    try:
        hour, minute = (int(x) for x in at.split(":"))
        assert 0 <= hour < 24 and 0 <= minute < 60
    except (ValueError, AssertionError):
        raise click.BadParameter("use HH:MM, e.g. 03:17", param_hint="--at") from None
    paths = _paths(ctx)
    exe = Path(sys.executable).with_name("hsdash")
    data = paths.data
    if kind == "cron":
        click.echo("# hsdash: daily warehouse refresh (exit 0 ok, 3 partial, 4 failed, 5 already running)")
        click.echo("SHELL=/bin/sh")
        click.echo(f"{minute} {hour} * * * mkdir -p {data}/logs && HSDASH_DATA_DIR={data} timeout 3h {exe} refresh >> {data}/logs/cron.log 2>&1")
        return
    click.echo(f"""# /etc/systemd/system/hsdash-refresh.service
[Unit]
Description=hsdash: refresh the Human Security Indicators warehouse
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
Environment=HSDASH_DATA_DIR={data}
ExecStart={exe} refresh
# 3 = partial (a source kept its last good data), 5 = another refresh holds the lock: not failures of the unit
SuccessExitStatus=3 5
TimeoutStartSec=3h
Nice=10

# /etc/systemd/system/hsdash-refresh.timer
[Unit]
Description=hsdash: daily warehouse refresh

[Timer]
OnCalendar=*-*-* {hour:02d}:{minute:02d}:00
RandomizedDelaySec=15m
Persistent=true

[Install]
WantedBy=timers.target

# install: sudo systemctl daemon-reload && sudo systemctl enable --now hsdash-refresh.timer""")


def _load_command_plugins() -> None:
    """Commands declared under the ``hsdash.commands`` entry-point group (pyproject.toml). This is how ``export``
    (which needs plotly, from dashboard/) joins the CLI without etl importing plotly; a command that fails to
    load is replaced by one that says why."""
    from importlib.metadata import entry_points

    for ep in entry_points(group="hsdash.commands"):
        if ep.name in main.commands:
            continue
        try:
            main.add_command(ep.load(), ep.name)
        except Exception as exc:  # noqa: BLE001 — a broken optional command must not break refresh
            message = f"hsdash {ep.name} is unavailable: {type(exc).__name__}: {exc}"

            @click.command(ep.name, help=message, context_settings={"ignore_unknown_options": True})
            @click.argument("args", nargs=-1, type=click.UNPROCESSED)
            def _unavailable(args, _message=message):
                raise click.ClickException(_message)

            main.add_command(_unavailable, ep.name)


_load_command_plugins()

if __name__ == "__main__":
    main()
