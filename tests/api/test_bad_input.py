"""The bad-input corpus against the API's write endpoints: never a 500; a 400
names the field and stores nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from matching.models import MatchState
from tests import factories
from tests.conftest import World
from tests.web.test_bad_input import CORPUS, _row_counts

pytestmark = pytest.mark.django_db

VALUES = {**CORPUS, "number": 12, "negative_number": -5, "list_value": [1, 2], "object": {"a": 1}}


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _opening_body() -> dict:
    return {
        "title": "Stage",
        "description": "Draaien.",
        "type": "job",
        "place": "woerden",
        "start_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "hours_per_week": 32,
        "skills": [{"skill": "lassen", "importance": "must", "min_level": 1}],
    }


ENDPOINTS = [
    (
        "post",
        "/api/v1/openings/",
        "bram",
        _opening_body,
        [
            "title",
            "description",
            "type",
            "place",
            "start_date",
            "end_date",
            "hours_per_week",
            "capacity",
            "skills",
            "education_levels",
            "occupation",
        ],
    ),
    (
        "patch",
        "/api/v1/profiles/me/",
        "sam",
        dict,
        [
            "headline",
            "about",
            "education_level",
            "place",
            "travel_radius_km",
            "wanted_types",
            "available_from",
            "available_until",
            "hours_per_week",
            "sectors",
            "is_visible",
            "skills",
            "crebo_code",
        ],
    ),
    ("post", "/api/v1/tokens/", "sam", lambda: {"name": "app"}, ["name"]),
    ("post", "/api/v1/suggestions/{waiting}/reject/", "dirk", lambda: {"reason": "x"}, ["reason"]),
]


@pytest.mark.parametrize(
    ("method", "path", "persona", "body", "fields"), ENDPOINTS, ids=[e[1] for e in ENDPOINTS]
)
def test_the_corpus_never_breaks_a_write_endpoint(
    world: World, method, path, persona, body, fields
) -> None:
    factories.SkillFactory(slug="lassen", label_nl="Lassen", label_en="Welding")
    factories.PlaceFactory(name="Woerden")
    world.company_x.verified_at = timezone.now()
    world.company_x.save()
    profile = factories.ProfileFactory(user=world.sam)
    waiting = factories.MatchFactory(
        profile=profile,
        opening=factories.OpeningFactory(company=world.company_x),
        state=MatchState.SUGGESTED,
    )
    client = _client(getattr(world, persona))
    url = path.format(waiting=waiting.pk)
    for field in fields:
        for name, value in VALUES.items():
            data = body()
            data[field] = value
            before = _row_counts()
            response = getattr(client, method)(url, data, format="json")
            assert response.status_code in (200, 201, 400, 409), (field, name, response.status_code)
            if response.status_code == 400:
                assert response.json()["error"], (field, name)
                assert _row_counts() == before, (field, name)
