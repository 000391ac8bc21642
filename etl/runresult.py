"""What one refresh run produced: each source's outcome and the build's result. Light on purpose (dataclasses
only), so a refresh that has nothing to rebuild (:mod:`etl.incremental`) never imports the build, pandas or pandera.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SourceOutcome:
    source_id: str
    status: str  # ok | kept | failed | skipped
    started_at: str
    finished_at: str = ""
    rows_loaded: int = 0
    rows_quarantined: int = 0
    message: str = ""
    details: dict = field(default_factory=dict)


@dataclass
class BuildResult:
    run_id: str
    outcomes: list[SourceOutcome] = field(default_factory=list)
    version: str | None = None
    published: bool = False
    unchanged: bool = False
    digest: str | None = None
    error: str | None = None
    revisions: int = 0
    resolution: dict = field(default_factory=dict)
    tracebacks: list[str] = field(default_factory=list)
