"""The ``hsdash`` command line: a thin layer over the etl library (refresh, status, serve, …).

Every command has an example in its ``--help``. Output is plain text when not on a terminal (cron, CI).

Commands import only what they use: this module imports click and etl.config, nothing else at import time, so
``hsdash status`` never loads pandas, pandera or plotly. The commands that live elsewhere (``import``, ``progress``,
``export``: the ``hsdash.commands`` entry points in pyproject.toml) are resolved only when invoked; ``hsdash --help``
lists them from the short-help table below without importing them.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import click

from etl import config

EXIT_FAILED = 4  # = etl.refresh.EXIT_FAILED (not imported: that pulls in the build, pandas and pandera)
EXIT_USAGE = 2
ENTRY_POINT_GROUP = "hsdash.commands"
# Short help of the entry-point commands, so `hsdash --help` lists them without importing plotly or pandas.
# tests/test_cli_lazy.py checks this table against the commands themselves and against pyproject.toml.
PLUGIN_HELP = {
    "export": "Export a chart — image, data or briefing pack — exactly as the dashboard draws it, with title, "
              "subtitle and a footer naming publishers, licences, data vintage, retrieval date, group coverage and "
              "the generation date.",
    "indicators": "List the indicators: code, name, unit, direction, sources, years and countries covered.",
    "import": "Import a downloaded file: copy into the raw zone with its origin, validate, map its columns to "
              "catalogue indicators, load, publish, report.",
    "progress": "Progress of each member of a group, and of the group aggregate, towards an MDG/SDG target.",
}


def _console():
    """Rich console for refresh's progress bar: no hard wrapping, so cron logs and pipes get whole lines."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def _paths(ctx: click.Context) -> config.Paths:
    return config.paths(ctx.obj.get("data_dir") if ctx.obj else None)


def _unavailable(name: str, exc: Exception) -> click.Command:
    """A stand-in for a plugin command whose module fails to import: it says why instead of breaking the CLI."""
    message = f"hsdash {name} is unavailable: {type(exc).__name__}: {exc}"

    @click.command(name, help=message, context_settings={"ignore_unknown_options": True})
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def command(args, _message=message):
        raise click.ClickException(_message)

    return command


class LazyGroup(click.Group):
    """A click group whose entry-point commands are imported only when invoked (or when their own help is asked)."""

    def _entry_points(self) -> dict:
        from importlib.metadata import entry_points

        return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self._entry_points()})

    def get_command(self, ctx: click.Context | None, name: str) -> click.Command | None:
        if name in self.commands:
            return self.commands[name]
        ep = self._entry_points().get(name)
        if ep is None:
            return None
        try:
            command = ep.load()
        except Exception as exc:  # noqa: BLE001 — a broken optional command must not break refresh or status
            command = _unavailable(name, exc)
        self.add_command(command, name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click's, but plugin commands not loaded yet take their short help from PLUGIN_HELP."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            if name not in self.commands and name in PLUGIN_HELP:
                rows.append((name, click.Command(name, help=PLUGIN_HELP[name]).get_short_help_str(limit)))
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def preload() -> None:
    """Import every command and the refresh machinery now (a fork server calls this once before forking)."""
    import etl.refresh  # noqa: F401

    for name in main.list_commands(click.Context(main)):
        main.get_command(None, name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
      hsdash raw list                # the raw zone's snapshots; rejected imports
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
    from etl import publish
    from etl.refresh import run_refresh

    paths = _paths(ctx)
    console = _console()
    known = list(sources)
    if sources:  # checking names needs the registry (pandas); a plain refresh may need neither (etl.incremental)
        from etl.registry import registry

        known = [s.source_id for s in registry(paths)]
        bad = [s for s in sources if s not in known]
        if bad:
            raise click.BadParameter(f"unknown source {', '.join(bad)}; choose from {', '.join(known)}",
                                     param_hint="--source")
    if console.is_terminal:  # a progress bar for people; cron and pipes get plain lines only
        from rich.progress import Progress

        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("refresh", total=len(sources) or None)
            code, result = run_refresh(
                paths, list(sources) or None, offline=offline, echo=lambda m: progress.console.print(m, markup=False),
                on_source=lambda sid: progress.update(task, advance=1, description=sid))
    else:
        code, result = run_refresh(paths, list(sources) or None, offline=offline, echo=lambda m: console.print(m, markup=False))
    if result is not None and result.published:
        console.print(f"published {paths.warehouse} → {publish.published_file(paths).name}", markup=False)
    sys.exit(code)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Published warehouse version and, per source, last run, status, rows and quarantined rows.

    \b
    Examples:
      hsdash status
      hsdash status --json | jq '.sources[] | select(.status != "ok")'
    \b
    Exit code 4 when no warehouse is published or the published one cannot be
    read (a truncated file, a link to a missing file): the message says what to do.
    """
    import json

    from etl.published import Unreadable
    from etl.status import lines, summary

    try:
        report = summary(_paths(ctx))
    except Unreadable as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_FAILED)
    click.echo(json.dumps(report, indent=2) if as_json else "\n".join(lines(report)))


def _is_loopback(address: str) -> bool:
    import ipaddress

    if address.lower() in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name or an interface address: reachable from elsewhere


def _exposure_warning(address: str, port: int, auth_header: str | None) -> str | None:
    """What to say when the dashboard listens beyond this machine (None on loopback)."""
    if _is_loopback(address):
        return None
    if auth_header is None:
        return (f"WARNING: serving on {address} without access control: anyone who can reach port {port} sees the "
                "dashboard over plain HTTP. Put it behind the reverse proxy of docs/deployment.md and set "
                "HSDASH_AUTH_HEADER, or serve on localhost.")
    return (f"note: access control trusts the {auth_header} header; make sure only the reverse proxy can reach "
            f"{address}:{port} (a firewall rule), or anyone can send that header.")


@main.command()
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535))
@click.option("--address", default="localhost", show_default=True,
              help="Interface to listen on. Keep the default behind a reverse proxy (docs/deployment.md).")
@click.option("--headless/--no-headless", default=True, show_default=True)
@click.pass_context
def serve(ctx: click.Context, port: int, address: str, headless: bool) -> None:
    """Start the dashboard (Streamlit), reading the published warehouse read-only.

    \b
    Examples:
      hsdash serve
      hsdash serve --port 8600
      HSDASH_AUTH_HEADER=X-Forwarded-User hsdash serve --port 8601   # behind nginx + oauth2-proxy
    \b
    The process becomes Streamlit (exec): one SIGTERM stops the dashboard. It
    refuses to start (exit 4) when the published warehouse cannot be read. Any
    --address other than loopback serves plain HTTP to the network: do that only
    behind the reverse proxy of docs/deployment.md, with access control on.
    """
    from etl.access import AccessConfigError, settings_from_env
    from etl.published import problem

    try:
        access = settings_from_env(os.environ)
    except AccessConfigError as exc:
        click.echo(f"Access control is misconfigured: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    warning = _exposure_warning(address, port, access.header)
    if warning:
        click.echo(warning, err=True)
    paths = _paths(ctx)
    why = problem(paths)
    if why:
        click.echo(why, err=True)
        sys.exit(EXIT_FAILED)
    spec = importlib.util.find_spec("dashboard")
    app = Path(list(spec.submodule_search_locations)[0]) / "app.py"
    env = {**os.environ, "HSDASH_DATA_DIR": str(paths.data)}
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port), "--server.address", address,
           "--server.headless", str(headless).lower(), "--browser.gatherUsageStats", "false"]
    click.echo(f"serving {paths.warehouse} on http://{address}:{port}")
    sys.stdout.flush()
    sys.stderr.flush()
    os.chdir(app.parent.parent)  # Streamlit reads .streamlit/config.toml from the working directory
    os.execve(sys.executable, cmd, env)  # becomes Streamlit: no idle parent, signals reach the server itself


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


def _wire() -> None:
    """Commands defined in thin modules of their own that need nothing heavy at import (``raw``)."""
    from etl.raw_cli import raw

    main.add_command(raw)


_wire()

if __name__ == "__main__":
    main()
