"""Two-factor authentication (TOTP) for coordinators and admin staff."""

from __future__ import annotations

import base64
import re
import time
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories
from tests.conftest import World, login_with_second_factor

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice, drift: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time += drift * device.step
    return f"{totp.token():06d}"


def _emailed_link(mailbox: list) -> str:
    body = mailbox[-1].body
    match = re.search(r"https?://\S+/account/two-factor/enrol/\S+", body)
    assert match, body
    link = urlsplit(match.group(0))
    return f"{link.path}?{link.query}" if link.query else link.path


def test_a_coordinator_sets_up_an_authenticator_first(
    client: Client, world: World, mailoutbox: list
) -> None:
    client.force_login(world.carla)
    page = reverse("web:kpis")
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:two_factor_setup"))
    # The password alone shows no QR code: first a link to the account's address.
    offer = client.get(response["Location"])
    assert 'src="data:image/svg+xml' not in offer.content.decode()
    assert not TOTPDevice.objects.filter(user=world.carla).exists()
    client.post(reverse("web:two_factor_setup"), {"next": page})
    assert [m.to for m in mailoutbox] == [[world.carla.email]]
    opened = client.get(_emailed_link(mailoutbox))
    assert opened["Location"].startswith(reverse("web:two_factor_setup"))
    setup = client.get(opened["Location"])
    html = setup.content.decode()
    assert 'src="data:image/svg+xml' in html  # the QR code, allowed by the CSP
    device = TOTPDevice.objects.get(user=world.carla, confirmed=False)
    # The key as apps take it when typed: base32 of the very secret, in groups of 4.
    key = re.search(r"([A-Z2-7]{4}(?: [A-Z2-7]{1,4})+)", html).group(1)
    padded = key.replace(" ", "") + "=" * (-len(key.replace(" ", "")) % 8)
    assert base64.b32decode(padded) == device.bin_key
    wrong = client.post(reverse("web:two_factor_setup"), {"token": "000000", "next": page})
    assert "niet juist" in wrong.content.decode()
    device = TOTPDevice.objects.get(pk=device.pk)
    assert not device.confirmed
    assert device.throttling_failure_count == 1  # failures slow the next try down
    device.throttle_reset()
    before = client.session.session_key
    done = client.post(reverse("web:two_factor_setup"), {"token": _code(device), "next": page})
    assert done["Location"] == page
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.session.session_key != before  # a fixed session id is worth nothing after
    assert client.get(page).status_code == 200


def test_the_link_works_once_in_time_for_its_own_account(
    client: Client, world: World, mailoutbox: list, settings
) -> None:
    client.force_login(world.carla)
    client.post(reverse("web:two_factor_setup"))
    link = _emailed_link(mailoutbox)
    # Another account (a second coordinator who logged in) cannot use it.
    other = factories.UserFactory()
    factories.MembershipFactory(user=other, role="coordinator", organisation=world.region)
    client.force_login(other)
    refused = client.get(link)
    assert refused.status_code == 400
    assert "niet meer geldig" in refused.content.decode()
    assert not TOTPDevice.objects.filter(user=other).exists()
    client.force_login(world.carla)
    assert client.get(link).status_code == 302
    assert TOTPDevice.objects.filter(user=world.carla, confirmed=False).count() == 1
    assert client.get(link).status_code == 400  # used: the authenticator state changed
    # Expired: a link older than its minutes.
    client.post(reverse("web:two_factor_setup"))
    settings.MAAKMATCH_SECOND_FACTOR_LINK_MINUTES = 0
    time.sleep(1)
    assert client.get(_emailed_link(mailoutbox)).status_code == 400


def test_staff_without_the_code_get_no_admin(client: Client, world: World) -> None:
    staff = factories.UserFactory(is_staff=True, is_superuser=True)
    TOTPDevice.objects.create(user=staff, confirmed=True, name="telefoon")
    client.force_login(staff)
    change = f"/admin/accounts/user/{world.sam.pk}/change/"
    for path in ("/admin/", "/admin/accounts/user/", change):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("web:two_factor_verify")), path
        assert world.sam.email not in response.content.decode()
    login_with_second_factor(client, staff)
    assert world.sam.email in client.get("/admin/accounts/user/").content.decode()


def test_after_the_next_login_the_code_is_asked_again(client: Client, world: World) -> None:
    device = TOTPDevice.objects.create(user=world.carla, confirmed=True, name="telefoon")
    client.force_login(world.carla)
    response = client.get(reverse("web:companies_to_verify"))
    assert response["Location"].startswith(reverse("web:two_factor_verify"))
    bad = client.post(reverse("web:two_factor_verify"), {"token": "12345"})
    assert "6 cijfers" in bad.content.decode()
    client.post(reverse("web:two_factor_verify"), {"token": _code(device), "next": "/"})
    assert client.get(reverse("web:companies_to_verify")).status_code == 200


def test_staff_need_it_for_the_admin_and_others_never(client: Client, world: World) -> None:
    staff = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get("/admin/")
    assert response["Location"].startswith(reverse("web:two_factor_setup"))
    for person in (world.sam, world.dirk, world.bram):
        client.force_login(person)
        assert client.get(reverse("web:dashboard")).status_code == 200


def test_the_next_address_cannot_leave_the_site(client: Client, world: World) -> None:
    device = TOTPDevice.objects.create(user=world.carla, confirmed=True, name="telefoon")
    client.force_login(world.carla)
    response = client.post(
        reverse("web:two_factor_verify"), {"token": _code(device), "next": "https://evil.example"}
    )
    assert response["Location"] == "/"


def test_a_coordinator_makes_tokens_only_after_the_code(client: Client, world: World) -> None:
    TOTPDevice.objects.create(user=world.carla, confirmed=True, name="telefoon")
    client.force_login(world.carla)
    page = client.get(reverse("web:api_tokens"))
    assert page["Location"].startswith(reverse("web:two_factor_verify"))
    api = client.post("/api/v1/tokens/", {"name": "app"}, content_type="application/json")
    assert api.status_code == 403
    assert api.json()["error"] == "second_factor_required"
    assert not world.carla.api_tokens.exists()
    client.force_login(world.sam)  # a student needs no second factor for tokens
    assert client.get(reverse("web:api_tokens")).status_code == 200
