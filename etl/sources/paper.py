"""The ``paper`` source: every quantitative figure in Soh (2008), the founding paper, exactly as published.

Raw files (committed, hand-transcribed, quotes verified against the paper by tests/test_paper_figures.py):
``soh2008_figures.csv`` (all figures with section, footnote, cited source, flag), ``soh2008_tfhs_project_counts.csv``
(Trust Fund projects by region/category, Feb 2007) and ``soh2008_indicators.csv`` (definitions of the country
figures' indicators). Country figures with a year are also projected into ``observation`` so they sit beside the
public series; the rest stay in ``paper_figure`` only — no fake ISO codes.
"""

from __future__ import annotations

import pandas as pd

from etl.rawzone import list_raw_files
from etl.sources.base import Context, Loaded, Source, find, provenance, read_csv_raw, source_row


def _note(r) -> str:
    """Where the figure stands in the paper: section, footnote (when it has one) and the text as printed."""
    fn = "" if pd.isna(r["footnote"]) or not str(r["footnote"]).strip() else f", footnote {r['footnote']}"
    return f"Soh (2008) section {r['section'].split(' ')[0]}{fn}: “{r['value_text']}” ({r['figure_id']})"


class PaperSource(Source):
    source_id = "paper"
    kind = "bundled"
    description = "Soh (2008), GIARI Working Paper 2008-E-2: the founding paper's figures"

    def transform(self, ctx: Context) -> Loaded:
        files = list_raw_files(ctx.paths.bundled_raw / "paper")
        figures_raw = find(files, "soh2008_figures.csv")
        figures = read_csv_raw(figures_raw).assign(**provenance(figures_raw))
        for col in ("value", "value_high"):
            figures[col] = pd.to_numeric(figures[col])
        figures["year"] = pd.to_numeric(figures["year"]).astype("Int64")

        obs = figures[figures["indicator_code"].notna() & figures["iso3"].notna() & figures["year"].notna()]
        notes = obs.apply(_note, axis=1)
        observation = pd.DataFrame(
            {
                "iso3": obs["iso3"],
                "indicator_code": obs["indicator_code"],
                "year": obs["year"].astype(int),
                "value": obs["value"],
                "note": notes,
                "flag": obs["flag"],
                **{k: obs[k] for k in ("source_id", "retrieved_at", "raw_sha256")},
            }
        )

        counts_raw = find(files, "soh2008_tfhs_project_counts.csv")
        counts = read_csv_raw(counts_raw).assign(**provenance(counts_raw))
        counts["projects"] = counts["projects"].astype(int)

        ind_raw = find(files, "soh2008_indicators.csv")
        indicators = read_csv_raw(ind_raw).assign(defined_by=self.source_id)
        indicators["higher_is_better"] = indicators["higher_is_better"].map({"true": True, "false": False})
        indicators["curated"] = True

        return Loaded(
            source=source_row(figures_raw, self.kind, title="Institutionalization of Regional Metagovernance Framework to Enhance Human Security in East Asia (figures)"),
            raw_files=files,
            tables={"paper_figure": figures, "observation": observation, "tfhs_project_count": counts, "indicator": indicators},
            message=f"{len(figures)} figures, {len(observation)} country observations, {len(counts)} Trust Fund counts",
        )
