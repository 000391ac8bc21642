"""Apply a table's pandera model lazily and split a frame into valid rows and rejected rows with reasons.

Row-level failures (a bad value, a duplicate key) reject only those rows — they go to the ``quarantine`` table with
the reason. Schema-level failures (a missing column, an empty frame where rows are required) raise
:class:`SchemaLevelError`, which stops that source's load and, for the whole build, the publish.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors

from schemas.models import MODELS


class SchemaLevelError(ValueError):
    """The frame as a whole does not fit the table (not a matter of a few bad rows)."""


@dataclass
class Validated:
    valid: pd.DataFrame
    rejected: pd.DataFrame  # columns: record (JSON text), reason

    @property
    def n_rejected(self) -> int:
        return len(self.rejected)


def _plain(value):
    if isinstance(value, (list, dict)):
        return value
    if pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _record_json(row: pd.Series) -> str:
    clean = {k: _plain(v) for k, v in row.items()}
    return json.dumps(clean, default=str, ensure_ascii=False, sort_keys=True)


def _describe(case: pd.Series) -> str:
    column = case.get("column")
    check = str(case.get("check"))
    value = case.get("failure_case")
    if check == "column_in_dataframe":
        return f"missing column {value!r}"
    where = f"column '{column}'" if isinstance(column, str) and column else "row"
    return f"{where} fails {check} (value: {value!r})"


def _failure_cases(exc: Exception) -> pd.DataFrame:
    if isinstance(exc, SchemaErrors):
        return exc.failure_cases
    return pd.DataFrame([{"column": getattr(exc.schema, "name", None), "check": str(exc.check), "failure_case": None, "index": None}])


def validate_frame(table: str, frame: pd.DataFrame) -> Validated:
    """Validate ``frame`` against the model of ``table``; return valid rows and rejected rows with reasons.

    Rows whose values cannot be coerced are rejected first; checks that could not run on such a column (they
    report no row) are then re-run on the remaining rows, so only a failure that is still there is schema-level.
    """
    model = MODELS[table]
    frame = frame.reset_index(drop=True)
    reasons: dict[int, list[str]] = {}
    remaining = frame
    for _ in range(3):
        try:
            valid = model.validate(remaining, lazy=True)
            break
        except (SchemaErrors, SchemaError) as exc:
            cases = _failure_cases(exc)
        row_cases = cases[cases["index"].notna()]
        schema_cases = cases[cases["index"].isna()]
        coerced_cols = set(row_cases.loc[row_cases["check"].astype(str).str.startswith("coerce_dtype"), "column"])
        blocking = schema_cases[~schema_cases["column"].isin(coerced_cols)]
        if not blocking.empty or row_cases.empty:
            problems = "; ".join(sorted({_describe(c) for _, c in (blocking if not blocking.empty else schema_cases).iterrows()}))
            raise SchemaLevelError(f"{table}: {problems}")
        for _, case in row_cases.iterrows():
            reasons.setdefault(int(case["index"]), []).append(_describe(case))
        remaining = frame.drop(index=sorted(reasons))
    else:
        raise SchemaLevelError(f"{table}: rows still invalid after rejecting {len(reasons)} rows")
    bad_index = sorted(reasons)
    rejected = pd.DataFrame(
        {
            "record": [_record_json(frame.loc[i]) for i in bad_index],
            "reason": ["; ".join(sorted(set(reasons[i]))) for i in bad_index],
        },
        columns=["record", "reason"],
    )
    return Validated(valid, rejected)


__all__ = ["SchemaLevelError", "Validated", "validate_frame", "pa"]
