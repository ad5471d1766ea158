from __future__ import annotations

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from accounts.exceptions import DomainError, InvalidState, NotAllowed
from api.exceptions import exception_handler
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_builds() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["info"]["title"] == "MaakMatch API"
    assert "/api/v1/me/" in schema["paths"]


def test_the_schema_is_served(client: Client) -> None:
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200


def test_me_needs_a_login(client: Client) -> None:
    assert client.get("/api/v1/me/").status_code == 401


def test_me_shows_roles(client: Client, world: World) -> None:
    client.force_login(world.dirk)
    body = client.get("/api/v1/me/").json()
    assert body["email"] == world.dirk.email
    assert body["memberships"] == [
        {
            "role": "counsellor",
            "organisation": world.school_a.name,
            "organisation_slug": world.school_a.slug,
            "organisation_kind": "school",
        }
    ]


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (
            DomainError("Fout.", field="email"),
            400,
            {"error": "invalid", "detail": "Fout.", "fields": {"email": ["Fout."]}},
        ),
        (DomainError("Fout."), 400, {"error": "invalid", "detail": "Fout.", "fields": {}}),
        (NotAllowed("Niet jij."), 403, {"error": "forbidden", "detail": "Niet jij.", "fields": {}}),
        (
            InvalidState("Al gedaan."),
            409,
            {"error": "conflict", "detail": "Al gedaan.", "fields": {}},
        ),
    ],
)
def test_domain_errors_map_to_http_in_one_place(error: Exception, status: int, body: dict) -> None:
    response = exception_handler(error, {})
    assert (response.status_code, response.data) == (status, body)


def test_other_errors_keep_drfs_handling() -> None:
    from rest_framework.exceptions import NotAuthenticated

    assert exception_handler(NotAuthenticated(), {}).status_code == 401
