"""Explanations are true of their inputs: a property test over generated profiles
and openings (seeded, so a failure can be replayed), and the pages that read them.

For every suggestion the engine makes, every required skill of the opening stands
in exactly one list, and each list says only what the profile bears out:
- matched: the student holds the skill at the level asked or above;
- partial: the student holds it below the level asked (shown once, with levels);
- related: the student lacks it and holds a related skill, which is named;
- missing must-haves: the student has it in none of these ways (marked "same field"
  when they hold or name another skill of its trade, which earns a little credit).
"""

from __future__ import annotations

import random

import pytest

from matching.engine import MatchConfig, MatchIndex, OpeningRecord, ProfileRecord, Taxonomy
from matching.engine.records import RequiredSkill
from matching.selectors import explanation_skills

SKILLS = [f"skill-{i}" for i in range(30)]
RELATED = [(f"skill-{i}", f"skill-{i + 1}") for i in range(0, 30, 3)]
# Five fields of six skills each; the last is generic (no field credit).
FIELDS = {s: ("soft" if i >= 24 else f"field-{i // 6}") for i, s in enumerate(SKILLS)}
TAXONOMY = Taxonomy(keys=SKILLS, related=RELATED, categories=FIELDS)
WORDS = [
    "lassen",
    "draaien",
    "frezen",
    "monteren",
    "plc",
    "onderhoud",
    "hydrauliek",
    "tekenen",
    "meten",
    "kwaliteit",
]


def _related_to(skill: str) -> set[str]:
    return {b for a, b in RELATED if a == skill} | {a for a, b in RELATED if b == skill}


def _world(seed: int) -> tuple[list[ProfileRecord], list[OpeningRecord]]:
    rng = random.Random(seed)
    lat, lon = 52.08, 4.88

    def text() -> str:
        return " ".join(rng.choices(WORDS, k=8))

    profiles = [
        ProfileRecord(
            f"p{i}",
            headline=text(),
            about=text(),
            skills=[(s, rng.randint(1, 3)) for s in rng.sample(SKILLS, rng.randint(0, 8))],
            level=rng.choice(["mbo2", "mbo3", "mbo4", ""]),
            text_skills=rng.sample(SKILLS, rng.randint(0, 4)),
            lat=lat + rng.uniform(-0.1, 0.1),
            lon=lon + rng.uniform(-0.1, 0.1),
            radius_km=40,
            types=["job", "bol", "bbl"],
        )
        for i in range(40)
    ]
    openings = [
        OpeningRecord(
            f"o{j}",
            title=text(),
            description=text(),
            type=rng.choice(["job", "bol", "bbl"]),
            company_recognised=True,
            skills=[
                RequiredSkill(s, rng.choice(["must", "nice"]), rng.randint(1, 3))
                for s in rng.sample(SKILLS, rng.randint(1, 6))
            ],
            lat=lat + rng.uniform(-0.1, 0.1),
            lon=lon + rng.uniform(-0.1, 0.1),
            text_skills=rng.sample(SKILLS, rng.randint(0, 3)),
        )
        for j in range(25)
    ]
    return profiles, openings


@pytest.mark.parametrize("seed", range(8))
def test_every_explanation_is_true_of_the_profile(seed: int) -> None:
    profiles, openings = _world(seed)
    config = MatchConfig(min_df=1, max_df=1.0, k=10)
    index = MatchIndex.build(profiles=profiles, openings=openings, taxonomy=TAXONOMY, config=config)
    by_id = {p.id: p for p in profiles}
    by_opening = {o.id: o for o in openings}
    checked = 0
    for suggestion in index.top_k_for_profiles():
        profile, opening = by_id[suggestion.profile_id], by_opening[suggestion.opening_id]
        held = dict(profile.skills)
        explanation = index.explain(suggestion)
        lists = {
            "matched": explanation["matched_skills"],
            "partial": explanation["partial_skills"],
            "related": explanation["related_skills"],
            "missing": explanation["missing_must_haves"],
        }
        placed = [item["skill"] for items in lists.values() for item in items]
        assert len(placed) == len(set(placed)), "a skill stands in two lists"
        listed = {need.skill for need in opening.skills}
        for item in (i for items in lists.values() for i in items):
            # Asked for only because the description names it: said so.
            assert bool(item.get("asked_in_text")) == (item["skill"] not in listed)
            if item.get("asked_in_text"):
                assert item["skill"] in opening.text_skills
        for item in lists["matched"]:
            if item.get("from_text"):  # named in their own words, not ticked
                assert item["skill"] in profile.text_skills
                assert item["skill"] not in held
                continue
            assert held.get(item["skill"], 0) >= item["required_level"]
            assert item["level"] == held[item["skill"]]
        for item in lists["partial"]:
            assert 0 < held[item["skill"]] < item["required_level"]
            assert item["level"] == held[item["skill"]]
        for item in lists["related"]:
            assert item["skill"] not in held
            assert item["skill"] not in profile.text_skills
            assert item["via"] in held
            assert item["via"] in _related_to(item["skill"])
        for item in lists["missing"]:
            assert item["skill"] not in held
            assert item["skill"] not in profile.text_skills
            assert not (_related_to(item["skill"]) & set(held))
            # "Same field" only when a skill of that trade is held or named.
            kin = {
                s
                for s in [*held, *profile.text_skills]
                if FIELDS[s] == FIELDS[item["skill"]] != "soft"
            }
            assert bool(item.get("same_field")) == bool(kin)
        for need in opening.skills:
            if need.importance == "must":
                assert need.skill in placed, "a must-have is in no list"
            elif need.skill not in placed:
                assert need.skill not in held
                assert need.skill not in profile.text_skills
                assert not (_related_to(need.skill) & set(held))
        # The pages read the same four lists, whatever the engine's version.
        assert explanation_skills(explanation) == lists
        checked += 1
    assert checked > 100


def test_explanations_stored_by_the_old_engine_are_read_truthfully() -> None:
    """Before 1.1, a related or lower-level skill stood among the matched ones, and
    a lower-level must-have also as missing: read now into one list each."""
    old = {
        "matched_skills": [
            {"skill": "lassen", "importance": "must", "required_level": 1, "level": 2},
            {
                "skill": "samenwerken",
                "importance": "nice",
                "required_level": 1,
                "level": None,
                "via_related": "teamwork",
            },
            {"skill": "tekening-lezen", "importance": "must", "required_level": 3, "level": 1},
        ],
        "missing_must_haves": [
            {"skill": "tekening-lezen", "required_level": 3, "level": 1},
            {"skill": "plc", "required_level": 1, "level": None},
        ],
    }
    lists = explanation_skills(old)
    assert [i["skill"] for i in lists["matched"]] == ["lassen"]
    assert [i["skill"] for i in lists["partial"]] == ["tekening-lezen"]
    assert [(i["skill"], i["via"]) for i in lists["related"]] == [("samenwerken", "teamwork")]
    assert [i["skill"] for i in lists["missing"]] == ["plc"]
