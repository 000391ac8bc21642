"""One build: extract → transform → validate → write a new warehouse file → check the contract → publish.

Each source is isolated: if its fetch fails it is loaded from the last good raw files; if its load fails its rows
are carried forward from the published warehouse. Bad rows go to ``quarantine`` with the reason. A contract
failure stops the publish and leaves the published warehouse untouched.
"""

from __future__ import annotations

import json
import traceback
from pathlib import Path

import pandas as pd

from etl import catalogue, group_values, incremental, plausibility, publish, resolve, staged_load, status, warehouse
from etl.config import Paths
from etl.published import problem
from etl.rawzone import utc_now
from etl.runresult import BuildResult, SourceOutcome  # noqa: F401 — re-exported (etl.build.BuildResult)
from etl.sources.base import Context, Loaded, Source
from schemas.validate import SchemaLevelError, validate_frame

FRESH_ORDER = ("country", "country_group", "country_group_member", "indicator", "indicator_alias")
METADATA_TABLES = ("indicator", "indicator_alias", "country_group", "country_group_member", "series_map")  # not counted as rows loaded
REF_CHECKS = {  # table -> [(column, reference set name)]
    "observation": [("iso3", "country"), ("indicator_code", "indicator")],
    "paper_figure": [("iso3", "country")],
    "country_classification": [("iso3", "country")],
}


class BuildError(RuntimeError):
    """The new warehouse failed its contract checks; nothing was published."""


def _validated(loaded: Loaded) -> Loaded:
    for table, frame in list(loaded.tables.items()):
        if not isinstance(frame, pd.DataFrame):  # staged rows: validated in SQL as they are inserted
            continue
        checked = validate_frame(table, frame)
        loaded.tables[table] = checked.valid
        if checked.n_rejected:
            loaded.rejected.append((table, checked.rejected))
    return loaded


def _process(source: Source, ctx: Context, result: BuildResult) -> tuple[SourceOutcome, Loaded | None]:
    outcome = SourceOutcome(source.source_id, "ok", utc_now())
    fetch_error = None
    if not ctx.extract:
        outcome.message = "loaded from the raw zone (no fetch)"
    elif source.kind == "live" and ctx.offline:
        fetch_error = "offline: not fetched"
    else:
        try:
            outcome.message = source.extract(ctx)
        except Exception as exc:  # noqa: BLE001 — any failure of one source must not stop the others
            fetch_error = f"fetch failed: {exc}"
            result.tracebacks.append(f"{source.source_id} extract\n{traceback.format_exc()}")
    try:
        loaded = _validated(source.transform(ctx))
    except Exception as exc:  # noqa: BLE001
        kind = "schema" if isinstance(exc, SchemaLevelError) else type(exc).__name__
        outcome.status = "failed"
        outcome.message = "; ".join(m for m in (fetch_error, f"load failed ({kind}): {exc}") if m)
        result.tracebacks.append(f"{source.source_id} transform\n{traceback.format_exc()}")
        return outcome, None
    outcome.details = loaded.report
    if fetch_error:
        outcome.status = "kept"
        outcome.message = f"{fetch_error}; loaded the last good raw files instead"
    elif loaded.fallback:  # the newest snapshot failed to load; an older good one did
        outcome.status = "kept"
        outcome.message = loaded.message
    else:
        outcome.message = "; ".join(m for m in (outcome.message, loaded.message) if m)
    return outcome, loaded


def _relpath(path: Path, paths: Paths) -> str:
    for root in (paths.data, paths.bundled_raw.parent):
        try:
            return str(Path(path).resolve().relative_to(root.resolve()))
        except ValueError:
            continue
    return str(path)


def _reference_filter(con, table: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reject rows that point at a country or indicator the warehouse does not know."""
    bad = pd.Series(False, index=frame.index)
    reasons = pd.Series("", index=frame.index, dtype=object)
    for column, ref in REF_CHECKS.get(table, []):
        key = "iso3" if ref == "country" else "indicator_code"
        known = {r[0] for r in con.execute(f'SELECT "{key}" FROM "{ref}"').fetchall()}
        miss = frame[column].notna() & ~frame[column].isin(known)
        reasons[miss] = reasons[miss] + f"unknown {ref} '" + frame.loc[miss, column].astype(str) + "' (not in the reference tables); "
        bad |= miss
    rejected = pd.DataFrame(
        {
            "record": [json.dumps({k: (None if pd.isna(v) else v) for k, v in row.items()}, default=str, ensure_ascii=False) for _, row in frame[bad].iterrows()],
            "reason": reasons[bad].str.rstrip("; ").tolist(),
        },
        columns=["record", "reason"],
    )
    return frame[~bad], rejected


def _clip(text, limit: int = 2000):
    """Bound a quarantined record or reason: one absurd cell (a 24 MB line) must not be copied into every build."""
    if not isinstance(text, str) or len(text) <= limit:
        return text
    return f"{text[:limit]}… (clipped: {len(text):,} characters)"


def _jumps(frame: pd.DataFrame) -> pd.DataFrame:
    """Large year-on-year jumps in freshly loaded observations (flagged, kept): see :mod:`etl.plausibility`."""
    cat = catalogue.load()
    return plausibility.flag_jumps(frame, plausibility.jump_rules(cat.indicators, cat.unit_kinds))


def _load_fresh(con, loaded: Loaded, outcome: SourceOutcome, paths: Paths, run_id: str) -> None:
    sid = outcome.source_id
    warehouse.insert(con, "source", pd.DataFrame([loaded.source]))
    raw_rows = pd.DataFrame(
        [
            {
                "source_id": sid,
                "path": _relpath(r.path, paths),
                "sha256": r.origin.sha256,
                "bytes": r.origin.bytes or Path(r.path).stat().st_size,
                "retrieved_at": r.origin.retrieved_at,
                "url": r.origin.url,
            }
            for r in loaded.raw_files
        ]
    )
    warehouse.insert(con, "raw_file", raw_rows.drop_duplicates(["source_id", "path"]))
    rejected = list(loaded.rejected)
    loaded_rows = staged_quarantined = 0
    jumps = pd.DataFrame()
    for table in sorted(loaded.tables, key=lambda t: (t not in FRESH_ORDER, FRESH_ORDER.index(t) if t in FRESH_ORDER else 0)):
        frame = loaded.tables[table]
        if isinstance(frame, staged_load.StagedTable):
            n, q = staged_load.insert(con, frame, run_id)
            loaded_rows, staged_quarantined = loaded_rows + n, staged_quarantined + q
            continue
        if table == "indicator":
            known = {r[0]: r[1] for r in con.execute("SELECT indicator_code, defined_by FROM indicator").fetchall()}
            clash = frame["indicator_code"].isin(known)
            if clash.any():
                rej = frame[clash]
                rejected.append((table, pd.DataFrame({
                    "record": rej.apply(lambda r: r.to_json(), axis=1),
                    "reason": "indicator already defined by source '" + rej["indicator_code"].map(known) + "'",
                })))
                frame = frame[~clash]
        frame, ref_rejected = _reference_filter(con, table, frame)
        if len(ref_rejected):
            rejected.append((table, ref_rejected))
        n = warehouse.insert(con, table, frame)
        if table not in METADATA_TABLES:
            loaded_rows += n
        if table == "observation":
            jumps = _jumps(frame)
    q_rows = [
        {"run_id": run_id, "source_id": sid, "table": table, "record": _clip(rec), "reason": _clip(reason)}
        for table, frame in rejected
        for rec, reason in zip(frame["record"], frame["reason"])
    ]
    outcome.rows_quarantined = len(q_rows)
    if len(jumps):  # kept in the warehouse; listed beside the quarantined rows, not counted with them
        q_rows += [{"run_id": run_id, "source_id": sid, "table": plausibility.JUMP_TABLE, "record": rec, "reason": why}
                   for rec, why in zip(jumps["record"], jumps["reason"])]
        outcome.details = {**(outcome.details or {}), "jumps_flagged": len(jumps)}
        outcome.message += f"; {len(jumps)} large year-on-year jump(s) flagged for review (kept)"
    warehouse.insert(con, "quarantine", pd.DataFrame(q_rows))
    outcome.rows_loaded = loaded_rows
    outcome.rows_quarantined += staged_quarantined


def run_build(paths: Paths, sources: list[Source], selected: set[str], ctx: Context) -> BuildResult:
    """Build a new warehouse from ``sources`` (refreshing those in ``selected``) and publish it if it passes."""
    result = BuildResult(ctx.run_id)
    published = publish.published_file(paths)
    unreadable = problem(paths) if published is not None else None
    if unreadable:  # nothing can be carried forward from it: every source is rebuilt from the raw zone
        ctx.log(f"{unreadable.split(': run `hsdash refresh`')[0]}; rebuilding every source from the raw zone")
        published = None
    fresh: dict[str, Loaded] = {}
    carried: list[SourceOutcome] = []
    for source in sources:
        if source.source_id not in selected and published is not None:
            carried.append(SourceOutcome(source.source_id, "skipped", utc_now(), message="not selected: published rows kept"))
            continue
        ctx.log(f"{source.source_id}: extract and load")
        ctx.on_source(source.source_id)
        outcome, loaded = _process(source, ctx, result)
        if loaded is None:
            carried.append(outcome)
        else:
            fresh[source.source_id] = loaded
            result.outcomes.append(outcome)

    # the inputs as this build read them (after its fetches). A build that reloads only some sources carries the
    # others from the published build: it vouches for its inputs only when the others' inputs are those the
    # published build was made from
    inputs = incremental.parts(paths)
    vouches = {s.source_id for s in sources} <= selected or incremental.vouches_partial(paths, inputs, selected)
    kinds = {s.source_id: s.kind for s in sources}
    target = None
    try:
        target = publish.build_path(paths, ctx.run_id)
        con = warehouse.create(target)
    except Exception as exc:  # noqa: BLE001 — the warehouses folder cannot be written (permissions, disk full)
        _discard(target)
        result.error = f"cannot create the new warehouse file: {exc}"
        result.tracebacks.append(traceback.format_exc())
        return result
    try:
        has_pub = warehouse.attach_published(con, published)
        carried.sort(key=lambda o: o.source_id != "reference")
        for outcome in carried:
            n = warehouse.carry_forward(con, outcome.source_id) if has_pub else 0
            if outcome.status == "failed" and n:
                outcome.status = "kept"
                outcome.message += f"; kept {n} rows from the published warehouse"
            outcome.rows_loaded = n
            outcome.finished_at = utc_now()
            result.outcomes.append(outcome)
        by_id = {o.source_id: o for o in result.outcomes}
        for sid in sorted(fresh, key=lambda s: s != "reference"):
            _load_fresh(con, fresh[sid], by_id[sid], paths, ctx.run_id)
            by_id[sid].finished_at = utc_now()

        ctx.log("rows loaded into the new warehouse")
        if has_pub:
            result.revisions = warehouse.record_revisions(con, ctx.run_id, utc_now())
            ctx.log(f"{result.revisions:,} revisions recorded")
        result.resolution = resolve.materialise(con) | group_values.materialise(con)
        ctx.log("resolved {cells:,} cells; {multi_source_cells:,} given by more than one source, "
                "{disagreeing_cells:,} of them disagreeing".format(**result.resolution))
        previous_runs = warehouse.published_etl_runs(con) if has_pub else pd.DataFrame()
        runs = pd.DataFrame(
            [
                {"run_id": ctx.run_id, "source_id": o.source_id, "started_at": o.started_at, "finished_at": o.finished_at or utc_now(),
                 "status": o.status, "rows_loaded": o.rows_loaded, "rows_quarantined": o.rows_quarantined, "message": o.message}
                for o in result.outcomes
            ]
        )
        warehouse.insert(con, "etl_run", pd.concat([previous_runs, validate_frame("etl_run", runs).valid], ignore_index=True))

        problems = warehouse.contract_problems(con)
        ctx.log("contract checked")
        if problems:
            raise BuildError("warehouse contract violated: " + "; ".join(problems))
        result.digest = warehouse.content_digest(con)
        ctx.log("content digest computed")
        if has_pub:
            old = dict(con.execute("SELECT key, value FROM pub.meta").fetchall())
            # identical data publish nothing new, also when a source failed and kept its last good rows: the run,
            # its failures and its exit code are in state/runs.jsonl (status, dashboard), and the retained versions
            # stay distinct
            result.unchanged = old.get("content_sha256") == result.digest
            if result.unchanged and vouches:
                incremental.remember(paths, old.get("version", ""), inputs, kinds, result.digest, _outcomes(result))
            con.execute("DETACH pub")
        built_at = utc_now()
        result.version = built_at.replace("-", "").replace(":", "") + "-" + result.digest[:8]
        statuses = {o.source_id: o.status for o in result.outcomes}
        meta = publish.meta_rows(result.version, built_at, result.digest, ctx.run_id, statuses,
                                 incremental.combine(inputs) if vouches else None)
        con.executemany("INSERT INTO meta VALUES (?, ?)", meta)
        shown = status.facts(con)  # what `hsdash status` shows, kept beside the file so status needs no duckdb
        con.execute("CHECKPOINT")
    except BaseException as exc:
        con.close()
        _discard(target)
        if isinstance(exc, Exception):
            result.error = str(exc)
            result.tracebacks.append(traceback.format_exc())
            return result
        raise
    con.close()
    if result.unchanged:
        _discard(target)
        ctx.log("content unchanged: the published warehouse stays as it is")
        return result
    final = paths.warehouses / f"warehouse-{result.version}.duckdb"
    try:
        publish.publish(paths, target, result.version)
    except Exception as exc:  # noqa: BLE001 — e.g. the data folder refuses the new link: the old one still stands
        if publish.published_file(paths) != final.resolve():
            _discard(target)
            final.unlink(missing_ok=True)
            result.error = f"could not publish the new warehouse: {exc}"
            result.tracebacks.append(traceback.format_exc())
            return result
        ctx.log(f"published, but tidying up afterwards failed: {exc}")
    result.published = True
    try:
        status.write_sidecar(final, shown)
    except OSError as exc:  # status then reads the warehouse itself
        ctx.log(f"could not write the status summary beside {final.name}: {exc}")
    if vouches:
        incremental.remember(paths, result.version, inputs, kinds, result.digest, _outcomes(result))
    return result


def _outcomes(result: BuildResult) -> dict[str, list[str]]:
    return {o.source_id: [o.status, o.message[:500]] for o in result.outcomes}


def _discard(target: Path | None) -> None:
    """Remove an unpublished build file and its write-ahead log (a failed build must not leave either behind)."""
    if target is not None:
        for path in (target, target.with_name(target.name + ".wal")):
            path.unlink(missing_ok=True)
