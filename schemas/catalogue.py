"""Pandera models of the curated catalogue files (``catalogue/*.csv``): what a reviewable row must say.

The catalogue is data, not code: ``indicators.csv`` (canonical indicators with name, unit, unit kind, direction,
definition, reporting floor, valid range, MDG/SDG links, caveats), ``series.csv`` (which source column or code *is*
which canonical indicator, with factor, role, the reason and who says so) and ``unit_kinds.csv`` (defaults per unit
kind: plausible range and the tolerance within which two sources agree). Validated at every build; imports neither
streamlit, plotly nor requests.
"""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from schemas.models import THEMES

CODE = r"^[A-Za-z0-9_.:-]+$"
RELATIONS = ["same", "asserted", "separate", "skip"]
ROLES = ["publisher", "aggregator"]


class UnitKindModel(pa.DataFrameModel):
    unit_kind: Series[str] = pa.Field(unique=True, str_matches=r"^[a-z0-9_]+$")
    description: Series[str] = pa.Field(str_length={"min_value": 5})
    valid_min: Series[float] = pa.Field(nullable=True)
    valid_max: Series[float] = pa.Field(nullable=True)
    abs_tolerance: Series[float] = pa.Field(ge=0)
    rel_tolerance: Series[float] = pa.Field(ge=0, le=0.5)
    reason: Series[str] = pa.Field(str_length={"min_value": 5})
    max_step: Series[float] = pa.Field(nullable=True, gt=0)  # a larger change between consecutive years is flagged
    max_ratio: Series[float] = pa.Field(nullable=True, gt=1)  # … or a larger factor (both values of one sign)
    jump_floor: Series[float] = pa.Field(nullable=True, ge=0)  # values below it are not compared by factor
    jump_reason: Series[str] = pa.Field(str_length={"min_value": 5})

    @pa.dataframe_check(element_wise=False)
    @classmethod
    def range_has_reason(cls, df):
        """A unit kind with a valid range says why (the reason), and its bounds are ordered."""
        ordered = df["valid_min"].isna() | df["valid_max"].isna() | (df["valid_min"] < df["valid_max"])
        return ordered & df["reason"].fillna("").str.len().ge(5)

    class Config:
        strict = True
        coerce = True


class CatalogueIndicatorModel(pa.DataFrameModel):
    indicator_code: Series[str] = pa.Field(unique=True, str_matches=CODE)
    name: Series[str] = pa.Field(str_length={"min_value": 3})
    short_name: Series[str] = pa.Field(str_length={"min_value": 2, "max_value": 60})
    unit: Series[str] = pa.Field(str_length={"min_value": 1})
    unit_kind: Series[str]
    higher_is_better: Series[pa.BOOL] = pa.Field(nullable=True)
    direction_note: Series[str] = pa.Field(nullable=True)
    theme: Series[str] = pa.Field(isin=THEMES)
    definition: Series[str] = pa.Field(str_length={"min_value": 10})
    reporting_floor: Series[float] = pa.Field(nullable=True)
    floor_note: Series[str] = pa.Field(nullable=True)
    valid_min: Series[float] = pa.Field(nullable=True)
    valid_max: Series[float] = pa.Field(nullable=True)
    goals: Series[str] = pa.Field(nullable=True)
    caveats: Series[str] = pa.Field(nullable=True)
    source_hint: Series[str] = pa.Field(nullable=True)
    related_indicator: Series[str] = pa.Field(nullable=True, str_matches=CODE)

    @pa.dataframe_check(element_wise=False)
    @classmethod
    def range_ordered(cls, df):
        """An indicator's own valid range (overriding its unit kind's) has its lower bound below its upper bound."""
        return df["valid_min"].isna() | df["valid_max"].isna() | (df["valid_min"] < df["valid_max"])

    @pa.dataframe_check(element_wise=False)
    @classmethod
    def direction_or_reason(cls, df):
        """Every indicator says which direction is better, or why neither is."""
        return df["higher_is_better"].notna() | df["direction_note"].fillna("").str.len().gt(10)

    @pa.dataframe_check(element_wise=False)
    @classmethod
    def name_is_not_the_code(cls, df):
        return df["name"] != df["indicator_code"]

    @pa.dataframe_check(element_wise=False)
    @classmethod
    def floor_has_a_note(cls, df):
        return df["reporting_floor"].isna() | df["floor_note"].fillna("").str.len().gt(10)

    class Config:
        strict = True
        coerce = True


class SeriesMapModel(pa.DataFrameModel):
    dataset: Series[str] = pa.Field(str_matches=r"^[a-z0-9-]+(:[^\s].*)?$")
    column: Series[str] = pa.Field(str_length={"min_value": 1})
    indicator_code: Series[str] = pa.Field(str_matches=r"^(\*|[A-Za-z0-9_.:-]+)$")
    relation: Series[str] = pa.Field(isin=RELATIONS)
    role: Series[str] = pa.Field(isin=ROLES)
    factor: Series[float] = pa.Field(gt=0)
    reporting_floor: Series[float] = pa.Field(nullable=True, ge=0)  # this source's floor when it differs from the indicator's
    definition_difference: Series[str] = pa.Field(nullable=True)
    reason: Series[str] = pa.Field(str_length={"min_value": 10})
    authority: Series[str] = pa.Field(str_length={"min_value": 3})
    note: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(element_wise=False)
    @classmethod
    def one_row_per_column(cls, df):
        return ~df.duplicated(["dataset", "column"], keep=False)

    class Config:
        strict = True
        coerce = True
