"""Schemathesis against the OpenAPI schema, as a company member and as a student.

Every operation, a bounded number of examples, positive and negative modes, with
NUL bytes allowed in strings (PostgreSQL refuses them: a classic Django 500).
It must find no 5xx and no response that breaks the schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.models import Organisation
from accounts.services import api_token_create
from config.wsgi import application
from marketplace.models import OpeningSkill
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db
EXAMPLES = 12  # per operation and mode: bounded, so CI stays fast
CHECKS = [not_a_server_error, response_schema_conformance]


# Loaded when the module is collected: serving the schema touches no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
schema.config.generation.update(
    modes=["positive", "negative"],
    max_examples=EXAMPLES,
    allow_x00=True,
    deterministic=True,
    database="none",
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Like Django's test client: a request must not close the test's database
    connection (its transaction holds the test data), so the WSGI app is called
    without the connection-closing signal handlers."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def keys(world: World, settings) -> dict[str, str]:
    """Tokens for a company member and a student, with data for both to reach."""
    settings.API_THROTTLE_RATES = {"anon": "100000/minute", "user": "100000/minute"}
    Organisation.objects.filter(pk=world.company_x.pk).update(
        verified_at=timezone.now(), sbb_recognised=True, sbb_recognised_on=dt.date(2020, 1, 1)
    )
    skill = factories.SkillFactory(slug="cnc-draaien")
    profile = factories.ProfileFactory(user=world.sam)
    for state in ("approved", "student_yes", "invited", "accepted"):
        opening = factories.OpeningFactory(company=world.company_x, capacity=3)
        OpeningSkill.objects.create(opening=opening, skill=skill)
        factories.MatchFactory(profile=profile, opening=opening, state=state)
    return {
        "member": api_token_create(user=world.bram, name="ATS")[1],
        "student": api_token_create(user=world.sam, name="SIS")[1],
    }


# The fixture's data is made once per operation; examples share it, by design.
RELAXED = hypothesis.settings(
    suppress_health_check=list(hypothesis.HealthCheck), deadline=None, derandomize=True
)


@schema.parametrize()
@RELAXED
def test_as_a_company_member(case: schemathesis.Case, keys: dict[str, str]) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {keys['member']}"}, checks=CHECKS)


@schema.parametrize()
@RELAXED
def test_as_a_student(case: schemathesis.Case, keys: dict[str, str]) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {keys['student']}"}, checks=CHECKS)
