"""What a generated client relies on beyond the chain: contradictory or
duplicate input is a 400 naming the field (never silently changed), every
timestamp is UTC, one id per resource, and the schema does not depend on the
request's language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Organisation
from marketplace.models import Opening, Profile
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _fields(response) -> dict:
    assert response.status_code == 400, response.content
    return response.json()["fields"]


def test_a_radius_without_a_place_is_refused(world: World) -> None:
    place = factories.PlaceFactory()
    assert "radius_km" in _fields(APIClient().get("/api/v1/openings/", {"radius_km": 10}))
    ok = APIClient().get("/api/v1/openings/", {"radius_km": 10, "place": place.slug})
    assert ok.status_code == 200


@pytest.mark.parametrize("size", ["0", "101", "500", "veel"])
def test_a_page_size_outside_1_to_100_is_refused_not_cut(size: str) -> None:
    assert "page_size" in _fields(APIClient().get("/api/v1/skills/", {"page_size": size}))


def test_the_largest_page_size_is_served() -> None:
    for n in range(3):
        factories.SkillFactory(slug=f"vaardigheid-{n}")
    response = APIClient().get("/api/v1/skills/", {"page_size": 100})
    assert response.status_code == 200
    assert response.json()["count"] == len(response.json()["results"])


def test_duplicate_values_are_refused_and_nothing_is_stored(world: World) -> None:
    profile = factories.ProfileFactory(user=world.sam, education_level="mbo3")
    sam = _as(world.sam)
    for body, field in (
        ({"wanted_types": ["bol", "bol"]}, "wanted_types"),
        ({"sectors": ["metal", "metal"]}, "sectors"),
    ):
        assert field in _fields(sam.patch("/api/v1/profiles/me/", body, format="json"))
    stored = Profile.objects.get(pk=profile.pk)
    assert stored.wanted_types == profile.wanted_types
    assert stored.sectors == profile.sectors

    Organisation.objects.filter(pk=world.company_x.pk).update(
        verified_at=timezone.now(), sbb_recognised=True, sbb_recognised_on=dt.date(2020, 1, 1)
    )
    opening = factories.OpeningFactory(company=world.company_x, education_levels=["mbo3"])
    bram = _as(world.bram)
    url = f"/api/v1/openings/{opening.slug}/"
    body = {"education_levels": ["mbo3", "mbo4", "mbo3"]}
    assert "education_levels" in _fields(bram.patch(url, body, format="json"))
    assert Opening.objects.get(pk=opening.pk).education_levels == ["mbo3"]
    # A JSON PATCH with two levels stores exactly those two.
    ok = bram.patch(url, {"education_levels": ["mbo3", "mbo4"]}, format="json")
    assert ok.status_code == 200, ok.content
    assert Opening.objects.get(pk=opening.pk).education_levels == ["mbo3", "mbo4"]


def test_bodies_are_json_only_except_uploads(world: World) -> None:
    response = _as(world.sam).patch(
        "/api/v1/profiles/me/", "headline=Hallo", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert set(response.json()) == {"error", "detail", "fields"}


def test_timestamps_are_utc_with_z(world: World) -> None:
    opening = factories.OpeningFactory(company=world.company_x)
    profile = factories.ProfileFactory(user=world.sam)
    match = factories.MatchFactory(
        profile=profile,
        opening=opening,
        state="approved",
        state_changed_at=dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC),
    )
    body = _as(world.sam).get(f"/api/v1/suggestions/{match.pk}/").json()
    assert body["state_changed_at"] == "2026-07-01T12:00:00Z"  # not 14:00+02:00
    me = _as(world.sam).get("/api/v1/me/data/").json()
    assert me["exported_at"].endswith("Z")


def test_one_id_per_student_and_a_student_filter(world: World) -> None:
    profile = factories.ProfileFactory(user=world.sam)
    other = factories.ProfileFactory(user=world.lotte)
    mine = factories.MatchFactory(profile=profile)
    factories.MatchFactory(profile=other)
    dirk = _as(world.dirk)
    listed = dirk.get("/api/v1/suggestions/", {"student": profile.pk}).json()
    assert [s["id"] for s in listed["results"]] == [mine.pk]
    student = listed["results"][0]["student"]
    assert student == {"profile": profile.pk, "full_name": world.sam.full_name}
    # The id leads to the profile itself.
    assert dirk.get(f"/api/v1/profiles/{student['profile']}/").json()["id"] == profile.pk


def test_the_schema_is_one_language_whatever_the_request(client) -> None:
    dutch = client.get("/api/v1/schema/?format=json", HTTP_ACCEPT_LANGUAGE="nl").content
    english = client.get("/api/v1/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en").content
    assert dutch == english
    assert b"Radius in km" in english
    assert b"Straal" not in dutch


def test_the_integrating_page_in_both_languages_and_linked_from_swagger(client) -> None:
    dutch = client.get("/integrating/").content.decode()
    assert "<h1>Koppelen met MaakMatch</h1>" in dutch
    assert "Organisatiesleutels" in dutch
    assert "<pre><code" in dutch  # the curl chain as a code block
    english = client.get("/integrating/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Organisation keys" in english
    schema = client.get("/api/v1/schema/?format=json").json()
    assert "(/integrating/)" in schema["info"]["description"]


def test_a_students_own_suggestions_cost_no_counsellor_scope_query(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    profile = factories.ProfileFactory(user=world.sam)
    for _ in range(3):
        factories.MatchFactory(profile=profile, state="approved")
    sam = _as(world.sam)
    with CaptureQueriesContext(connection) as queries:
        response = sam.get("/api/v1/suggestions/")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 3
    # Placing suggestions under a counsellor (students_for_viewer: users filtered
    # by the page's student ids) is not needed when every one is the viewer's own.
    scoped = [q for q in queries if q["sql"].startswith('SELECT DISTINCT "accounts_user"."id"')]
    assert scoped == []
