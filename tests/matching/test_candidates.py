"""What a company sees of a candidate: anonymised until the student accepts."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from accounts.exceptions import NotAllowed
from audit.models import AuditAction, AuditEntry
from marketplace.models import ProfileSkill
from matching import workflow
from matching.models import FORWARDED_STATES, Match, MatchState
from matching.selectors import (
    candidate_for_company,
    candidate_pseudonym,
    candidates_for_company,
    candidates_for_opening,
    distance_band,
    matches_for_viewer,
)
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db
S = MatchState

# Keys that would name, date, place or picture a person.
PERSONAL_KEYS = {
    "name",
    "full_name",
    "first_name",
    "email",
    "phone",
    "date_of_birth",
    "birth_date",
    "age",
    "gender",
    "photo",
    "school",
    "address",
    "place",
    "user",
    "headline",
    "about",
    "experience",
    "programme",
    "distance_km",
    "radius_km",
}


def _walk(data: object, path: str = "") -> Iterator[tuple[str, object]]:
    """Every (path, leaf) of nested JSON, keys included as leaves too."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield f"{path}.{key}", key
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _walk(value, f"{path}[{i}]")
    else:
        yield path, data


def _personal_values(match: Match) -> set[str]:
    """Every text and date the student's own rows hold, except the fields the
    company is meant to see (level, availability, skills)."""
    shown = {"education_level", "available_from", "available_until", "hours_per_week"}
    values: set[str] = set()
    user, profile = match.profile.user, match.profile
    rows: list[models.Model] = [user, profile]
    rows += [m.organisation for m in user.memberships.all() if m.organisation_id]
    if profile.place_id:
        rows.append(profile.place)
    for row in rows:
        for field in row._meta.concrete_fields:
            if field.name in shown or isinstance(field, models.BooleanField | models.JSONField):
                continue
            value = field.value_from_object(row)
            if isinstance(value, dt.date | dt.datetime):
                values.add(value.isoformat()[:10])
            elif isinstance(value, str) and len(value) >= 3:
                values.add(value.casefold())
    values.update(part.casefold() for part in user.full_name.split() if len(part) >= 3)
    return values


@pytest.fixture
def forwarded(world: World) -> Match:
    user = world.sam
    user.full_name = "Samira el Amrani"
    user.save()
    profile = factories.ProfileFactory(
        user=user,
        headline="Ik wil lasser worden",
        about="Ik woon in de Kanaalstraat en heet Samira.",
        programme="Mechatronica",
        available_from=dt.date(2027, 2, 1),
        place=factories.PlaceFactory(name="Montfoort", latitude=52.04, longitude=4.95),
    )
    skill = factories.SkillFactory(slug="mig-lassen", label_nl="MIG-lassen", label_en="MIG welding")
    ProfileSkill.objects.create(profile=profile, skill=skill, level=2)
    opening = factories.OpeningFactory(company=world.company_x)
    return factories.MatchFactory(profile=profile, opening=opening, state=S.STUDENT_YES)


@pytest.mark.parametrize("state", sorted(FORWARDED_STATES - {S.ACCEPTED, S.PLACED}))
def test_before_accepting_the_company_sees_no_personal_field(
    world: World, forwarded: Match, state: str
) -> None:
    Match.objects.filter(pk=forwarded.pk).update(state=state)
    match = Match.objects.select_related("profile__user", "opening").get(pk=forwarded.pk)
    data = json.loads(
        json.dumps(candidate_for_company(match=match, viewer=world.bram), cls=DjangoJSONEncoder)
    )
    personal = _personal_values(match)
    # Numbers from which the distance to the student's home can be worked out.
    stored = match.explanation
    locating = {
        stored["distance_km"],
        stored["radius_km"],
        stored["features"]["distance"],
        stored["contributions"]["distance"],
    }
    leaves = list(_walk(data))
    keys = {leaf for path, leaf in leaves if path.endswith(f".{leaf}")}
    assert not keys & PERSONAL_KEYS
    for path, leaf in leaves:
        if isinstance(leaf, int | float) and not isinstance(leaf, bool):
            assert leaf not in locating, f"{path} = {leaf!r} locates the student"
        if leaf is None or isinstance(leaf, bool | float):
            continue
        text = str(leaf).casefold()
        leaked = [v for v in personal if v == text or (len(v) >= 5 and v in text)]
        assert not leaked, f"{path} = {leaf!r} reveals {leaked}"
    # What it is meant to show is there.
    assert data["pseudonym"].startswith("Kandidaat ")
    assert data["skills"] == [{"skill": "mig-lassen", "label": "MIG-lassen", "level": 2}]
    assert data["education_level"] == "mbo3"
    assert data["availability"]["from"] == "2027-02-01"
    assert data["distance_band"] == "5-10"
    assert data["explanation"]["distance_band"] == "5-10"
    assert data["contact"] is None
    assert not AuditEntry.objects.filter(action=AuditAction.VIEW).exists()


def test_after_accepting_the_company_sees_name_and_email_and_the_view_is_logged(
    world: World, forwarded: Match
) -> None:
    Match.objects.filter(pk=forwarded.pk).update(state=S.INVITED)
    match = Match.objects.get(pk=forwarded.pk)
    workflow.match_invitation_answer(match=match, by=world.sam, accept=True)
    data = candidate_for_company(match=Match.objects.get(pk=match.pk), viewer=world.bram)
    assert data["contact"] == {"name": "Samira el Amrani", "email": world.sam.email}
    view = AuditEntry.objects.get(action=AuditAction.VIEW)
    assert (view.actor, view.student, view.match_id) == (world.bram, world.sam, match.pk)


def test_the_pseudonym_is_stable_and_differs_between_companies(
    world: World, forwarded: Match
) -> None:
    first = candidate_for_company(match=forwarded, viewer=world.bram)["pseudonym"]
    again = candidate_for_company(match=Match.objects.get(pk=forwarded.pk), viewer=world.bram)
    assert again["pseudonym"] == first
    elsewhere = candidate_pseudonym(profile_id=forwarded.profile_id, company_id=world.company_y.pk)
    assert elsewhere != first


@pytest.mark.parametrize("state", [S.SUGGESTED, S.APPROVED, S.STUDENT_NO, S.WITHDRAWN])
def test_the_company_sees_nobody_who_did_not_say_yes(
    world: World, forwarded: Match, state: str
) -> None:
    Match.objects.filter(pk=forwarded.pk).update(state=state)
    match = Match.objects.get(pk=forwarded.pk)
    with pytest.raises(NotAllowed):
        candidate_for_company(match=match, viewer=world.bram)
    assert not candidates_for_opening(opening=match.opening, viewer=world.bram).exists()
    assert not matches_for_viewer(viewer=world.bram).filter(pk=match.pk).exists()


@pytest.mark.parametrize("outsider", ["otto", "olga", "carla", "stranger", "lotte"])
def test_a_company_the_candidate_was_not_forwarded_to_sees_nothing(
    world: World, forwarded: Match, outsider: str
) -> None:
    viewer = getattr(world, outsider)
    with pytest.raises(NotAllowed):
        candidate_for_company(match=forwarded, viewer=viewer)
    with pytest.raises(NotAllowed):
        candidates_for_opening(opening=forwarded.opening, viewer=viewer)
    assert not matches_for_viewer(viewer=viewer).filter(pk=forwarded.pk).exists()


def test_the_parties_see_the_match_and_the_student_sees_it_only_once_approved(
    world: World, forwarded: Match
) -> None:
    for viewer in (world.sam, world.dirk, world.bram):
        assert matches_for_viewer(viewer=viewer).filter(pk=forwarded.pk).exists()
    Match.objects.filter(pk=forwarded.pk).update(state=S.SUGGESTED)
    assert not matches_for_viewer(viewer=world.sam).filter(pk=forwarded.pk).exists()
    assert matches_for_viewer(viewer=world.dirk).filter(pk=forwarded.pk).exists()


@pytest.mark.parametrize(
    ("km", "band"), [(None, None), (0, "0-5"), (4.9, "0-5"), (12, "10-25"), (80, "50+")]
)
def test_distance_bands(km: float | None, band: str | None) -> None:
    assert distance_band(km) == band


def test_a_list_of_candidates_costs_the_same_queries_however_long(
    world: World, forwarded: Match, django_assert_num_queries
) -> None:
    opening = forwarded.opening
    for _ in range(4):
        factories.MatchFactory(opening=opening, state=S.ACCEPTED)
    matches = list(candidates_for_opening(opening=opening, viewer=world.bram))
    # * membership check  * audit entries for the 4 revealed (one insert)
    with django_assert_num_queries(2):
        candidates = candidates_for_company(matches=matches, viewer=world.bram)
    assert len(candidates) == 5
    assert sum(c["contact"] is not None for c in candidates) == 4
    assert AuditEntry.objects.filter(action=AuditAction.VIEW, actor=world.bram).count() == 4


def test_a_deactivated_student_disappears_from_the_company(world: World, forwarded: Match) -> None:
    type(world.sam).objects.filter(pk=world.sam.pk).update(is_active=False)
    assert not candidates_for_opening(opening=forwarded.opening, viewer=world.bram).exists()
    assert not matches_for_viewer(viewer=world.bram).filter(pk=forwarded.pk).exists()
    with pytest.raises(NotAllowed):
        candidate_for_company(match=Match.objects.get(pk=forwarded.pk), viewer=world.bram)
