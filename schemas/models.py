"""Pandera models, one per warehouse table: the row-level rules a frame must meet before it is loaded.

The DDL in ``warehouse.sql`` fixes the columns and keys; these models add the value rules (ISO3 shape, year range,
finite numbers, allowed vocabularies). Imports neither streamlit, plotly nor requests.
"""

from __future__ import annotations

import pandera.pandas as pa

from pandera.typing import Series

ISO3 = r"^[A-Z]{3}$"
ISO_DATETIME = r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$"
SHA256 = r"^[0-9a-f]{64}$"
THEMES = ["freedom_from_want", "freedom_from_fear", "dignity", "environment", "context"]
GROUP_KINDS = ["intergovernmental", "geographic", "analytical", "donor_club"]
SOURCE_KINDS = ["bundled", "package", "live", "import", "starter"]
UNIT_KINDS = ["percent", "per_1000", "per_100000", "index_0_1", "index_0_100", "ratio", "count", "usd", "years", "tonnes", "rank"]
SERIES_RELATIONS = ["same", "asserted", "separate", "unmapped", "user"]
DATE = r"^\d{4}-\d{2}-\d{2}$"
TFHS_CATEGORIES = ["poverty", "health", "drug", "refugees", "crime", "conflict", "disaster", "environment", "others"]
TARGET_RULES = ["relative_reduction", "absolute_max", "absolute_min", "eliminate"]
RUN_STATUSES = ["ok", "failed", "kept", "skipped", "unchanged"]


class _Strict(pa.DataFrameModel):
    class Config:
        strict = "filter"  # extra columns are dropped, missing ones are a schema-level error
        coerce = True


class SourceModel(_Strict):
    source_id: Series[str] = pa.Field(unique=True, str_matches=r"^[a-z0-9][a-z0-9_.:-]*$")
    publisher: Series[str] = pa.Field(str_length={"min_value": 1})
    title: Series[str] = pa.Field(str_length={"min_value": 1})
    url: Series[str] = pa.Field(str_matches=r"^(https?://|file:|package:)")
    licence: Series[str] = pa.Field(str_length={"min_value": 1})
    citation: Series[str] = pa.Field(str_length={"min_value": 1})
    kind: Series[str] = pa.Field(isin=SOURCE_KINDS)
    vintage: Series[str] = pa.Field(nullable=True)
    vintage_date: Series[str] | None = pa.Field(nullable=True, str_matches=DATE)


class RawFileModel(_Strict):
    source_id: Series[str]
    path: Series[str]
    sha256: Series[str] = pa.Field(str_matches=SHA256)
    bytes: Series[int] = pa.Field(ge=0)
    retrieved_at: Series[str] = pa.Field(str_matches=ISO_DATETIME)
    url: Series[str]


class CountryModel(_Strict):
    iso3: Series[str] = pa.Field(unique=True, str_matches=ISO3)
    iso2: Series[str] = pa.Field(nullable=True, str_matches=r"^[A-Z0-9]{2}$")
    name: Series[str] = pa.Field(str_length={"min_value": 1})
    official_name: Series[str] = pa.Field(nullable=True)
    wb_region: Series[str] = pa.Field(nullable=True)
    wb_income_group: Series[str] = pa.Field(nullable=True)
    un_region: Series[str] = pa.Field(nullable=True)


class CountryClassificationModel(_Strict):
    iso3: Series[str] = pa.Field(unique=True, str_matches=ISO3)
    wb_region: Series[str] = pa.Field(nullable=True)
    wb_income_group: Series[str] = pa.Field(nullable=True)
    lending_type: Series[str] = pa.Field(nullable=True)
    source_id: Series[str]
    retrieved_at: Series[str] = pa.Field(str_matches=ISO_DATETIME)
    raw_sha256: Series[str] = pa.Field(str_matches=SHA256)


class CountryGroupModel(_Strict):
    group_id: Series[str] = pa.Field(unique=True, str_matches=r"^[a-z0-9_]+$")
    name: Series[str] = pa.Field(str_length={"min_value": 1})
    kind: Series[str] = pa.Field(isin=GROUP_KINDS)
    definition_source: Series[str] = pa.Field(str_length={"min_value": 1})
    description: Series[str] = pa.Field(nullable=True)


class CountryGroupMemberModel(_Strict):
    group_id: Series[str]
    iso3: Series[str] = pa.Field(str_matches=ISO3)
    joined_year: Series[pa.Int64] = pa.Field(nullable=True, ge=1900, le=2100)
    left_year: Series[pa.Int64] = pa.Field(nullable=True, ge=1900, le=2100)
    note: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(element_wise=False)
    @classmethod
    def left_after_joined(cls, df):
        return df["left_year"].isna() | df["joined_year"].isna() | (df["left_year"] >= df["joined_year"])

    class Config(_Strict.Config):
        unique = ["group_id", "iso3"]


class IndicatorModel(_Strict):
    indicator_code: Series[str] = pa.Field(unique=True, str_matches=r"^[A-Za-z0-9_.:-]+$")
    name: Series[str] = pa.Field(str_length={"min_value": 1})
    unit: Series[str] = pa.Field(str_length={"min_value": 1})
    theme: Series[str] = pa.Field(isin=THEMES)
    higher_is_better: Series[pa.BOOL] = pa.Field(nullable=True)
    description: Series[str] = pa.Field(str_length={"min_value": 1})
    source_hint: Series[str] = pa.Field(nullable=True)
    related_indicator: Series[str] = pa.Field(nullable=True)
    defined_by: Series[str]
    short_name: Series[str] | None = pa.Field(nullable=True)
    unit_kind: Series[str] | None = pa.Field(nullable=True, isin=UNIT_KINDS)
    direction_note: Series[str] | None = pa.Field(nullable=True)
    reporting_floor: Series[float] | None = pa.Field(nullable=True)
    floor_note: Series[str] | None = pa.Field(nullable=True)
    valid_min: Series[float] | None = pa.Field(nullable=True)
    valid_max: Series[float] | None = pa.Field(nullable=True)
    goals: Series[str] | None = pa.Field(nullable=True)
    caveats: Series[str] | None = pa.Field(nullable=True)
    curated: Series[pa.BOOL] | None = pa.Field(nullable=True)

    @pa.dataframe_check(element_wise=False)
    @classmethod
    def name_is_not_the_code(cls, df):
        """A raw code is never shown as a name."""
        return df["name"] != df["indicator_code"]


class IndicatorAliasModel(_Strict):
    old_code: Series[str] = pa.Field(unique=True, str_matches=r"^[A-Za-z0-9_.:-]+$")
    indicator_code: Series[str] = pa.Field(str_matches=r"^[A-Za-z0-9_.:-]+$")
    reason: Series[str] = pa.Field(str_length={"min_value": 5})


class SeriesMapRowModel(_Strict):
    source_id: Series[str]
    dataset: Series[str] = pa.Field(str_length={"min_value": 1})
    source_column: Series[str] = pa.Field(str_length={"min_value": 1})
    indicator_code: Series[str] = pa.Field(str_matches=r"^[A-Za-z0-9_.:-]+$")
    relation: Series[str] = pa.Field(isin=SERIES_RELATIONS)
    role: Series[str] = pa.Field(isin=["publisher", "aggregator"])
    factor: Series[float] = pa.Field(gt=0)
    reporting_floor: Series[float] | None = pa.Field(nullable=True)
    definition_difference: Series[str] = pa.Field(nullable=True)
    reason: Series[str] = pa.Field(nullable=True)
    authority: Series[str] = pa.Field(nullable=True)
    origin: Series[str] = pa.Field(isin=["catalogue", "user", "metadata"])
    caveats: Series[str] | None = pa.Field(nullable=True)
    rows_loaded: Series[int] = pa.Field(ge=0)

    class Config(_Strict.Config):
        unique = ["source_id", "source_column"]


class TargetModel(_Strict):
    target_id: Series[str] = pa.Field(unique=True, str_matches=r"^(mdg|sdg)-[a-z0-9.-]+$")
    framework: Series[str] = pa.Field(isin=["MDG", "SDG"])
    goal: Series[int] = pa.Field(ge=1, le=17)
    target_code: Series[str] = pa.Field(str_matches=r"^\d{1,2}\.[0-9A-Za-z]+$")
    label: Series[str] = pa.Field(str_length={"min_value": 1})
    indicator_code: Series[str] = pa.Field(str_matches=r"^[A-Za-z0-9_.:-]+$")
    alt_indicator_codes: Series[str] = pa.Field(nullable=True, str_matches=r"^[A-Za-z0-9_.:-]+(;[A-Za-z0-9_.:-]+)*$")
    official_indicator: Series[str] = pa.Field(str_length={"min_value": 1})
    baseline_year: Series[int] = pa.Field(ge=1950, le=2100)
    target_year: Series[int] = pa.Field(ge=1950, le=2100)
    rule: Series[str] = pa.Field(isin=TARGET_RULES)
    rule_value: Series[float] = pa.Field(ge=0)
    higher_is_better: Series[pa.BOOL]
    shortfall_of: Series[float] = pa.Field(nullable=True, gt=0)
    baseline_window: Series[int] = pa.Field(ge=0, le=10)
    official_wording: Series[str] = pa.Field(str_length={"min_value": 10})
    reference: Series[str] = pa.Field(str_length={"min_value": 5})
    wording_note: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(element_wise=False)
    @classmethod
    def target_after_baseline(cls, df):
        return df["target_year"] > df["baseline_year"]

    @pa.dataframe_check(element_wise=False)
    @classmethod
    def relative_reduction_is_a_share(cls, df):
        return (df["rule"] != "relative_reduction") | ((df["rule_value"] > 0) & (df["rule_value"] < 1))


class ObservationModel(_Strict):
    iso3: Series[str] = pa.Field(str_matches=ISO3)
    indicator_code: Series[str] = pa.Field(str_length={"min_value": 1})
    year: Series[int] = pa.Field(ge=1700, le=2100)
    value: Series[float] = pa.Field(nullable=False, ignore_na=False)
    source_id: Series[str]
    retrieved_at: Series[str] = pa.Field(str_matches=ISO_DATETIME)
    raw_sha256: Series[str] = pa.Field(str_matches=SHA256)
    note: Series[str] = pa.Field(nullable=True)
    flag: Series[str] = pa.Field(nullable=True)

    @pa.check("value", name="finite")
    @classmethod
    def finite(cls, series):
        return series.abs() < float("inf")

    class Config(_Strict.Config):
        unique = ["iso3", "indicator_code", "year", "source_id"]


class PaperFigureModel(_Strict):
    figure_id: Series[str] = pa.Field(unique=True, str_matches=r"^soh2008-\d{2}$")
    subject_kind: Series[str] = pa.Field(isin=["country", "group", "donor", "fund", "global", "organisation"])
    subject: Series[str]
    iso3: Series[str] = pa.Field(nullable=True, str_matches=ISO3)
    topic: Series[str]
    theme: Series[str] = pa.Field(isin=THEMES)
    measure: Series[str]
    value: Series[float]
    value_high: Series[float] = pa.Field(nullable=True)
    unit: Series[str]
    qualifier: Series[str] = pa.Field(nullable=True)
    period: Series[str] = pa.Field(nullable=True)
    year: Series[pa.Int64] = pa.Field(nullable=True, ge=1900, le=2100)
    value_text: Series[str] = pa.Field(str_length={"min_value": 1})
    quote: Series[str] = pa.Field(str_length={"min_value": 5})
    section: Series[str]
    footnote: Series[str] = pa.Field(nullable=True)
    cited_source: Series[str] = pa.Field(str_length={"min_value": 1})
    indicator_code: Series[str] = pa.Field(nullable=True)
    flag: Series[str] = pa.Field(nullable=True)
    note: Series[str] = pa.Field(nullable=True)
    source_id: Series[str]
    retrieved_at: Series[str] = pa.Field(str_matches=ISO_DATETIME)
    raw_sha256: Series[str] = pa.Field(str_matches=SHA256)


class TfhsProjectCountModel(_Strict):
    as_of: Series[str] = pa.Field(str_matches=r"^\d{4}(-\d{2})?$")
    region: Series[str]
    category: Series[str] = pa.Field(isin=["all", *TFHS_CATEGORIES])
    projects: Series[int] = pa.Field(ge=0)
    figure_id: Series[str]
    source_id: Series[str]
    retrieved_at: Series[str] = pa.Field(str_matches=ISO_DATETIME)
    raw_sha256: Series[str] = pa.Field(str_matches=SHA256)

    class Config(_Strict.Config):
        unique = ["as_of", "region", "category", "source_id"]


class OdaFlowModel(_Strict):
    donor: Series[str] = pa.Field(str_length={"min_value": 1})
    recipient: Series[str] = pa.Field(str_length={"min_value": 1})
    year: Series[int] = pa.Field(ge=1950, le=2100)
    measure: Series[str]
    amount_usd: Series[float]
    price_basis: Series[str] = pa.Field(isin=["current", "constant"])
    note: Series[str] = pa.Field(nullable=True)
    source_id: Series[str]
    retrieved_at: Series[str] = pa.Field(str_matches=ISO_DATETIME)
    raw_sha256: Series[str] = pa.Field(str_matches=SHA256)

    class Config(_Strict.Config):
        unique = ["donor", "recipient", "year", "measure", "price_basis", "source_id"]


class TfhsProjectModel(_Strict):
    project_id: Series[str] = pa.Field(str_length={"min_value": 1})
    title: Series[str] = pa.Field(str_length={"min_value": 1})
    countries: Series[str] = pa.Field(nullable=True, str_matches=r"^[A-Z]{3}(;[A-Z]{3})*$")
    region: Series[str]
    lead_agency: Series[str] = pa.Field(nullable=True)
    category: Series[str] = pa.Field(isin=TFHS_CATEGORIES)
    start_date: Series[str] = pa.Field(nullable=True)
    end_date: Series[str] = pa.Field(nullable=True)
    budget_usd: Series[float] = pa.Field(nullable=True, ge=0)
    source_url: Series[str]
    source_id: Series[str]
    retrieved_at: Series[str] = pa.Field(str_matches=ISO_DATETIME)
    raw_sha256: Series[str] = pa.Field(str_matches=SHA256)

    class Config(_Strict.Config):
        unique = ["project_id", "source_id"]


class EtlRunModel(_Strict):
    run_id: Series[str]
    source_id: Series[str]
    started_at: Series[str] = pa.Field(str_matches=ISO_DATETIME)
    finished_at: Series[str] = pa.Field(str_matches=ISO_DATETIME)
    status: Series[str] = pa.Field(isin=RUN_STATUSES)
    rows_loaded: Series[int] = pa.Field(ge=0)
    rows_quarantined: Series[int] = pa.Field(ge=0)
    message: Series[str] = pa.Field(nullable=True)


class QuarantineModel(_Strict):
    run_id: Series[str]
    source_id: Series[str]
    table: Series[str]
    record: Series[str]
    reason: Series[str] = pa.Field(str_length={"min_value": 1})


MODELS: dict[str, type[pa.DataFrameModel]] = {
    "source": SourceModel,
    "raw_file": RawFileModel,
    "country": CountryModel,
    "country_classification": CountryClassificationModel,
    "country_group": CountryGroupModel,
    "country_group_member": CountryGroupMemberModel,
    "indicator": IndicatorModel,
    "indicator_alias": IndicatorAliasModel,
    "series_map": SeriesMapRowModel,
    "target": TargetModel,
    "observation": ObservationModel,
    "paper_figure": PaperFigureModel,
    "tfhs_project_count": TfhsProjectCountModel,
    "oda_flow": OdaFlowModel,
    "tfhs_project": TfhsProjectModel,
    "etl_run": EtlRunModel,
    "quarantine": QuarantineModel,
}
