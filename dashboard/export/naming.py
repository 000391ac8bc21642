"""File names that say what an export is: ``stunting_ASEAN_2000-2022.png``, ``hdi_ASEAN-THA_2019_map.svg``.

Pure functions of a ChartSpec: indicator (its catalogue name, shortened), the countries/groups shown, the years, the
view when it is not a line chart, and a base year when values are changes. Only ``[A-Za-z0-9+._-]`` survive, so the
names are safe on every file system and in a Content-Disposition header.
"""

from __future__ import annotations

import re
from datetime import date

from dashboard.figures.spec import ChartSpec

MAX_ENTITIES = 3  # more than this many countries/groups: "ASEAN-THA-VNM-and-4-more"
MAX_SLUG = 40
# leading words that say "this is a statistic" rather than what it measures
_LEAD = re.compile(r"^(prevalence|share|proportion|number|percentage|rate|incidence|total|count)\s+of\s+(the\s+)?",
                   re.IGNORECASE)


def slug(text: str, limit: int = MAX_SLUG) -> str:
    """Lower-case words joined by hyphens, cut at a word boundary."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > limit:
            break
        out = candidate
    return out or (words[0][:limit] if words else "chart")


def indicator_slug(name: str, code: str = "") -> str:
    """``Prevalence of stunting, height for age (% of children under 5)`` → ``stunting``."""
    text = (name or code or "chart").strip()
    text = re.split(r"[,(;:]", text, maxsplit=1)[0] or text  # the part before qualifiers and units
    text = _LEAD.sub("", text.strip()) or text
    return slug(text)


def group_label(group_id: str) -> str:
    """``asean`` → ``ASEAN``, ``asean_plus_3`` → ``ASEAN+3``, ``wb_eap`` → ``WB-EAP``."""
    return group_id.replace("_plus_", "+").replace("_", "-").upper()


def entities(spec: ChartSpec) -> str:
    labels = [group_label(g) for g in spec.groups] + [c.upper() for c in spec.countries]
    if not labels:
        return "all"
    if len(labels) > MAX_ENTITIES:
        return "-".join(labels[:MAX_ENTITIES]) + f"-and-{len(labels) - MAX_ENTITIES}-more"
    return "-".join(labels)


def years(spec: ChartSpec) -> str:
    if spec.kind in ("bar", "map", "scatter"):
        one = spec.year if spec.year is not None else spec.year_to
        return str(one) if one is not None else "latest"
    lo, hi = spec.year_from, spec.year_to
    if lo is None and hi is None:
        return "all-years"
    if lo == hi or lo is None or hi is None:
        return str(lo if lo is not None else hi)
    return f"{lo}-{hi}"


def stem(spec: ChartSpec) -> str:
    """The name without extension."""
    what = indicator_slug(spec.indicator_name, spec.indicator_code)
    if spec.kind == "scatter" and spec.x_indicator_code:
        what += "-vs-" + indicator_slug(spec.x_indicator_name, spec.x_indicator_code)
    parts = [what, entities(spec), years(spec)]
    if spec.base_year is not None:
        parts.append(f"change-since-{spec.base_year}")
    if spec.kind != "line":
        parts.append(spec.kind)
    return safe("_".join(parts))


def filename(spec: ChartSpec, ext: str, preset: str | None = None) -> str:
    """``stunting_ASEAN_2000-2022.png``; a non-default size preset is named: ``…_square.png``."""
    name = stem(spec)
    if preset and preset != "slide":
        name += f"_{preset}"
    return f"{name}.{ext.lstrip('.').lower()}"


def pack_filename(ext: str, on: date | None = None, title: str = "briefing") -> str:
    """``briefing_2026-11-23.pptx``."""
    return safe(f"{slug(title, 30)}_{(on or date.today()).isoformat()}") + f".{ext.lstrip('.').lower()}"


def safe(name: str, limit: int = 150) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9+._-]+", "-", name).strip("-._")
    return cleaned[:limit] or "chart"
