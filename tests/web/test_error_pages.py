"""404, 403 and 500 pages in the site's style, in Dutch by default."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_a_404_in_the_sites_style(client: Client) -> None:
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Pagina niet gevonden" in html
    assert 'class="skip-link"' in html  # the site's own layout


def test_a_forbidden_page_is_a_403_in_the_sites_style(client: Client, world: World) -> None:
    client.force_login(world.sam)
    response = client.get(reverse("web:students"))
    assert response.status_code == 403
    assert "Geen toegang" in response.content.decode()


def test_the_500_page_renders_without_a_request_or_database() -> None:
    html = render_to_string("500.html")
    assert "Er ging iets mis" in html
    assert "Niets van wat je hebt opgeslagen is verloren" in html
