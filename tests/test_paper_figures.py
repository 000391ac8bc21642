"""The founding paper's figures: verbatim quotes, exact values, flags with reasons, and all of them in the warehouse."""

import csv
import re
from pathlib import Path


REPO = Path(__file__).resolve().parents[1]
FIGURES = REPO / "data/raw/paper/soh2008_figures.csv"
SEED = "seeds/004_3ab8b12c12badfc2.txt"


def rows():
    with open(FIGURES, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def normalise(text: str) -> str:
    """The paper's markdown rendering → plain text: drop footnote markers, keep ordinal suffixes, unescape $."""
    text = re.sub(r"<sup>(.*?)</sup>", lambda m: m.group(1) if m.group(1) in ("th", "st", "nd", "rd") else "", text)
    text = text.replace("\\$", "$").replace("*", "").replace("“", '"').replace("”", '"').replace("’", "'")
    return re.sub(r"\s+", " ", text)


def test_every_quote_is_verbatim_in_the_paper(shared):
    paper = normalise((shared / SEED).read_text(encoding="utf-8"))
    missing = [r["figure_id"] for r in rows() if normalise(r["quote"]) not in paper]
    assert missing == []


def test_value_as_printed_appears_in_its_quote():
    words = {"three", "four", "seven", "five (listed)"}
    bad = [r["figure_id"] for r in rows() if r["value_text"] not in words and r["value_text"] not in r["quote"]]
    assert bad == []


def test_numeric_value_matches_the_printed_text():
    """The stored number is the printed one (no rescaling): its digits appear in the printed text."""
    for r in rows():
        if r["value_text"] in {"three", "four", "seven", "five (listed)"}:
            continue
        printed = r["value_text"].replace(",", "")
        value = float(r["value"])
        shown = f"{value:g}"
        assert shown in printed, (r["figure_id"], shown, printed)


def test_known_figures_present_exactly():
    by_id = {r["figure_id"]: r for r in rows()}
    assert len(by_id) == len(rows()) == 53
    expect = {
        "soh2008-45": ("139", "projects"),  # Trust Fund projects approved, Feb 2007
        "soh2008-46": ("35", "projects"),
        "soh2008-47": ("25", "projects"),
        "soh2008-49": ("18", "projects (of 35)"),
        "soh2008-43": ("33.5", "billion yen"),
        "soh2008-13": ("40.5", "%"),
        "soh2008-24": ("9.37", "% per year"),
        "soh2008-36": ("96", "rank (of 173 countries)"),
    }
    for fid, (value, unit) in expect.items():
        assert by_id[fid]["value"] == value and by_id[fid]["unit"] == unit, fid
    ranks = {r["iso3"]: r["value"] for r in rows() if r["indicator_code"] == "WEF.GCI_RANK"}
    assert ranks == {"SGP": "7", "JPN": "8", "KOR": "11", "VNM": "68", "KHM": "110"}


def test_doubtful_figures_are_flagged_not_corrected():
    by_id = {r["figure_id"]: r for r in rows()}
    for fid in ("soh2008-11", "soh2008-12", "soh2008-29", "soh2008-31", "soh2008-32", "soh2008-44"):
        assert len(by_id[fid]["flag"]) > 40, fid
    # kept as printed: '25%' under-five mortality, '1,020,000 million', the '20th' anniversary
    assert by_id["soh2008-31"]["value"] == "25" and by_id["soh2008-31"]["unit"] == "%"
    assert by_id["soh2008-29"]["value_high"] == "1020000"
    assert by_id["soh2008-44"]["value"] == "20"


def test_every_figure_cites_section_and_source():
    for r in rows():
        assert r["section"] and r["cited_source"], r["figure_id"]


def test_warehouse_holds_every_figure_exactly(ro):
    stored = {fid: (value, unit, text) for fid, value, unit, text in ro.execute(
        "SELECT figure_id, value, unit, value_text FROM paper_figure").fetchall()}
    for r in rows():
        assert stored[r["figure_id"]] == (float(r["value"]), r["unit"], r["value_text"])
    counts = dict(((region, category), n) for region, category, n in ro.execute(
        "SELECT region, category, projects FROM tfhs_project_count WHERE source_id = 'paper'").fetchall())
    assert counts == {("All regions", "all"): 139, ("Southeast Asia", "all"): 35, ("Asia other than Southeast Asia", "all"): 25,
                      ("Southeast Asia", "poverty"): 18, ("Southeast Asia", "health"): 7, ("Asia other than Southeast Asia", "poverty"): 7}
    # figures about no single country never get a fake ISO code
    assert ro.execute("SELECT count(*) FROM paper_figure WHERE subject_kind IN ('fund','global','group') AND iso3 IS NOT NULL AND iso3 <> 'JPN'").fetchone()[0] == 0


def test_country_figures_projected_with_citation(ro):
    rows_ = ro.execute("SELECT iso3, year, value, note FROM observation WHERE source_id='paper' AND indicator_code='HDR.HDI' ORDER BY year").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows_] == [("CHN", 1975, 0.522), ("CHN", 2000, 0.726)]
    assert all("soh2008-3" in r[3] for r in rows_)
