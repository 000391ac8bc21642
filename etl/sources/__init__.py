"""The source registry: every source a refresh knows, in load order (reference first: the others refer to it)."""

from __future__ import annotations

from etl.sources.base import Source
from etl.sources.gapminder import GapminderSource
from etl.sources.paper import PaperSource
from etl.sources.reference import ReferenceSource
from etl.sources.worldbank import WorldBankSource


def registry() -> list[Source]:
    return [ReferenceSource(), PaperSource(), GapminderSource(), WorldBankSource()]


def by_id() -> dict[str, Source]:
    return {s.source_id: s for s in registry()}
