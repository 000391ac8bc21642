"""Incremental refreshes: recognise, before building anything, that a refresh would rebuild exactly what is published.

Owns the *inputs fingerprint* of a build — a sha256 over everything a build reads: the code (``etl/``,
``schemas/``), the catalogue files, every origin sidecar and snapshot manifest of the raw zone and of the bundled
raw files (each sidecar records its raw file's sha256, so a new download, a new import or an edited bundled file
changes it), the sources known and selected, and the versions of the packages whose behaviour or bundled data a
build depends on. A published build records its fingerprint in ``meta.inputs_sha256``; a later build that found the
content unchanged records the fingerprint it verified in ``state/verified_inputs.json``. A refresh whose
fingerprint matches either, and that will fetch nothing (offline, or no live source selected), publishes nothing
and loads nothing: the run, each source's status and the exit code are still logged (``state/runs.jsonl``).
Raw files are not re-hashed here (the sidecars are trusted); a full build verifies them.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
from pathlib import Path

from etl.config import REPO_ROOT, Paths

PACKAGES = ("duckdb", "pandas", "pandera", "numpy", "country_converter", "plotly")
VERIFIED = "verified_inputs.json"


def _files(root: Path, patterns: tuple[str, ...]) -> list[Path]:
    if not root.is_dir():
        return []
    out: set[Path] = set()
    for pattern in patterns:
        out.update(p for p in root.rglob(pattern) if p.is_file())
    return sorted(out)


def _update(digest, label: str, root: Path, patterns: tuple[str, ...]) -> None:
    for path in _files(root, patterns):
        if "staging" in path.relative_to(root).parts[:1]:
            continue
        digest.update(f"\n{label}:{path.relative_to(root)}\n".encode())
        with open(path, "rb") as fh:
            digest.update(fh.read(1 << 22))  # code, catalogue, sidecars and manifests are small; bounded anyway


def _catalogue_dir() -> Path:
    return Path(os.environ.get("HSDASH_CATALOGUE_DIR", REPO_ROOT / "catalogue"))  # = etl.catalogue.catalogue_dir


def parts(paths: Paths) -> dict[str, str]:
    """The inputs of a build in parts: ``common`` (packages, code, catalogue, bundled raw files) and one
    ``raw:<folder>`` per source folder of the raw zone. The sources themselves follow from these inputs."""
    common = hashlib.sha256(b"hsdash-inputs-2")
    for pkg in PACKAGES:
        try:
            common.update(f"{pkg}={importlib.metadata.version(pkg)};".encode())
        except importlib.metadata.PackageNotFoundError:
            common.update(f"{pkg}=absent;".encode())
    _update(common, "code", REPO_ROOT / "etl", ("*.py", "*.csv"))
    _update(common, "schemas", REPO_ROOT / "schemas", ("*.py", "*.sql"))
    _update(common, "catalogue", _catalogue_dir(), ("*.csv",))
    _update(common, "bundled", paths.bundled_raw, ("*.origin.json", "_manifest.json"))
    out = {"common": common.hexdigest()}
    if paths.raw.is_dir():
        for entry in sorted(paths.raw.iterdir()):
            digest = hashlib.sha256(entry.name.encode())
            if entry.is_dir():
                _update(digest, "raw", entry, ("*.origin.json", "_manifest.json"))
            out[f"raw:{entry.name}"] = digest.hexdigest()
    return out


def combine(inputs: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def fingerprint(paths: Paths) -> str:
    """One sha256 over :func:`parts`."""
    return combine(parts(paths))


def vouches_partial(paths: Paths, now: dict[str, str], selected: set[str]) -> bool:
    """May a build that reloads only ``selected`` (carrying the other sources from the published version) vouch
    for the inputs ``now``? Yes when the published version's record says it was built from inputs that differ from
    ``now`` only in the raw folders of the selected sources (an import: its new snapshot, nothing else)."""
    seen = recorded(paths)
    old = (seen or {}).get("parts")
    if not isinstance(old, dict) or old.get("common") != now.get("common"):
        return False
    for key in set(old) | set(now):
        if key != "common" and key.removeprefix("raw:") not in selected and old.get(key) != now.get(key):
            return False
    return True


def _verified_path(paths: Paths) -> Path:
    return paths.state / VERIFIED


def remember(paths: Paths, version: str, inputs: dict[str, str], kinds: dict[str, str], digest: str | None,
             outcomes: dict[str, list[str]]) -> None:
    """Record that a build from ``inputs`` (:func:`parts`) of the sources ``kinds`` (id → kind) gave ``version``
    (content ``digest``), each source ending as ``outcomes`` (id → [status, message])."""
    try:  # a source this build did not reload ("skipped") ended as it did in the build the old record describes
        with open(_verified_path(paths), "rb") as fh:
            previous = json.loads(fh.read(1 << 20)).get("outcomes") or {}
    except (OSError, ValueError, AttributeError):
        previous = {}
    outcomes = {sid: previous.get(sid) if out[0] == "skipped" and previous.get(sid) else out
                for sid, out in outcomes.items()}
    try:
        paths.state.mkdir(parents=True, exist_ok=True)
        tmp = _verified_path(paths).with_name(f".{VERIFIED}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"inputs_sha256": combine(inputs), "parts": inputs, "version": version,
                                   "sources": kinds, "content_sha256": digest, "outcomes": outcomes}),
                       encoding="utf-8")
        os.replace(tmp, _verified_path(paths))
    except OSError:
        pass  # best effort: without the record the next refresh simply builds and compares


def recorded(paths: Paths) -> dict | None:
    """The inputs record, if it describes the version published now (bounded read)."""
    try:
        with open(_verified_path(paths), "rb") as fh:
            seen = json.loads(fh.read(1 << 20))
    except (OSError, ValueError):
        return None
    if not isinstance(seen, dict) or not isinstance(seen.get("sources"), dict):
        return None
    link = paths.warehouse
    if not link.exists() or link.resolve().name != f"warehouse-{seen.get('version')}.duckdb":
        return None
    return seen


def unchanged_run(paths: Paths, run_id: str, selected: list[str] | None, offline: bool, extract: bool, log):
    """A :class:`~etl.runresult.BuildResult` saying nothing changed, when nothing a build reads changed since the
    published version and this refresh fetches nothing; else None (build as usual)."""
    from etl.rawzone import utc_now
    from etl.runresult import BuildResult, SourceOutcome

    seen = recorded(paths)
    if seen is None:
        return None
    kinds: dict[str, str] = seen["sources"]
    chosen = set(selected or kinds)
    if chosen - set(kinds):
        return None  # a source the recorded build did not have: let the build report it
    if not (offline or not extract or all(kinds[s] != "live" for s in chosen)):
        return None  # a live source will fetch: its new data may differ
    if seen.get("inputs_sha256") != fingerprint(paths):
        return None
    from etl.published import problem
    from etl.status import summary_matches

    # truncated or replaced since it was built: rebuild it (etl.build does, from the raw zone). The build's summary
    # answers without duckdb; without one, the file itself is opened
    if not summary_matches(paths) and problem(paths):
        return None
    result, now = BuildResult(run_id, unchanged=True, digest=seen.get("content_sha256")), utc_now()
    before = seen.get("outcomes") if isinstance(seen.get("outcomes"), dict) else {}
    for sid, kind in kinds.items():
        status, message = (list(before.get(sid) or []) + ["", ""])[:2]
        if sid not in chosen:
            out = SourceOutcome(sid, "skipped", now, now, message="not selected: published rows kept")
        elif status == "failed":  # the same inputs fail the same way: say so, as the build would
            out = SourceOutcome(sid, "failed", now, now, message=f"inputs unchanged since the published build, "
                                                                f"where it failed: {message}"[:2000])
        elif kind == "live" and offline:
            out = SourceOutcome(sid, "kept", now, now, message="offline: not fetched; its raw files are unchanged "
                                                              "since the published build, whose rows stand")
        else:
            out = SourceOutcome(sid, "ok", now, now, message="inputs unchanged since the published build: its rows "
                                                            "stand, nothing reloaded")
        result.outcomes.append(out)
    log(f"inputs unchanged since the published version {seen.get('version')}: nothing to rebuild")
    return result
