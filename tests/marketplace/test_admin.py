"""The admin at demo scale: changelists load in a bounded number of queries."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from tests.conftest import login_with_second_factor
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_demo(client: Client) -> Client:
    call_command(
        "seed_demo", force=True, without_suggestions=True, verbosity=0, stdout=io.StringIO()
    )
    admin = User.objects.create_superuser(
        email="root@example.nl", password=PASSWORD, full_name="Root"
    )
    login_with_second_factor(client, admin)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/marketplace/opening/",
        "/admin/marketplace/profile/",
        "/admin/marketplace/skill/",
        "/admin/marketplace/place/",
        "/admin/accounts/organisation/",
        "/admin/accounts/user/",
    ],
)
def test_changelists_load_in_bounded_queries(admin_client_demo: Client, url: str) -> None:
    with CaptureQueriesContext(connection) as full_page:
        response = admin_client_demo.get(url)
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as one_row:
        admin_client_demo.get(url + "?q=zzz-nothing-matches")
    # A per-row query would make a 100-row page cost ~100 more than an empty one.
    assert len(full_page) - len(one_row) <= 3, [q["sql"] for q in full_page.captured_queries]
    assert len(full_page) <= 15


@pytest.mark.parametrize(
    "url",
    [
        "/admin/marketplace/opening/?status__exact=open&type__exact=bol",
        "/admin/marketplace/profile/?is_career_changer__exact=1",
        "/admin/marketplace/skill/?q=lassen",
        "/admin/marketplace/opening/?q=CNC",
    ],
)
def test_search_and_filters_work(admin_client_demo: Client, url: str) -> None:
    response = admin_client_demo.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count > 0


def test_change_forms_open(admin_client_demo: Client) -> None:
    from marketplace.models import Opening, Profile

    opening, profile = Opening.objects.first(), Profile.objects.first()
    assert (
        admin_client_demo.get(f"/admin/marketplace/opening/{opening.pk}/change/").status_code == 200
    )
    assert (
        admin_client_demo.get(f"/admin/marketplace/profile/{profile.pk}/change/").status_code == 200
    )


def test_the_demo_coordinator_keeps_the_taxonomy_but_sees_no_personal_data(
    admin_client_demo: Client,
) -> None:
    client = Client()
    login_with_second_factor(client, User.objects.get(email="coordinator@demo.maakmatch.nl"))
    for url in (
        "/admin/marketplace/skill/",
        "/admin/marketplace/opening/",
        "/admin/marketplace/place/",
        "/admin/accounts/organisation/",
    ):
        assert client.get(url).status_code == 200, url
    for url in ("/admin/marketplace/profile/", "/admin/accounts/user/"):
        assert client.get(url).status_code == 403, url
