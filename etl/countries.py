"""Place names and codes used by the sources → ISO 3166-1 alpha-3, and what is *not* a country.

Owns: deciding, for every entity name (OWID ``Entity``, WDI ``Country Name``) or code (WB ``countryiso3code``,
HDR ``iso3``, OWID ``Code``, WDI ``Country Code``) whether it is

* ``'country'``   – a current country/territory with an ISO3 code (Kosovo is accepted as ``XKX``, the code the
  World Bank and the OECD use, although it is not ISO 3166);
* ``'aggregate'`` – a group of countries (World, regions, income groups, ``(WB)``/``(UN)``/``(EI)`` source regions,
  ``OWID_*`` codes, World Bank aggregate codes, HDR ``ZZ*`` codes, "Australia and New Zealand", ...);
* ``'unknown'``   – anything else, with a reason: historical entities (USSR, Yugoslavia, Czechoslovakia,
  Netherlands Antilles — never silently mapped to a successor), sub-national series ("China (urban)"),
  ambiguous or unrecognised names.

How: an explicit alias table (``country_aliases.csv``: names country_converter gets wrong or misses, each with a
note) is consulted first; then rules for historical / sub-national / aggregate names; then country_converter's
regular expressions. Results are cached per unique name, so a 10,000-row OWID file costs ~200 look-ups.

country_converter is built from its own data file read with ``keep_default_na=False``: with pandas 3 the default
reader turns Namibia's ISO2 "NA" into a missing value and ``coco.CountryConverter()`` crashes.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import importlib.resources
import logging
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

KINDS = ("country", "aggregate", "unknown")
ALIAS_FILE = Path(__file__).with_name("country_aliases.csv")
HISTORICAL_REASON = "historical entity, no current ISO3"

_COCO_INT_COLUMNS = ["ISOnumeric", "UNcode", "FAOcode", "GBDcode", "EURO", "UN", "UNmember", "obsolete", "GEOnumeric"]

# World Bank aggregate codes (countryiso3code / WDI "Country Code" of regional, income and lending groups).
WB_AGGREGATE_CODES = frozenset(
    """AFE AFR AFW ARB BEA BEC BHI BLA BMN BSS CAA CEA CEB CEU CLA CME CSA CSS DEA DEC DLA DMN DNS DSA DSF DSS
    EAP EAR EAS ECA ECS EMU EUU FCS FXS HIC HPC IBB IBD IBT IDA IDB IDX INX LAC LCN LDC LIC LMC LMY LTE MDE MEA
    MIC MNA NAC NAF NRS OED OSS PRE PSS PST RRS SAS SSA SSF SST SXZ TEA TEC TLA TMN TSA TSS UMC WLD XZN""".split()
)

# Letters-only 2-character World Bank ids of aggregates (others contain a digit: "1A", "S3", "8S", "Z4").
WB_AGGREGATE_IDS = frozenset(
    "EU OE XC XD XE XF XG XH XI XJ XL XM XN XO XP XQ XT XU XY ZB ZF ZG ZH ZI ZJ ZQ ZT".split()
)

_HISTORICAL = re.compile(
    r"\b(?:USSR|soviet|yugoslav\w*|czechoslovak\w*|east germany|west germany|german democratic|"
    r"netherlands antilles|serbia and montenegro|zanzibar|tanganyika|sikkim|rhodesia|"
    r"south vietnam|north vietnam|south yemen|north yemen|yemen arab rep\w*|yemen,? people)|\(former\)",
    re.IGNORECASE,
)
_SUBNATIONAL = re.compile(r"\((?:urban|rural)\)\s*$", re.IGNORECASE)
# A parenthesised tag naming who defined the region: "East Asia & Pacific (WB)", "Africa (EI)", "EU (Ember)".
_AGGREGATE_SUFFIX = re.compile(
    r"\((?:WB|UN|FAO|WHO|UNICEF|UNDP|UNESCO|ILO|IMF|OECD|SDG|MDG|EI|Ember|BP|Shift|IEA|EIA|OWID|"
    r"IDA & IBRD|excluding high income|\d+)\)\s*$",
    re.IGNORECASE,
)
_AGGREGATE_WORDS = re.compile(
    r"\b(?:income|dividend|IDA|IBRD|HIPC|countries|small states|developing states|fragile|least developed|"
    r"landlocked|human development|world|total|members|euro area|european union|region(?:al|s)?|"
    r"classification|OECD|ASEAN|G7|G20|CIS)\b",
    re.IGNORECASE,
)
# Names made only of these words are regions ("Sub-Saharan Africa", "East Asia & Pacific", "Latin America and
# the Caribbean"); exact country names such as "South Africa" are recognised before this rule applies.
_REGION_WORDS = frozenset(
    """africa asia europe america americas caribbean pacific oceania sub saharan middle east eastern west western
    north northern south southern central latin and the & near far polynesia melanesia micronesia australasia
    arab states gulf sahel nordic baltic baltics""".split()
)


def _coco_data_frame() -> pd.DataFrame:
    path = importlib.resources.files("country_converter") / "country_data.tsv"
    with importlib.resources.as_file(path) as p:
        df = pd.read_csv(p, sep="\t", dtype=str, keep_default_na=False, na_values=[""])
    for col in _COCO_INT_COLUMNS:
        if col in df.columns:
            df[col] = pd.to_numeric(df[col]).astype("Int64")
    return df


@functools.lru_cache(maxsize=1)
def converter():
    """The one shared ``country_converter.CountryConverter`` (built from its data file; see module docstring)."""
    import country_converter as coco

    return coco.CountryConverter(country_data=_coco_data_frame())


@functools.lru_cache(maxsize=1)
def _tables() -> dict:
    raw = _coco_data_frame()
    current = raw[raw["obsolete"].isna()]
    exact: dict[str, str] = {}
    for col in ("name_short", "name_official"):
        for name, iso3 in zip(current[col], current["ISO3"]):
            if isinstance(name, str):
                exact[name.casefold()] = iso3
    return {
        "iso3": frozenset(current["ISO3"]),
        "obsolete_iso3": frozenset(raw.loc[raw["obsolete"].notna(), "ISO3"]),
        "exact": exact,
        "iso3_name": dict(zip(current["ISO3"], current["name_short"])),
        "iso2": dict(zip(current["ISO2"], current["ISO3"])),
    }


@functools.lru_cache(maxsize=1)
def aliases() -> dict[str, tuple[str | None, str, str]]:
    """The alias table: casefolded name → (iso3 or None, kind, reason). The note is the reason given."""
    out: dict[str, tuple[str | None, str, str]] = {}
    with ALIAS_FILE.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            kind = row["kind"].strip()
            if kind not in KINDS:
                raise ValueError(f"{ALIAS_FILE.name}: bad kind {kind!r} for {row['name']!r}")
            iso3 = row["iso3"].strip() or None
            if (kind == "country") != (iso3 is not None):
                raise ValueError(f"{ALIAS_FILE.name}: {row['name']!r} needs an iso3 exactly when kind is 'country'")
            note = row["note"].strip()
            reason = f"alias table: {note}" if kind == "country" else note
            out[row["name"].strip().casefold()] = (iso3, kind, reason)
    return out


def current_iso3_codes() -> frozenset[str]:
    """ISO3 codes of current countries/territories known to country_converter (includes XKX, Kosovo)."""
    return _tables()["iso3"]


def is_iso3(code: str) -> bool:
    """True when ``code`` is the ISO3 code of a current country/territory (case-sensitive, upper case)."""
    return isinstance(code, str) and code in _tables()["iso3"]


def iso3_name(iso3: str) -> str | None:
    """country_converter's short name for a current ISO3 code, or None."""
    return _tables()["iso3_name"].get(iso3)


def iso2_to_iso3(iso2: str) -> str | None:
    """ISO3 of a current country from its ISO2 code (``"JP"`` → ``"JPN"``), or None."""
    return _tables()["iso2"].get(str(iso2).strip().upper())


def is_wb_aggregate_id(wb_id: str) -> bool:
    """True for World Bank 2-character aggregate ids ("1A" Arab World, "S3", "XD" High income, "EU", ...)."""
    wb_id = str(wb_id).strip().upper()
    return bool(re.search(r"\d", wb_id)) or wb_id in WB_AGGREGATE_IDS


@contextlib.contextmanager
def _quiet_coco():
    log = logging.getLogger("country_converter.country_converter")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        log.setLevel(level)


def _is_region_phrase(name: str) -> bool:
    tokens = [t for t in re.split(r"[\s,/()\-]+", name.casefold()) if t]
    return bool(tokens) and all(t in _REGION_WORDS for t in tokens)


@functools.lru_cache(maxsize=20_000)
def _resolve_name(name: str) -> tuple[str | None, str, str]:
    clean = " ".join(str(name).split())
    if not clean:
        return (None, "unknown", "empty name")
    key = clean.casefold()
    alias = aliases().get(key)
    if alias is not None:
        return alias
    if _HISTORICAL.search(clean):
        return (None, "unknown", HISTORICAL_REASON)
    if _SUBNATIONAL.search(clean):
        return (None, "unknown", "sub-national series (urban/rural), not a national figure")
    exact = _tables()["exact"].get(key)
    if exact is not None:
        return (exact, "country", "exact country name")
    if _AGGREGATE_SUFFIX.search(clean):
        return (None, "aggregate", "source-defined region (parenthesised source tag)")
    if _AGGREGATE_WORDS.search(clean):
        return (None, "aggregate", "group of countries (income/lending/analytical group or world)")
    if _is_region_phrase(clean):
        return (None, "aggregate", "geographic region")
    with _quiet_coco():
        found = converter().convert([clean], src="regex", to="ISO3", enforce_list=True, not_found="\x00")[0]
    found = [f for f in found if f != "\x00"]
    if not found:
        return (None, "unknown", "unknown entity (no alias, no country_converter match)")
    if len(set(found)) > 1:
        return (None, "unknown", "ambiguous name, matches " + ";".join(sorted(set(found))))
    iso3 = found[0]
    if iso3 in _tables()["obsolete_iso3"]:
        return (None, "unknown", HISTORICAL_REASON)
    return (iso3, "country", "country_converter")


@functools.lru_cache(maxsize=20_000)
def _resolve_code(code: str) -> tuple[str | None, str, str]:
    clean = str(code).strip()
    if not clean:
        return (None, "unknown", "empty code")
    alias = aliases().get(clean.casefold())
    if alias is not None:
        return alias
    up = clean.upper()
    if up.startswith("OWID_"):
        return (None, "aggregate", "OWID-defined aggregate code")
    if up.startswith("ZZ"):
        return (None, "aggregate", "UNDP HDR aggregate code")
    if up in WB_AGGREGATE_CODES:
        return (None, "aggregate", "World Bank aggregate code")
    if clean in _tables()["iso3"]:
        return (clean, "country", "ISO3 code")
    if up in _tables()["obsolete_iso3"]:
        return (None, "unknown", HISTORICAL_REASON)
    return (None, "unknown", "not a current ISO3 code")


def _frame(values: Iterable[str], fn, label: str) -> pd.DataFrame:
    s = pd.Series(list(values), dtype=object)
    s = s.where(s.notna(), "").astype(str)
    uniq = pd.unique(s)
    res = {u: fn(u) for u in uniq}
    return pd.DataFrame(
        {
            label: s.to_numpy(),
            "iso3": [res[v][0] for v in s],
            "kind": [res[v][1] for v in s],
            "reason": [res[v][2] for v in s],
        }
    )


def resolve_names(names: Iterable[str]) -> pd.DataFrame:
    """Resolve entity names; one output row per input element, in input order.

    Columns: ``name, iso3 (None unless kind == 'country'), kind ('country'|'aggregate'|'unknown'), reason``.
    """
    return _frame(names, _resolve_name, "name")


def resolve_codes(codes: Iterable[str]) -> pd.DataFrame:
    """Resolve place codes (ISO3, ``OWID_*``, HDR ``ZZ*``, World Bank aggregate codes); one row per input element.

    Columns: ``code, iso3, kind, reason`` as in :func:`resolve_names`.
    """
    return _frame(codes, _resolve_code, "code")
