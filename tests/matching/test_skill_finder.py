"""Skill proposals from text: the labelled Dutch openings, the Dutch word forms
the finder must see through, and the bridge to the taxonomy in the database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from marketplace.models import Skill
from matching import services
from matching.engine.skill_finder import SkillFinder, evaluate

ROOT = Path(__file__).resolve().parents[2]
LABELLED = ROOT / "matching" / "evaldata" / "skill_texts.jsonl"
SKILLS = json.loads((ROOT / "marketplace" / "data" / "skills.json").read_text())


@pytest.fixture(scope="module")
def finder() -> SkillFinder:
    return SkillFinder((s["slug"], [s["label_nl"], s["label_en"], *s["synonyms"]]) for s in SKILLS)


def _found(finder: SkillFinder, text: str) -> set[str]:
    return {f.skill for f in finder.find(text)}


def test_the_labelled_set_is_30_real_texts_with_known_skills() -> None:
    rows = [json.loads(line) for line in LABELLED.read_text().splitlines()]
    slugs = {s["slug"] for s in SKILLS}
    assert len(rows) == 30
    assert all(len(r["text"].split()) >= 20 and r["skills"] for r in rows)
    assert {slug for r in rows for slug in r["skills"]} <= slugs


def test_recall_and_precision_on_the_labelled_openings(finder: SkillFinder) -> None:
    rows = [json.loads(line) for line in LABELLED.read_text().splitlines()]
    result = evaluate(finder, [(r["text"], set(r["skills"])) for r in rows])
    assert result["labelled"] == 168
    assert result["recall"] >= 0.80, result
    assert result["precision"] >= 0.80, result  # not by proposing everything


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Je last de frames met MIG/MAG.", "mig-mag-lassen"),  # "last" = "lassen"
        ("Hij freest aluminium op de freesbank.", "conventioneel-frezen"),
        ("Je leest de werktekening.", "technisch-tekening-lezen"),  # compound + verb
        ("Ervaring met de kantpers is fijn.", "kanten-zetten"),
        ("Je beoordeelt je lasnaden zelf.", "lasnaden-beoordelen"),  # any order
        ("Een VCA-diploma is verplicht.", "vca-basis"),
        ("Je werkt met een vacuüm-heftafel.", "vacuumtechniek"),  # accents folded
        ("You program the PLC in TIA Portal.", "siemens-tia-portal"),
    ],
)
def test_dutch_word_forms(finder: SkillFinder, text: str, slug: str) -> None:
    assert slug in _found(finder, text)


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Je werkt nauwkeurig.", "kwaliteitscontrole"),  # "keuren" is not in "nauwkeurig"
        ("We zijn er om 8 uur st. en pm.", "structured-text"),  # acronyms need capitals
        ("Je pakt de handscanner.", "technisch-inzicht"),  # "hand" is too short a part
    ],
)
def test_what_it_does_not_propose(finder: SkillFinder, text: str, slug: str) -> None:
    assert slug not in _found(finder, text)


def test_it_says_which_words_matched_in_reading_order(finder: SkillFinder) -> None:
    found = finder.find("Je last met TIG en meet met een schuifmaat.")
    assert [f.skill for f in found] == ["tig-lassen", "meten-schuifmaat-micrometer"]
    assert found[0].text == "last met TIG"
    assert found[0].score == 1.0


@pytest.mark.django_db
def test_proposals_come_from_the_database_and_leave_chosen_skills_out() -> None:
    call_command("load_reference_data", verbosity=0)
    text = "Je last met TIG en meet met een schuifmaat."
    tig = Skill.objects.get(slug="tig-lassen")
    proposals = services.skill_proposals(text=text)
    assert [p.skill.slug for p in proposals] == ["tig-lassen", "meten-schuifmaat-micrometer"]
    left = services.skill_proposals(text=text, exclude=[tig.pk])
    assert [p.skill.slug for p in left] == ["meten-schuifmaat-micrometer"]


@pytest.mark.django_db
def test_a_changed_taxonomy_is_seen_at_once() -> None:
    call_command("load_reference_data", verbosity=0)
    assert not services.skill_proposals(text="Je werkt met een blikopener.")
    skill = Skill.objects.get(slug="plaatbewerken")
    skill.synonyms = [*skill.synonyms, "blikopener"]
    skill.save()
    assert [p.skill.slug for p in services.skill_proposals(text="Een blikopener.")] == [
        "plaatbewerken"
    ]
