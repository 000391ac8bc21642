"""The ``gapminder`` source: the Gapminder extract shipped inside plotly (life expectancy, GDP per capita,
population; 142 countries, 1952–2007), so comparison pages have real data on an air-gapped first run.

The file is located through importlib (plotly is never imported by the ETL) and copied into the raw zone with its
origin; a copy with the same sha256 is reused, so refreshes stay reproducible.
"""

from __future__ import annotations

import gzip
import importlib.metadata
import importlib.util
import io
from pathlib import Path

import pandas as pd

from etl.catalogue import load as load_catalogue
from etl.countries import resolve_names
from etl.mapping import map_connector
from etl.rawzone import RawFile, read_origin, sha256_file, store_bytes
from etl.sources.base import Context, Loaded, Source, SourceError, provenance, source_row

COLUMNS = ("lifeExp", "gdpPercap", "pop")  # which catalogue indicator each is: catalogue/series.csv (dataset gapminder)
FILE_NAME = "gapminder.csv.gz"


def packaged_file() -> Path:
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise SourceError("plotly is not installed, so its Gapminder extract is not available")
    path = Path(list(spec.submodule_search_locations)[0]) / "package_data" / "datasets" / FILE_NAME
    if not path.exists():
        raise SourceError(f"the installed plotly does not ship {FILE_NAME}")
    return path


def _identify_countries(frame: pd.DataFrame) -> pd.DataFrame:
    """Use the extract's ``iso_alpha`` unless two Gapminder names share one code (plotly's extract codes
    "Korea, Dem. Rep." as KOR, South Korea's code): then identify those rows by name and flag them."""
    frame = frame.copy()
    frame["iso3"] = frame["iso_alpha"]
    frame["flag"] = None
    names_per_code = frame.groupby("iso_alpha")["country"].nunique()
    shared = names_per_code[names_per_code > 1].index
    clash = frame["iso_alpha"].isin(shared)
    if clash.any():
        resolved = resolve_names(frame.loc[clash, "country"].unique()).set_index("name")["iso3"]
        by_name = frame.loc[clash, "country"].map(resolved)
        differs = by_name.notna() & (by_name != frame.loc[clash, "iso_alpha"])
        idx = by_name[differs].index
        frame.loc[idx, "iso3"] = by_name[differs]
        frame.loc[idx, "flag"] = (
            "identifier corrected: the plotly extract codes '" + frame.loc[idx, "country"] + "' as "
            + frame.loc[idx, "iso_alpha"] + "; identified by its Gapminder name instead (values unchanged)"
        )
    return frame


class GapminderSource(Source):
    source_id = "gapminder"
    kind = "package"
    description = "Gapminder extract shipped with plotly: life expectancy, GDP per capita, population 1952–2007"

    def _target(self, ctx: Context) -> Path:
        return ctx.paths.raw / self.source_id / FILE_NAME

    def extract(self, ctx: Context) -> str:
        src = packaged_file()
        target = self._target(ctx)
        if target.exists() and sha256_file(target) == sha256_file(src):
            return "packaged extract unchanged"
        if target.exists():  # a newer plotly ships a different file: keep the old one under its own name
            old = read_origin(target, verify=False)
            target.rename(target.with_name(f"gapminder-{old.sha256[:12]}.csv.gz"))
            Path(str(target) + ".origin.json").rename(target.with_name(f"gapminder-{old.sha256[:12]}.csv.gz.origin.json"))
        version = importlib.metadata.version("plotly")
        store_bytes(
            target,
            src.read_bytes(),
            source_id=self.source_id,
            publisher="Gapminder Foundation (extract redistributed in the plotly Python package)",
            title="Gapminder: life expectancy, GDP per capita and population, 142 countries, 1952–2007",
            url="https://www.gapminder.org/data/",
            licence="CC BY 4.0 (Gapminder); redistributed in plotly under MIT",
            citation="Gapminder Foundation, gapminder.org; extract as distributed in plotly.py (plotly.express.data.gapminder).",
            vintage=f"plotly {version} package data (Gapminder extract, data to 2007)",
            notes=f"Copied from {src}",
        )
        return f"copied the extract shipped with plotly {version}"

    def transform(self, ctx: Context) -> Loaded:
        target = self._target(ctx)
        if not target.exists():
            raise SourceError("no Gapminder extract in the raw zone; run a refresh with the gapminder source")
        raw = RawFile(target, read_origin(target))
        frame = pd.read_csv(io.BytesIO(gzip.decompress(target.read_bytes())), keep_default_na=False, na_values=[""])
        frame = _identify_countries(frame)
        long = frame.melt(id_vars=["iso3", "year", "country", "flag"], value_vars=list(COLUMNS), var_name="var", value_name="value")
        observation = pd.DataFrame(
            {
                "iso3": long["iso3"],
                "indicator_code": long["var"],
                "year": long["year"],
                "value": long["value"],
                "note": "Gapminder country: " + long["country"],
                "flag": long["flag"],
                **provenance(raw),
            }
        )
        observation, rejected, series = map_connector(observation, "gapminder", load_catalogue(), self.source_id)
        return Loaded(
            source=source_row(raw, self.kind),
            raw_files=[raw],
            tables={"observation": observation, "series_map": series},
            rejected=[("observation", rejected)] if len(rejected) else [],
            message=f"{frame['iso_alpha'].nunique()} countries, {frame['year'].min()}–{frame['year'].max()}",
        )
