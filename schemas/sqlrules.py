"""The row rules of a pandera model (``schemas.models``) as SQL predicates, for frames too large for pandas.

Owns translating a model's column checks (``str_matches``, ``str_length``, ``ge``/``le``/``in_range``, ``isin``,
the custom ``finite`` check, ``nullable=False``) into boolean SQL expressions whose failure text is the one
:func:`schemas.validate.validate_frame` gives for the same row ("column 'iso3' fails str_matches('^[A-Z]{3}$')
(value: 'KH')"). A check it cannot translate raises :class:`Untranslatable`, so a caller never silently skips a
rule. Pure text: imports no database driver.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.models import MODELS


class Untranslatable(ValueError):
    """A model check has no SQL equivalent here: validate that table with pandera instead."""


@dataclass(frozen=True)
class Rule:
    column: str
    ok: str  # SQL boolean: true when the row passes (NULL counts as failing)
    text: str  # pandera's name of the check, e.g. "str_matches('^[A-Z]{3}$')"
    is_text: bool  # the column holds text (its value is quoted in the reason, as repr() does)


# pandera's comparison checks: SQL operator and the statistic holding the bound
COMPARISONS = {"greater_than_or_equal_to": (">=", "min_value"), "less_than_or_equal_to": ("<=", "max_value"),
               "greater_than": (">", "min_value"), "less_than": ("<", "max_value")}

def _lit(value) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    raise Untranslatable(f"literal {value!r}")


def _check_sql(col: str, name: str, stats: dict) -> str:
    q = f'"{col}"'
    if name == "str_matches":
        return f"regexp_matches({q}, {_lit(stats['pattern'])})"
    if name == "str_length":
        parts = []
        if stats.get("exact_value") is not None:
            parts.append(f"length({q}) = {int(stats['exact_value'])}")
        if stats.get("min_value") is not None:
            parts.append(f"length({q}) >= {int(stats['min_value'])}")
        if stats.get("max_value") is not None:
            parts.append(f"length({q}) <= {int(stats['max_value'])}")
        return " AND ".join(parts) or "true"
    if name in COMPARISONS:
        op, bound = COMPARISONS[name]
        return f"{q} {op} {_lit(stats[bound])}"
    if name == "isin":
        return f"{q} IN ({', '.join(_lit(v) for v in stats['allowed_values'])})"
    if name == "finite":
        return f"isfinite({q})"
    raise Untranslatable(f"check {name} on column {col}")


def row_rules(table: str) -> list[Rule]:
    """Every row-level rule of ``table``'s model, sorted as validate_frame sorts its reasons."""
    schema = MODELS[table].to_schema()
    rules = []
    for col, column in schema.columns.items():
        is_text = "string" in str(column.dtype) or str(column.dtype) in ("str", "object")
        if not column.nullable:
            rules.append(Rule(col, f'"{col}" IS NOT NULL', "not_nullable", is_text))
        for check in column.checks:
            sql = _check_sql(col, check.name, check.statistics or {})
            rules.append(Rule(col, f"coalesce({sql}, {'true' if column.nullable else 'false'})",
                              check.error or check.name, is_text))
    return sorted(rules, key=lambda r: f"column '{r.column}' fails {r.text}")


def failure_sql(table: str, skip: tuple[str, ...] = ()) -> str:
    """One SQL text expression: NULL when the row passes every rule, else the reasons joined by "; ". Columns in
    ``skip`` (e.g. one value for every row, checked once by the caller) are left out."""
    parts = []
    for r in row_rules(table):
        if r.column in skip:
            continue
        value = (f"'''' || \"{r.column}\" || ''''" if r.is_text else f"\"{r.column}\"::VARCHAR")
        text = _lit(f"column '{r.column}' fails {r.text} (value: ")
        parts.append(f"CASE WHEN NOT ({r.ok}) THEN {text} || coalesce({value}, 'None') || ')' END")
    return f"nullif(concat_ws('; ', {', '.join(parts)}), '')" if parts else "NULL"
