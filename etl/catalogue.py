"""The curated catalogue: canonical indicators, series mappings and unit kinds, read from ``catalogue/*.csv``.

Owns loading and validating those files (pandera models in ``schemas/catalogue.py`` plus cross-file checks) and
answering "which canonical indicator is this source column, with which factor, and who says so"
(:func:`lookup`). The files are the reviewable truth; nothing here encodes a measure.

Dataset keys name where a column comes from: ``owid:<dataset slug>``, ``owid-grapher:<chart slug>``,
``datapackage:<package name>``, ``csv:<file stem>``, and the connectors ``wdi``, ``wdi-bulk``, ``hdr``,
``gapminder``. A row with column ``*`` and indicator ``*`` says the source's own codes are catalogue codes.
``HSDASH_CATALOGUE_DIR`` points elsewhere (tests).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl.config import REPO_ROOT

ROLE_RANK = {"publisher": 1, "aggregator": 2}


class CatalogueError(ValueError):
    """A catalogue file is malformed or inconsistent (a build must not run on it)."""


@dataclass(frozen=True)
class Mapping:
    """How one source column becomes a canonical indicator."""

    dataset: str
    column: str
    indicator_code: str
    relation: str  # same | asserted | separate | skip
    role: str  # publisher | aggregator
    factor: float = 1.0
    definition_difference: str = ""
    reporting_floor: float | None = None
    reason: str = ""
    authority: str = ""
    origin: str = "catalogue"  # catalogue | user

    @property
    def rank(self) -> int:
        return ROLE_RANK[self.role]


@dataclass(frozen=True)
class Catalogue:
    indicators: pd.DataFrame
    series: pd.DataFrame
    unit_kinds: pd.DataFrame
    aliases: pd.DataFrame

    def known(self, code: str) -> bool:
        return code in self._codes

    @functools.cached_property
    def _codes(self) -> frozenset[str]:
        return frozenset(self.indicators["indicator_code"])

    @functools.cached_property
    def _series(self) -> dict[tuple[str, str], Mapping]:
        out = {}
        for row in self.series.itertuples(index=False):
            out[(row.dataset, row.column)] = Mapping(
                row.dataset, row.column, row.indicator_code, row.relation, row.role, float(row.factor),
                _text(row.definition_difference), None if pd.isna(row.reporting_floor) else float(row.reporting_floor),
                row.reason, row.authority)
        return out

    def lookup(self, dataset: str, column: str) -> Mapping | None:
        """The mapping of ``column`` in ``dataset``: its own row, else the dataset's identity row (``*``) when the
        column is itself a catalogue code, else None (an indicator the catalogue does not know)."""
        hit = self._series.get((dataset, column))
        if hit is not None:
            return hit
        ident = self._series.get((dataset, "*"))
        if ident is not None and self.known(column):
            return Mapping(dataset, column, column, ident.relation, ident.role, 1.0, "", None, ident.reason, ident.authority)
        return None

    def canonical(self, code: str) -> str:
        """An indicator code as used today: old codes (``catalogue/aliases.csv``) are translated."""
        return self._aliases.get(code, code)

    @functools.cached_property
    def _aliases(self) -> dict[str, str]:
        return dict(zip(self.aliases["old_code"], self.aliases["indicator_code"]))

    def search(self, text: str) -> pd.DataFrame:
        """Indicators whose code, name, short name or definition contain every word of ``text``."""
        hay = (self.indicators["indicator_code"] + " " + self.indicators["name"] + " " + self.indicators["short_name"]
               + " " + self.indicators["definition"]).str.lower()
        mask = pd.Series(True, index=hay.index)
        for word in str(text).lower().split():
            mask &= hay.str.contains(word, regex=False)
        return self.indicators[mask]


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def catalogue_dir() -> Path:
    return Path(os.environ.get("HSDASH_CATALOGUE_DIR", REPO_ROOT / "catalogue"))


def _read(folder: Path, name: str) -> pd.DataFrame:
    path = folder / name
    if not path.is_file():
        raise CatalogueError(f"catalogue file missing: {path}")
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")


def _validated(model, frame: pd.DataFrame, name: str) -> pd.DataFrame:
    from pandera.errors import SchemaErrors

    try:
        return model.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        lines = [f"{c.get('column')}: {c.get('check')} (value {c.get('failure_case')!r}, row {c.get('index')})"
                 for c in cases.head(20).to_dict("records")]
        raise CatalogueError(f"catalogue/{name} is invalid ({len(cases)} problem(s)): " + "; ".join(lines)) from exc


def _cross_checks(ind: pd.DataFrame, ser: pd.DataFrame, kinds: pd.DataFrame, aliases: pd.DataFrame) -> list[str]:
    codes = set(ind["indicator_code"])
    problems = []
    unknown_kind = sorted(set(ind["unit_kind"]) - set(kinds["unit_kind"]))
    if unknown_kind:
        problems.append(f"indicators.csv uses unit kinds not in unit_kinds.csv: {unknown_kind}")
    targets = set(ser.loc[ser["relation"] != "skip", "indicator_code"]) - {"*"}
    if targets - codes:
        problems.append(f"series.csv maps to indicators not in indicators.csv: {sorted(targets - codes)[:10]}")
    related = set(ind["related_indicator"].dropna()) - codes
    if related:
        problems.append(f"indicators.csv names related indicators that do not exist: {sorted(related)[:10]}")
    stale = set(aliases["old_code"]) & codes
    if stale:
        problems.append(f"aliases.csv renames codes that are still catalogue codes: {sorted(stale)}")
    if set(aliases["indicator_code"]) - codes:
        problems.append(f"aliases.csv points at unknown codes: {sorted(set(aliases['indicator_code']) - codes)}")
    return problems


@functools.lru_cache(maxsize=4)
def load(folder: str | None = None) -> Catalogue:
    """Read and validate the catalogue (cached per folder; ``load.cache_clear()`` after editing the files)."""
    from schemas.catalogue import CatalogueIndicatorModel, SeriesMapModel, UnitKindModel

    path = Path(folder) if folder else catalogue_dir()
    kinds = _validated(UnitKindModel, _read(path, "unit_kinds.csv"), "unit_kinds.csv")
    ind = _read(path, "indicators.csv")
    ind["higher_is_better"] = ind["higher_is_better"].str.lower().map({"true": True, "false": False})
    ind = _validated(CatalogueIndicatorModel, ind, "indicators.csv")
    ser = _validated(SeriesMapModel, _read(path, "series.csv"), "series.csv")
    aliases = _read(path, "aliases.csv")
    problems = _cross_checks(ind, ser, kinds, aliases)
    if problems:
        raise CatalogueError("; ".join(problems))
    return Catalogue(ind.reset_index(drop=True), ser.reset_index(drop=True), kinds.reset_index(drop=True), aliases)


def indicator_rows(cat: Catalogue, defined_by: str) -> pd.DataFrame:
    """The catalogue's indicators as ``indicator`` table rows, with unit-kind defaults for the valid range."""
    ind = cat.indicators.merge(cat.unit_kinds[["unit_kind", "valid_min", "valid_max"]].rename(
        columns={"valid_min": "kind_min", "valid_max": "kind_max"}), on="unit_kind", how="left")
    ind["valid_min"] = ind["valid_min"].fillna(ind["kind_min"])
    ind["valid_max"] = ind["valid_max"].fillna(ind["kind_max"])
    return ind.drop(columns=["kind_min", "kind_max"]).rename(columns={"definition": "description"}).assign(
        defined_by=defined_by, curated=True)
