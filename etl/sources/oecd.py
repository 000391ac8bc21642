"""The ``oecd_dac2a`` source: OECD DAC Table 2A (ODA disbursements to countries and regions) over the OECD SDMX
REST API, dataflow ``OECD.DCD.FSD,DSD_DAC2@DF_DAC2A``, key ``DONOR.RECIPIENT.MEASURE.UNIT_MEASURE.PRICE_BASE`` with
measure 206 (net ODA disbursements), US dollars, current and constant prices → table ``oda_flow``.

The API allows about 20 data downloads an hour per client. This source makes one download per refresh, never more
often than every ``HSDASH_OECD_MIN_HOURS`` (default 24) hours, and keeps a persistent log of its downloads in
``state/oecd_downloads.json``: once 20 fall within the last hour it refuses to call the API at all and keeps the
last good data. Donors are the reference group ``dac``; recipients the region's economies (East Asia & Pacific,
ASEAN, ASEAN+3). Base URL: ``HSDASH_OECD_BASE_URL``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil

from etl import http
from etl.rawzone import list_raw_files, new_snapshot_dir, seal_snapshot, sealed_snapshots, store_bytes
from etl.sources.base import Context, Loaded, Source, SourceError, find, provenance, read_csv_raw, source_row

DEFAULT_BASE = "https://sdmx.oecd.org/public/rest"
DATAFLOW = "OECD.DCD.FSD,DSD_DAC2@DF_DAC2A,"
MAX_PER_HOUR = 20
RECIPIENT_GROUPS = ("wb_eap", "asean", "asean_plus_3")
META = dict(
    publisher="OECD Development Assistance Committee",
    title="DAC2A: Aid (ODA) disbursements to countries and regions",
    licence="OECD terms and conditions (free re-use with attribution)",
    citation="OECD (2025), DAC2A: Aid (ODA) disbursements to countries and regions, OECD Data Explorer (SDMX API).",
)


def base_url() -> str:
    return os.environ.get("HSDASH_OECD_BASE_URL", DEFAULT_BASE).rstrip("/")


class RateBudget:
    """Downloads made in the last hour, persisted so separate cron runs share one budget."""

    def __init__(self, path):
        self.path = path

    def _load(self) -> list[float]:
        try:
            return [float(t) for t in json.loads(self.path.read_text())]
        except (OSError, ValueError):
            return []

    def recent(self, now: float) -> list[float]:
        return [t for t in self._load() if now - t < 3600]

    def last(self) -> float | None:
        stamps = self._load()
        return max(stamps) if stamps else None

    def take(self, now: float) -> None:
        if len(self.recent(now)) >= MAX_PER_HOUR:
            raise SourceError(f"OECD rate budget used: {MAX_PER_HOUR} downloads in the last hour; not calling the API")
        stamps = self.recent(now) + [now]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(stamps))
        os.replace(tmp, self.path)


def _members(ctx: Context) -> tuple[list[str], list[str]]:
    files = list_raw_files(ctx.paths.bundled_raw / "reference")
    members = read_csv_raw(find(files, "country_group_members.csv"))
    donors = sorted(members.loc[members["group_id"] == "dac", "iso3"].unique())
    recipients = sorted(members.loc[members["group_id"].isin(RECIPIENT_GROUPS), "iso3"].unique())
    return donors, [r for r in recipients if r not in donors]


class OecdDac2aSource(Source):
    source_id = "oecd_dac2a"
    kind = "live"
    description = "OECD DAC2A net ODA disbursements, DAC donors → East & Southeast Asian recipients"

    def _dir(self, ctx: Context):
        return ctx.paths.raw / self.source_id

    def extract(self, ctx: Context) -> str:
        now = dt.datetime.now(dt.UTC).timestamp()
        budget = RateBudget(ctx.paths.state / "oecd_downloads.json")
        min_hours = float(os.environ.get("HSDASH_OECD_MIN_HOURS", "24"))
        last = budget.last()
        if last is not None and sealed_snapshots(self._dir(ctx)) and now - last < min_hours * 3600:
            return f"downloaded {(now - last) / 3600:.1f} h ago (less than {min_hours:g} h): cached copy used"
        donors, recipients = _members(ctx)
        key = f"{'+'.join(donors)}.{'+'.join(recipients)}.206.USD.V+Q"
        url = f"{base_url()}/data/{DATAFLOW}/{key}"
        params = {"startPeriod": "1990", "dimensionAtObservation": "AllDimensions", "format": "csvfilewithlabels"}
        budget.take(now)
        resp = http.get(http.session(retries=2, backoff=2.0), url, params=params)
        from etl.parsers.oecd import parse_dac2a_csv

        parsed = parse_dac2a_csv(resp.content)  # refuse an unreadable body before it becomes the newest snapshot
        if parsed.frame.empty:  # an empty answer would replace every published flow with nothing
            raise SourceError(f"the DAC2A response has no data rows ({parsed.meta.get('rows_in_file', 0)} rows, "
                              f"{parsed.meta.get('rejected', 0)} rejected); not stored")
        snap = new_snapshot_dir(self._dir(ctx))
        try:
            store_bytes(snap / "dac2a.csv", resp.content, source_id=self.source_id, url=resp.url,
                        vintage=resp.headers.get("Last-Modified", ""), media_type="text/csv", **META)
            seal_snapshot(snap, {"key": key})
        except BaseException:
            shutil.rmtree(snap, ignore_errors=True)
            raise
        return f"downloaded {len(parsed.frame)} flows ({len(donors)} donors × {len(recipients)} recipients requested)"

    def transform(self, ctx: Context) -> Loaded:
        from etl.parsers.oecd import parse_dac2a_csv

        snaps = sealed_snapshots(self._dir(ctx))
        if not snaps:
            raise SourceError("no OECD DAC2A download in the raw zone yet (refresh online)")
        raw = list_raw_files(snaps[-1])[0]
        parsed = parse_dac2a_csv(raw.path.read_bytes())
        frame = parsed.frame.assign(**provenance(raw))
        return Loaded(
            source=source_row(raw, self.kind),
            raw_files=[raw],
            tables={"oda_flow": frame},
            rejected=[("oda_flow", parsed.rejected)] if len(parsed.rejected) else [],
            message=f"{len(frame)} donor→recipient flows",
        )
