"""``hsdash raw list|remove``: the raw zone's snapshots — which one each source loads, older good ones, rejected
imports kept apart — and removing one (under the refresh lock, recorded in the run log). A thin layer over
:mod:`etl.rawzone`; imports only click, the standard library and etl at call time (``hsdash --help`` stays fast).
"""

from __future__ import annotations

import json
import sys

import click

from etl import config

EXIT_OK, EXIT_USAGE, EXIT_FAILED, EXIT_LOCKED = 0, 2, 4, 5  # = etl.refresh's codes (not imported: pandas)


def _paths(ctx: click.Context, data_dir: str | None) -> config.Paths:
    root = ctx.find_root()
    return config.paths(data_dir or (root.obj or {}).get("data_dir"))


def _human(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    return str(n)


@click.group("raw")
def raw() -> None:
    """The raw zone's snapshots: list them, remove one.

    \b
    Examples:
      hsdash raw list                               # every source's snapshots, newest last; rejected imports
      hsdash raw list --source owid-human-development-index-undp
      hsdash raw remove owid-human-development-index-undp/20261202T101500Z-1a2b3c
      hsdash raw remove _rejected/tfhs-register/20261202T101500Z-1a2b3c
    \b
    A source loads its newest snapshot; if that cannot be loaded it falls back to the
    newest older one that can. An import that cannot be loaded is never sealed as a
    snapshot: it is kept apart under raw/_rejected/<source>/ with the reason.
    """


@raw.command("list")
@click.option("--source", default=None, help="Only this source's snapshots.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None, hidden=True)
@click.pass_context
def list_(ctx: click.Context, source: str | None, as_json: bool, data_dir: str | None) -> None:
    """List the snapshots: source, snapshot, state (newest = loaded, older, rejected), files, size, when.

    \b
    Examples:
      hsdash raw list
      hsdash raw list --source tfhs-register --json
    """
    from etl.rawzone import snapshots

    paths = _paths(ctx, data_dir)
    snaps = [s for s in snapshots(paths.raw) if source is None or s.source_id == source]
    if as_json:
        click.echo(json.dumps([{"ref": s.ref, "source_id": s.source_id, "snapshot": s.name, "state": s.state,
                                "files": s.files, "bytes": s.bytes, "when": s.when, "format": s.format,
                                "reason": s.reason} for s in snaps], indent=2))
        return
    if not snaps:
        click.echo(f"no snapshots in {paths.raw}" + (f" for {source}" if source else ""))
        return
    width = max(len(s.ref) for s in snaps)
    click.echo(f"{'snapshot':<{width}}  {'state':<8} {'files':>5} {'size':>10}  when")
    for s in snaps:
        click.echo(f"{s.ref:<{width}}  {s.state:<8} {s.files:>5} {_human(s.bytes):>10}  {s.when}")
        if s.reason:
            click.echo(f"{'':<{width}}  why: {s.reason[:300]}")


def _record(paths: config.Paths, snap, by: str) -> str:
    """A line in the run log (``state/runs.jsonl``, shown by ``hsdash status`` and Data & sources) and a log file."""
    from etl.rawzone import utc_now

    stamp = utc_now()
    run_id = "raw-remove-" + stamp.replace("-", "").replace(":", "")
    message = f"snapshot {snap.ref} ({snap.state}, {snap.files} file(s)) removed from the raw zone by {by}"
    paths.logs.mkdir(parents=True, exist_ok=True)
    log = paths.logs / f"{run_id}.log"
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(f"{stamp} {message}\n")
    entry = {"run_id": run_id, "finished_at": stamp, "exit_code": EXIT_OK, "published": False, "unchanged": True,
             "version": None, "revisions": 0, "error": None, "log": str(log), "action": "raw remove",
             "sources": [{"source_id": snap.source_id, "status": "removed", "finished_at": stamp, "message": message,
                          "rows_loaded": 0, "rows_quarantined": 0}]}
    paths.state.mkdir(parents=True, exist_ok=True)
    with open(paths.state / "runs.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return message


@raw.command("remove")
@click.argument("snapshot")
@click.option("--force", is_flag=True, help="Also remove a source's last good snapshot.")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None, hidden=True)
@click.pass_context
def remove(ctx: click.Context, snapshot: str, force: bool, data_dir: str | None) -> None:
    """Remove one snapshot (as `hsdash raw list` names it); recorded in the run log.

    \b
    Examples:
      hsdash raw remove owid-human-development-index-undp/20261202T101500Z-1a2b3c
      hsdash raw remove _rejected/tfhs-register/20261202T101500Z-1a2b3c
    \b
    Removing a source's newest snapshot makes its next refresh load the one before.
    Its last good snapshot is kept unless --force. Exit codes: 0 removed, 2 no such
    snapshot or refused, 4 cannot be removed (permissions), 5 a refresh is running.
    """
    import getpass

    from etl.rawzone import RawZoneError, find_snapshot, remove_snapshot, snapshots
    from etl.refresh import Locked, refresh_lock

    paths = _paths(ctx, data_dir)
    try:
        with refresh_lock(paths):
            try:
                snap = find_snapshot(paths.raw, snapshot)
            except RawZoneError as exc:
                click.echo(f"error: {exc}", err=True)
                sys.exit(EXIT_USAGE)
            good = [s for s in snapshots(paths.raw) if s.source_id == snap.source_id and s.state != "rejected"]
            if snap.state != "rejected" and len(good) == 1 and not force:
                click.echo(f"error: {snap.ref} is the last good snapshot of {snap.source_id}; its data would go at the "
                           f"next refresh. Pass --force to remove it anyway.", err=True)
                sys.exit(EXIT_USAGE)
            remove_snapshot(snap)
            click.echo(_record(paths, snap, getpass.getuser()))
            if snap.state == "newest" and len(good) > 1:
                click.echo(f"the next refresh of {snap.source_id} loads {good[-2].ref}")
    except Locked as exc:
        click.echo(f"error: {exc}; try again when it has finished (exit {EXIT_LOCKED}: locked)", err=True)
        sys.exit(EXIT_LOCKED)
    except OSError as exc:
        click.echo(f"error: cannot remove {snapshot}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_FAILED)
