"""The ``wdi`` source: World Bank Indicators API v2, every series the indicator catalogue marks ``source_hint=wdi``,
for all economies.

Extract: for each series a one-row probe reads ``lastupdated`` and ``total``; when both equal the last download's,
the series is skipped (the data vintage has not changed). Otherwise all pages are fetched into a new raw snapshot,
each page parsed on arrival (API error forms raise) and the rows received checked against ``total``. The snapshot
becomes visible only when sealed. Transform: each series is read from the newest snapshot that holds it, so a
failed or partial download never loses the last good data. Base URL: ``HSDASH_WB_BASE_URL``.
"""

from __future__ import annotations

import json
import os
import shutil

import pandas as pd

from etl import http
from etl.catalogue import load as load_catalogue
from etl.mapping import map_connector
from etl.vintage import to_date
from etl.parsers.worldbank import check_total, parse_country_metadata, parse_indicator_page
from etl.rawzone import MANIFEST, list_raw_files, new_snapshot_dir, seal_snapshot, sealed_snapshots, store_bytes
from etl.sources.base import Context, Loaded, Source, SourceError, provenance, source_row

DEFAULT_BASE = "https://api.worldbank.org/v2"
PER_PAGE = 10000  # HSDASH_WB_PER_PAGE overrides (tests page through small responses)
META = dict(
    publisher="World Bank",
    title="World Development Indicators (World Bank Indicators API v2)",
    licence="CC BY 4.0",
    citation="World Bank, World Development Indicators, via the Indicators API v2 (https://api.worldbank.org/v2).",
)


def base_url() -> str:
    return os.environ.get("HSDASH_WB_BASE_URL", DEFAULT_BASE).rstrip("/")


def catalogue_codes(ctx: Context | None = None) -> list[str]:
    """The series to fetch: the catalogue's rows with source_hint ``wdi`` (the list lives in data, not code)."""
    from etl.catalogue import load

    cat = load().indicators
    return sorted(cat.loc[cat["source_hint"] == "wdi", "indicator_code"].tolist())


def _manifests(source_dir) -> list[tuple[object, dict]]:
    out = []
    for snap in reversed(sealed_snapshots(source_dir)):  # newest first
        out.append((snap, json.loads((snap / MANIFEST).read_text(encoding="utf-8"))))
    return out


def latest_vintages(source_dir) -> dict[str, dict]:
    """Per series, the manifest entry of the newest snapshot that holds it."""
    seen: dict[str, dict] = {}
    for snap, manifest in _manifests(source_dir):
        for code, info in manifest.get("indicators", {}).items():
            seen.setdefault(code, {**info, "snapshot": snap})
    return seen


class WorldBankSource(Source):
    source_id = "wdi"
    kind = "live"
    description = "World Bank World Development Indicators (API v2), all economies"

    def _dir(self, ctx: Context):
        return ctx.paths.raw / self.source_id

    def _fetch_series(self, s, code: str, snap, previous: dict | None) -> dict | None:
        url = f"{base_url()}/country/all/indicator/{code}"
        probe = http.get(s, url, params={"format": "json", "per_page": 1, "page": 1})
        meta = parse_indicator_page(probe.content).meta
        if previous and previous.get("lastupdated") == meta.get("lastupdated") and previous.get("total") == meta.get("total"):
            return None
        received, page, pages = 0, 1, 1
        vintage = meta.get("lastupdated")
        while page <= pages:
            per_page = int(os.environ.get("HSDASH_WB_PER_PAGE", PER_PAGE))
            resp = http.get(s, url, params={"format": "json", "per_page": per_page, "page": page})
            parsed = parse_indicator_page(resp.content)
            pmeta = parsed.meta
            if not pmeta.get("total"):  # an empty answer must not replace the series' last good data
                raise ValueError(f"{code}: the API returned no data rows (total {pmeta.get('total')!r}); not stored")
            pages = int(pmeta.get("pages") or 0)
            received += int(pmeta.get("rows_received", 0))
            check_total(pmeta, received)
            store_bytes(snap / code / f"page-{page:03d}.json", resp.content, source_id=self.source_id, url=resp.url,
                        vintage=pmeta.get("lastupdated") or "", media_type="application/json", **META)
            vintage = pmeta.get("lastupdated") or vintage
            page += 1
        return {"lastupdated": vintage, "total": meta.get("total"), "pages": pages}

    def _fetch_countries(self, s, ctx: Context) -> str:
        """Country metadata (region, income group) into its own small sealed snapshot."""
        try:
            resp = http.get(s, f"{base_url()}/country", params={"format": "json", "per_page": 400})
            parsed = parse_country_metadata(resp.content)
        except (http.FetchError, ValueError) as exc:
            return f"country metadata not refreshed ({exc})"
        snap = new_snapshot_dir(self._dir(ctx))
        store_bytes(snap / "countries.json", resp.content, source_id=self.source_id, url=resp.url,
                    media_type="application/json", **{**META, "title": "World Bank country metadata (API v2 /country)"})
        seal_snapshot(snap, {"countries": len(parsed.frame)})
        pages = int(parsed.meta.get("pages") or 1)
        partial = f" (page 1 of {pages} only: the API ignored per_page=400)" if pages > 1 else ""
        return f"country metadata for {len(parsed.frame)} economies{partial}"

    def extract(self, ctx: Context) -> str:
        codes = catalogue_codes(ctx)
        previous = latest_vintages(self._dir(ctx))
        snap = new_snapshot_dir(self._dir(ctx))
        s = http.session()
        fetched, unchanged, failed = {}, [], {}
        try:
            for code in codes:
                try:
                    info = self._fetch_series(s, code, snap, previous.get(code))
                except http.FetchError as exc:
                    failed[code] = str(exc)
                    if "cannot reach" in str(exc) or "timed out" in str(exc):
                        for rest in codes[codes.index(code) + 1:]:
                            failed[rest] = "not tried: the API is unreachable"
                        break
                    continue
                except ValueError as exc:  # ParseError / WorldBankAPIError: a bad body for this series
                    shutil.rmtree(snap / code, ignore_errors=True)
                    failed[code] = str(exc)
                    continue
                if info is None:
                    unchanged.append(code)
                else:
                    fetched[code] = info
        finally:
            if fetched:
                seal_snapshot(snap, {"indicators": fetched, "failed": failed})
            else:
                shutil.rmtree(snap, ignore_errors=True)
        summary = f"{len(fetched)} series downloaded, {len(unchanged)} unchanged"
        if fetched or not any((p / "countries.json").exists() for p in sealed_snapshots(self._dir(ctx))):
            summary += "; " + self._fetch_countries(s, ctx)
        if failed:
            first = next(iter(failed.values()))
            raise SourceError(f"{summary}, {len(failed)} failed (first: {first})")
        return summary

    def transform(self, ctx: Context) -> Loaded:
        latest = latest_vintages(self._dir(ctx))
        if not latest:
            raise SourceError("no World Bank download in the raw zone yet (run `hsdash refresh --source wdi` online, "
                              "or `hsdash import` a WDI bulk file)")
        frames, rejected, files = [], [], []
        aggregates = nulls = 0
        for code, info in sorted(latest.items()):
            for raw in list_raw_files(info["snapshot"] / code):
                parsed = parse_indicator_page(raw.path.read_bytes())
                files.append(raw)
                aggregates += parsed.meta.get("aggregates", 0)
                nulls += parsed.meta.get("null_values", 0)
                frames.append(parsed.frame.assign(**provenance(raw)))
                keep = ~parsed.rejected["reason"].str.startswith("aggregate:")
                if keep.any():
                    rejected.append(parsed.rejected[keep])
        observation = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        observation, unmapped, series = map_connector(observation, "wdi", load_catalogue(), self.source_id)
        if len(unmapped):
            rejected.append(unmapped)
        tables = {"observation": observation, "series_map": series}
        countries = [p / "countries.json" for p in reversed(sealed_snapshots(self._dir(ctx))) if (p / "countries.json").exists()]
        if countries:
            raw = next(r for r in list_raw_files(countries[0].parent) if r.path.name == "countries.json")
            meta = parse_country_metadata(raw.path.read_bytes()).frame
            tables["country_classification"] = meta[~meta["is_aggregate"]].assign(**provenance(raw))
            files.append(raw)
        vintages = sorted({str(i.get("lastupdated")) for i in latest.values()})
        loaded = Loaded(
            source=source_row(files[0], self.kind, vintage=f"lastupdated {vintages[-1]}" if vintages else None,
                              vintage_date=to_date(vintages[-1]) if vintages else None),
            raw_files=files,
            tables=tables,
            rejected=[("observation", pd.concat(rejected, ignore_index=True))] if rejected else [],
            message=f"{len(latest)} series, {len(observation)} values; {aggregates} aggregate rows and {nulls} empty values not loaded",
        )
        return loaded
