"""Security hardening: `check --deploy` is clean with production settings, a
Content-Security-Policy without inline scripts, login throttling with a lockout
message, password validation, and an admin only for staff."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World, login_with_second_factor

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "maakmatch.example.nl",
    "CSRF_TRUSTED_ORIGINS": "https://maakmatch.example.nl",
    "SECURE_COOKIES": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_PRELOAD": "1",
    "TRUST_X_FORWARDED_PROTO": "1",
}


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("MAAKMATCH_", "DJANGO_"))}
    environ.update(
        PRODUCTION, MAAKMATCH_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_pages_carry_a_strict_csp(client: Client) -> None:
    policy = client.get(reverse("web:home"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    html = client.get(reverse("web:home")).content.decode()
    assert "<script>" not in html  # every script is a file


@pytest.mark.django_db
def test_a_lockout_after_five_wrong_passwords(client: Client, world: World) -> None:
    world.sam.set_password("het-goede-wachtwoord-7")
    world.sam.save()
    url = reverse("login")
    for _ in range(5):
        client.post(url, {"username": world.sam.email, "password": "fout"})
    response = client.post(url, {"username": world.sam.email, "password": "het-goede-wachtwoord-7"})
    assert response.status_code == 429
    assert "15 minuten" in response.content.decode()
    assert "_auth_user_id" not in client.session
    other = Client()  # another account from the same address is not locked
    world.dirk.set_password("ook-een-goed-wachtwoord-8")
    world.dirk.save()
    other.post(url, {"username": world.dirk.email, "password": "ook-een-goed-wachtwoord-8"})
    assert "_auth_user_id" in other.session


@pytest.mark.django_db
def test_weak_passwords_are_refused(client: Client) -> None:
    response = client.post(
        reverse("web:signup_career_changer"),
        {
            "full_name": "Kees Zwak",
            "email": "kees@example.nl",
            "password": "12345678",
            "password_again": "12345678",
            "date_of_birth": "1990-01-01",
        },
    )
    assert response.status_code == 200
    assert "te algemeen" in response.content.decode() or "volledig uit cijfers" in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_the_admin_is_for_staff_only(client: Client, world: World) -> None:
    login_with_second_factor(client, world.carla)  # a coordinator, not staff
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_changing_the_emails_case_does_not_dodge_the_lockout(client: Client, world: World) -> None:
    """Regression: lockout counted the raw address while logins ignore case, so
    six spellings of one address gave 30 guesses and the right password still
    logged in."""
    world.sam.email = "race0@probe.test"
    world.sam.set_password("het-goede-wachtwoord-7")
    world.sam.save()
    url = reverse("login")
    spellings = ["race0@probe.test", "RACE0@PROBE.TEST", "Race0@Probe.Test", " race0@probe.test"]
    for n in range(5):
        client.post(url, {"username": spellings[n % len(spellings)], "password": "fout"})
    for spelling in spellings:
        response = client.post(url, {"username": spelling, "password": "het-goede-wachtwoord-7"})
        assert response.status_code == 429, spelling
        assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_made_up_forwarded_for_is_no_new_client(client: Client, settings) -> None:
    """Regression: with X-Forwarded-For believed as is, a new header per request
    was a new client, and the anonymous API limit never bit."""
    settings.API_THROTTLE_RATES = {"anon": "3/minute", "user": "1000/minute"}
    statuses = [
        client.get("/api/v1/skills/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]


@pytest.mark.django_db
def test_behind_one_proxy_its_entry_is_the_client(client: Client, settings) -> None:
    from accounts.identity import client_address

    settings.MAAKMATCH_PROXY_COUNT = 1
    settings.API_THROTTLE_RATES = {"anon": "2/minute", "user": "1000/minute"}

    def get(forwarded: str) -> int:
        return client.get("/api/v1/skills/", HTTP_X_FORWARDED_FOR=forwarded).status_code

    # The client forges a left-hand entry; the proxy appends what it saw.
    assert [get(f"6.6.6.{n}, 192.0.2.10") for n in range(3)] == [200, 200, 429]
    assert get("192.0.2.11") == 200  # another client behind the same proxy
    request = client.get("/").wsgi_request
    request.META["HTTP_X_FORWARDED_FOR"] = "1.1.1.1, 2.2.2.2, 3.3.3.3"
    assert client_address(request) == "3.3.3.3"
    settings.MAAKMATCH_PROXY_COUNT = 2
    assert client_address(request) == "2.2.2.2"
    settings.MAAKMATCH_PROXY_COUNT = 0
    assert client_address(request) == request.META["REMOTE_ADDR"]


@pytest.mark.django_db
def test_lockout_counts_the_address_the_proxy_saw(client: Client, world: World, settings) -> None:
    settings.MAAKMATCH_PROXY_COUNT = 1
    world.sam.set_password("het-goede-wachtwoord-7")
    world.sam.save()
    url = reverse("login")
    for _ in range(5):
        client.post(
            url,
            {"username": world.sam.email, "password": "fout"},
            HTTP_X_FORWARDED_FOR="203.0.113.5",
        )
    locked = client.post(
        url,
        {"username": world.sam.email, "password": "het-goede-wachtwoord-7"},
        HTTP_X_FORWARDED_FOR="203.0.113.5",
    )
    assert locked.status_code == 429
    # The same person from another address (another client behind the proxy) is not.
    other = Client()
    other.post(
        url,
        {"username": world.sam.email, "password": "het-goede-wachtwoord-7"},
        HTTP_X_FORWARDED_FOR="203.0.113.6",
    )
    assert "_auth_user_id" in other.session
