"""The founding paper's figures for one country beside the nearest public value of the same measure: one table,
shown on the Country profile and the Founding paper page."""

from __future__ import annotations

import pandas as pd

from dashboard import data
from dashboard.components import staff_table
from dashboard.components.staff_table import Col
from dashboard.labels import field_words, source_label, text_or

COLUMNS = {
    "name": Col("The paper's figure", 190), "year": Col("Year", 55, "year"),
    "paper_value": Col("Paper", 70, "number"),
    "public_name": Col("Public series", 150), "public_year": Col("Year", 55, "year"),
    "public_value": Col("Public value", 80, "number"), "source": Col("From", 120), "note": Col("Note", 220),
}


def show(beside: pd.DataFrame) -> None:
    """``beside`` (``data.paper_beside_public``) with each public value's source named and its notes in words."""
    names = data.source_names().set_index("source_id")
    beside = beside.assign(
        source=[source_label(names.loc[s, "title"], names.loc[s, "publisher"], names.loc[s, "kind"], s)
                if isinstance(s, str) and s in names.index else "" for s in beside["public_source"]],
        note=[field_words(" ".join(text_or(x, "") for x in pair).strip())
              for pair in zip(beside["public_note"], beside["flag"])])
    staff_table.show(beside, COLUMNS, max_lines=4)
