"""Sources whose data arrived as files: imports (``hsdash import``) and the bundled starter set. Owns loading the
newest sealed snapshot of such a source: parse it with its format (:mod:`etl.formats`), map its columns to
catalogue indicators (:mod:`etl.mapping`, with the options stored at import), and return warehouse rows with their
provenance, the ``series_map`` rows saying what became what, and a report of what was skipped and why.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pandas as pd

from etl import catalogue, formats, limits, mapping
from etl.parsers import ParseError
from etl.rawzone import MANIFEST, RawZoneError, list_raw_files, sealed_snapshots
from etl.sources.base import Context, Loaded, Source, SourceError, provenance, source_row

THEME_WORDS = [  # display grouping of imported indicators that have no catalogue entry
    ("freedom_from_fear", ("conflict", "battle", "homicide", "refugee", "violence", "terror")),
    ("dignity", ("gender", "inequality", "women", "female", "girls", "parliament")),
    ("environment", ("co2", "emission", "renewable", "energy", "forest", "pollution", "disaster")),
    ("freedom_from_want", ("poverty", "hunger", "undernourish", "stunt", "wasting", "mortality", "water", "sanitation",
                           "malnutrition", "life expectancy", "human development", "school", "education", "health")),
]



def _theme(text: str) -> str:
    low = text.lower()
    for theme, words in THEME_WORDS:
        if any(w in low for w in words):
            return theme
    return "context"


class ImportSource(Source):
    """A data set that arrived by ``hsdash import`` (or is bundled as a starter): loads its newest sealed snapshot."""

    kind = "import"

    def __init__(self, source_id: str, fmt: str, root: Path | None = None, kind: str = "import"):
        self.source_id, self.format, self.root, self.kind = source_id, fmt, root, kind
        self.description = f"{'starter' if kind == 'starter' else 'imported'} {fmt} file"

    def extract(self, ctx: Context) -> str:
        return "bundled starter data; nothing to fetch" if self.kind == "starter" else "imported file; nothing to fetch"

    def transform(self, ctx: Context) -> Loaded:
        folder = (self.root or ctx.paths.raw) / self.source_id
        snaps = sealed_snapshots(folder)
        if not snaps:
            raise SourceError(f"no imported snapshot for {self.source_id}")
        return load_newest_good(self.source_id, snaps, ctx, self.kind, self.format)


def _load_snapshot(source_id: str, snap: Path, ctx: Context, kind: str, fmt: str) -> Loaded:
    manifest = json.loads((snap / MANIFEST).read_text(encoding="utf-8"))
    options = {**(manifest.get("options") or {}), "slug": manifest.get("slug") or ""}
    return load_files(source_id, manifest.get("import_format") or fmt, list_raw_files(snap), ctx, kind, options)


def load_newest_good(source_id: str, snaps: list[Path], ctx: Context, kind: str, fmt: str) -> Loaded:
    """Load the newest snapshot; when it cannot be loaded (a bad file that reached the raw zone, a file over a limit
    set since), fall back to the newest older snapshot that loads, saying so. ``loaded.fallback`` names the snapshot
    that failed and why (the build marks the source "kept")."""
    failures: list[str] = []
    for snap in reversed(snaps):
        try:
            loaded = _load_snapshot(source_id, snap, ctx, kind, fmt)
        except (SourceError, RawZoneError, limits.LimitError, OSError, ValueError) as exc:
            failures.append(f"snapshot {snap.name}: {exc}")
            if len(failures) >= 5:
                break
            continue
        if failures:
            loaded.fallback = "; ".join(failures)
            loaded.message = (f"newest snapshot not loadable ({failures[0]}); loaded the previous good snapshot "
                              f"{snap.name} instead — {loaded.message}")
        return loaded
    raise SourceError(failures[0] if len(failures) == 1 else "; ".join(failures))


def _top_reasons(rejected: pd.DataFrame, n: int = 3) -> str:
    if rejected is None or rejected.empty:
        return ""
    counts = Counter(str(r).split(":")[0] if str(r).startswith(("aggregate:", "unknown entity:")) else str(r)[:80]
                     for r in rejected["reason"])
    return "; ".join(f"{k} ×{v}" for k, v in counts.most_common(n))


def load_files(source_id: str, fmt: str, files, ctx: Context, kind: str, options: dict | None = None) -> Loaded:
    """Parse imported raw files of format ``fmt`` into warehouse tables, mapping columns to catalogue indicators
    (shared by imports, the starter set and the hdr source)."""
    options = dict(options or {})
    by_name = {f.path.name: f for f in files}
    try:
        limits.check_files(f.path for f in files)  # bounded before parsing: a file over a limit is never read whole
    except limits.LimitError as exc:
        raise SourceError(f"refused: {exc}") from None
    try:
        parsed = formats.get(fmt).parse(by_name, options, ctx)
    except ParseError as exc:
        raise SourceError(f"{exc}") from exc
    except UnicodeDecodeError as exc:
        raise SourceError(f"a file of {source_id} is not UTF-8 text ({exc.reason} at byte {exc.start}); "
                          f"save it as UTF-8 and import it again") from exc
    except csv.Error as exc:
        raise SourceError(f"a file of {source_id} is not a readable CSV: {exc}") from exc
    except MemoryError:
        raise SourceError(f"a file of {source_id} needs more memory to parse than this machine has; lower the "
                          f"limits (HSDASH_MAX_FILE_BYTES, HSDASH_MAX_ROWS) or split the file") from None
    main = by_name[parsed.main] if parsed.main in by_name else files[0]
    result = parsed.result
    if result.staged is not None:
        return _load_staged(source_id, parsed, main, files, kind, options)
    if result.frame.empty and not len(result.rejected):  # would replace the source's published rows with nothing
        rows = result.meta.get("rows_in_file", result.meta.get("reconciliation", {}).get("rows_in_file", 0))
        raise SourceError(f"{main.path.name} has no data rows to load ({rows} rows in the file)")
    table = parsed.table
    report = {k: v for k, v in result.meta.items() if k not in ("columns",)}
    rejected = [(table, result.rejected)] if len(result.rejected) else []
    tables: dict[str, pd.DataFrame] = {}
    frame = result.frame
    if table == "observation":
        cat = catalogue.load()
        user = {col: mapping.UserMapping(t["indicator_code"], float(t.get("factor", 1.0)))
                for col, t in (options.get("indicators") or {}).items()}
        mapped = mapping.apply(frame, dataset=parsed.dataset, columns=parsed.columns, cat=cat, user=user,
                               dataset_title=parsed.title, role_if_unmapped="aggregator" if kind in ("import", "starter") else "publisher",
                               describe_unmapped=fmt != "hdr")
        frame = mapped.frame
        if len(mapped.rejected):
            rejected.append(("observation", mapped.rejected))
        if mapped.indicators:
            ind = pd.DataFrame(mapped.indicators)
            ind["theme"] = (ind["name"] + " " + ind["description"]).map(_theme)
            tables["indicator"] = ind.assign(source_hint=source_id, defined_by=source_id)
        tables["series_map"] = pd.DataFrame(mapped.series).assign(source_id=source_id)
        parser_skipped = result.meta.get("skipped_columns") or {}
        if not isinstance(parser_skipped, dict):  # a list of names (HDR rank/group columns)
            parser_skipped = {str(c): "rank or group column, not an observation" for c in parser_skipped}
        report.update(skipped_columns={**parser_skipped, **mapped.skipped},
                      unnamed_columns=mapped.unnamed, series=mapped.series)
    if frame.empty:
        all_rejected = pd.concat([r for _, r in rejected]) if rejected else None
        raise SourceError(f"{main.path.name}: nothing to load — every value was rejected "
                          f"({sum(len(r) for _, r in rejected):,} rows: {_top_reasons(all_rejected)})")
    tables[table] = frame.assign(**provenance(main))
    source = source_row(main, kind)
    loaded = Loaded(source=source, raw_files=files, tables=tables, rejected=rejected,
                    message=f"{len(frame)} rows from {main.path.name}")
    loaded.report = report
    return loaded


def _load_staged(source_id: str, parsed, main, files, kind: str, options: dict) -> Loaded:
    """A staged parse (too large for pandas): the column decisions are made here, the rows are inserted in SQL by
    the build (:mod:`etl.staged_load`) with the same rules."""
    from etl.staged_load import StagedTable, plan_frame

    result = parsed.result
    if not result.staged.keys:
        rows = result.meta.get("rows_in_file", 0)
        raise SourceError(f"{main.path.name}: nothing to load — no line of a country holds a value "
                          f"({rows} rows in the file, {result.meta.get('rejected_cells', 0):,} value cells rejected)")
    cat = catalogue.load()
    user = {col: mapping.UserMapping(t["indicator_code"], float(t.get("factor", 1.0)))
            for col, t in (options.get("indicators") or {}).items()}
    decisions = mapping.decide(result.staged.keys, dataset=parsed.dataset, columns=parsed.columns, cat=cat, user=user,
                               dataset_title=parsed.title,
                               role_if_unmapped="aggregator" if kind in ("import", "starter") else "publisher")
    tables: dict = {}
    described = [d.indicator for d in decisions if d.indicator is not None and not d.skip and not d.reject]
    if described:
        ind = pd.DataFrame(described)
        ind["theme"] = (ind["name"] + " " + ind["description"]).map(_theme)
        tables["indicator"] = ind.assign(source_hint=source_id, defined_by=source_id)
    loaded = [d for d in decisions if d.mapping is not None and not d.skip and not d.reject]
    tables["series_map"] = pd.DataFrame([mapping.series_row(d, 0) for d in loaded]).assign(source_id=source_id)
    tables["observation"] = StagedTable(result.staged, plan_frame(decisions), provenance(main),
                                        result.meta.get("loaded"))
    report = {k: v for k, v in result.meta.items() if k != "columns"}
    report.update(skipped_columns={d.column: d.skip for d in decisions if d.skip},
                  unnamed_columns=[d.column for d in decisions if d.indicator is not None and not d.named],
                  series_count=len(loaded),
                  named_from_metadata=sum(1 for d in loaded if d.indicator is not None and d.named),
                  curated=sum(1 for d in loaded if d.indicator is None))
    out = Loaded(source=source_row(main, kind), raw_files=files, tables=tables, rejected=[],
                 message=f"{result.meta.get('loaded', 0):,} cells of {len(loaded):,} series from {main.path.name}")
    out.report = report
    return out


def discover(raw_dir: Path, known: set[str], kind: str = "import") -> list[ImportSource]:
    """Import sources present in ``raw_dir`` (folders whose sealed snapshots say how they were imported)."""
    out = []
    if not raw_dir.is_dir():
        return out
    names = formats.names()
    for folder in sorted(p for p in raw_dir.iterdir() if p.is_dir() and p.name not in known and not p.name.startswith("_")):
        snaps = sealed_snapshots(folder)
        if not snaps:
            continue
        manifest = json.loads((snaps[-1] / MANIFEST).read_text(encoding="utf-8"))
        fmt = manifest.get("import_format")
        if fmt in names:
            out.append(ImportSource(folder.name, fmt, raw_dir if kind == "starter" else None, kind))
    return out
