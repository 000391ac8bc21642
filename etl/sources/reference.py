"""The ``reference`` source: countries, country groupings with membership over time, and the indicator catalogue.

Raw files are committed in ``data/raw/reference/`` (compiled by ``scripts/build_reference.py`` from country_converter,
a World Bank classification file and the groupings' defining documents; each file's origin says which). The
indicator catalogue is curated data in ``catalogue/`` (:mod:`etl.catalogue`), validated here at every build.
"""

from __future__ import annotations

import pandas as pd

from etl import catalogue
from etl.rawzone import list_raw_files
from etl.sources.base import Context, Loaded, Source, find, read_csv_raw, source_row


def _years(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("Int64")


class ReferenceSource(Source):
    source_id = "reference"
    kind = "bundled"
    description = "Countries, groupings (ASEAN, ASEAN+3, EAS, ARF, CICA, …) and the indicator catalogue"

    def transform(self, ctx: Context) -> Loaded:
        files = list_raw_files(ctx.paths.bundled_raw / "reference")
        countries_raw = find(files, "countries.csv")
        countries = read_csv_raw(countries_raw)
        groups = read_csv_raw(find(files, "country_groups.csv"))
        members = read_csv_raw(find(files, "country_group_members.csv"))
        members["joined_year"] = _years(members["joined_year"])
        members["left_year"] = _years(members["left_year"])
        cat = catalogue.load()
        indicators = catalogue.indicator_rows(cat, self.source_id)
        aliases = cat.aliases.rename(columns={})
        targets = read_csv_raw(find(files, "targets.csv"))  # MDG/SDG target catalogue (etl/progress.py)
        targets["higher_is_better"] = targets["higher_is_better"].str.lower().map({"true": True, "false": False})
        return Loaded(
            source=source_row(countries_raw, self.kind, title="Reference tables: countries, country groupings, indicator catalogue"),
            raw_files=files,
            tables={"country": countries, "country_group": groups, "country_group_member": members, "indicator": indicators,
                    "indicator_alias": aliases, "target": targets},
            message=f"{len(countries)} countries, {len(groups)} groups, {len(members)} memberships, {len(indicators)} indicators, {len(targets)} targets",
        )
