"""Notifications inside the product: written by the worker's tasks for each step,
said in the reader's language, read or unread, leading to the thing itself, and
never anyone else's. A placed student is paused for new suggestions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from matching import pipeline, workflow
from matching.models import Match, MatchState, SuggestionReport
from notifications import inbox
from notifications.models import Notification
from tests import factories
from tests.conftest import World
from worker.tasks import notify_match, notify_report_handled

pytestmark = pytest.mark.django_db
S = MatchState


def _match(world: World, state: str) -> Match:
    profile = getattr(world.sam, "profile", None) or factories.ProfileFactory(user=world.sam)
    opening = factories.OpeningFactory(company=world.company_x, title="Stage onderhoud")
    return factories.MatchFactory(profile=profile, opening=opening, state=state)


def test_each_step_notifies_the_right_side_in_the_product(world: World) -> None:
    match = _match(world, S.APPROVED)
    assert notify_match(match.pk, "approved") == 0  # no e-mail: the digest brings it
    (note,) = Notification.objects.filter(user=world.sam)
    assert inbox.notification_text(note) == (
        f"Nieuwe suggestie: Stage onderhoud bij {world.company_x.name}"
    )
    assert note.url == reverse("web:my_suggestions") + f"#suggestion-{match.pk}"
    Match.objects.filter(pk=match.pk).update(state=S.STUDENT_YES)
    notify_match(match.pk, "forwarded")
    (for_company,) = Notification.objects.filter(user=world.bram)
    assert inbox.notification_text(for_company) == "Een nieuwe kandidaat voor Stage onderhoud"
    assert world.sam.full_name not in str(for_company.params)  # anonymous until accepted
    Match.objects.filter(pk=match.pk).update(state=S.ACCEPTED)
    notify_match(match.pk, "accepted")
    accepted = Notification.objects.filter(user=world.bram, kind="accepted").get()
    assert world.sam.full_name in inbox.notification_text(accepted)
    # A step that no longer holds writes nothing.
    assert inbox.for_match_event(match_id=match.pk, event="invited") == 0
    assert not Notification.objects.filter(user=world.otto).exists()


def test_a_handled_report_reaches_the_student(world: World) -> None:
    match = _match(world, S.APPROVED)
    report = SuggestionReport.objects.create(match=match, reporter=world.sam, reason="Te ver")
    assert notify_report_handled(report.pk) == 0  # not handled yet
    SuggestionReport.objects.filter(pk=report.pk).update(
        handled_at=timezone.now(), handled_by=world.dirk
    )
    assert notify_report_handled(report.pk) == 1
    note = Notification.objects.get(user=world.sam)
    assert "afgehandeld" in inbox.notification_text(note)


def test_the_header_counts_unread_and_the_list_opens_and_reads(
    client: Client, world: World
) -> None:
    match = _match(world, S.APPROVED)
    inbox.for_match_event(match_id=match.pk, event="approved")
    client.force_login(world.sam)
    html = client.get(reverse("web:dashboard")).content.decode()
    assert '<span class="mm-count" aria-hidden="true">1</span>' in html
    fragment = client.get(reverse("web:notifications"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert "Nieuwe suggestie: Stage onderhoud" in fragment
    assert "Ongelezen:" in fragment
    note = Notification.objects.get(user=world.sam)
    response = client.get(reverse("web:notification_open", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == note.url
    assert Notification.objects.get(pk=note.pk).read_at is not None
    html = client.get(reverse("web:dashboard")).content.decode()
    assert 'class="mm-count"' not in html
    # English readers get English sentences.
    world.sam.language = "en"
    world.sam.save(update_fields=["language"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("web:notifications"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "New suggestion: Stage onderhoud" in page


def test_mark_all_read(client: Client, world: World) -> None:
    for _ in range(3):
        inbox.for_match_event(match_id=_match(world, S.APPROVED).pk, event="approved")
    client.force_login(world.sam)
    client.post(reverse("web:notifications_read"))
    assert not Notification.objects.filter(user=world.sam, read_at__isnull=True).exists()


def test_nobody_sees_or_opens_anothers_notifications(client: Client, world: World) -> None:
    match = _match(world, S.APPROVED)
    inbox.for_match_event(match_id=match.pk, event="approved")
    note = Notification.objects.get(user=world.sam)
    other_student = factories.UserFactory()
    factories.MembershipFactory(user=other_student, organisation=world.school_b)
    for outsider in (other_student, world.dirk, world.bram, world.otto):
        client.force_login(outsider)
        assert client.get(reverse("web:notification_open", args=[note.pk])).status_code == 404
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            body = client.get(reverse("web:notifications"), **headers).content.decode()
            assert "Stage onderhoud" not in body
        client.post(reverse("web:notifications_read"))
    assert Notification.objects.get(pk=note.pk).read_at is None
    client.logout()
    response = client.get(reverse("web:notifications"))
    assert response.status_code == 302


# ----- a placed student is paused -----------------------------------------------------


def test_a_placed_student_gets_no_new_suggestions_until_the_placement_ends(
    client: Client, world: World
) -> None:
    profile = factories.ProfileFactory(
        user=world.sam, education_level="mbo3", wanted_types=["bol", "bbl"]
    )
    placed_at = factories.OpeningFactory(company=world.company_x, title="Stage onderhoud")
    match = factories.MatchFactory(profile=profile, opening=placed_at, state=S.ACCEPTED)
    waiting = factories.MatchFactory(
        profile=profile,
        opening=factories.OpeningFactory(company=world.company_y, title="Andere stage"),
        state=S.SUGGESTED,
    )
    placement = workflow.match_place(
        match=match, by=world.bram, end_date=timezone.localdate() + dt.timedelta(days=90)
    )
    pipeline.profile_match(profile_id=profile.pk)  # what the worker does next
    waiting.refresh_from_db()
    assert waiting.state == S.RETIRED
    assert not Match.objects.filter(profile=profile, state=S.SUGGESTED).exists()
    client.force_login(world.sam)
    html = client.get(reverse("web:my_suggestions")).content.decode()
    assert "Tot dan krijg je geen nieuwe suggesties" in html
    # The placement is cancelled: the student is matched again.
    workflow.placement_cancel(placement=placement, by=world.bram, reason="Bedrijf sluit")
    html = client.get(reverse("web:my_suggestions")).content.decode()
    assert "geen nieuwe suggesties" not in html


def test_a_placement_that_ended_no_longer_pauses(world: World) -> None:
    from marketplace.selectors import placement_pausing
    from matching.services import profile_record, profiles_for_matching

    profile = factories.ProfileFactory(user=world.sam)
    opening = factories.OpeningFactory(company=world.company_x)
    placement = workflow.match_place(
        match=factories.MatchFactory(profile=profile, opening=opening, state=S.ACCEPTED),
        by=world.bram,
        start_date=timezone.localdate() - dt.timedelta(days=100),
        end_date=timezone.localdate() + dt.timedelta(days=1),
    )
    assert placement_pausing(student=world.sam) == placement
    assert not profile_record(profiles_for_matching().get(pk=profile.pk)).visible
    type(placement).objects.filter(pk=placement.pk).update(
        end_date=timezone.localdate() - dt.timedelta(days=1)
    )
    assert placement_pausing(student=world.sam) is None
    assert profile_record(profiles_for_matching().get(pk=profile.pk)).visible
