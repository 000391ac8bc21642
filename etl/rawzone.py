"""The raw zone: immutable source files under ``data/raw/<source>/`` with an origin sidecar each.

Every raw file ``X`` has ``X.origin.json`` beside it saying who published it, where it came from, under which
licence, when it was retrieved and its sha256. Raw files are never modified in place: a new download is a new
snapshot folder ``data/raw/<source>/<snapshot>/`` that becomes visible only once its ``_manifest.json`` is written
(so a half-finished download is never read). Bundled sources keep their files directly in ``data/raw/<source>/``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

ORIGIN_SUFFIX = ".origin.json"
MANIFEST = "_manifest.json"
REQUIRED_ORIGIN_KEYS = ("source_id", "publisher", "title", "url", "licence", "retrieved_at", "sha256")


class RawZoneError(RuntimeError):
    """A raw file is missing, altered after retrieval, or lacks its origin sidecar."""


@dataclass(frozen=True)
class Origin:
    """Provenance of one raw file, as stored in its ``.origin.json`` sidecar."""

    source_id: str
    publisher: str
    title: str
    url: str
    licence: str
    retrieved_at: str
    sha256: str
    bytes: int = 0
    citation: str = ""
    vintage: str = ""
    media_type: str = ""
    notes: str = ""
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict) -> Origin:
        missing = [k for k in REQUIRED_ORIGIN_KEYS if not data.get(k)]
        if missing:
            raise RawZoneError(f"origin sidecar lacks {', '.join(missing)}")
        known = {f for f in cls.__dataclass_fields__ if f != "extra"}
        extra = {k: v for k, v in data.items() if k not in known}
        return cls(**{k: v for k, v in data.items() if k in known}, extra=extra)

    def to_dict(self) -> dict:
        data = asdict(self)
        extra = data.pop("extra")
        data.update(extra)
        return data


@dataclass(frozen=True)
class RawFile:
    path: Path
    origin: Origin


def utc_now() -> str:
    """Current UTC time as ISO 8601 with a Z suffix, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def origin_path(path: Path) -> Path:
    return path.with_name(path.name + ORIGIN_SUFFIX)


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a raw-zone file (private to the service account: 0600) via a temporary file and a rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_origin(path: Path, **meta) -> Origin:
    """Write the sidecar for an existing raw file, computing its sha256 and size."""
    path = Path(path)
    meta.setdefault("retrieved_at", utc_now())
    meta["sha256"] = sha256_file(path)
    meta["bytes"] = path.stat().st_size
    origin = Origin.from_dict(meta)
    text = json.dumps(origin.to_dict(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    _atomic_write_bytes(origin_path(path), text.encode("utf-8"))
    return origin


def read_origin(path: Path, verify: bool = True) -> Origin:
    """Read a raw file's sidecar; with ``verify``, check the file still has the recorded sha256."""
    path = Path(path)
    side = origin_path(path)
    if not path.exists():
        raise RawZoneError(f"raw file missing: {path}")
    if not side.exists():
        raise RawZoneError(f"raw file has no origin sidecar: {path}")
    try:
        origin = Origin.from_dict(json.loads(side.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:
        raise RawZoneError(f"unreadable origin sidecar {side}: {exc}") from exc
    if verify:
        actual = sha256_file(path)
        if actual != origin.sha256:
            raise RawZoneError(
                f"raw file {path} changed after retrieval: sha256 {actual[:12]}… ≠ recorded {origin.sha256[:12]}…"
            )
    return origin


def store_bytes(target: Path, data: bytes, **meta) -> RawFile:
    """Store downloaded bytes as a new raw file (never overwriting a different file) with its sidecar."""
    target = Path(target)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if target.exists():
        if sha256_file(target) != hashlib.sha256(data).hexdigest():
            raise RawZoneError(f"refusing to overwrite raw file with different content: {target}")
    else:
        _atomic_write_bytes(target, data)
    return RawFile(target, write_origin(target, **meta))


_SNAPSHOT_RE = re.compile(r"^\d{8}T\d{6}Z(-[0-9a-z]+)?$")


def new_snapshot_dir(source_dir: Path) -> Path:
    """A fresh, not-yet-visible snapshot folder for a download (visible once ``seal_snapshot`` runs)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = Path(source_dir) / f"{stamp}-{os.getpid():x}{secrets.token_hex(2)}"  # unique even within one second
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.mkdir(mode=0o700, exist_ok=False)
    return path


def seal_snapshot(snapshot: Path, info: dict | None = None) -> None:
    """Mark a snapshot complete by writing its manifest (the list of files with their sha256)."""
    files = sorted(p for p in snapshot.rglob("*") if p.is_file() and not p.name.endswith(ORIGIN_SUFFIX) and p.name != MANIFEST)
    manifest = {
        "sealed_at": utc_now(),
        "files": {str(p.relative_to(snapshot)): read_origin(p).sha256 for p in files},
        **(info or {}),
    }
    _atomic_write_bytes(snapshot / MANIFEST, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())


def sealed_snapshots(source_dir: Path) -> list[Path]:
    """Complete snapshot folders of a live source, oldest first."""
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        return []
    return sorted(p for p in source_dir.iterdir() if p.is_dir() and _SNAPSHOT_RE.match(p.name) and (p / MANIFEST).exists())


def list_raw_files(folder: Path) -> list[RawFile]:
    """Every raw file (with a verified sidecar) in a folder, recursively, sorted by path."""
    folder = Path(folder)
    out = []
    for side in sorted(folder.rglob("*" + ORIGIN_SUFFIX)):
        path = side.with_name(side.name[: -len(ORIGIN_SUFFIX)])
        out.append(RawFile(path, read_origin(path)))
    return out


# ---- rejected imports and snapshot management (``hsdash raw``) -----------------------------------------------------
REJECTED = "_rejected"  # raw/_rejected/<source>/<snapshot>/: imports that could not be loaded, kept apart
REJECTION = "_rejected.json"


def reject_snapshot(raw_dir: Path, snapshot: Path, source_id: str, reason: str, info: dict | None = None) -> Path:
    """Move a (not yet sealed) snapshot to ``raw/_rejected/<source>/`` with the reason: kept for inspection, never a
    source's newest snapshot (loaders only look in ``raw/<source>/``)."""
    (Path(raw_dir) / REJECTED).mkdir(mode=0o700, parents=True, exist_ok=True)
    target_dir = Path(raw_dir) / REJECTED / source_id
    target_dir.mkdir(mode=0o700, exist_ok=True)
    target = target_dir / Path(snapshot).name
    os.replace(snapshot, target)
    doc = {"rejected_at": utc_now(), "source_id": source_id, "reason": reason, **(info or {})}
    text = json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    _atomic_write_bytes(target / REJECTION, text.encode())
    return target


@dataclass(frozen=True)
class Snapshot:
    """One snapshot folder of the raw zone, as ``hsdash raw list`` shows it."""

    source_id: str
    name: str
    path: Path
    state: str  # newest | older | rejected
    files: int
    bytes: int
    when: str  # sealed_at, or rejected_at
    format: str = ""
    reason: str = ""

    @property
    def ref(self) -> str:
        """How ``hsdash raw remove`` names it."""
        ref = f"{self.source_id}/{self.name}"
        return f"{REJECTED}/{ref}" if self.state == "rejected" else ref


def _json_or_empty(path: Path) -> dict:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def _size(folder: Path) -> tuple[int, int]:
    data = [p for p in folder.rglob("*") if p.is_file() and not p.name.endswith(ORIGIN_SUFFIX)
            and p.name not in (MANIFEST, REJECTION)]
    return len(data), sum(p.stat().st_size for p in data)


def snapshots(raw_dir: Path) -> list[Snapshot]:
    """Every sealed snapshot of every source in ``raw_dir`` (newest last per source), then the rejected ones."""
    raw_dir = Path(raw_dir)
    out: list[Snapshot] = []
    if not raw_dir.is_dir():
        return out
    for source in sorted(p for p in raw_dir.iterdir() if p.is_dir() and not p.name.startswith("_")):
        sealed = sealed_snapshots(source)
        for k, snap in enumerate(sealed):
            manifest = _json_or_empty(snap / MANIFEST)
            n, size = _size(snap)
            out.append(Snapshot(source.name, snap.name, snap, "newest" if k == len(sealed) - 1 else "older", n, size,
                                str(manifest.get("sealed_at") or ""), str(manifest.get("import_format") or "")))
    rejected = raw_dir / REJECTED
    if rejected.is_dir():
        for source in sorted(p for p in rejected.iterdir() if p.is_dir()):
            for snap in sorted(p for p in source.iterdir() if p.is_dir()):
                doc = _json_or_empty(snap / REJECTION)
                n, size = _size(snap)
                out.append(Snapshot(source.name, snap.name, snap, "rejected", n, size,
                                    str(doc.get("rejected_at") or ""), str(doc.get("import_format") or ""),
                                    str(doc.get("reason") or "")))
    return out


def find_snapshot(raw_dir: Path, ref: str) -> Snapshot:
    """The snapshot named ``<source>/<snapshot>`` or ``_rejected/<source>/<snapshot>`` (as ``hsdash raw list``
    prints it)."""
    for snap in snapshots(raw_dir):
        if snap.ref == ref.strip().strip("/"):
            return snap
    raise RawZoneError(f"no snapshot {ref!r} in {raw_dir}; `hsdash raw list` shows them")


def remove_snapshot(snap: Snapshot) -> None:
    """Delete a snapshot folder: first made invisible (its manifest goes), then removed."""
    import shutil

    manifest = snap.path / MANIFEST
    if manifest.exists():
        manifest.unlink()
    shutil.rmtree(snap.path)
