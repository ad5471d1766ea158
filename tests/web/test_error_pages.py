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
    assert 'class="utrecht-skip-link' in html  # the site's own layout


def test_a_forbidden_page_is_a_403_in_the_sites_style(client: Client, world: World) -> None:
    client.force_login(world.sam)
    response = client.get(reverse("web:students"))
    assert response.status_code == 403
    assert "Geen toegang" in response.content.decode()


def test_the_500_page_renders_without_a_request_or_database() -> None:
    html = render_to_string("500.html")
    assert "Er ging iets mis" in html
    assert "Niets van wat je hebt opgeslagen is verloren" in html


def _broken(*args: object, **kwargs: object) -> None:
    from django.db import OperationalError

    raise OperationalError("connection to server at 127.0.0.1 failed")


def test_a_database_outage_is_a_friendly_503(monkeypatch: pytest.MonkeyPatch) -> None:
    from marketplace import selectors

    monkeypatch.setattr(selectors, "openings_public", _broken)
    client = Client(raise_request_exception=False)
    response = client.get(reverse("web:home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "even niet bereikbaar" in response.content.decode()
    api = client.get("/api/v1/kpis/")  # before the database: 401 stays 401
    assert api.status_code == 401


def test_the_api_answers_503_as_json(monkeypatch: pytest.MonkeyPatch, world: World) -> None:
    from api import views

    monkeypatch.setattr(views.OpeningViewSet, "get_queryset", _broken)
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/openings/")
    assert response.status_code == 503
    assert response.json()["error"] == "unavailable"


def test_other_errors_stay_500(monkeypatch: pytest.MonkeyPatch) -> None:
    from marketplace import selectors

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "openings_public", boom)
    response = Client(raise_request_exception=False).get(reverse("web:home"))
    assert response.status_code == 500
    assert "Er ging iets mis" in response.content.decode()
