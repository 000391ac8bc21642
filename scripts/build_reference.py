"""Build the bundled ``reference`` source in ``data/raw/reference/``.

This script owns, and regenerates deterministically from the committed inputs:

* ``countries.csv``              ISO codes and names (country_converter bundled data), World Bank region and income
                                 group (World Bank raw files below), UN M49 sub-region (country_converter ``UNregion``);
* ``country_groups.csv``         the regional / analytical groupings the dashboard filters on;
* ``country_group_members.csv``  who belongs to each grouping, with joining year where it could be verified;
* ``indicators.csv``             the indicator catalogue (the World Bank connector fetches exactly ``source_hint=wdi``);

and the ``.origin.json`` sidecar of each of them (via ``etl.rawzone.write_origin``).

It also registers the sidecars of the two raw World Bank inputs it reads, which are committed copies of public files
and are never rewritten (an existing sidecar is only verified):

* ``wb_wdicountry_fy2026.csv``  ``WDICountry.csv`` of the WDI bulk download, FY2026 classification vintage;
* ``wb_class_fy2024.csv``       a CSV export of the World Bank ``CLASS.xlsx`` list of economies, FY2024 vintage,
                                used only for economies that WDI does not list (Taiwan, China).

Membership facts are encoded below together with the evidence they were checked against. A joining year that could
not be verified is left empty and the row's note says so; nothing here is filled in from memory.

Run: ``python scripts/build_reference.py`` (from the repository root; ``--check`` only verifies the outputs are current).
"""

from __future__ import annotations

import argparse
import csv
import importlib.resources
import io
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from etl.rawzone import origin_path, read_origin, sha256_file, write_origin  # noqa: E402

OUT = REPO / "data" / "raw" / "reference"
SOURCE_ID = "reference"
# When the derived tables were compiled; bump it whenever the inputs or the encoded facts below change.
COMPILED_AT = "2026-11-23T16:00:00Z"

WDI_COUNTRY = OUT / "wb_wdicountry_fy2026.csv"
WB_CLASS = OUT / "wb_class_fy2024.csv"

# ---------------------------------------------------------------------------------------------------------------------
# Raw World Bank inputs: provenance of the committed copies
# ---------------------------------------------------------------------------------------------------------------------

RAW_ORIGINS: dict[Path, dict] = {
    WDI_COUNTRY: dict(
        source_id=SOURCE_ID,
        publisher="World Bank",
        title="World Development Indicators: WDICountry.csv (country metadata incl. Region and Income Group)",
        url="https://databank.worldbank.org/data/download/WDI_CSV.zip",
        licence="CC BY 4.0",
        retrieved_at="2026-11-23T15:31:00Z",
        vintage="2025-07 (FY2026 classification, effective 1 July 2025)",
        media_type="text/csv",
        citation="World Bank. World Development Indicators, country metadata (WDICountry.csv). "
        "https://datacatalog.worldbank.org/ (CC BY 4.0).",
        notes=(
            "Member WDICountry.csv of the WDI bulk CSV download. Copied from the public GitHub repository "
            "Roman-Manzhelii/IndexEconomicalFreedom, path WDICountry.csv, commit 89ccb6364198915e834c3cda6d3e560c638b14f6, "
            "read through a stored index of public repositories in ten 16,000-character pages and reassembled; every page "
            "length and the total (154,397 characters, 266 CSV records of 31 fields) match the stored file, but the bytes "
            "could not be compared with a git blob hash, and a UTF-8 BOM or CR line ends, if the original had them, would "
            "not have survived (the stored text has LF line ends and no BOM). Vintage inferred from the file itself: the "
            "aggregate notes say 'Since July 1, 2025, Afghanistan and Pakistan are classified as part of the Middle East and "
            "North Africa region' and quote the FY2026 thresholds (high income: 2024 Atlas GNI per capita above $13,935). "
            "Ethiopia and Venezuela have an empty Income Group (unclassified) in this vintage. WDI has no row for "
            "Taiwan, China; see wb_class_fy2024.csv."
        ),
    ),
    WB_CLASS: dict(
        source_id=SOURCE_ID,
        publisher="World Bank",
        title="World Bank country and lending groups (CLASS), list of economies, exported as CSV",
        url="https://datahelpdesk.worldbank.org/knowledgebase/articles/906519-world-bank-country-and-lending-groups",
        licence="CC BY 4.0",
        retrieved_at="2026-11-23T15:31:00Z",
        vintage="FY2024 (1 July 2023), inferred",
        media_type="text/csv",
        citation="World Bank. World Bank Country and Lending Groups (CLASS.xlsx). CC BY 4.0.",
        notes=(
            "A CSV export (columns Economy, Code, Region, Income group, Lending category, CRLF line ends) of the World Bank "
            "CLASS.xlsx list of economies, copied from the public GitHub repository "
            "nismayil01/Gender-Based-High-School-Completion-Rate, path CLASS.csv, commit "
            "a4be1312696a1e4f0f72bfcc7007e4b152ae1868, read through a stored index of public repositories (14,274 "
            "characters; the CRLF line ends were established from the stored file's character offsets). The vintage is "
            "not printed in the file; FY2024 is inferred from its contents (e.g. Indonesia and West Bank and Gaza upper "
            "middle income, Algeria and Iran lower middle income, Venezuela unclassified). Used only for economies absent "
            "from the newer WDICountry.csv (Taiwan, China)."
        ),
    ),
}

# ---------------------------------------------------------------------------------------------------------------------
# Country groups
# ---------------------------------------------------------------------------------------------------------------------

GROUPS: list[dict] = [
    dict(
        group_id="asean",
        name="Association of Southeast Asian Nations (ASEAN)",
        kind="intergovernmental",
        definition_source="ASEAN Secretariat (https://asean.org); Bangkok Declaration 1967; Declaration on the Admission "
        "of Timor-Leste into ASEAN, 47th ASEAN Summit, Kuala Lumpur, 26 October 2025",
        description="Founded 8 August 1967 by five states; Brunei 1984, Viet Nam 1995, Lao PDR and Myanmar 1997, "
        "Cambodia 1999; Timor-Leste admitted as the 11th member on 26 October 2025.",
    ),
    dict(
        group_id="asean_plus_3",
        name="ASEAN Plus Three (APT)",
        kind="intergovernmental",
        definition_source="ASEAN Secretariat (https://asean.org); APT process begun in 1997",
        description="ASEAN member states plus China, Japan and the Republic of Korea; the process began in 1997. "
        "ASEAN members are dated from their ASEAN accession but not before 1997; Timor-Leste from its ASEAN admission "
        "in 2025.",
    ),
    dict(
        group_id="eas",
        name="East Asia Summit (EAS)",
        kind="intergovernmental",
        definition_source="https://eastasiasummit.asean.org/about-east-asia-summit (1st EAS, Kuala Lumpur, "
        "14 December 2005; United States and Russian Federation joined at the 6th EAS, Bali, 19 November 2011)",
        description="Leaders-led forum of the ASEAN Member States plus Australia, China, India, Japan, New Zealand, "
        "the Republic of Korea (2005), the United States and the Russian Federation (2011).",
    ),
    dict(
        group_id="arf",
        name="ASEAN Regional Forum (ARF)",
        kind="intergovernmental",
        definition_source="ARF Chairman's Statements (1st ARF Bangkok 1994; 2nd 1995; 5th 1998) via "
        "https://aseanregionalforum.asean.org and asean.or.id archives; news reports for later admissions (see notes)",
        description="Security dialogue founded in 1994 with 18 participants; 27 participants since 2007. The European "
        "Union is a participant but has no ISO3 code, so it has no member row.",
    ),
    dict(
        group_id="arf_soh2008",
        name="ARF participants as listed in Soh (2008)",
        kind="analytical",
        definition_source="Soh (2008), GIARI Working Paper 2008-E-2, 'Institutionalization of Regional Metagovernance "
        "Framework to Enhance Human Security in East Asia', footnote 15",
        description="Exactly the 24 'present participants' listed in the paper's footnote 15 (23 countries plus the EU, "
        "which has no ISO3 code and no member row). Kept as published: the list omits Timor-Leste (joined 2005), "
        "Bangladesh (2006) and Sri Lanka (2007), who had joined the ARF by 2008.",
    ),
    dict(
        group_id="cica",
        name="Conference on Interaction and Confidence-Building Measures in Asia (CICA)",
        kind="intergovernmental",
        definition_source="CICA Secretariat (https://www.s-cica.org); Declaration on Principles 14 September 1999; "
        "Almaty Act 4 June 2002; accession reports cited per member",
        description="28 member states (Kuwait the 28th, October 2022). Fifteen states signed the 1999 Declaration and "
        "sixteen attended the first summit in 2002; the sources found do not say which one joined in between, so "
        "those sixteen carry no joining year. Observers are not listed.",
    ),
    dict(
        group_id="sco",
        name="Shanghai Cooperation Organisation (SCO)",
        kind="intergovernmental",
        definition_source="SCO Secretariat (https://eng.sectsco.org); founded 15 June 2001",
        description="Founded 2001 by China, Kazakhstan, Kyrgyzstan, Russia, Tajikistan and Uzbekistan; India and "
        "Pakistan 2017, Iran 2023, Belarus 2024 (10 members). Observers and dialogue partners are not listed.",
    ),
    dict(
        group_id="saarc",
        name="South Asian Association for Regional Cooperation (SAARC)",
        kind="intergovernmental",
        definition_source="SAARC Secretariat (https://www.saarc-sec.org); SAARC Charter, Dhaka, 8 December 1985",
        description="Founded 1985 by seven states; Afghanistan became the eighth member at the 14th summit, April 2007.",
    ),
    dict(
        group_id="east_asia",
        name="Eastern Asia (UN M49)",
        kind="geographic",
        definition_source="UN Statistics Division, M49 standard (https://unstats.un.org/unsd/methodology/m49/), as "
        "encoded in country_converter 1.3.2 column UNregion",
        description="Countries whose UNregion is 'Eastern Asia' in country_converter's bundled data (which also "
        "assigns Taiwan to Eastern Asia). No time dimension.",
    ),
    dict(
        group_id="southeast_asia",
        name="South-eastern Asia (UN M49)",
        kind="geographic",
        definition_source="UN Statistics Division, M49 standard (https://unstats.un.org/unsd/methodology/m49/), as "
        "encoded in country_converter 1.3.2 column UNregion",
        description="Countries whose UNregion is 'South-eastern Asia' in country_converter's bundled data. "
        "No time dimension.",
    ),
    dict(
        group_id="wb_eap",
        name="World Bank East Asia & Pacific region",
        kind="analytical",
        definition_source="World Bank country classification, derived from countries.csv wb_region "
        "(wb_wdicountry_fy2026.csv; wb_class_fy2024.csv for Taiwan, China)",
        description="Every economy in countries.csv whose wb_region is 'East Asia & Pacific'. No time dimension "
        "(one classification vintage).",
    ),
    dict(
        group_id="dac",
        name="OECD Development Assistance Committee (DAC)",
        kind="donor_club",
        definition_source="OECD DAC (https://www.oecd.org/en/about/committees/development-assistance-committee.html); "
        "OECD accession news releases cited per member",
        description="32 members: 31 countries and the European Union (a full member with no ISO3 code, so no member "
        "row). Joining years are given only where an OECD or government source was found.",
    ),
]

# ---------------------------------------------------------------------------------------------------------------------
# Memberships: (iso3, joined_year or None, note)
# ---------------------------------------------------------------------------------------------------------------------

_ASEAN_SRC = "ASEAN accession dates as reported at Timor-Leste's admission (IANS, 26 Oct 2025)"
ASEAN = [
    ("IDN", 1967, "founding member, Bangkok Declaration 8 Aug 1967"),
    ("MYS", 1967, "founding member, Bangkok Declaration 8 Aug 1967"),
    ("PHL", 1967, "founding member, Bangkok Declaration 8 Aug 1967"),
    ("SGP", 1967, "founding member, Bangkok Declaration 8 Aug 1967"),
    ("THA", 1967, "founding member, Bangkok Declaration 8 Aug 1967"),
    ("BRN", 1984, "joined 7 Jan 1984; " + _ASEAN_SRC),
    ("VNM", 1995, "joined 28 Jul 1995; " + _ASEAN_SRC),
    ("LAO", 1997, "joined 23 Jul 1997; " + _ASEAN_SRC),
    ("MMR", 1997, "joined 23 Jul 1997; " + _ASEAN_SRC),
    ("KHM", 1999, "joined 30 Apr 1999; " + _ASEAN_SRC),
    ("TLS", 2025, "admitted as 11th member at the 47th ASEAN Summit, Kuala Lumpur, 26 Oct 2025 (ASEAN statement "
     "quoted by IANS; Republic World; AsiaOne)"),
]

EAS_NOTE_2005 = "participant since the 1st EAS, Kuala Lumpur, 14 Dec 2005"

MEMBERS: dict[str, list[tuple[str, int | None, str]]] = {
    "asean": ASEAN,
    "asean_plus_3": (
        [(iso, max(year, 1997), "ASEAN member; APT process from 1997" if year <= 1997 else "ASEAN member from 1999")
         for iso, year, _ in ASEAN if iso != "TLS"]
        + [
            ("TLS", 2025, "ASEAN Member State from 26 Oct 2025; attendance at an APT summit not separately verified"),
            ("CHN", 1997, "Plus Three partner since the APT process began in 1997"),
            ("JPN", 1997, "Plus Three partner since the APT process began in 1997"),
            ("KOR", 1997, "Plus Three partner since the APT process began in 1997"),
        ]
    ),
    "eas": (
        [(iso, 2005, EAS_NOTE_2005) for iso, _, _ in ASEAN if iso != "TLS"]
        + [(iso, 2005, EAS_NOTE_2005) for iso in ("AUS", "CHN", "IND", "JPN", "NZL", "KOR")]
        + [
            ("USA", 2011, "joined at the 6th EAS, Bali, 19 Nov 2011 (eastasiasummit.asean.org)"),
            ("RUS", 2011, "joined at the 6th EAS, Bali, 19 Nov 2011 (eastasiasummit.asean.org)"),
            ("TLS", 2025, "EAS participants are the ASEAN Member States plus eight partners; ASEAN member from "
             "26 Oct 2025. Participation at the 20th EAS not separately verified"),
        ]
    ),
    "arf": (
        [(iso, 1994, "founding participant, 1st ARF Bangkok 25 Jul 1994 (ASEAN six)")
         for iso in ("BRN", "IDN", "MYS", "PHL", "SGP", "THA")]
        + [(iso, 1994, "founding participant, 1st ARF Bangkok 25 Jul 1994 (ASEAN dialogue partner)")
           for iso in ("AUS", "CAN", "JPN", "KOR", "NZL", "USA")]
        + [(iso, 1994, "founding participant, 1st ARF Bangkok 25 Jul 1994 (ASEAN consultative partner)")
           for iso in ("CHN", "RUS")]
        + [(iso, 1994, "founding participant, 1st ARF Bangkok 25 Jul 1994 (ASEAN observer)")
           for iso in ("VNM", "LAO", "PNG")]
        + [
            ("KHM", 1995, "welcomed at the 2nd ARF, Bandar Seri Begawan, 1 Aug 1995 (Chairman's Statement)"),
            ("IND", 1996, "admission endorsed by ARF senior officials May 1996 for the 3rd ARF, Jakarta, Jul 1996 "
             "(Jakarta Post); 22 participants by 1998"),
            ("MMR", 1996, "admission endorsed by ARF senior officials May 1996 for the 3rd ARF, Jakarta, Jul 1996 "
             "(Jakarta Post); 22 participants by 1998"),
            ("MNG", 1998, "welcomed as new participant at the 5th ARF, Manila, 27 Jul 1998 (Chairman's Statement)"),
            ("PRK", 2000, "inducted as 23rd participant at the 7th ARF, Bangkok, 27 Jul 2000 (Dong-A Ilbo; Jakarta Post)"),
            ("PAK", 2004, "accepted as 24th participant, Jakarta, 2 Jul 2004 (Arab News)"),
            ("TLS", 2005, "welcomed as 25th participant, Vientiane, 29 Jul 2005 (aseanregionalforum.org)"),
            ("BGD", 2006, "admitted as 26th participant, Kuala Lumpur, 28 Jul 2006 (The Daily Star)"),
            ("LKA", 2007, "participant since Aug 2007 (Sri Lanka Ministry of Foreign Affairs)"),
        ]
    ),
    "arf_soh2008": [
        (iso, None, f"listed in Soh (2008) footnote 15 as '{printed}'")
        for iso, printed in (
            ("AUS", "Australia"), ("BRN", "Brunei Darussalam"), ("KHM", "Cambodia"), ("CAN", "Canada"),
            ("CHN", "China"), ("IND", "India"), ("IDN", "Indonesia"), ("JPN", "Japan"), ("PRK", "DPRK"),
            ("KOR", "ROK"), ("LAO", "Lao PDR"), ("MYS", "Malaysia"), ("MNG", "Mongolia"), ("MMR", "Myanmar"),
            ("NZL", "New Zealand"), ("PAK", "Pakistan"), ("PNG", "Papua New Guinea"), ("PHL", "the Philippines"),
            ("RUS", "the Russian Federation"), ("SGP", "Singapore"), ("THA", "Thailand"), ("USA", "the US"),
            ("VNM", "Vietnam"),
        )
    ],
    "cica": (
        [(iso, None, "one of the 16 members at the first summit (4 Jun 2002); 15 states signed the 1999 Declaration "
          "and the sources found do not say which: joining year unverified (1999 or 2002)")
         for iso in ("AFG", "AZE", "CHN", "EGY", "IND", "IRN", "ISR", "KAZ", "KGZ", "MNG", "PAK", "PSE", "RUS",
                     "TJK", "TUR", "UZB")]
        + [
            ("THA", 2004, "2004 per Small Arms Survey CICA profile (and the ROK was the 18th member in 2006); "
             "China Daily (2014) instead says the 2006 summit decided to admit Thailand"),
            ("KOR", 2006, "admitted at the 2nd CICA summit, 2006 (China Daily 2014; Small Arms Survey)"),
            ("JOR", 2008, "admitted at the 3rd ministerial meeting, 2008 (China Daily 2014; Small Arms Survey)"),
            ("ARE", 2008, "admitted at the 3rd ministerial meeting, 2008 (China Daily 2014; Small Arms Survey)"),
            ("IRQ", 2010, "admitted at the 3rd CICA summit, Istanbul, 2010 (China Daily 2014; Small Arms Survey)"),
            ("VNM", 2010, "admitted at the 3rd CICA summit, Istanbul, 2010 (China Daily 2014; Small Arms Survey)"),
            ("BHR", 2011, "joined during 2011 (China Daily 2014; Small Arms Survey)"),
            ("KHM", 2011, "joined during 2011 (China Daily 2014; Small Arms Survey)"),
            ("BGD", 2014, "membership formalised 20 May 2014 before the 4th summit, Shanghai (Bangladesh MoFA notice)"),
            ("QAT", 2014, "joined at the 4th CICA summit, Shanghai, 2014 (Qatari statement reported by MENAFN)"),
            ("LKA", 2018, "accepted as member 15 Aug 2018 (Sri Lanka MoFA; Ada Derana)"),
            ("KWT", 2022, "admitted as 28th member at the 6th CICA summit, Astana, 13 Oct 2022 (Kazinform)"),
        ]
    ),
    "sco": (
        [(iso, 2001, "founding member, 15 Jun 2001") for iso in ("CHN", "KAZ", "KGZ", "RUS", "TJK", "UZB")]
        + [
            ("IND", 2017, "full member from the Astana summit, 9 Jun 2017"),
            ("PAK", 2017, "full member from the Astana summit, 9 Jun 2017"),
            ("IRN", 2023, "full member from 4 Jul 2023 (virtual summit chaired by India)"),
            ("BLR", 2024, "tenth member, Astana summit, 4 Jul 2024"),
        ]
    ),
    "saarc": (
        [(iso, 1985, "founding member, SAARC Charter, Dhaka, 8 Dec 1985")
         for iso in ("BGD", "BTN", "IND", "MDV", "NPL", "PAK", "LKA")]
        + [("AFG", 2007, "eighth member, 14th SAARC summit, New Delhi, 3 Apr 2007")]
    ),
    "dac": (
        [
            ("GRC", 1999, "per OECD release on the Czech Republic (2013): first EU member to join since Greece in 1999"),
            ("KOR", 2010, "OECD: membership grew to 24 when Korea joined the Committee in 2010 (DAC decision 25 Nov 2009)"),
            ("ISL", 2013, "joined 14 Mar 2013 (OECD release on the Slovak Republic)"),
            ("CZE", 2013, "26th member, 14 May 2013 (OECD DACnews June 2013)"),
            ("SVK", 2013, "27th member, 2013 (OECD release)"),
            ("POL", 2013, "28th member, 22 Oct 2013 (OECD release)"),
            ("SVN", 2013, "joined 2013 (OECD: 'Czech Republic, Iceland, Poland, Slovak Republic and Slovenia join the "
             "DAC in 2013')"),
            ("HUN", 2016, "invited 6 Dec 2016, 30th member (OECD peer review page)"),
            ("LTU", 2022, "31st member, 16 Nov 2022 (OECD release; Lithuanian MFA)"),
            ("EST", 2023, "32nd member, 4 Jul 2023 (OECD release)"),
        ]
        + [
            (iso, None, "current member; joining year unverified" + (f" (a secondary wiki source gives {hint})" if hint
                                                                    else ""))
            for iso, hint in (
                ("AUS", ""), ("AUT", "1966"), ("BEL", ""), ("CAN", ""), ("DNK", "1963"), ("FIN", "1975"),
                ("FRA", ""), ("DEU", ""), ("IRL", "1985"), ("ITA", ""), ("JPN", ""), ("LUX", "1992"), ("NLD", ""),
                ("NZL", "1973"), ("NOR", "1962"), ("PRT", ""), ("ESP", "1991"), ("SWE", "1965"), ("CHE", "1968"),
                ("GBR", ""), ("USA", ""),
            )
        ]
    ),
}

COUNTRY_COLUMNS = ["iso3", "iso2", "name", "official_name", "wb_region", "wb_income_group", "un_region"]
GROUP_COLUMNS = ["group_id", "name", "kind", "definition_source", "description"]
MEMBER_COLUMNS = ["group_id", "iso3", "joined_year", "left_year", "note"]

# ---------------------------------------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------------------------------------


def load_country_converter():
    """country_converter built from its bundled table read so that Namibia's ISO2 'NA' stays a string.

    ``coco.CountryConverter()`` crashes under pandas 3 on that value; reading the TSV ourselves and passing it in is the
    workaround.
    """
    import country_converter as coco

    path = importlib.resources.files("country_converter") / "country_data.tsv"
    df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, na_values=[""])
    for col in ("ISOnumeric", "UNcode", "FAOcode", "GBDcode", "EURO", "UN", "UNmember", "obsolete", "GEOnumeric"):
        df[col] = pd.to_numeric(df[col]).astype("Int64")
    return coco.CountryConverter(country_data=df)


def _read_csv(path: Path, **kw) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8", **kw)


def build_countries() -> pd.DataFrame:
    converter = load_country_converter()
    cc = converter.data[converter.data["obsolete"].isna()]
    # The ISO2 column holds a matching regex for a few entries (GBR '^GB$|^UK$', GRC '^GR$|^EL$'); take the code
    # country_converter itself outputs when converting to ISO2.
    iso2_out = dict(zip(cc.ISO3, converter.convert(cc.ISO3.tolist(), src="ISO3", to="ISO2", not_found=None)))
    wdi = _read_csv(WDI_COUNTRY)
    wdi = wdi.set_index("Country Code")[["Region", "Income Group"]]
    cls = _read_csv(WB_CLASS)
    cls = cls[cls["Code"] != ""].drop_duplicates("Code").set_index("Code")[["Region", "Income group"]]

    rows = []
    for rec in cc.itertuples(index=False):
        iso3 = rec.ISO3
        region = income = ""
        if iso3 in wdi.index:
            region, income = wdi.at[iso3, "Region"], wdi.at[iso3, "Income Group"]
        elif iso3 in cls.index:  # economies WDI does not list (Taiwan, China)
            region, income = cls.at[iso3, "Region"], cls.at[iso3, "Income group"]
        rows.append(
            dict(
                iso3=iso3,
                iso2="" if pd.isna(rec.ISO2) else iso2_out[iso3],
                name=rec.name_short,
                official_name="" if pd.isna(rec.name_official) else rec.name_official,
                wb_region=region.strip(),
                wb_income_group=income.strip(),
                un_region="" if pd.isna(rec.UNregion) else rec.UNregion,
            )
        )
    out = pd.DataFrame(rows, columns=COUNTRY_COLUMNS).sort_values("iso3").reset_index(drop=True)
    if out["iso3"].duplicated().any():
        raise SystemExit(f"duplicate iso3 in countries: {out.loc[out.iso3.duplicated(), 'iso3'].tolist()}")
    return out


def build_groups() -> pd.DataFrame:
    return pd.DataFrame(GROUPS, columns=GROUP_COLUMNS)


def build_members(countries: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for group_id, members in MEMBERS.items():
        for iso3, year, note in members:
            rows.append(dict(group_id=group_id, iso3=iso3, joined_year=year, left_year=None, note=note))
    for group_id, un_region in (("east_asia", "Eastern Asia"), ("southeast_asia", "South-eastern Asia")):
        for iso3 in countries.loc[countries.un_region == un_region, "iso3"]:
            rows.append(dict(group_id=group_id, iso3=iso3, joined_year=None, left_year=None,
                             note=f"UNregion '{un_region}' in country_converter 1.3.2"))
    for iso3 in countries.loc[countries.wb_region == "East Asia & Pacific", "iso3"]:
        src = "wb_class_fy2024.csv" if iso3 == "TWN" else "wb_wdicountry_fy2026.csv"
        rows.append(dict(group_id="wb_eap", iso3=iso3, joined_year=None, left_year=None,
                         note=f"wb_region 'East Asia & Pacific' ({src})"))
    out = pd.DataFrame(rows, columns=MEMBER_COLUMNS)
    for col in ("joined_year", "left_year"):
        out[col] = out[col].astype("Int64")
    group_order = {g["group_id"]: i for i, g in enumerate(GROUPS)}
    out = out.sort_values(["group_id", "iso3"], key=lambda s: s.map(group_order) if s.name == "group_id" else s)
    dup = out.duplicated(["group_id", "iso3"])
    if dup.any():
        raise SystemExit(f"duplicate memberships: {out.loc[dup, ['group_id', 'iso3']].values.tolist()}")
    unknown = set(out.iso3) - set(countries.iso3)
    if unknown:
        raise SystemExit(f"member iso3 not in countries.csv: {sorted(unknown)}")
    return out.reset_index(drop=True)


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return buf.getvalue().encode("utf-8")


# ---------------------------------------------------------------------------------------------------------------------
# Sidecars
# ---------------------------------------------------------------------------------------------------------------------


def _inputs(*paths: Path) -> list[dict]:
    return [{"path": str(p.relative_to(REPO)), "sha256": sha256_file(p)} for p in paths]


def derived_meta() -> dict[str, dict]:
    import country_converter as coco

    coco_version = getattr(coco, "__version__", "1.3.2")
    common = dict(source_id=SOURCE_ID, retrieved_at=COMPILED_AT, media_type="text/csv",
                  generator="scripts/build_reference.py")
    return {
        "countries.csv": dict(
            common,
            publisher="hsdash project (compiled from country_converter and World Bank data)",
            title="Countries: ISO codes, names, World Bank region and income group, UN M49 sub-region",
            url="https://github.com/IndEcol/country_converter",
            licence="GPL-3.0 (country_converter data); CC BY 4.0 (World Bank classification columns)",
            citation="Stadler, K. (2017). The country converter coco - a Python package for converting country names "
            "between different classification schemes. The Journal of Open Source Software. doi:10.21105/joss.00332; "
            "World Bank, WDI country metadata and CLASS country classification (CC BY 4.0).",
            vintage=f"country_converter {coco_version}; World Bank classification FY2026 (Taiwan, China: FY2024)",
            notes=(
                "Rows: every non-obsolete entry of country_converter's bundled country_data.tsv (iso3, iso2 as output "
                "by its ISO3->ISO2 conversion, name = name_short, official_name = name_official, un_region = UNregion). "
                "wb_region and wb_income_group come "
                "from wb_wdicountry_fy2026.csv (World Bank WDICountry.csv, FY2026 classification) joined on ISO3; for "
                "Taiwan, China, which WDI does not list, from wb_class_fy2024.csv (CLASS, FY2024). They are empty for "
                "economies in neither file (small territories, Antarctica) and wb_income_group is empty where the "
                "World Bank left the economy unclassified (Ethiopia and Venezuela in FY2026). Region labels are as "
                "published: the FY2026 WDICountry.csv labels Afghanistan and Pakistan 'Middle East & North Africa'."
            ),
            derived_from=_inputs(WDI_COUNTRY, WB_CLASS),
        ),
        "country_groups.csv": dict(
            common,
            publisher="hsdash project (compiled)",
            title="Country groups used by the dashboard (regional organisations, UN M49 sub-regions, WB region, DAC)",
            url="https://asean.org",
            licence="CC BY 4.0 (compilation of public facts)",
            citation="Compiled for hsdash; definition_source names each group's defining organisation or document.",
            vintage="as of 2025-10-26 (Timor-Leste's admission to ASEAN)",
            notes="Facts encoded in scripts/build_reference.py with the evidence each was checked against (stored "
            "copies of public web pages and documents read through the project's search tools). The arf_soh2008 group "
            "reproduces footnote 15 of Soh (2008) exactly as published.",
        ),
        "country_group_members.csv": dict(
            common,
            publisher="hsdash project (compiled)",
            title="Country group memberships with joining year",
            url="https://asean.org",
            licence="CC BY 4.0 (compilation of public facts)",
            citation="Compiled for hsdash; each row's note names the evidence for its joining year.",
            vintage="as of 2025-10-26 (Timor-Leste's admission to ASEAN)",
            notes=(
                "joined_year is empty for definitions without a time dimension (east_asia, southeast_asia, wb_eap, "
                "arf_soh2008) and where the joining year could not be verified (note says 'joining year unverified': "
                "16 early CICA members, whose year is 1999 or 2002, and 21 long-standing DAC members). left_year is "
                "empty throughout: no departures are encoded. The EU, a participant of the ARF and a member of the DAC, "
                "has no ISO3 code and no row. east_asia/southeast_asia come from country_converter's UNregion; wb_eap "
                "from countries.csv wb_region."
            ),
            derived_from=_inputs(WDI_COUNTRY, WB_CLASS),
        ),
    }


# ---------------------------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------------------------


def register_raw_inputs() -> None:
    """Write the sidecar of each raw World Bank input if missing; otherwise verify the file is unchanged."""
    for path, meta in RAW_ORIGINS.items():
        if not path.exists():
            raise SystemExit(f"raw input missing: {path}")
        if origin_path(path).exists():
            read_origin(path)  # raises if the file changed after it was recorded
        else:
            write_origin(path, **meta)


def build_all() -> dict[str, bytes]:
    countries = build_countries()
    return {
        "countries.csv": to_csv_bytes(countries),
        "country_groups.csv": to_csv_bytes(build_groups()),
        "country_group_members.csv": to_csv_bytes(build_members(countries)),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only verify that the committed outputs are current")
    args = ap.parse_args(argv)

    register_raw_inputs()
    outputs = build_all()
    if args.check:
        stale = [name for name, data in outputs.items()
                 if not (OUT / name).exists() or (OUT / name).read_bytes() != data]
        if stale:
            print("stale:", ", ".join(stale))
            return 1
        for name in outputs:
            read_origin(OUT / name)
        print("reference outputs are current")
        return 0

    meta = derived_meta()
    for name, data in outputs.items():
        path = OUT / name
        path.write_bytes(data)
        write_origin(path, **meta[name])
        print(f"wrote {path.relative_to(REPO)} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
