"""A path that is not in the OpenAPI schema is "not found" (404), for everyone:
never a 500, and never a way around a permission (format suffixes such as
``/tokens.json`` once reached the views, which failed or skipped checks)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from accounts.services import api_token_create
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db
SUFFIXES = [".json", ".api", ".csv", ".xml", "/.json"]


def _paths(world: World) -> list[str]:
    """Every schema path, with real ids and slugs of the viewer's own objects
    filled in, so that only the suffix can make it unknown."""
    profile = factories.ProfileFactory(user=world.sam)
    opening = factories.OpeningFactory(company=world.company_x)
    token, _key = api_token_create(user=world.sam, name="koppeling")
    values = {"id": profile.pk, "slug": opening.slug}
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = []
    for path in schema["paths"]:
        if "/tokens/" in path:
            path = path.replace("{id}", str(token.pk))
        paths.append(re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path))
    return paths


@pytest.mark.parametrize("viewer", ["anonymous", "sam", "carla"])
def test_a_suffixed_path_is_not_found(client: Client, world: World, viewer: str) -> None:
    if viewer != "anonymous":
        client.force_login(getattr(world, viewer))
    for path in _paths(world):
        for suffix in SUFFIXES:
            url = path.rstrip("/") + suffix
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code == 404, (method, url, response.status_code)


def test_the_format_query_still_chooses_json(client: Client, world: World) -> None:
    client.force_login(world.sam)
    response = client.get("/api/v1/me/?format=json")
    assert response.status_code == 200
    assert response.json()["email"] == world.sam.email
