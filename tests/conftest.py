"""Shared fixtures: named personas, and skipping (or failing) service-bound tests.

Personas follow one story: Sam studies at school A, counselled by Dirk. Olga is
a counsellor at school B (the outsider counsellor). Bram works at company X,
Otto at company Y (the outsider company member). Carla coordinates the region.
Zeynep is a career changer without a school.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import Organisation, Role, User
from tests import factories


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    services = getattr(settings, "TEST_SERVICES", {})
    for item in items:
        for name in ("postgres", "redis"):
            if item.get_closest_marker(name) and not services[name].available:
                # MAAKMATCH_REQUIRE_SERVICES=1 never gets here: settings refuse to load.
                item.add_marker(pytest.mark.skip(reason=services[name].reason))


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Throttle counters start at zero in every test."""
    from django.core.cache import cache

    cache.clear()


@dataclass
class World:
    school_a: Organisation
    school_b: Organisation
    location: Organisation
    company_x: Organisation
    company_y: Organisation
    region: Organisation
    sam: User  # student at school A
    lotte: User  # 14-year-old pupil at school A
    dirk: User  # counsellor at school A
    olga: User  # counsellor at school B (outsider)
    cas: User  # coach at the learning location
    bram: User  # member of company X
    otto: User  # member of company Y (outsider)
    carla: User  # the region's coordinator, as in a request that passed the second factor
    zeynep: User  # career changer, no school
    stranger: User  # an account with no role at all


@pytest.fixture
def world(db: None) -> World:
    school_a, school_b = factories.SchoolFactory(), factories.SchoolFactory()
    location = factories.LearningLocationFactory()
    company_x, company_y = factories.CompanyFactory(), factories.CompanyFactory()
    region = factories.RegionFactory()
    today = timezone.localdate()

    def person(role: str, organisation: Organisation | None, **kwargs: object) -> User:
        user = factories.UserFactory(**kwargs)
        factories.MembershipFactory(user=user, role=role, organisation=organisation)
        return user

    return World(
        school_a=school_a,
        school_b=school_b,
        location=location,
        company_x=company_x,
        company_y=company_y,
        region=region,
        sam=person(Role.STUDENT, school_a, date_of_birth=dt.date(today.year - 18, 1, 1)),
        lotte=person(Role.STUDENT, school_a, date_of_birth=dt.date(today.year - 14, 1, 1)),
        dirk=person(Role.COUNSELLOR, school_a),
        olga=person(Role.COUNSELLOR, school_b),
        cas=person(Role.COUNSELLOR, location),
        bram=person(Role.COMPANY_MEMBER, company_x),
        otto=person(Role.COMPANY_MEMBER, company_y),
        carla=second_factor_passed(person(Role.COORDINATOR, region)),
        zeynep=person(Role.STUDENT, None, date_of_birth=dt.date(today.year - 34, 5, 5)),
        stranger=factories.UserFactory(),
    )


def second_factor_passed(user: User) -> User:
    """Mark ``user`` as django-otp marks the user of a request that passed the
    second factor (services called directly then treat it so). A fresh copy from
    the database carries no mark: ``User.objects.get(pk=user.pk)``."""
    from accounts.services import second_factor_mark

    return second_factor_mark(user=user, passed=True)


def login_with_second_factor(client, user: User) -> None:
    """Log in as someone who also entered their one-time code (coordinators and
    admin staff need it for their pages)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "test"}
    )
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
