"""Organisation API keys: made by an organisation's admin, acting as the
organisation (a school's sync, a company's ATS), read or read-write, in the
audit log under the key's name, revocable, expiring, stored as a hash only;
the outsider organisation sees nothing through them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import keys
from accounts.exceptions import NotAllowed, SecondFactorRequired
from accounts.models import Membership, Organisation, OrganisationKey, User
from audit.models import AuditAction, AuditEntry
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _admin(*users: User) -> None:
    Membership.objects.filter(user__in=users).update(is_admin=True)


def _key(world: World, organisation: Organisation, scope: str, by: User | None = None) -> str:
    admin = by or (world.bram if organisation == world.company_x else world.dirk)
    _admin(admin)
    _row, secret = keys.organisation_key_create(
        by=admin, organisation=organisation, name=f"Koppeling {scope}", scope=scope, days=90
    )
    return secret


def _with(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


OPENING = {
    "title": "Stage onderhoudsmonteur",
    "description": "Onderhoud aan productielijnen.",
    "type": "job",
    "place": "woerden",
    "start_date": "2027-02-01",
    "hours_per_week": 32,
}


@pytest.fixture
def data(world: World) -> dict:
    Organisation.objects.filter(pk=world.company_x.pk).update(verified_at=timezone.now())
    factories.PlaceFactory(slug="woerden")
    sam = factories.ProfileFactory(user=world.sam)
    pim = factories.UserFactory()
    factories.MembershipFactory(user=pim, role="student", organisation=world.school_b)
    pim_profile = factories.ProfileFactory(user=pim)
    forwarded = factories.MatchFactory(
        profile=sam, opening=factories.OpeningFactory(company=world.company_x), state="student_yes"
    )
    y_match = factories.MatchFactory(
        profile=pim_profile,
        opening=factories.OpeningFactory(company=world.company_y),
        state="student_yes",
    )
    return {"sam": sam, "pim": pim_profile, "forwarded": forwarded, "y_match": y_match}


def test_a_schools_read_key_reads_its_students_and_nothing_else(world: World, data: dict) -> None:
    school = _with(_key(world, world.school_a, "read"))
    profiles = school.get("/api/v1/profiles/").json()
    assert [p["id"] for p in profiles["results"]] == [data["sam"].pk]
    assert school.get(f"/api/v1/profiles/{data['pim'].pk}/").status_code == 404  # school B's
    assert school.get("/api/v1/placements/").status_code == 200
    # A read key may not write: not a step, not a token, not an import.
    response = school.post(f"/api/v1/suggestions/{data['forwarded'].pk}/approve/", {}, "json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Deze sleutel mag alleen lezen."
    assert school.post("/api/v1/tokens/", {"name": "x"}, format="json").status_code == 403


def test_a_companys_read_write_key_creates_openings_and_reads_candidates(
    world: World, data: dict
) -> None:
    ats = _with(_key(world, world.company_x, "read_write"))
    created = ats.post("/api/v1/openings/", OPENING, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["company"]["slug"] == world.company_x.slug
    listed = ats.get("/api/v1/suggestions/").json()["results"]
    assert [s["id"] for s in listed] == [data["forwarded"].pk]
    assert listed[0]["candidate"]["contact"] is None  # anonymised, as for a colleague
    # Company Y's candidate is not there to be found.
    assert ats.get(f"/api/v1/suggestions/{data['y_match'].pk}/").status_code == 404
    # Nor can it mint a personal token that would outlive it.
    assert ats.post("/api/v1/tokens/", {"name": "x"}, format="json").status_code == 403


def test_every_call_is_in_the_audit_log_under_the_keys_name(world: World, data: dict) -> None:
    secret = _key(world, world.school_a, "read")
    client = _with(secret)
    client.get("/api/v1/placements/")
    client.post(f"/api/v1/suggestions/{data['forwarded'].pk}/approve/", {}, "json")
    key = OrganisationKey.objects.get()
    calls = AuditEntry.objects.filter(action=AuditAction.API_CALL).order_by("pk")
    assert [(c.actor_id, c.reason) for c in calls] == [
        (key.user_id, "GET /api/v1/placements/ 200"),
        (key.user_id, f"POST /api/v1/suggestions/{data['forwarded'].pk}/approve/ 403"),
    ]
    assert "Koppeling read" in key.user.full_name
    # The key's account cannot log in and gets no e-mail.
    assert not key.user.has_usable_password()
    assert not key.user.email_digest
    assert not key.user.email_updates


def test_revoked_and_expired_keys_stop_and_only_a_hash_is_kept(world: World) -> None:
    secret = _key(world, world.company_x, "read")
    key = OrganisationKey.objects.get()
    assert secret not in (key.key_hash, key.prefix)
    assert secret.startswith(key.prefix)
    assert _with(secret).get("/api/v1/me/").status_code == 200
    OrganisationKey.objects.filter(pk=key.pk).update(expires_at=timezone.now())
    assert _with(secret).get("/api/v1/me/").status_code == 401
    OrganisationKey.objects.filter(pk=key.pk).update(
        expires_at=timezone.now() + dt.timedelta(days=1)
    )
    keys.organisation_key_revoke(key=key, by=world.bram)
    assert _with(secret).get("/api/v1/me/").status_code == 401
    assert _with("mmo_niet-bestaand").get("/api/v1/me/").status_code == 401


def test_only_an_admin_makes_keys_and_with_their_second_factor(world: World) -> None:
    # A colleague who is not the admin may not; nor may another company's admin.
    colleague = factories.UserFactory()
    factories.MembershipFactory(user=colleague, role="company_member", organisation=world.company_x)
    _admin(world.otto)
    for person in (colleague, world.otto):
        with pytest.raises(NotAllowed):
            keys.organisation_key_create(
                by=person, organisation=world.company_x, name="x", scope="read", days=30
            )
    # An admin with an authenticator confirms the code first.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _admin(world.bram)
    TOTPDevice.objects.create(user=world.bram, name="telefoon", confirmed=True)
    with pytest.raises(SecondFactorRequired):
        keys.organisation_key_create(
            by=world.bram, organisation=world.company_x, name="x", scope="read", days=30
        )
    assert OrganisationKey.objects.count() == 0


def test_the_keys_page_makes_shows_and_revokes(client: Client, world: World) -> None:
    _admin(world.dirk)
    client.force_login(world.dirk)
    url = reverse("web:organisation_keys")
    body = {
        "organisation": world.school_a.slug,
        "name": "Nachtelijke sync",
        "scope": "read",
        "days": "365",
    }
    html = client.post(url, body).content.decode()
    key = OrganisationKey.objects.get()
    assert "Kopieer hem nu" in html
    assert key.prefix in html
    assert OrganisationKey.objects.get().organisation == world.school_a
    # Shown once: the page afterwards has the prefix but not the key.
    again = client.get(url).content.decode()
    assert "Nachtelijke sync" in again
    assert "Kopieer hem nu" not in again
    assert key.prefix in again
    # Another school's admin neither sees nor revokes it.
    _admin(world.olga)
    other = Client()
    other.force_login(world.olga)
    assert "Nachtelijke sync" not in other.get(url).content.decode()
    revoke = reverse("web:organisation_key_revoke", args=[key.pk])
    assert other.post(revoke).status_code == 404
    assert client.post(revoke).status_code == 302
    assert OrganisationKey.objects.get().revoked_at is not None
    # A bad form is redisplayed with the message, and stores nothing.
    response = client.post(url, {**body, "name": "", "days": "7"})
    assert response.status_code == 200
    assert OrganisationKey.objects.count() == 1
