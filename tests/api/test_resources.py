"""The API's resources: schema, errors, tokens, throttling, filters, query budgets,
the workflow over HTTP, and the anonymised candidate."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Organisation
from marketplace.models import Opening, OpeningSkill, ProfileSkill
from matching.models import Match, MatchState
from tests import factories
from tests.conftest import World
from tests.matching.test_candidates import PERSONAL_KEYS, _walk

pytestmark = pytest.mark.django_db
S = MatchState


def _client(user: object = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_the_schema_builds_without_warnings_and_is_valid(tmp_path) -> None:
    # --fail-on-warn turns every drf-spectacular warning into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    text = (tmp_path / "s.yml").read_text()
    assert "/api/v1/suggestions/{id}/approve/" in text
    assert "'429':" in text
    assert "apiToken" in text


def test_swagger_ui_is_served_from_this_site(client) -> None:
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr" not in html  # the sidecar serves the assets itself


# --- Errors -------------------------------------------------------------------------


def test_bad_input_is_a_400_with_field_messages(world: World) -> None:
    response = _client(world.bram).post(
        "/api/v1/openings/",
        {"title": "", "type": "nonsense", "hours_per_week": 99, "place": "atlantis"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid"
    assert {"title", "type", "hours_per_week", "place", "description", "start_date"} <= set(
        body["fields"]
    )


@pytest.mark.parametrize(
    ("method", "url", "payload"),
    [
        ("patch", "/api/v1/profiles/me/", {"headline": "nul\x00byte"}),
        ("get", "/api/v1/openings/?q=nul%00byte", None),
        ("get", "/api/v1/skills/?q=%00", None),
        ("post", "/api/v1/tokens/", {"name": "a\x00b"}),
        ("get", "/api/v1/openings/a%00b/", None),
        ("patch", "/api/v1/profiles/me/", {"place": "wo\x00erden"}),
        ("patch", "/api/v1/profiles/me/", {"skills": [{"skill": "a\x00"}]}),
    ],
)
def test_nul_bytes_are_refused_not_a_500(
    world: World, method: str, url: str, payload: dict | None
) -> None:
    response = getattr(_client(world.sam), method)(url, payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"


def test_broken_json_is_a_400(world: World) -> None:
    response = _client(world.sam).generic(
        "PATCH", "/api/v1/profiles/me/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "parse_error"


def test_a_wrong_step_is_a_409_with_a_message(world: World) -> None:
    match = factories.MatchFactory(
        profile=factories.ProfileFactory(user=world.sam),
        opening=factories.OpeningFactory(company=world.company_x),
        state=S.APPROVED,
    )
    response = _client(world.dirk).post(f"/api/v1/suggestions/{match.pk}/approve/")
    assert response.status_code == 409
    assert response.json()["error"] == "conflict"
    assert response.json()["detail"]


def test_too_many_requests_is_a_429_with_retry_after(world: World, settings) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.API_THROTTLE_RATES = {"anon": "3/minute", "user": "1000/minute"}
    client = APIClient()
    statuses = [client.get("/api/v1/skills/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/skills/")
    assert response.json()["error"] == "throttled"
    assert int(response["Retry-After"]) > 0
    cache.clear()


# --- Tokens -------------------------------------------------------------------------


def test_a_token_is_made_used_and_revoked(world: World) -> None:
    made = _client(world.sam).post("/api/v1/tokens/", {"name": "Schoolsysteem"}, format="json")
    assert made.status_code == 201
    key, token_id = made.json()["key"], made.json()["id"]
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert bearer.get("/api/v1/me/").json()["email"] == world.sam.email
    listed = _client(world.sam).get("/api/v1/tokens/").json()["results"]
    assert "key" not in listed[0]  # shown once, never again
    assert _client(world.sam).delete(f"/api/v1/tokens/{token_id}/").status_code == 204
    refused = bearer.get("/api/v1/me/")
    assert refused.status_code == 401
    assert refused.json()["error"] == "authentication_failed"


def test_a_made_up_token_is_a_401(world: World) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-real-key")
    assert client.get("/api/v1/skills/").status_code == 401


# --- Openings: filters and writes -----------------------------------------------------


@pytest.fixture
def catalogue(world: World) -> dict:
    Organisation.objects.filter(pk=world.company_x.pk).update(
        verified_at=timezone.now(), sector="machinery"
    )
    woerden = factories.PlaceFactory(name="Woerden", latitude=52.0853, longitude=4.8836)
    montfoort = factories.PlaceFactory(name="Montfoort", latitude=52.0458, longitude=4.9528)
    groningen = factories.PlaceFactory(name="Groningen", latitude=53.2194, longitude=6.5665)
    lassen = factories.SkillFactory(slug="mig-lassen")
    near = factories.OpeningFactory(
        company=world.company_x, place=montfoort, title="Lasser gezocht", type="bbl"
    )
    OpeningSkill.objects.create(opening=near, skill=lassen)
    far = factories.OpeningFactory(place=groningen, title="Monteur", education_levels=[])
    draft = factories.OpeningFactory(company=world.company_x, status="draft", published_at=None)
    return {"woerden": woerden, "near": near, "far": far, "draft": draft, "lassen": lassen}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"near", "far"}),
        ("?place=woerden&radius_km=15", {"near"}),
        ("?place=woerden&radius_km=250", {"near", "far"}),
        ("?place=montfoort", {"near"}),
        ("?type=bbl", {"near"}),
        ("?skill=mig-lassen", {"near"}),
        ("?sector=machinery", {"near"}),
        ("?q=lasser", {"near"}),
        ("?education_level=hbo", {"far"}),  # accepts any level
        ("?education_level=mbo2", {"near", "far"}),
    ],
)
def test_the_public_search_filters(catalogue: dict, query: str, expected: set[str]) -> None:
    response = APIClient().get(f"/api/v1/openings/{query}")
    assert response.status_code == 200
    slugs = {o["slug"] for o in response.json()["results"]}
    assert slugs == {catalogue[name].slug for name in expected}


def test_an_unknown_filter_value_is_a_400(catalogue: dict) -> None:
    response = APIClient().get("/api/v1/openings/?place=atlantis&radius_km=-3")
    assert response.status_code == 400
    assert {"place", "radius_km"} <= set(response.json()["fields"])


def test_a_member_drafts_publishes_and_closes_an_opening(world: World, catalogue: dict) -> None:
    client = _client(world.bram)
    made = client.post(
        "/api/v1/openings/",
        {
            "title": "Leerling CNC-frezer",
            "description": "Frezen op een 5-assige machine.",
            "type": "job",
            "place": "woerden",
            "start_date": "2027-03-01",
            "hours_per_week": 38,
            "skills": [{"skill": "mig-lassen", "importance": "nice", "min_level": 2}],
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    slug = made.json()["slug"]
    assert made.json()["status"] == "draft"
    assert APIClient().get(f"/api/v1/openings/{slug}/").status_code == 404  # not public yet
    assert client.post(f"/api/v1/openings/{slug}/publish/").json()["status"] == "open"
    assert APIClient().get(f"/api/v1/openings/{slug}/").status_code == 200
    changed = client.patch(f"/api/v1/openings/{slug}/", {"capacity": 3}, format="json")
    assert changed.json()["capacity"] == 3
    assert client.post(f"/api/v1/openings/{slug}/close/").json()["status"] == "closed"
    assert Opening.objects.get(slug=slug).closed_reason == "by_company"


# --- Query budgets ----------------------------------------------------------------------


def _queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:200]
    return len(captured)


@pytest.fixture
def crowd(world: World) -> World:
    """Enough of everything that a page of 2 and a page of 20 differ."""
    Organisation.objects.filter(pk=world.company_x.pk).update(verified_at=timezone.now())
    skill = factories.SkillFactory()
    sam_profile = factories.ProfileFactory(user=world.sam)
    for i in range(12):
        opening = factories.OpeningFactory(company=world.company_x, capacity=5)
        OpeningSkill.objects.create(opening=opening, skill=skill)
        student = factories.UserFactory()
        factories.MembershipFactory(user=student, role="student", organisation=world.school_a)
        profile = factories.ProfileFactory(user=student)
        ProfileSkill.objects.create(profile=profile, skill=skill, level=2)
        state = [S.STUDENT_YES, S.ACCEPTED, S.SUGGESTED][i % 3]
        factories.MatchFactory(profile=profile, opening=opening, state=state)
        factories.MatchFactory(profile=sam_profile, opening=opening, state=S.APPROVED)
    return world


LISTS = [
    ("A", "/api/v1/openings/"),
    ("A", "/api/v1/skills/"),
    ("A", "/api/v1/places/"),
    ("A", "/api/v1/companies/"),
    ("bram", "/api/v1/openings/"),
    ("bram", "/api/v1/suggestions/"),
    ("sam", "/api/v1/suggestions/"),
    ("dirk", "/api/v1/suggestions/"),
    ("dirk", "/api/v1/profiles/"),
    ("dirk", "/api/v1/placements/"),
    ("bram", "/api/v1/placements/"),
    ("carla", "/api/v1/runs/"),
    ("sam", "/api/v1/tokens/"),
]


@pytest.mark.parametrize(("persona", "url"), LISTS, ids=[f"{p}-{u}" for p, u in LISTS])
def test_every_list_costs_the_same_queries_whatever_the_page_size(
    crowd: World, persona: str, url: str
) -> None:
    from marketplace.models import Placement
    from matching import workflow

    for match in Match.objects.filter(state=S.ACCEPTED)[:3]:
        workflow.match_place(match=match, by=crowd.bram)
    assert Placement.objects.count() == 3
    client = _client(None if persona == "A" else getattr(crowd, persona))
    small = _queries(client, f"{url}?page_size=2")
    large = _queries(client, f"{url}?page_size=20")
    assert small == large


# --- The workflow over HTTP, and anonymity ------------------------------------------------


def test_the_journey_over_the_api(world: World) -> None:
    Organisation.objects.filter(pk=world.company_x.pk).update(verified_at=timezone.now())
    world.sam.full_name = "Samira Bakker"
    world.sam.save()
    profile = factories.ProfileFactory(
        user=world.sam, available_from=dt.date(2027, 2, 1), about="Ik heet Samira."
    )
    opening = factories.OpeningFactory(company=world.company_x, capacity=1)
    match = factories.MatchFactory(profile=profile, opening=opening)
    url = f"/api/v1/suggestions/{match.pk}"

    sam, dirk, bram = _client(world.sam), _client(world.dirk), _client(world.bram)
    assert sam.get(f"{url}/").status_code == 404  # not approved yet
    assert (
        dirk.post(f"{url}/approve/", {"reason": "Past goed"}, format="json").json()["state"]
        == "approved"
    )
    seen = sam.get(f"{url}/").json()
    assert (seen["view"], seen["explanation"]["score"]) == ("student", 0.8)
    assert sam.post(f"{url}/yes/").json()["state"] == "student_yes"

    candidate = bram.get(f"{url}/").json()
    assert candidate["view"] == "company"
    assert candidate["student"] is None
    assert candidate["explanation"] is None
    text = json.dumps(candidate)
    for secret in ("Samira", world.sam.email, world.school_a.name, "2008"):
        assert secret not in text
    # The envelope names the opening, its company and place; the candidate no one.
    about_student = candidate["candidate"]
    keys = {leaf for path, leaf in _walk(about_student) if path.endswith(f".{leaf}")}
    assert keys & PERSONAL_KEYS == set()
    assert candidate["candidate"]["contact"] is None

    assert bram.post(f"{url}/invite/", {"reason": "Kom langs"}, format="json").status_code == 200
    assert sam.post(f"{url}/accept/").json()["state"] == "accepted"
    revealed = bram.get(f"{url}/").json()["candidate"]["contact"]
    assert revealed == {"name": "Samira Bakker", "email": world.sam.email}

    placed = bram.post(f"{url}/place/", {"start_date": "2027-02-01"}, format="json")
    assert placed.status_code == 201
    assert placed.json()["student"]["full_name"] == "Samira Bakker"
    assert Opening.objects.get(pk=opening.pk).status == "closed"
    placements = sam.get("/api/v1/placements/").json()["results"]
    assert [p["id"] for p in placements] == [placed.json()["id"]]


# --- Fixes from review ----------------------------------------------------------------


def test_switching_a_profile_off_over_the_api_ends_its_suggestions(world: World) -> None:
    Organisation.objects.filter(pk=world.company_x.pk).update(verified_at=timezone.now())
    profile = factories.ProfileFactory(user=world.sam)
    match = factories.MatchFactory(
        profile=profile,
        opening=factories.OpeningFactory(company=world.company_x),
        state=S.ACCEPTED,
    )
    response = _client(world.sam).patch(
        "/api/v1/profiles/me/", {"is_visible": False}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["is_visible"] is False
    assert Match.objects.get(pk=match.pk).state == S.WITHDRAWN
    assert _client(world.bram).get(f"/api/v1/suggestions/{match.pk}/").status_code == 404
    again = _client(world.sam).patch("/api/v1/profiles/me/", {"is_visible": True}, format="json")
    assert again.json()["is_visible"] is True


def test_confirming_twice_is_a_409_not_a_500(world: World) -> None:
    match = factories.MatchFactory(
        profile=factories.ProfileFactory(user=world.sam),
        opening=factories.OpeningFactory(company=world.company_x, capacity=3),
        state=S.ACCEPTED,
    )
    bram = _client(world.bram)
    assert bram.post(f"/api/v1/suggestions/{match.pk}/place/").status_code == 201
    # A stale copy, as a double click would hold: refused by state, not by the database.
    from matching import workflow

    stale = Match.objects.get(pk=match.pk)
    stale.state = S.ACCEPTED
    with pytest.raises(workflow.InvalidState):
        workflow.match_place(match=stale, by=world.bram)
    assert bram.post(f"/api/v1/suggestions/{match.pk}/place/").status_code == 409


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        (
            "/api/v1/profiles/me/",
            {"available_from": "2027-05-01", "available_until": "2027-01-01"},
            "available_until",
        ),
        ("OPENING", {"start_date": "2027-05-01", "end_date": "2027-01-01"}, "end_date"),
        ("OPENING", {"capacity": 1}, "capacity"),
        ("OPENING", {"skills": []}, "skills"),
    ],
)
def test_rules_across_fields_are_field_errors(
    world: World, url: str, body: dict, field: str
) -> None:
    factories.ProfileFactory(user=world.sam)
    opening = factories.OpeningFactory(company=world.company_x, capacity=2, type="job")
    Opening.objects.filter(pk=opening.pk).update(places_filled=1)
    client = _client(world.bram if url == "OPENING" else world.sam)
    target = f"/api/v1/openings/{opening.slug}/" if url == "OPENING" else url
    response = client.patch(target, body, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert "opening_" not in response.json()["detail"]  # no constraint names


def test_a_token_cannot_make_or_revoke_tokens(world: World) -> None:
    from accounts.services import api_token_create

    token, key = api_token_create(user=world.sam, name="Koppeling")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.post("/api/v1/tokens/", {"name": "Nog een"}, format="json").status_code == 403
    assert client.delete(f"/api/v1/tokens/{token.pk}/").status_code == 403
    assert client.get("/api/v1/tokens/").status_code == 200


def test_naming_another_companys_slug_looks_like_an_unknown_one(world: World) -> None:
    factories.PlaceFactory()
    body = {**_OPENING, "company": world.company_x.slug}
    mine = _client(world.otto).post("/api/v1/openings/", body, format="json")
    unknown = _client(world.otto).post(
        "/api/v1/openings/", {**body, "company": "bestaat-niet"}, format="json"
    )
    assert mine.status_code == unknown.status_code == 400
    assert list(mine.json()["fields"]) == list(unknown.json()["fields"]) == ["company"]
    assert not Opening.objects.filter(company=world.company_x).exists()


def test_two_openings_with_one_title_get_two_slugs(world: World) -> None:
    factories.PlaceFactory()
    first = _client(world.bram).post("/api/v1/openings/", _OPENING, format="json")
    second = _client(world.bram).post("/api/v1/openings/", _OPENING, format="json")
    assert first.status_code == second.status_code == 201
    assert first.json()["slug"] != second.json()["slug"]


_OPENING = {
    "title": "Monteur",
    "description": "Montage van machines.",
    "type": "job",
    "place": "woerden",
    "start_date": "2027-03-01",
    "hours_per_week": 38,
}


@pytest.mark.django_db
def test_my_data_and_deleting_my_account_through_the_api(world) -> None:
    from rest_framework.test import APIClient

    from accounts.models import ApiToken, User
    from accounts.services import api_token_create

    world.sam.set_password("mijn-wachtwoord-123")
    world.sam.save()
    _token, key = api_token_create(user=world.sam, name="app")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    data = client.get("/api/v1/me/data/").json()
    assert data["account"]["email"] == world.sam.email
    wrong = client.delete("/api/v1/me/", {"password": "fout"}, format="json")
    assert wrong.status_code == 400
    assert "password" in wrong.json()["fields"]
    assert User.objects.get(pk=world.sam.pk).erased_at is None
    done = client.delete("/api/v1/me/", {"password": "mijn-wachtwoord-123"}, format="json")
    assert done.status_code == 204
    erased = User.objects.get(pk=world.sam.pk)
    assert erased.erased_at is not None
    assert not ApiToken.objects.filter(user=erased).exists()
    assert client.get("/api/v1/me/").status_code == 401  # the token is gone
