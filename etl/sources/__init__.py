"""The source registry: every source a refresh knows, in load order (reference first: the others refer to it),
plus the imported data sets found in the raw zone."""

from __future__ import annotations

from etl.config import Paths
from etl.sources.base import Source
from etl.sources.gapminder import GapminderSource
from etl.sources.hdr import HdrSource
from etl.sources.oecd import OecdDac2aSource
from etl.sources.paper import PaperSource
from etl.sources.reference import ReferenceSource
from etl.sources.worldbank import WorldBankSource


def registry(paths: Paths | None = None) -> list[Source]:
    static: list[Source] = [ReferenceSource(), PaperSource(), GapminderSource(), WorldBankSource(), HdrSource(), OecdDac2aSource()]
    if paths is None:
        return static
    from etl.imports import discover

    return static + discover(paths.raw, {s.source_id for s in static})

