"""The learning tests' shared scene: a career changer with a gap, and courses."""

from __future__ import annotations

import pytest
from django.utils import timezone

from learning.models import CourseSkill
from marketplace.models import OpeningSkill, ProfileSkill
from matching import pipeline
from matching.warm import WARM
from tests import factories
from tests.conftest import World


@pytest.fixture(autouse=True)
def cold_cache() -> None:
    WARM.reset()


@pytest.fixture
def gap(world: World) -> dict:
    """Zeynep, a career changer who can mill, and a maintenance job that also asks
    welding, PLC and safety (4 must-haves; she meets 1)."""
    skills = {
        slug: factories.SkillFactory(slug=slug, label_nl=label, label_en=label)
        for slug, label in [
            ("cnc-frezen", "CNC-frezen"),
            ("mig-mag-lassen", "MIG/MAG-lassen"),
            ("plc-programmeren", "PLC-programmeren"),
            ("vca-basis", "VCA Basis"),
        ]
    }
    opening = factories.OpeningFactory(
        company=world.company_x,
        type="job",
        title="Onderhoudsmonteur",
        description="Onderhoud aan de productielijn.",
    )
    world.company_x.verified_at = timezone.now()
    world.company_x.save(update_fields=["verified_at"])
    for skill in skills.values():
        OpeningSkill.objects.create(opening=opening, skill=skill, importance="must", min_level=1)
    profile = factories.ProfileFactory(
        user=world.zeynep, is_career_changer=True, wanted_types=["job"], headline="Frezer"
    )
    ProfileSkill.objects.create(profile=profile, skill=skills["cnc-frezen"], level=2)
    assert pipeline.profile_match(profile_id=profile.pk) == "stored"
    two = factories.CourseFactory(provider=world.location, title="Lassen en PLC")
    services_skills(two, skills, ["mig-mag-lassen", "plc-programmeren"])
    one = factories.CourseFactory(provider=world.location, title="VCA")
    services_skills(one, skills, ["vca-basis"])
    none = factories.CourseFactory(provider=world.location, title="Frezen")
    services_skills(none, skills, ["cnc-frezen"])
    return {"opening": opening, "profile": profile, "two": two, "one": one, "skills": skills}


def services_skills(course, skills, slugs) -> None:
    for slug in slugs:
        CourseSkill.objects.create(course=course, skill=skills[slug], level=2)
