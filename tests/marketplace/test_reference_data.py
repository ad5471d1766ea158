"""The shipped taxonomy and places: complete, unambiguous, loaded all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.exceptions import DomainError
from marketplace.models import Place, Skill, SkillCategory
from marketplace.services import places_load, skill_term_normalise, skills_load

DATA = Path(__file__).resolve().parents[2] / "marketplace" / "data"
pytestmark = pytest.mark.django_db
REGION = {
    "De Ronde Venen",
    "Stichtse Vecht",
    "Woerden",
    "Montfoort",
    "Lopik",
    "Oudewater",
    "IJsselstein",
}


@pytest.fixture
def loaded() -> None:
    call_command("load_reference_data", verbosity=0)


def test_every_skill_has_dutch_and_english_labels(loaded: None) -> None:
    assert Skill.objects.count() >= 150
    for skill in Skill.objects.all():
        assert skill.label_nl.strip(), skill.slug
        assert skill.label_en.strip(), skill.slug
        assert skill.category in SkillCategory.values


def test_no_two_skills_share_a_label_or_synonym(loaded: None) -> None:
    owner: dict[str, str] = {}
    for skill in Skill.objects.all():
        for term in {
            skill_term_normalise(t) for t in [skill.label_nl, skill.label_en, *skill.synonyms]
        }:
            assert owner.setdefault(term, skill.slug) == skill.slug, (term, skill.slug)


def test_related_skills_are_loaded_both_ways(loaded: None) -> None:
    mig = Skill.objects.get(slug="mig-mag-lassen")
    tig = Skill.objects.get(slug="tig-lassen")
    assert tig in mig.related.all()
    assert mig in tig.related.all()


def test_the_region_and_its_neighbours_have_real_centroids(loaded: None) -> None:
    region = set(Place.objects.filter(in_region=True).values_list("name", flat=True))
    assert region == REGION
    assert Place.objects.filter(in_region=False).count() >= 10
    woerden = Place.objects.get(name="Woerden")
    assert (round(woerden.latitude, 1), round(woerden.longitude, 1)) == (52.1, 4.9)
    # Every place lies in the Randstad's box, so a swapped lat/lon cannot slip in.
    for place in Place.objects.all():
        assert 51.8 < place.latitude < 52.5, place.name
        assert 4.5 < place.longitude < 5.3, place.name


def test_loading_twice_changes_nothing(loaded: None) -> None:
    counts = (Skill.objects.count(), Place.objects.count(), Skill.related.through.objects.count())
    call_command("load_reference_data", verbosity=0)
    after = (Skill.objects.count(), Place.objects.count(), Skill.related.through.objects.count())
    assert after == counts


def _records() -> list[dict]:
    return json.loads((DATA / "skills.json").read_text("utf-8"))


def test_a_shared_synonym_refuses_the_whole_file() -> None:
    records = _records()
    records[-1] = {**records[-1], "synonyms": [*records[-1]["synonyms"], records[0]["label_nl"]]}
    with pytest.raises(DomainError, match=f"skill #{len(records)}"):
        skills_load(records=records)
    assert Skill.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"category": "cooking"}, "unknown category"),
        ({"label_en": " "}, "'label_en' is missing"),
        ({"slug": "Met Spaties"}, "slug must be"),
        ({"related": ["does-not-exist"]}, "related skill"),
        ({"synonyms": "lassen"}, "synonyms must be a list"),
    ],
)
def test_a_bad_skill_record_refuses_the_whole_file(change: dict, message: str) -> None:
    records = _records()
    records[5] = {**records[5], **change}
    with pytest.raises(DomainError, match=message):
        skills_load(records=records)
    assert Skill.objects.count() == 0


def test_a_bad_place_refuses_the_whole_file() -> None:
    records = json.loads((DATA / "places.json").read_text("utf-8"))
    records[3] = {**records[3], "latitude": "noord"}
    with pytest.raises(DomainError, match="place #4"):
        places_load(records=records)
    assert Place.objects.count() == 0


def test_the_command_reports_a_bad_file_as_a_command_error(tmp_path: Path, monkeypatch) -> None:
    from marketplace.management.commands import load_reference_data

    (tmp_path / "places.json").write_text(
        '[{"name": "X", "province": "XX", "latitude": 52, "longitude": 5}]'
    )
    (tmp_path / "skills.json").write_text("[]")
    monkeypatch.setattr(load_reference_data, "DATA", tmp_path)
    with pytest.raises(CommandError, match="unknown province"):
        call_command("load_reference_data", verbosity=0)
