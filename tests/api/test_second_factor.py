"""The second factor is a permission, asked in one place (``accounts.selectors``):
every coordinator-only operation of the API, every coordinator page, and every
admin page refuse a coordinator or staff member who came with the password
alone, whether by session or by a token made before the code.

The coordinator-only operations are read from the permission matrix
(``tests/api/test_matrix.py``): the rows where only the coordinator gets a 2xx.
The pages are walked in ``tests/web/test_permission_matrix.py`` (column K0).
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from accounts.services import api_token_hash
from tests import factories
from tests.api.test_matrix import PERSONAS, ROWS, Objects, Row
from tests.api.test_matrix import objects as objects
from tests.conftest import World, login_with_second_factor

pytestmark = pytest.mark.django_db

COORDINATOR_ONLY = [
    row
    for row in ROWS
    if all(
        (int(code) < 300) == (persona == "K")
        for persona, code in zip(PERSONAS, row.expect.split(), strict=True)
    )
]


def _carla_session(world: World) -> APIClient:
    client = APIClient()
    client.force_login(world.carla)  # the password only: no one-time code
    return client


def _carla_token(world: World, second_factor: bool) -> APIClient:
    key = f"test-{second_factor}-{world.carla.pk}-0123456789abcdef"
    ApiToken.objects.create(
        user=world.carla,
        name="sync",
        prefix=key[:8],
        key_hash=api_token_hash(key),
        second_factor=second_factor,
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _call(client: APIClient, row: Row, objects: Objects):
    url = reverse(f"api:{row.route}", args=row.args(objects))
    return getattr(client, row.method)(url, row.body, format="json")


def test_the_matrix_has_coordinator_only_operations() -> None:
    routes = {row.route for row in COORDINATOR_ONLY}
    assert {"kpis", "skills-gap", "run-list", "company-verify"} <= routes


@pytest.mark.parametrize("way", ["session", "token made before the code"])
@pytest.mark.parametrize(
    "row", COORDINATOR_ONLY, ids=[f"{r.method}-{r.route}-{r.label}" for r in COORDINATOR_ONLY]
)
def test_the_password_alone_opens_no_coordinator_operation(
    objects: Objects, row: Row, way: str
) -> None:
    world = objects.world
    client = _carla_session(world) if way == "session" else _carla_token(world, False)
    response = _call(client, row, objects)
    assert response.status_code in (403, 404), response.content[:300]
    if response.status_code == 403:
        assert response.json()["error"] == "second_factor_required"


@pytest.mark.parametrize(
    "row", COORDINATOR_ONLY, ids=[f"{r.method}-{r.route}-{r.label}" for r in COORDINATOR_ONLY]
)
def test_a_token_made_after_the_code_carries_the_powers(objects: Objects, row: Row) -> None:
    response = _call(_carla_token(objects.world, True), row, objects)
    expected = int(row.expect.split()[PERSONAS.index("K")])
    assert response.status_code == expected, response.content[:300]


@pytest.mark.parametrize("way", ["session", "token made before the code"])
def test_starting_a_run_and_importing_for_companies_need_the_code(world: World, way: str) -> None:
    client = _carla_session(world) if way == "session" else _carla_token(world, False)
    run = client.post("/api/v1/runs/start/", {}, format="json")
    assert run.status_code == 403
    assert run.json()["error"] == "second_factor_required"
    upload = client.post(
        "/api/v1/imports/openings/",
        {"file": _csv("kvk;titel\n12345678;Lasser\n"), "publish": "yes"},
        format="multipart",
    )
    assert upload.status_code == 403
    assert upload.json()["error"] == "second_factor_required"


def test_tokens_of_a_coordinator_wait_for_the_code(world: World) -> None:
    session = _carla_session(world)
    assert session.get("/api/v1/tokens/").json()["error"] == "second_factor_required"
    made = session.post("/api/v1/tokens/", {"name": "sync"}, format="json")
    assert made.status_code == 403
    assert not ApiToken.objects.filter(user=world.carla).exists()
    # After the code, the token it makes records it, and carries the powers.
    verified = Client()
    login_with_second_factor(verified, world.carla)
    made = verified.post("/api/v1/tokens/", {"name": "sync"}, content_type="application/json")
    assert made.status_code == 201
    assert ApiToken.objects.get(user=world.carla).second_factor
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {made.json()['key']}")
    assert client.get("/api/v1/kpis/").status_code == 200


def test_a_token_made_before_becoming_coordinator_gains_nothing(world: World) -> None:
    """A student's token (no code needed then) stays without coordinator powers
    when the account later becomes a coordinator."""
    person = factories.UserFactory()
    factories.MembershipFactory(user=person, role="student", organisation=world.school_a)
    client = Client()
    client.force_login(person)
    key = client.post("/api/v1/tokens/", {"name": "app"}, content_type="application/json")
    assert key.status_code == 201
    factories.MembershipFactory(user=person, role="coordinator", organisation=world.region)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key.json()['key']}")
    response = api.get("/api/v1/kpis/")
    assert response.status_code == 403
    assert response.json()["error"] == "second_factor_required"


def _csv(text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("openingen.csv", text.encode(), content_type="text/csv")


def _admin_changelists() -> list[str]:
    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]


def test_every_admin_page_waits_for_the_code(client: Client, world: World) -> None:
    staff: User = factories.UserFactory(is_staff=True, is_superuser=True)
    TOTPDevice.objects.create(user=staff, confirmed=True, name="telefoon")
    client.force_login(staff)
    pages = ["/admin/", *_admin_changelists()]
    assert len(pages) > 10
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("web:two_factor_verify")), page
    login_with_second_factor(client, staff)
    for page in pages:
        assert client.get(page).status_code == 200, page
