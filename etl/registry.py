"""The source registry: every source a refresh knows, in load order — the connector sources (each module of
:mod:`etl.sources` that defines a :class:`~etl.sources.base.Source` subclass with a ``source_id``; reference first, the
others refer to it), the bundled starter set (``data/raw/starter/``), then the data sets imported into the raw zone."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from etl import sources as sources_pkg
from etl.config import Paths
from etl.sources.base import Source
from etl.sources.imported import discover

STARTER_DIR = "starter"


def connector_sources() -> list[Source]:
    """One instance of every Source subclass defined in the modules of etl.sources (reference first)."""
    found: dict[str, Source] = {}
    for mod in pkgutil.iter_modules(sources_pkg.__path__):
        module = importlib.import_module(f"{sources_pkg.__name__}.{mod.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Source) and cls.__module__ == module.__name__ and cls.source_id:
                found[cls.source_id] = cls()
    return sorted(found.values(), key=lambda s: (s.source_id != "reference", s.source_id != "paper", s.source_id))


def registry(paths: Paths | None = None) -> list[Source]:
    static = connector_sources()
    if paths is None:
        return static
    known = {s.source_id for s in static}
    starters = discover(paths.bundled_raw / STARTER_DIR, known, kind="starter")
    known |= {s.source_id for s in starters}
    return static + starters + discover(paths.raw, known | {STARTER_DIR})
