"""A counsellor's invitations: the sign-up is pre-filled with the invited name
and address, the list says where each stands (created, sent, opened, used,
expired, revoked), and an unused one can be revoked, after which its link is
dead."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.exceptions import DomainError
from accounts.models import Invitation
from tests.conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(world: World) -> Invitation:
    return services.invitation_create(
        organisation=world.school_a,
        created_by=world.dirk,
        email="fenna@example.nl",
        full_name="Fenna de Vries",
    )


def _status(client: Client, invitation: Invitation) -> str:
    html = client.get(reverse("web:invitations")).content.decode()
    row = html[html.index("Fenna de Vries") :]
    return row[: row.index("</tr>")]


def test_the_sign_up_is_prefilled_and_opening_it_shows(
    client: Client, world: World, invitation: Invitation
) -> None:
    client.force_login(world.dirk)
    assert "aangemaakt" in _status(client, invitation)
    client.logout()
    html = client.get(reverse("web:invitation_accept", args=[invitation.token])).content.decode()
    assert 'value="Fenna de Vries"' in html
    assert 'value="fenna@example.nl"' in html
    assert Invitation.objects.get(pk=invitation.pk).opened_at is not None
    client.force_login(world.dirk)
    assert "geopend" in _status(client, invitation)


def test_an_unused_invitation_is_revoked_and_its_link_dies(
    client: Client, world: World, invitation: Invitation
) -> None:
    client.force_login(world.dirk)
    url = reverse("web:invitation_revoke", args=[invitation.pk])
    client.post(url)
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None
    assert "ingetrokken" in _status(client, invitation)
    client.logout()
    response = client.get(reverse("web:invitation_accept", args=[invitation.token]))
    assert response.status_code == 410
    with pytest.raises(DomainError, match=r"verlopen of al gebruikt"):
        services.invitation_accept_signup(
            invitation=Invitation.objects.get(pk=invitation.pk),
            email="fenna@example.nl",
            full_name="Fenna de Vries",
            password="een-lang-wachtwoord-2026",
            date_of_birth=dt.date(2008, 5, 1),
        )


def test_another_schools_counsellor_cannot_revoke(
    client: Client, world: World, invitation: Invitation
) -> None:
    client.force_login(world.olga)
    response = client.post(reverse("web:invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None
    assert "Fenna de Vries" not in client.get(reverse("web:invitations")).content.decode()


def test_a_used_or_expired_invitation_says_so(
    client: Client, world: World, invitation: Invitation
) -> None:
    client.force_login(world.dirk)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    assert "verlopen" in _status(client, invitation)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + dt.timedelta(days=1), accepted_at=timezone.now()
    )
    status = _status(client, invitation)
    assert "gebruikt" in status
    assert "Intrekken" not in status
