"""The live-source fault matrix: for each of wdi, hdr and oecd_dac2a, against local servers on 127.0.0.1, every
fault of issue 7 (timeout, connection refused, 429 with Retry-After, 5xx then success, permanent 5xx, HTML error
page, truncated body, invalid JSON, wrong page count (wdi), changed columns, empty data).

Each case starts from a copy of a data directory whose three live sources were refreshed once (vintage 1), moves
every server to vintage 2 (new numbers), injects the fault into one source and runs ``hsdash refresh`` of the
three (hdr and oecd_dac2a faults: those two). Expected: transient faults → exit 0 and vintage 2 everywhere; the others → exit 3, the faulted source
``kept`` with a message naming the fault and its vintage-1 rows still published, the other two sources at
vintage 2, the warehouse valid, and the whole refresh bounded in time (no hang).
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from etl import config
from etl.cli import main
from etl.refresh import EXIT_OK, EXIT_PARTIAL

from .checks import last_status, query, validate_published
from .servers import closed_port, dac2a_expected, hdr_expected, hdr_server, oecd_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from wb_server import WBServer, synthetic_rows  # noqa: E402

LIVE = ("wdi", "hdr", "oecd_dac2a")
WDI_TARGET = "SP.POP.TOTL"  # the series a wdi fault is injected into
HANG_BOUND = 90  # seconds: a refresh taking longer than this counts as a hang

# fault -> words the faulted source's message must contain (all of them), per source where they differ; None: the
# fault is transient and the refresh must succeed
FAULTS = {
    "timeout": ("timed out",),
    "connection refused": ("cannot reach",),
    "429 + Retry-After": None,
    "5xx then success": None,
    "permanent 5xx": ("http 503",),
    "HTML error page": {"wdi": ("http 400", "html"), "hdr": ("lacks column", "<!doctype html"), "oecd_dac2a": ("error page",)},
    "truncated body": ("truncated",),
    "invalid JSON": {"wdi": ("not valid json",), "hdr": ("lacks column", "{\"errors\""), "oecd_dac2a": ("lacks column", "{\"errors\"")},
    "wrong page count": ("row count mismatch",),
    "changed columns": {"wdi": ("lack the column", "value"), "hdr": ("lacks column", "iso3"), "oecd_dac2a": ("lacks column", "obs_value")},
    "empty data": ("no data rows",),
}


def expected_words(source: str, fault: str) -> tuple[str, ...] | None:
    words = FAULTS[fault]
    return words.get(source) if isinstance(words, dict) else words


def synthetic_countries_body() -> bytes:
    """A SYNTHETIC /v2/country answer for the economies of wb_server (regions and income groups made up)."""
    from wb_server import COUNTRIES

    rows = [{"id": iso3, "iso2Code": iso2, "name": name,
             "region": {"id": "NA" if iso3 == "WLD" else "EAS", "value": "Aggregates" if iso3 == "WLD" else "East Asia & Pacific"},
             "incomeLevel": {"id": "XD", "value": "Aggregates" if iso3 == "WLD" else "Synthetic income"},
             "lendingType": {"id": "LNX", "value": "Not classified"}, "capitalCity": ""} for iso2, iso3, name in COUNTRIES]
    meta = {"page": 1, "pages": 1, "per_page": "400", "total": len(rows)}
    import json

    return json.dumps([meta, rows]).encode()


WB_FAULTS = {"timeout": ["hang"] * 6, "429 + Retry-After": ["429"], "5xx then success": ["503"],
             "permanent 5xx": ["503"] * 8, "HTML error page": ["html"], "truncated body": ["cut"],
             "invalid JSON": ["invalid"], "wrong page count": ["wrong_pages"] * 4, "changed columns": ["columns"],
             "empty data": ["empty"]}
FILE_FAULTS = {"timeout": ["always", "hang"], "429 + Retry-After": ["429"], "5xx then success": ["503"],
               "permanent 5xx": ["always", "503"], "HTML error page": ["html"], "truncated body": ["cut"],
               "invalid JSON": ["json"], "changed columns": ["columns"], "empty data": ["empty"]}
V2 = 1.0  # value shift of vintage 2
# what each case refreshes: the faulted source and the others that must still publish (wdi, the slow one with 28
# series, only when it is the one at fault)
COMPANIONS = {"wdi": LIVE, "hdr": ("hdr", "oecd_dac2a"), "oecd_dac2a": ("oecd_dac2a", "hdr")}


def cases() -> list[tuple[str, str]]:
    return [(src, fault) for src in LIVE for fault in FAULTS if not (fault == "wrong page count" and src != "wdi")]


@dataclass
class Outcome:
    ok: bool
    detail: str


def _wdi_values(paths) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for code, iso3, year, value in query(paths, "SELECT indicator_code, iso3, year, value FROM observation WHERE source_id = 'wdi'"):
        out.setdefault(code, {})[(iso3, year)] = value
    return out


def _wdi_expected(code: str, shift: float) -> dict:
    return {(r["countryiso3code"], int(r["date"])): r["value"] for r in synthetic_rows(code, shift)
            if r["countryiso3code"] != "WLD" and r["value"] is not None}


def _close(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(abs(a[k] - b[k]) <= 1e-9 * max(1.0, abs(b[k])) for k in a)


def vintage_of(paths, source: str) -> str:
    """hdr / oecd_dac2a: 'v1' or 'v2' when the published rows are exactly that vintage's, else 'other'."""
    if source == "hdr":
        got = {(i, c, y): v for i, c, y, v in query(paths, "SELECT iso3, indicator_code, year, value FROM observation WHERE source_id = 'hdr'")}
        return next((name for name, s in (("v1", 0.0), ("v2", V2)) if _close(got, hdr_expected(s))), "other")
    if source == "oecd_dac2a":
        got = {(d, r, y, p): v for d, r, y, p, v in query(paths, "SELECT donor, recipient, year, price_basis, amount_usd FROM oda_flow")}
        return next((name for name, s in (("v1", 0.0), ("v2", V2)) if _close(got, dac2a_expected(s))), "other")
    raise ValueError(f"use LiveRig.vintage for {source}")


class LiveRig:
    """Three local servers plus a data directory whose live sources hold vintage 1."""

    def __init__(self, base: config.Paths, workdir: Path):
        self.base, self.workdir = base, Path(workdir)
        self.stack = ExitStack()
        self.saved_env: dict[str, str | None] = {}
        self.n = 0

    def _setenv(self, **values: str) -> None:
        for k, v in values.items():
            self.saved_env.setdefault(k, os.environ.get(k))
            os.environ[k] = v

    def __enter__(self):
        self.wb = self.stack.enter_context(WBServer())
        self.wb.state.countries_body = synthetic_countries_body()
        self.hdr = self.stack.enter_context(hdr_server())
        self.oecd = self.stack.enter_context(oecd_server())
        self._setenv(HSDASH_READ_TIMEOUT="1", HSDASH_CONNECT_TIMEOUT="2", HSDASH_WB_PER_PAGE="100",
                     HSDASH_OECD_MIN_HOURS="0")
        self._point()
        self.v1 = config.paths(self.workdir / "live-v1")
        shutil.copytree(self.base.data, self.v1.data, symlinks=True)
        out = self.refresh(self.v1)
        if out.exit_code != EXIT_OK:
            raise RuntimeError(f"vintage-1 refresh failed ({out.exit_code}): {out.output[-800:]}")
        self.codes = sorted(_wdi_values(self.v1))
        return self

    def __exit__(self, *exc):
        for k, v in self.saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        self.stack.close()

    def _point(self, refused: str | None = None) -> None:
        dead = f"http://127.0.0.1:{closed_port()}"
        self._setenv(HSDASH_WB_BASE_URL=dead + "/v2" if refused == "wdi" else self.wb.url,
                     HSDASH_HDR_URL=(dead if refused == "hdr" else self.hdr.base) + "/hdr/HDR25_Composite_indices_complete_time_series.csv",
                     HSDASH_OECD_BASE_URL=dead + "/public/rest" if refused == "oecd_dac2a" else self.oecd.base)

    @staticmethod
    def refresh(paths, sources=LIVE):
        return CliRunner().invoke(main, ["--data-dir", str(paths.data), "refresh", *sum((["--source", s] for s in sources), [])])

    def vintage(self, paths, source: str) -> str:
        if source != "wdi":
            return vintage_of(paths, source)
        values = _wdi_values(paths)
        if sorted(values) != self.codes:
            return "other"
        kinds = set()
        for code in self.codes:
            kinds.add(next((name for name, s in (("v1", 0.0), ("v2", V2)) if _close(values[code], _wdi_expected(code, s))), "other"))
        if "other" in kinds:
            return "other"
        return kinds.pop() if len(kinds) == 1 else "mixed"

    def run(self, source: str, fault: str) -> Outcome:
        self.n += 1
        paths = config.paths(self.workdir / f"case-{self.n:02d}")
        shutil.copytree(self.v1.data, paths.data, symlinks=True)
        self.wb.state.shift, self.wb.state.lastupdated = V2, "2026-11-15"
        self.wb.state.faults.clear()
        self.hdr.reset(V2)
        self.oecd.reset(V2)
        self._point(refused=source if fault == "connection refused" else None)
        if fault != "connection refused":
            if source == "wdi":
                self.wb.state.faults[WDI_TARGET] = list(WB_FAULTS[fault])
            else:
                (self.hdr if source == "hdr" else self.oecd).faults = list(FILE_FAULTS[fault])
        t0 = time.monotonic()
        out = self.refresh(paths, COMPANIONS[source])
        elapsed = time.monotonic() - t0
        self._point()
        words = expected_words(source, fault)
        problems = []
        if out.exception is not None and not isinstance(out.exception, SystemExit):
            problems.append(f"uncaught {type(out.exception).__name__}: {out.exception}")
        if "Traceback" in out.output:
            problems.append("traceback in the output")
        if elapsed > HANG_BOUND:
            problems.append(f"took {elapsed:.0f}s (> {HANG_BOUND}s)")
        line = next((ln for ln in out.output.splitlines() if ln.startswith(f"{source}: ") and " — " in ln), "")
        try:
            validate_published(paths)
        except AssertionError as exc:
            problems.append(f"published warehouse invalid: {exc}")
            return Outcome(False, "; ".join(problems))
        status, _ = last_status(paths, source)
        others = {s: self.vintage(paths, s) for s in COMPANIONS[source] if s != source}
        mine = self.vintage(paths, source)
        if any(v != "v2" for v in others.values()):
            problems.append(f"other sources not published at the new vintage: {others}")
        if words is None:
            if out.exit_code != EXIT_OK:
                problems.append(f"exit {out.exit_code}, expected 0")
            if status != "ok" or mine != "v2":
                problems.append(f"{source} status {status}, data {mine} (expected ok, v2)")
        else:
            if out.exit_code != EXIT_PARTIAL:
                problems.append(f"exit {out.exit_code}, expected {EXIT_PARTIAL}")
            if status != "kept":
                problems.append(f"{source} status {status!r}, expected 'kept'")
            missing = [w for w in words if w not in line.lower()]
            if missing:
                problems.append(f"message lacks {missing}: {line[:400]!r}")
            if source == "wdi":
                target = _wdi_values(paths).get(WDI_TARGET, {})
                if mine not in ("v1", "mixed") or not _close(target, _wdi_expected(WDI_TARGET, 0.0)):
                    problems.append(f"wdi last good data not kept (data {mine})")
            elif mine != "v1":
                problems.append(f"{source} last good data not kept (data {mine})")
        message = line.split(" — ", 2)[-1] if line else "(no line)"
        at = min([message.lower().find(w) for w in words or () if w in message.lower()] or [0])
        snippet = ("…" if at > 40 else "") + message[max(0, at - 40):][:140]
        detail = f"exit {out.exit_code}, {source} {status}: {snippet}"
        shutil.rmtree(paths.data, ignore_errors=True)
        return Outcome(not problems, detail if not problems else "; ".join(problems) + f" | {detail}")
