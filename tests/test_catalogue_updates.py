"""The catalogue's 2025-2026 entries against the research notes' own tables (issue 23.5).

The expected values come from parsing research/evidence.md here (its "Update 2026-11-27" later-numbers
table and its "Update 2026-12-06" table), not from the TOML: every number a row states is read from the
markdown (percentages, AUCs, percentage points, ranges, "<"/">" bounds, "about"/"≈"), and must be exactly
the figures of the catalogue entry with that id; the status and the source must be the row's.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from beliefs.io.catalogue import evidence_entries, get_entry
from tests.test_catalogue import EVIDENCE_MD_IDS

EVIDENCE_MD = Path("/work/shared/research/evidence.md")


def _table(heading: str) -> list[dict[str, str]]:
    """The first Markdown table after the heading that starts with ``heading``, as dicts keyed by header."""
    if not EVIDENCE_MD.exists():
        pytest.skip("research/evidence.md not on this machine")
    lines = EVIDENCE_MD.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("#") and line.lstrip("# ").startswith(heading))
    rows = []
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif rows:
            break
    header, _rule, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


def _id(cell: str) -> str:
    return cell.strip("` ")


# A number as the notes write it: "27%", "0.01%", "75–90%", "> 99%", "< 2%", "about 13%", "≈0.01%",
# "AUC 0.87" / "humans 0.92" (a bare 0.x), "+16.8 percentage points". Model names ("Claude 3.7 Sonnet",
# "Opus 4.6", "gpt-5") have no "%" and no leading "0.", so they are not numbers here.
_NUMBER = re.compile(
    r"(?P<qual>about |≈|~|<\s*|>\s*)?"
    r"(?:(?P<lo>\d+(?:\.\d+)?)[–-](?P<hi>\d+(?:\.\d+)?)%"
    r"|(?P<pp>[+-]?\d+(?:\.\d+)?) percentage points"
    r"|(?P<pct>\d+(?:\.\d+)?)%"
    r"|(?<![\w.-])(?P<bare>0\.\d+)(?![\w.%-]))"
)


def parse_numbers(text: str) -> list[dict]:
    """Every number in a "numbers" cell, as the catalogue would store it (fractions for percentages)."""
    out = []
    for m in _NUMBER.finditer(text):
        qual = (m["qual"] or "").strip()
        item = {"bound": {"<": "upper", ">": "lower"}.get(qual), "approximate": qual in ("about", "≈", "~")}
        if m["lo"] is not None:
            item.update(value=None, low=float(m["lo"]) / 100, high=float(m["hi"]) / 100, unit="proportion")
        elif m["pp"] is not None:
            item.update(value=float(m["pp"]), unit="percentage_points")
        elif m["pct"] is not None:
            item.update(value=float(m["pct"]) / 100, unit="proportion")
        else:
            item.update(value=float(m["bare"]), unit="auc")
        out.append(item)
    return out


def _key(item: dict) -> tuple:
    return (item["unit"], item.get("low"), item.get("high"), item["value"], item["bound"], item["approximate"])


def _figure_items(entry) -> list[dict]:
    return [
        {
            "value": f.value,
            "low": f.low,
            "high": f.high,
            "unit": f.unit,
            "bound": f.bound,
            "approximate": f.approximate,
        }
        for f in entry.figures
    ]


def _same_numbers(parsed: list[dict], catalogued: list[dict]) -> None:
    def norm(items):
        out = []
        for it in items:
            k = _key(it)
            out.append(tuple(round(x, 12) if isinstance(x, float) else x for x in k))
        return sorted(out, key=repr)

    assert norm(parsed) == norm(catalogued)


NOVEMBER = "Later numbers (2025–2026), for the catalogue"
DECEMBER = "Update 2026-12-06"


def test_the_tables_are_found_and_parsed():
    # the hand-copied id list of test_catalogue ends with the November and December tables
    assert [_id(r["id (suggested)"]) for r in _table(DECEMBER)] == EVIDENCE_MD_IDS[-8:]
    assert [_id(r["id (suggested)"]) for r in _table(NOVEMBER)] == EVIDENCE_MD_IDS[-17:-8]
    # the parser against a hand reading of one cell of each kind
    assert _key(parse_numbers("best monitor AUC 0.87")[0]) == ("auc", None, None, 0.87, None, False)
    assert [_key(x) for x in parse_numbers("cuts 75–90% with > 99%")] == [
        ("proportion", 0.75, 0.9, None, None, False),
        ("proportion", None, None, 0.99, "lower", False),
    ]
    assert parse_numbers("Claude 3.7 Sonnet 27%, Opus 4.6: 0%, gpt-5-thinking 2.1%") == [
        {"bound": None, "approximate": False, "value": 0.27, "unit": "proportion"},
        {"bound": None, "approximate": False, "value": 0.0, "unit": "proportion"},
        {"bound": None, "approximate": False, "value": 0.021, "unit": "proportion"},
    ]


@pytest.mark.parametrize("heading", [NOVEMBER, DECEMBER])
def test_every_row_is_catalogued_once_in_the_notes_order(heading):
    ids = [_id(r["id (suggested)"]) for r in _table(heading)]
    catalogued = [e.id for e in evidence_entries()]
    positions = [catalogued.index(i) for i in ids]  # ValueError names a missing id
    assert positions == sorted(positions) and len(set(ids)) == len(ids)
    assert all(catalogued.count(i) == 1 for i in ids)


@pytest.mark.parametrize("heading", [NOVEMBER, DECEMBER])
def test_every_number_of_every_row_is_in_its_entry_and_nothing_else(heading):
    for row in _table(heading):
        entry = get_entry(_id(row["id (suggested)"]))
        _same_numbers(parse_numbers(row["numbers"]), _figure_items(entry))


@pytest.mark.parametrize("heading", [NOVEMBER, DECEMBER])
def test_status_is_the_notes_status(heading):
    for row in _table(heading):
        entry = get_entry(_id(row["id (suggested)"]))
        # "P (a different measure ...)" and "P-copy (...)" are P with a note; the letter is the status
        assert entry.status == row["status"][0], entry.id
        if row["status"].startswith("P-copy"):
            assert entry.status_note.startswith("P-copy"), entry.id


def test_december_sources_and_locations_are_the_notes_own():
    for row in _table(DECEMBER):
        entry = get_entry(_id(row["id (suggested)"]))
        cell, src = row["source, where"], entry.source
        # "citation, where" or "citation where" (e.g. "... system card §7"); else the notes give no location.
        assert (
            f"{src.citation}, {src.location}" == cell
            or f"{src.citation} {src.location}" == cell
            or (src.citation == cell and src.location == "not given in the research notes")
        ), (entry.id, cell, src.citation, src.location)


def test_monitoring_rows_say_they_are_not_likelihood_ratios_or_report_probabilities():
    auc = get_entry("shade_arena_sabotage")
    assert any("not a report probability" in n and "operating point" in n for n in auc.notes)
    collusion = get_entry("monitor_self_recognition_collusion")
    assert any("not a per-action collusion probability" in n for n in collusion.notes)
