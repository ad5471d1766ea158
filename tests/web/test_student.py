"""A student's profile editor, and everyone's settings: language, notifications,
"download my data" and "delete my account"."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, Invitation, User
from accounts.services import api_token_create
from audit.models import AuditEntry
from insights import kpis
from marketplace.models import EducationLevelChange, Placement, Profile, ProfileSkill
from matching.models import Match, MatchState
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db
S = MatchState


def _profile_post(**overrides: object) -> dict:
    data = {
        "headline": "Tweedejaars mechatronica",
        "about": "Ik sleutel graag.",
        "experience": "",
        "education_level": "mbo3",
        "programme": "Mechatronica",
        "crebo_code": "25335",
        "place": str(factories.PlaceFactory(name="Woerden").pk),
        "travel_radius_km": "20",
        "wanted_types": ["bol", "bbl"],
        "sectors": ["metal"],
        "available_from": "2027-02-01",
        "available_until": "2027-07-01",
        "hours_per_week": "32",
        "is_visible": "on",
        "skills-TOTAL_FORMS": "2",
        "skills-INITIAL_FORMS": "0",
        "skills-MIN_NUM_FORMS": "0",
        "skills-MAX_NUM_FORMS": "40",
        "skills-0-skill": "Welding",
        "skills-0-level": "3",
        "skills-1-skill": "",
        "skills-1-level": "1",
    }
    data.update(overrides)
    return data


@pytest.fixture
def welding(db: None) -> None:
    factories.SkillFactory(slug="lassen", label_nl="Lassen", label_en="Welding")


def test_a_student_writes_their_profile_with_skills(
    client: Client, world: World, welding: None
) -> None:
    client.force_login(world.sam)
    response = client.post(reverse("web:profile_edit"), _profile_post(), follow=True)
    assert "Je profiel is opgeslagen" in response.content.decode()
    profile = Profile.objects.get(user=world.sam)
    assert profile.headline == "Tweedejaars mechatronica"
    assert profile.wanted_types == ["bol", "bbl"]
    assert profile.needs_matching_since is not None  # the worker will match it
    assert list(profile.profile_skills.values_list("skill__slug", "level")) == [("lassen", 3)]
    page = client.get(reverse("web:profile_edit")).content.decode()
    assert 'value="Lassen"' in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"available_until": "2026-01-01"}, "einddatum ligt vóór de begindatum"),
        ({"skills-0-skill": "Toveren"}, "staat niet in de lijst"),
        ({"crebo_code": "12"}, "precies 5 cijfers"),
        ({"travel_radius_km": "-1"}, "minstens 0"),
        ({"wanted_types": ["ruimtevaart"]}, "geen beschikbare keuze"),
    ],
)
def test_bad_input_saves_nothing(
    client: Client, world: World, welding: None, overrides: dict, message: str
) -> None:
    client.force_login(world.sam)
    response = client.post(reverse("web:profile_edit"), _profile_post(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Profile.objects.exists()
    assert not ProfileSkill.objects.exists()


def test_switching_the_profile_off_ends_suggestions(
    client: Client, world: World, welding: None
) -> None:
    profile = factories.ProfileFactory(user=world.sam)
    match = factories.MatchFactory(profile=profile, state=S.SUGGESTED)
    client.force_login(world.sam)
    data = _profile_post()
    del data["is_visible"]
    client.post(reverse("web:profile_edit"), data)
    assert Profile.objects.get(pk=profile.pk).is_visible is False
    assert Match.objects.get(pk=match.pk).state == S.RETIRED


def test_only_students_have_a_profile(client: Client, world: World) -> None:
    for person in (world.bram, world.dirk, world.carla):
        client.force_login(person)
        assert client.get(reverse("web:profile_edit")).status_code == 403


def test_settings_save_language_and_email_choices(client: Client, world: World) -> None:
    client.force_login(world.sam)
    response = client.post(
        reverse("web:settings"), {"language": "en", "email_updates": "on"}, follow=True
    )
    world.sam.refresh_from_db()
    assert world.sam.language == "en"
    assert world.sam.email_digest is False
    assert world.sam.email_updates is True
    assert response.client.cookies["django_language"].value == "en"
    assert "Your settings are saved" in response.content.decode()


def test_download_my_data(client: Client, world: World) -> None:
    profile = factories.ProfileFactory(user=world.sam, about="Ik sleutel graag.")
    match = factories.MatchFactory(profile=profile, state=S.APPROVED)
    AuditEntry.objects.create(
        actor=world.dirk,
        action="transition",
        student=world.sam,
        match=match,
        from_state="suggested",
        to_state="approved",
    )
    client.force_login(world.sam)
    response = client.post(reverse("web:data_download"))
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == world.sam.email
    assert data["profile"]["about"] == "Ik sleutel graag."
    assert [s["state"] for s in data["suggestions"]] == ["approved"]
    assert data["audit_log"][0]["by"] == "other"
    assert client.get(reverse("web:data_download")).status_code == 405  # POST only


def _text_values_everywhere() -> str:
    """Every text and JSON value in every table, as one string."""
    chunks = []
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if fields:
            for row in model.objects.values_list(*fields):
                chunks.append(json.dumps(row, default=str))
    return "\n".join(chunks)


def test_deleting_the_account_erases_the_person_everywhere(client: Client, world: World) -> None:
    world.sam.full_name = "Samira Oudewaterlander"
    world.sam.save()
    email = world.sam.email
    profile = factories.ProfileFactory(
        user=world.sam, headline="Samira's profiel", about="Ik woon in Lopik."
    )
    opening = factories.OpeningFactory(company=world.company_x)
    invited = factories.MatchFactory(profile=profile, opening=opening, state=S.INVITED)
    placed_opening = factories.OpeningFactory(company=world.company_y)
    Placement.objects.create(
        profile=profile,
        opening=placed_opening,
        company=world.company_y,
        type="bol",
        education_level="mbo3",
        start_date=placed_opening.start_date,
    )
    api_token_create(user=world.sam, name="thuis")
    pending = factories.InvitationFactory(
        organisation=world.school_a, role="counsellor", email=email, full_name="Samira"
    )
    client.force_login(world.sam)
    other = Client()
    other.force_login(world.sam)  # a second session, elsewhere

    wrong = client.post(reverse("web:account_delete"), {"password": "not-it"})
    assert wrong.status_code == 400
    assert "niet je wachtwoord" in wrong.content.decode()
    assert User.objects.get(pk=world.sam.pk).erased_at is None

    world.sam.set_password("geheim-wachtwoord-42")
    world.sam.save()
    client.force_login(world.sam)
    other.force_login(world.sam)
    AuditEntry.objects.create(
        actor=world.dirk,
        action="transition",
        student=world.sam,
        match=invited,
        from_state="suggested",
        to_state="approved",
    )
    EducationLevelChange.objects.create(profile=profile, from_level="mbo2", to_level="mbo3")
    year = kpis.Period.quarter_of(timezone.localdate())
    figures_before = kpis.kpi_figures(period=year)
    assert figures_before["total"]["total"]["students_approved"] == 1
    response = client.post(reverse("web:account_delete"), {"password": "geheim-wachtwoord-42"})
    assert response.status_code == 302
    assert kpis.kpi_figures(period=year) == figures_before  # the figures stay true

    everything = _text_values_everywhere()
    for trace in ("Samira", "Oudewaterlander", email, "Ik woon in Lopik"):
        assert trace not in everything, trace
    erased = User.objects.get(pk=world.sam.pk)
    assert erased.erased_at is not None
    assert not erased.is_active
    assert not ApiToken.objects.filter(user=erased).exists()
    # Her open invitation is gone, not turned into a link anyone could use.
    assert not Invitation.objects.filter(pk=pending.pk).exists()
    assert Profile.objects.get(user=erased).is_visible is False
    assert Match.objects.get(pk=invited.pk).state == S.WITHDRAWN
    assert Placement.objects.get().education_level == "mbo3"  # the figures stay
    # Logged out here and in the other session.
    assert client.get(reverse("web:dashboard")).status_code == 302
    assert other.get(reverse("web:dashboard")).status_code == 302
    client.force_login(world.dirk)
    assert "Samira" not in client.get(reverse("web:students")).content.decode()
