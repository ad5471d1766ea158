"""The coordinator checks a company before its openings reach students: its
details and who registered it, then verify or refuse with a reason that its
members get by e-mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Membership, Organisation, Role
from notifications.services import company_refused_notify
from tests import factories
from tests.conftest import World, login_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(world: World) -> Organisation:
    company = factories.CompanyFactory(
        verified_at=None, name="Lasbedrijf Lopik (fictief)", kvk_number="99000077"
    )
    owner = factories.UserFactory(full_name="Olaf Oprichter", email="olaf@example.nl")
    Membership.objects.create(user=owner, organisation=company, role=Role.COMPANY_MEMBER)
    return company


def test_the_check_page_shows_what_to_check(client: Client, world: World, applicant) -> None:
    login_with_second_factor(client, world.carla)
    html = client.get(reverse("web:companies_to_verify")).content.decode()
    assert "Lasbedrijf Lopik (fictief)" in html
    assert "https://www.kvk.nl/zoeken/?source=all&amp;q=99000077" in html
    assert "Olaf Oprichter" in html
    assert "olaf@example.nl" in html
    assert applicant.get_sector_display() in html


def test_refusing_needs_a_reason_and_mails_it(
    client: Client, world: World, applicant, django_capture_on_commit_callbacks
) -> None:
    login_with_second_factor(client, world.carla)
    url = reverse("web:company_refuse", args=[applicant.pk])
    html = client.post(url, {"reason": "  "}, follow=True).content.decode()
    assert "Zeg waarom" in html
    assert Organisation.objects.get(pk=applicant.pk).refused_at is None
    reason = "Het KvK-nummer hoort bij een ander bedrijf."
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(url, {"reason": reason})
    assert callbacks  # the e-mail is sent by the worker once this commits
    refused = Organisation.objects.get(pk=applicant.pk)
    assert refused.refused_by == world.carla
    assert refused.refusal_reason == reason
    # Gone from the queue, and not verified by accident.
    html = client.get(reverse("web:companies_to_verify")).content.decode()
    assert "is geweigerd" in html  # the message, once
    assert f'id="company-{applicant.pk}"' not in html
    assert refused.verified_at is None
    assert company_refused_notify(company_id=applicant.pk) == 1
    assert mail.outbox[-1].to == ["olaf@example.nl"]
    assert reason in mail.outbox[-1].body
    # Refused once is refused: a second refusal or a verification is refused.
    html = client.post(url, {"reason": "nog eens"}, follow=True).content.decode()
    assert "al gecontroleerd of geweigerd" in html


def test_a_company_member_cannot_refuse_or_see_the_checks(
    client: Client, world: World, applicant
) -> None:
    client.force_login(world.bram)
    url = reverse("web:company_refuse", args=[applicant.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    response = client.get(reverse("web:companies_to_verify"))
    assert response.status_code == 403
    assert "Lasbedrijf Lopik" not in response.content.decode()
    assert Organisation.objects.get(pk=applicant.pk).refused_at is None
