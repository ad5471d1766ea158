"""Two-factor authentication (TOTP) for coordinators and admin staff."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice, drift: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time += drift * device.step
    return f"{totp.token():06d}"


def test_a_coordinator_sets_up_an_authenticator_first(client: Client, world: World) -> None:
    client.force_login(world.carla)
    page = reverse("web:kpis")
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:two_factor_setup"))
    setup = client.get(response["Location"])
    html = setup.content.decode()
    assert 'src="data:image/svg+xml' in html  # the QR code, allowed by the CSP
    device = TOTPDevice.objects.get(user=world.carla, confirmed=False)
    wrong = client.post(setup.request["PATH_INFO"], {"token": "000000", "next": page})
    assert "niet juist" in wrong.content.decode()
    device = TOTPDevice.objects.get(pk=device.pk)
    assert not device.confirmed
    assert device.throttling_failure_count == 1  # failures slow the next try down
    device.throttle_reset()
    done = client.post(reverse("web:two_factor_setup"), {"token": _code(device), "next": page})
    assert done["Location"] == page
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(page).status_code == 200


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
