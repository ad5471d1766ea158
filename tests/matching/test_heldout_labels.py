"""The held-out sets' labels come from their annotations by the written rule, and
the rule itself on hand-checkable cases (docs/algorithm.md, "Held-out sets")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matching.evaluate import EVALDATA
from matching.heldout_labels import eligible, labels_make, labels_text, places_read, relevance

PLACES = places_read()
HELD_OUT = sorted(p for p in EVALDATA.glob("heldout-*") if p.is_dir())
BOL = {"type": "bol", "company_recognised": True, "place": "Woerden", "levels": ["mbo3"]}
STUDENT = {"types": ["bol"], "place": "Woerden", "radius_km": 20, "level": "mbo3"}


def test_relevance_follows_the_annotated_goals() -> None:
    goals, adjacent = ["lasser-constructie", "plaatwerker"], ["productie-assemblage"]
    assert relevance("lasser-constructie", goals, adjacent) == 3
    assert relevance("plaatwerker", goals, adjacent) == 2
    assert relevance("productie-assemblage", goals, adjacent) == 1
    assert relevance("elektromonteur", goals, adjacent) == 0


@pytest.mark.parametrize(
    ("opening", "profile", "ok"),
    [
        ({}, {}, True),
        ({"type": "job"}, {}, False),  # a kind the student does not want
        ({"company_recognised": False}, {}, False),  # BOL needs an SBB-recognised company
        ({"place": "Amsterdam"}, {}, False),  # beyond the radius
        ({"place": "Utrecht"}, {}, True),  # about 16 km from Woerden
        ({"levels": ["mbo4"]}, {}, False),  # a BPV place fits the programme level
        ({"levels": ["mbo-3", "MBO 4"]}, {}, True),  # spellings as people write them
        ({"type": "job", "levels": ["mbo2"]}, {"types": ["job"]}, True),  # above a minimum
        ({"type": "job", "levels": ["mbo4"]}, {"types": ["job"]}, False),  # below it
        ({"levels": []}, {"level": None}, True),
        ({"start": "2027-02-01", "end": "2027-06-30"}, {"available_to": "2027-01-31"}, False),
        ({"start": "2027-02-01", "end": "2027-06-30"}, {"available_to": "2027-02-01"}, True),
        ({"start": "2027-02-01"}, {"available_from": "2027-07-31"}, True),  # 180 days
        ({"start": "2027-02-01"}, {"available_from": "2027-08-01"}, False),
        ({"hours": 32}, {"hours": 16}, True),
        ({"hours": 32}, {"hours": 15}, False),
    ],
)
def test_eligibility_is_the_counsellors_rule(opening: dict, profile: dict, ok: bool) -> None:
    assert eligible({**BOL, **opening}, {**STUDENT, **profile}, PLACES) is ok


@pytest.mark.parametrize("directory", HELD_OUT, ids=[p.name for p in HELD_OUT])
def test_the_shipped_labels_are_what_the_rule_gives(directory: Path) -> None:
    assert (directory / "labels.jsonl").read_text("utf-8") == labels_text(
        labels_make(directory, PLACES)
    )


@pytest.mark.parametrize("directory", HELD_OUT, ids=[p.name for p in HELD_OUT])
def test_each_held_out_set_is_as_large_as_promised(directory: Path) -> None:
    def count(name: str) -> int:
        return sum(1 for line in (directory / name).read_text("utf-8").splitlines() if line)

    assert count("openings.jsonl") >= 60
    assert count("profiles.jsonl") >= 120
    profiles = {
        json.loads(line)["profile"]
        for line in (directory / "labels.jsonl").read_text("utf-8").splitlines()
    }
    assert len(profiles) >= 0.85 * count("profiles.jsonl")


def test_both_held_out_sets_are_shipped() -> None:
    assert [p.name for p in HELD_OUT] == ["heldout-a", "heldout-b"]
