"""Transparency: "why this suggestion" on the student's card, and "report a wrong
suggestion", which reaches the student's counsellor."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from matching.models import Match, MatchState, SuggestionReport
from notifications.services import report_notify
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(world: World) -> Match:
    profile = factories.ProfileFactory(user=world.sam)
    match = factories.MatchFactory(
        profile=profile,
        opening=factories.OpeningFactory(company=world.company_x, title="Stage lassen"),
        state=MatchState.APPROVED,
    )
    match.explanation = {
        **match.explanation,
        "features": {
            "skills": 0.8,
            "text": 0.25,
            "level": 1.0,
            "distance": 0.5,
            "availability": 1.0,
            "sector": 0.5,
        },
    }
    match.save()
    return match


def test_why_this_suggestion(client: Client, world: World, approved: Match) -> None:
    client.force_login(world.sam)
    html = client.get(reverse("web:my_suggestions")).content.decode()
    assert "Waarom deze suggestie?" in html
    pk = approved.pk
    assert (
        f'je vaardigheden tegenover wat gevraagd wordt</span>: <meter min="0" max="100" low="40" '
        f'high="75" optimum="100" value="80" aria-labelledby="part-{pk}-skills">80%</meter> '
        "past goed"
    ) in html
    assert f'aria-labelledby="part-{pk}-distance">50%</meter> past deels' in html


def test_a_report_reaches_the_counsellor(
    client: Client, world: World, approved: Match, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.sam)
    url = reverse("web:my_suggestion_report", args=[approved.pk])
    response = client.post(url, {"reason": "  "}, follow=True)
    assert "Zeg wat er niet klopt" in response.content.decode()
    assert not SuggestionReport.objects.exists()
    response = client.post(url, {"reason": "Ik wil niet lassen."}, follow=True)
    assert "Bedankt" in response.content.decode()
    report = SuggestionReport.objects.get()
    assert report_notify(report_id=report.pk) == 1
    assert mail.outbox[0].to == [world.dirk.email]
    assert "Ik wil niet lassen." in mail.outbox[0].body
    client.force_login(world.dirk)
    html = client.get(reverse("web:review_queue")).content.decode()
    assert "Ik wil niet lassen." in html
    client.force_login(world.olga)  # another school's counsellor
    assert "Ik wil niet lassen." not in client.get(reverse("web:review_queue")).content.decode()
    client.force_login(world.dirk)
    client.post(reverse("web:report_handled", args=[report.pk]))
    report.refresh_from_db()
    assert report.handled_by == world.dirk
    assert "Ik wil niet lassen." not in client.get(reverse("web:review_queue")).content.decode()


def test_only_ones_own_suggestions_can_be_reported(
    client: Client, world: World, approved: Match
) -> None:
    client.force_login(world.lotte)
    url = reverse("web:my_suggestion_report", args=[approved.pk])
    assert client.post(url, {"reason": "x"}).status_code == 404
    assert not SuggestionReport.objects.exists()
