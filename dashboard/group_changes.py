"""Why a group's line can move when its members' values do not: a country joins or leaves the group (members counted
as of each year), or the set of members that report a value changes (coverage). One place finds these per year and
says them in words; every place that shows a group value uses these words — the chart frame's ``change_note`` column
(CSV, XLSX, hover text of the markers on the line), the footer of the chart and its exports, the page's caption and
the export subtitle (``membership_text``).

Pure: pandas in, text out (``dashboard.chart_data`` reads the members and reporting sets from the warehouse).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from dashboard.labels import names_text

MEMBERSHIP_TEXT = {
    "current": "today's members throughout",
    "as_of_year": "members as of each year",
}
MEMBERSHIP_HELP = {
    "current": "the same countries in every year — today's members, also in years before they joined — so the line "
               "does not jump when a country joins",
    "as_of_year": "a country counts from the year it joined (and until it left), so the line can jump in those years",
}
MARKER_NOTE = ("Diamonds on a group's line mark years when a member joined or left, or the members reporting changed "
               "(hover for who); dotted stretches: below two thirds of the group's population reporting.")


def membership_text(membership: str | None) -> str:
    """How a group's members are counted, in the words every caption, footer, subtitle and CSV uses."""
    return MEMBERSHIP_TEXT.get(membership or "as_of_year", MEMBERSHIP_TEXT["as_of_year"])


def _year(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def events(members: pd.DataFrame, first: int, last: int) -> list[tuple[int, str, list[str]]]:
    """Joins and departures inside ``(first, last]`` — the years a chart starting at ``first`` would show them:
    ``(year, "joined" | "left", [names])`` in year order."""
    out: dict[tuple[int, str], list[str]] = {}
    for row in members.itertuples(index=False):
        for verb, year in (("joined", _year(row.joined_year)), ("left", _year(row.left_year))):
            if year is not None and first < year <= last:
                out.setdefault((year, verb), []).append(str(row.name))
    return [(y, v, sorted(n)) for (y, v), n in sorted(out.items())]


def _event_text(group: str, year: int, verb: str, names: list[str]) -> str:
    if verb == "joined":
        return f"{names_text(names)} joined {group} in {year}: counted from then"
    return f"{names_text(names)} left {group} in {year}: not counted from then"


def _coverage_text(prev: Mapping, cur: Mapping, started: list[str], stopped: list[str]) -> str:
    parts = [f"members reporting {int(prev['n_reporting'])} → {int(cur['n_reporting'])} of {int(cur['n_members'])}"]
    if started:
        parts.append(f"{names_text(started)} start{'s' if len(started) == 1 else ''} reporting")
    if stopped:
        parts.append(f"{names_text(stopped)} stop{'s' if len(stopped) == 1 else ''} reporting")
    cover = f"population covered {prev['coverage']:.0%} → {cur['coverage']:.0%}"
    if bool(cur["low_coverage"]) and not bool(prev["low_coverage"]):
        cover += ", now below two thirds"
    elif bool(prev["low_coverage"]) and not bool(cur["low_coverage"]):
        cover += ", now two thirds or more"
    return "; ".join(parts + [cover])


def year_notes(rows: pd.DataFrame, members: pd.DataFrame, reporting: Mapping[int, set[str]], membership: str,
               group: str) -> dict[int, str]:
    """One sentence per year of a group's line where something other than the members' values changed.

    ``rows``: the group's rows (``year``, ``coverage``, ``n_reporting``, ``n_members``, ``low_coverage``);
    ``members``: ``iso3``, ``name``, ``joined_year``, ``left_year``; ``reporting``: year → ISO3 codes of the members
    counted that year that have a value; ``group``: its short name ("ASEAN")."""
    rows = rows.sort_values("year").drop_duplicates("year")
    if rows.empty:
        return {}
    years = [int(y) for y in rows["year"]]
    names = dict(zip(members["iso3"], members["name"].astype(str)))
    notes: dict[int, list[str]] = {}
    joined_in: dict[int, set[str]] = {}
    left_in: dict[int, set[str]] = {}
    if membership == "as_of_year":
        for row in members.itertuples(index=False):
            for target, year in ((joined_in, _year(row.joined_year)), (left_in, _year(row.left_year))):
                if year is not None and years[0] < year <= years[-1]:
                    shown = next(y for y in years if y >= year)  # the first year on the line that counts it
                    target.setdefault(shown, set()).add(row.iso3)
        for year, verb, who in events(members, years[0], years[-1]):
            shown = next(y for y in years if y >= year)
            notes.setdefault(shown, []).append(_event_text(group, year, verb, who))
    records = rows[["coverage", "n_reporting", "n_members", "low_coverage"]].to_dict("records")  # plain dicts: fast
    for (prev_year, prev), (year, cur) in zip(zip(years, records), zip(years[1:], records[1:])):
        before, now = set(reporting.get(prev_year, ())), set(reporting.get(year, ()))
        started = sorted(names.get(c, c) for c in now - before - joined_in.get(year, set()))
        stopped = sorted(names.get(c, c) for c in before - now - left_in.get(year, set()))
        crossed = bool(prev["low_coverage"]) != bool(cur["low_coverage"])
        if started or stopped or crossed:
            notes.setdefault(year, []).append(_coverage_text(prev, cur, started, stopped))
    return {y: "; ".join(n) for y, n in sorted(notes.items())}


def summary(group: str, notes: Mapping[int, str], members: pd.DataFrame, first: int, last: int,
            membership: str) -> str:
    """One footer line for a group: who joined or left within the years shown and how that is counted, and the
    years when the members reporting changed. Empty when nothing changed."""
    evs = events(members, first, last)
    parts = []
    if evs and membership == "current":
        joins = [f"{names_text(who)} ({year})" for year, verb, who in evs if verb == "joined"]
        if joins:
            parts.append(f"today's members in every year, also before {names_text(joins)} joined")
    elif evs:
        parts.append("; ".join(f"{names_text(who)} {verb} in {year}" for year, verb, who in evs))
    coverage_years = [y for y, text in notes.items() if "reporting" in text]
    if coverage_years:
        shown = ", ".join(str(y) for y in coverage_years[:8]) + (" …" if len(coverage_years) > 8 else "")
        parts.append(f"members reporting change in {shown}")
    if not parts:
        return ""
    text = f"{group}: " + "; ".join(parts)
    return text if text.endswith("…") else text + "."
