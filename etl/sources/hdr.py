"""The ``hdr`` source: UNDP Human Development Report composite indices, complete time series (HDI, IHDI, GDI, GII
and their components), a static CSV with no API.

Extract downloads the current edition's file (``HSDASH_HDR_URL`` overrides the address) into a new snapshot unless
its sha256 equals the newest one's; ``hsdash import`` of a downloaded HDR file adds a snapshot the same way.
Transform loads the newest snapshot (latin-1 CSV, wide ``<stem>_<year>``; aggregate ``ZZ…`` rows reported).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil

from etl import http
from etl.rawzone import MANIFEST, list_raw_files, new_snapshot_dir, seal_snapshot, sealed_snapshots, store_bytes
from etl.sources.base import Context, Loaded, Source, SourceError
from etl.sources.imported import load_newest_good

DEFAULT_URL = "https://hdr.undp.org/sites/default/files/2025_HDR/HDR25_Composite_indices_complete_time_series.csv"
META = dict(
    publisher="United Nations Development Programme (UNDP), Human Development Report Office",
    title="Human Development Composite Indices, complete time series",
    licence="CC BY 3.0 IGO",
    citation="UNDP Human Development Report Office, Composite indices complete time series (HDI, IHDI, GDI, GII, PHDI).",
)


def hdr_url() -> str:
    return os.environ.get("HSDASH_HDR_URL", DEFAULT_URL)


class HdrSource(Source):
    source_id = "hdr"
    kind = "live"
    description = "UNDP HDR composite indices time series (HDI, IHDI, GDI, GII and components)"

    def extract(self, ctx: Context) -> str:
        folder = ctx.paths.raw / self.source_id
        newest = sealed_snapshots(folder)
        headers = {}
        if newest:  # conditional GET: the server answers 304 when the file has not changed
            manifest = json.loads((newest[-1] / MANIFEST).read_text(encoding="utf-8"))
            if manifest.get("etag"):
                headers["If-None-Match"] = manifest["etag"]
            if manifest.get("last_modified"):
                headers["If-Modified-Since"] = manifest["last_modified"]
        resp = http.get(http.session(), hdr_url(), headers=headers)
        if resp.status_code == 304:
            return "HDR file unchanged (HTTP 304 Not Modified)"
        if not resp.content.strip():
            raise SourceError("the HDR download is empty")
        if newest:
            digests = {f.origin.sha256 for f in list_raw_files(newest[-1])}
            if hashlib.sha256(resp.content).hexdigest() in digests:
                return "HDR file unchanged (same sha256)"
        from etl.parsers.hdr import parse_composite_csv

        parsed = parse_composite_csv(resp.content)  # refuse a file that does not parse before it becomes the newest
        if parsed.frame.empty:  # a header without rows would replace every HDR value with nothing
            raise SourceError(f"the HDR download has no data rows ({parsed.meta.get('rows_in_file', 0)} rows in the "
                              f"file, none with a value for a country); not stored")
        snap = new_snapshot_dir(folder)
        try:
            name = hdr_url().rsplit("/", 1)[-1] or "hdr.csv"
            store_bytes(snap / name, resp.content, source_id=self.source_id, url=hdr_url(),
                        vintage=resp.headers.get("Last-Modified", ""), media_type="text/csv", **META)
            seal_snapshot(snap, {"import_format": "hdr", "etag": resp.headers.get("ETag", ""),
                                 "last_modified": resp.headers.get("Last-Modified", "")})
        except BaseException:
            shutil.rmtree(snap, ignore_errors=True)
            raise
        return f"downloaded {len(resp.content):,} bytes"

    def transform(self, ctx: Context) -> Loaded:
        snaps = sealed_snapshots(ctx.paths.raw / self.source_id)
        if not snaps:
            raise SourceError("no HDR file in the raw zone yet (refresh online, or `hsdash import` the HDR CSV)")
        return load_newest_good(self.source_id, snaps, ctx, self.kind, "hdr")
