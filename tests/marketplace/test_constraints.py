"""Every database constraint in marketplace: the invalid row is refused by the database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from marketplace.models import Opening, OpeningSkill, Place, Profile, ProfileSkill, Skill
from tests import factories
from tests.assertions import assert_refused

pytestmark = pytest.mark.django_db


def test_valid_rows_are_accepted() -> None:
    opening = factories.OpeningFactory()
    skill = factories.SkillFactory()
    OpeningSkill.objects.create(opening=opening, skill=skill, importance="must", min_level=3)
    profile = factories.ProfileFactory(travel_radius_km=0)
    ProfileSkill.objects.create(profile=profile, skill=skill, level=3)
    assert opening.places_left == 2


def test_it_refuses_a_capacity_below_places_filled() -> None:
    assert_refused(
        lambda: factories.OpeningFactory(capacity=2, places_filled=3),
        "opening_filled_within_capacity",
    )


def test_it_refuses_filling_past_capacity_by_update() -> None:
    opening = factories.OpeningFactory(capacity=1)
    assert_refused(
        lambda: Opening.objects.filter(pk=opening.pk).update(places_filled=2),
        "opening_filled_within_capacity",
    )


def test_it_refuses_zero_capacity() -> None:
    assert_refused(lambda: factories.OpeningFactory(capacity=0), "opening_capacity_positive")


def test_it_refuses_an_end_before_the_start() -> None:
    start = dt.date(2027, 3, 1)
    assert_refused(
        lambda: factories.OpeningFactory(start_date=start, end_date=start - dt.timedelta(days=1)),
        "opening_end_not_before_start",
    )


@pytest.mark.parametrize("hours", [0, 61])
def test_it_refuses_hours_per_week_out_of_range(hours: int) -> None:
    assert_refused(
        lambda: factories.OpeningFactory(hours_per_week=hours), "opening_hours_per_week_range"
    )


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("type", "volunteering", "opening_type_valid"),
        ("status", "paused", "opening_status_valid"),
        ("title", "", "opening_title_required"),
    ],
)
def test_it_refuses_invalid_opening_values(field: str, value: str, constraint: str) -> None:
    assert_refused(lambda: factories.OpeningFactory(**{field: value}), constraint)


def test_it_refuses_an_open_opening_without_a_publication_time() -> None:
    assert_refused(
        lambda: factories.OpeningFactory(status="open", published_at=None),
        "opening_open_is_published",
    )


def test_it_refuses_an_expiry_before_publication() -> None:
    now = timezone.now()
    assert_refused(
        lambda: factories.OpeningFactory(published_at=now, expires_at=now),
        "opening_expires_after_publishing",
    )


def test_it_refuses_a_duplicate_skill_on_an_opening() -> None:
    opening, skill = factories.OpeningFactory(), factories.SkillFactory()
    OpeningSkill.objects.create(opening=opening, skill=skill)
    assert_refused(lambda: OpeningSkill.objects.create(opening=opening, skill=skill))


@pytest.mark.parametrize("level", [0, 4])
def test_it_refuses_a_required_level_outside_1_to_3(level: int) -> None:
    opening, skill = factories.OpeningFactory(), factories.SkillFactory()
    assert_refused(
        lambda: OpeningSkill.objects.create(opening=opening, skill=skill, min_level=level),
        "opening_skill_level_range",
    )


def test_it_refuses_an_unknown_importance() -> None:
    opening, skill = factories.OpeningFactory(), factories.SkillFactory()
    assert_refused(
        lambda: OpeningSkill.objects.create(opening=opening, skill=skill, importance="maybe"),
        "opening_skill_importance_valid",
    )


@pytest.mark.parametrize("level", [0, 4])
def test_it_refuses_a_profile_skill_level_outside_1_to_3(level: int) -> None:
    profile, skill = factories.ProfileFactory(), factories.SkillFactory()
    assert_refused(
        lambda: ProfileSkill.objects.create(profile=profile, skill=skill, level=level),
        "profile_skill_level_range",
    )


def test_it_refuses_a_duplicate_skill_on_a_profile() -> None:
    profile, skill = factories.ProfileFactory(), factories.SkillFactory()
    ProfileSkill.objects.create(profile=profile, skill=skill, level=1)
    assert_refused(lambda: ProfileSkill.objects.create(profile=profile, skill=skill, level=2))


def test_it_refuses_a_negative_radius() -> None:
    profile = factories.ProfileFactory()
    # Through update(): the ORM would otherwise not even let -1 near the database.
    assert_refused(lambda: Profile.objects.filter(pk=profile.pk).update(travel_radius_km=-1))


def test_it_refuses_a_radius_beyond_the_maximum() -> None:
    assert_refused(lambda: factories.ProfileFactory(travel_radius_km=251), "profile_radius_range")


def test_it_refuses_a_second_profile_for_one_user() -> None:
    profile = factories.ProfileFactory()
    assert_refused(lambda: factories.ProfileFactory(user=profile.user))


def test_it_refuses_availability_that_ends_before_it_starts() -> None:
    assert_refused(
        lambda: factories.ProfileFactory(
            available_from=dt.date(2027, 1, 1), available_until=dt.date(2026, 12, 31)
        ),
        "profile_availability_ordered",
    )


@pytest.mark.parametrize("crebo", ["1234", "123456", "abcde"])
def test_it_refuses_a_malformed_crebo_code(crebo: str) -> None:
    assert_refused(lambda: factories.ProfileFactory(crebo_code=crebo), "profile_crebo_code_format")


@pytest.mark.parametrize("hours", [61])
def test_it_refuses_profile_hours_out_of_range(hours: int) -> None:
    assert_refused(
        lambda: factories.ProfileFactory(hours_per_week=hours), "profile_hours_per_week_range"
    )


def test_it_refuses_an_unknown_education_level() -> None:
    assert_refused(
        lambda: factories.ProfileFactory(education_level="phd"), "profile_education_level_valid"
    )


@pytest.mark.parametrize(
    ("field", "constraint"),
    [("label_nl", "skill_label_nl_required"), ("label_en", "skill_label_en_required")],
)
def test_it_refuses_a_skill_without_a_label(field: str, constraint: str) -> None:
    assert_refused(lambda: factories.SkillFactory(**{field: ""}), constraint)


def test_it_refuses_an_unknown_skill_category() -> None:
    assert_refused(lambda: factories.SkillFactory(category="cooking"), "skill_category_valid")


def test_it_refuses_two_skills_with_one_esco_uri() -> None:
    uri = "http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000000"
    factories.SkillFactory(esco_uri=uri)
    assert_refused(lambda: factories.SkillFactory(esco_uri=uri))
    assert Skill.objects.count() == 1


def test_two_skills_without_esco_uri_are_fine() -> None:
    factories.SkillFactory()
    factories.SkillFactory()
    assert Skill.objects.filter(esco_uri="").count() == 2


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("latitude", 91.0, "place_latitude_range"),
        ("longitude", -181.0, "place_longitude_range"),
        ("province", "XX", "place_province_valid"),
    ],
)
def test_it_refuses_invalid_places(field: str, value: object, constraint: str) -> None:
    assert_refused(lambda: factories.PlaceFactory(name="Nergens", **{field: value}), constraint)


def test_it_refuses_two_places_with_one_name() -> None:
    Place.objects.create(name="Lopik", slug="lopik", province="UT", latitude=52.0, longitude=4.9)
    assert_refused(
        lambda: Place.objects.create(
            name="Lopik", slug="lopik-2", province="UT", latitude=52.0, longitude=4.9
        )
    )
