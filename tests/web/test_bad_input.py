"""A corpus of bad input sent to every form: oversized strings, wrong types,
negative numbers, dates in the wrong order, unknown choices, SQL and HTML
injection, emoji. Each answer is a redisplayed form (or, for text that is simply
text, a save); never a 500. A refused form stores nothing, and text that was
stored is shown escaped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db

HTML = '<script>alert("x")</script><img src=x onerror=alert(1)>'
CORPUS = {
    "huge": "x" * 100_000,
    "sql": "'; DROP TABLE accounts_user; --",
    "html": HTML,
    "emoji": "🔧🏭👩‍🔧",
    "negative": "-7",
    "float": "3.5e400",
    "big": "9" * 40,
    "list": "[1, 2]",
    "null": "\u0000",
    "unknown_choice": "ruimtevaart",
    "date_words": "gisteren",
    "date_far": "99999-01-01",
    "empty": "",
    "spaces": "   ",
}


def _row_counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in ("accounts", "marketplace", "matching")
        and m._meta.model_name not in ("auditentry",)  # views are logged
    }


@dataclass
class Form:
    name: str
    url: Callable[[World], str]
    persona: str | None
    data: Callable[[World], dict]
    fields: list[str]


def _opening(world: World) -> dict:
    start = timezone.localdate() + dt.timedelta(days=40)
    return {
        "title": "Stage",
        "description": "Draaien.",
        "type": "bol",
        "place": str(factories.PlaceFactory(name="Woerden").pk),
        "start_date": start.isoformat(),
        "end_date": (start + dt.timedelta(days=60)).isoformat(),
        "hours_per_week": "32",
        "capacity": "1",
        "skills-TOTAL_FORMS": "1",
        "skills-INITIAL_FORMS": "0",
        "skills-0-skill": "Lassen",
        "skills-0-level": "1",
        "skills-0-importance": "must",
    }


def _profile(world: World) -> dict:
    return {
        "headline": "Student",
        "education_level": "mbo3",
        "travel_radius_km": "20",
        "hours_per_week": "32",
        "available_from": "2027-02-01",
        "available_until": "2027-06-01",
        "skills-TOTAL_FORMS": "1",
        "skills-INITIAL_FORMS": "0",
        "skills-0-skill": "Lassen",
        "skills-0-level": "1",
    }


FORMS = [
    Form(
        "opening",
        lambda w: reverse("web:opening_new"),
        "bram",
        _opening,
        [
            "title",
            "description",
            "type",
            "place",
            "start_date",
            "end_date",
            "hours_per_week",
            "capacity",
            "skills-0-skill",
            "skills-0-level",
            "skills-TOTAL_FORMS",
            "proposed_skill",
        ],
    ),
    Form(
        "profile",
        lambda w: reverse("web:profile_edit"),
        "sam",
        _profile,
        [
            "headline",
            "education_level",
            "travel_radius_km",
            "hours_per_week",
            "available_from",
            "available_until",
            "skills-0-skill",
            "skills-0-level",
        ],
    ),
    Form(
        "company",
        lambda w: reverse("web:company_edit", args=[w.company_x.slug]),
        "bram",
        lambda w: {"sector": "metal", "size_class": "small", "website": "https://example.nl"},
        ["description", "website", "sector", "size_class", "learning_locations"],
    ),
    Form(
        "settings",
        lambda w: reverse("web:settings"),
        "sam",
        lambda w: {"language": "nl"},
        ["language", "email_digest"],
    ),
    Form(
        "career_changer",
        lambda w: reverse("web:signup_career_changer"),
        None,
        lambda w: {
            "full_name": "Kees",
            "email": "kees@example.nl",
            "password": "een-sterk-wachtwoord-9",
            "password_again": "een-sterk-wachtwoord-9",
            "date_of_birth": "1990-01-01",
        },
        ["full_name", "email", "date_of_birth", "password_again"],
    ),
    Form(
        "company_signup",
        lambda w: reverse("web:signup_company"),
        None,
        lambda w: {
            "full_name": "Els",
            "email": "els@example.nl",
            "password": "een-sterk-wachtwoord-9",
            "password_again": "een-sterk-wachtwoord-9",
            "company_name": "Els Metaal",
            "kvk_number": "12345678",
            "sector": "metal",
            "size_class": "small",
        },
        ["company_name", "kvk_number", "sector", "size_class", "email"],
    ),
    Form(
        "invitation",
        lambda w: reverse("web:invitations"),
        "dirk",
        lambda w: {"organisation": str(w.school_a.pk), "role": "student"},
        ["organisation", "role", "email", "full_name"],
    ),
    Form(
        "skill_proposals",
        lambda w: reverse("web:skill_proposals"),
        "bram",
        lambda w: {"description": "Je last met MIG/MAG."},
        ["description", "about", "title", "skills-0-skill"],
    ),
    Form(
        "students_import",
        lambda w: reverse("web:students_import"),
        "dirk",
        lambda w: {"organisation": str(w.school_a.pk)},
        ["organisation"],
    ),
    Form(
        "api_token",
        lambda w: reverse("web:api_tokens"),
        "sam",
        lambda w: {"name": "thuis"},
        ["name"],
    ),
]


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
@pytest.mark.parametrize("bad", list(CORPUS), ids=str)
def test_no_bad_value_breaks_a_form(client: Client, world: World, form: Form, bad: str) -> None:
    factories.SkillFactory(slug="lassen", label_nl="Lassen", label_en="Welding")
    world.company_x.verified_at = timezone.now()
    world.company_x.sbb_recognised = True
    world.company_x.sbb_recognised_on = dt.date(2020, 1, 1)
    world.company_x.save()
    if form.persona:
        client.force_login(getattr(world, form.persona))
    url = form.url(world)
    for field in form.fields:
        data = form.data(world)
        data[field] = CORPUS[bad]
        before = _row_counts()
        response = client.post(url, data)
        assert response.status_code in (200, 302, 400), (field, response.status_code)
        body = response.content.decode()
        assert HTML not in body  # never echoed unescaped
        refused = response.status_code != 302 and any(
            marker in body for marker in ('class="field-errors"', 'class="form-errors"')
        )
        if refused:
            # The form again, with its message; nothing stored.
            assert _row_counts() == before, field
        # Log back in when a save changed the session (e.g. a signup logged us in).
        if form.persona:
            client.force_login(getattr(world, form.persona))
        else:
            client.logout()


def test_stored_html_is_shown_escaped(client: Client, world: World) -> None:
    world.company_x.verified_at = timezone.now()
    world.company_x.description = HTML
    world.company_x.save()
    html = client.get(reverse("web:company_detail", args=[world.company_x.slug])).content.decode()
    assert HTML not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "url",
    [
        "/student/suggestions/" + "9" * 40 + "/yes/",
        "/counsellor/review/" + "9" * 40 + "/approve/",
        "/api/v1/suggestions/" + "9" * 40 + "/",
        "/api/v1/placements/" + "9" * 40 + "/cancel/",
        "/api/v1/profiles/" + "9" * 40 + "/",
    ],
)
def test_an_id_too_long_for_the_database_is_not_found(
    client: Client, world: World, url: str
) -> None:
    client.force_login(world.dirk)
    response = (
        client.post(url) if url.endswith(("/yes/", "/approve/", "/cancel/")) else (client.get(url))
    )
    assert response.status_code == 404
