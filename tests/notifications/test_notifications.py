"""Emails: both languages, text and HTML, the digests' limits, unsubscribe."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from celery.signals import before_task_publish
from django.core import mail
from django.urls import reverse

from accounts.models import User
from matching import workflow
from matching.models import Match, MatchState
from notifications import services as notifications
from notifications.models import DigestSent
from tests import factories
from tests.conftest import World
from worker.celery import app

pytestmark = pytest.mark.django_db
S = MatchState
TODAY = dt.date(2026, 11, 30)


def _match(world: World, state: str, **kwargs: object) -> Match:
    profile = getattr(world.sam, "profile", None) or factories.ProfileFactory(user=world.sam)
    opening = factories.OpeningFactory(company=world.company_x, title="Stage lassen", **kwargs)
    return factories.MatchFactory(profile=profile, opening=opening, state=state)


def _unsubscribe_path(message: mail.EmailMultiAlternatives) -> str:
    url = re.search(r"https?://\S+/unsubscribe/[^/\s]+/", message.body).group(0)
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    return urlsplit(url).path


def test_a_forwarded_candidate_emails_each_member_in_their_language(world: World) -> None:
    match = _match(world, S.STUDENT_YES)
    english = factories.UserFactory(language="en")
    factories.MembershipFactory(user=english, role="company_member", organisation=world.company_x)
    quiet = factories.UserFactory(email_updates=False)
    factories.MembershipFactory(user=quiet, role="company_member", organisation=world.company_x)

    assert notifications.match_event_notify(match_id=match.pk, event="forwarded") == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {world.bram.email, english.email}
    dutch, other = by_recipient[world.bram.email], by_recipient[english.email]
    assert "Een kandidaat voor “Stage lassen”" in dutch.subject
    assert "A candidate for “Stage lassen”" in other.subject
    for message, word in ((dutch, "Kandidaat "), (other, "Candidate ")):
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html"
        assert word in message.body
        assert word in html
        # The company learns nothing personal from the email either.
        assert world.sam.full_name not in message.body + html
        assert world.sam.email not in message.body + html


def test_the_student_hears_of_an_invitation_with_the_message(world: World) -> None:
    match = _match(world, S.STUDENT_YES)
    workflow.match_invite(match=match, by=world.bram, message="Kom je dinsdag langs?")
    User.objects.filter(pk=world.sam.pk).update(language="en")
    assert notifications.match_event_notify(match_id=match.pk, event="invited") == 1
    (message,) = mail.outbox
    assert message.to == [world.sam.email]
    assert world.company_x.name in message.subject
    assert "invites you" in message.subject
    assert "Kom je dinsdag langs?" in message.body
    assert "Kom je dinsdag langs?" in message.alternatives[0][0]


def test_the_company_hears_when_the_candidate_accepts(world: World) -> None:
    match = _match(world, S.ACCEPTED)
    assert notifications.match_event_notify(match_id=match.pk, event="accepted") == 1
    assert "heeft je uitnodiging" in mail.outbox[0].subject


def test_a_student_hears_why_a_suggestion_ended(world: World) -> None:
    match = _match(world, S.APPROVED)
    workflow.opening_close(opening=match.opening, by=world.bram)
    assert notifications.match_event_notify(match_id=match.pk, event="withdrawn") == 1
    (message,) = mail.outbox
    assert message.to == [world.sam.email]
    assert "Het bedrijf heeft deze vacature gesloten." in message.body


def test_an_event_that_is_no_longer_true_sends_nothing(world: World) -> None:
    match = _match(world, S.DECLINED)
    assert notifications.match_event_notify(match_id=match.pk, event="forwarded") == 0
    assert notifications.match_event_notify(match_id=999_999, event="forwarded") == 0
    assert mail.outbox == []


def test_updates_switched_off_send_nothing(world: World) -> None:
    User.objects.filter(pk=world.sam.pk).update(email_updates=False)
    match = _match(world, S.INVITED)
    assert notifications.match_event_notify(match_id=match.pk, event="invited") == 0
    assert mail.outbox == []


def test_each_step_queues_its_email_on_the_default_queue(
    world: World, django_capture_on_commit_callbacks
) -> None:
    published: list[tuple[str, str]] = []

    def record(sender: str, routing_key: str, **kwargs: object) -> None:
        published.append((sender, routing_key))

    before_task_publish.connect(record)
    try:
        match = _match(world, S.APPROVED)
        with django_capture_on_commit_callbacks(execute=True):
            workflow.match_student_answer(match=match, by=world.sam, yes=True)
    finally:
        before_task_publish.disconnect(record)
    assert published == [
        ("worker.notify_match", "default"),
        ("worker.webhook_event", "default"),  # the organisations' webhooks
    ]
    route = app.amqp.router.route({}, "worker.digests_send")
    assert route["queue"].name == "default"


# --- Digests ----------------------------------------------------------------------


def _approved_spread(world: World, companies: int, per_company: int) -> list[Match]:
    profile = getattr(world.sam, "profile", None) or factories.ProfileFactory(user=world.sam)
    matches = []
    for c in range(companies):
        company = factories.CompanyFactory(verified_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        for i in range(per_company):
            opening = factories.OpeningFactory(company=company, title=f"Vacature {c}-{i}")
            matches.append(
                factories.MatchFactory(
                    profile=profile, opening=opening, state=S.APPROVED, score=0.9 - 0.01 * i
                )
            )
    return matches


def test_the_suggestion_digest_keeps_its_limits_and_comes_once_a_day(world: World) -> None:
    _approved_spread(world, companies=6, per_company=3)  # 18 approved, 3 per company

    assert notifications.suggestion_digests_send(today=TODAY) == 1
    (message,) = mail.outbox
    listed = re.findall(r"^- (Vacature \d-\d)", message.body, flags=re.MULTILINE)
    assert len(listed) == 10
    per_company: dict[str, int] = {}
    for title in listed:
        per_company[title[9]] = per_company.get(title[9], 0) + 1
    assert max(per_company.values()) == 2
    assert "8 andere suggesties volgen" in message.body
    assert message.subject == "10 nieuwe suggesties voor je"
    assert Match.objects.filter(student_notified_at__isnull=False).count() == 10

    assert notifications.suggestion_digests_send(today=TODAY) == 0  # once a day
    assert len(mail.outbox) == 1

    assert notifications.suggestion_digests_send(today=TODAY + dt.timedelta(days=1)) == 1
    assert Match.objects.filter(student_notified_at__isnull=True).count() == 0
    assert notifications.suggestion_digests_send(today=TODAY + dt.timedelta(days=2)) == 0


def test_the_digest_pick_prefers_the_best_within_the_limits() -> None:
    class Row:
        def __init__(self, pk: int, company: int, score: float) -> None:
            self.pk, self.score = pk, score
            self.opening = type("O", (), {"company_id": company})()

    rows = [Row(i, company=i % 2, score=1 - i / 10) for i in range(6)]
    picked = notifications.digest_pick(rows, limit=3, per_company=1)
    assert [r.pk for r in picked] == [0, 1]


def test_the_review_digest_counts_each_reviewers_queue(world: World) -> None:
    _match(world, S.SUGGESTED)
    _match(world, S.SUGGESTED)
    zeynep_profile = factories.ProfileFactory(user=world.zeynep)
    factories.MatchFactory(profile=zeynep_profile, state=S.SUGGESTED)
    factories.MatchFactory(profile=zeynep_profile, state=S.APPROVED)

    assert notifications.review_digests_send(today=TODAY) == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {world.dirk.email, world.zeynep.email}
    assert by_recipient[world.dirk.email].subject == "2 suggesties wachten op je beoordeling"
    assert by_recipient[world.zeynep.email].subject == "Eén suggestie wacht op je beoordeling"
    assert notifications.review_digests_send(today=TODAY) == 0


def test_a_digest_unsubscribed_from_does_not_come(world: World, client) -> None:
    _match(world, S.SUGGESTED)
    assert notifications.review_digests_send(today=TODAY) == 1
    path = _unsubscribe_path(mail.outbox[0])

    page = client.get(path)  # a link scanner's GET changes nothing
    assert page.status_code == 200
    assert User.objects.get(pk=world.dirk.pk).email_digest is True
    done = client.post(path)  # no login, no CSRF token: the signed token is enough
    assert done.status_code == 200
    dirk = User.objects.get(pk=world.dirk.pk)
    assert (dirk.email_digest, dirk.email_updates) == (False, True)

    assert notifications.review_digests_send(today=TODAY + dt.timedelta(days=1)) == 0


def test_an_updates_link_switches_off_updates_only(world: World, client) -> None:
    token = notifications.unsubscribe_token_make(user=world.sam, kind="updates")
    client.post(reverse("web:unsubscribe", args=[token]))
    sam = User.objects.get(pk=world.sam.pk)
    assert (sam.email_digest, sam.email_updates) == (True, False)


@pytest.mark.parametrize("tamper", ["x", "garbage", None])
def test_a_forged_or_edited_unsubscribe_link_is_refused(
    world: World, client, tamper: str | None
) -> None:
    token = notifications.unsubscribe_token_make(user=world.sam, kind="digest")
    if tamper is None:
        payload, rest = token.split(":", 1)
        token = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + ":" + rest
    else:
        token = token + tamper if tamper == "x" else tamper
    for method in (client.get, client.post):
        response = method(reverse("web:unsubscribe", args=[token]))
        assert response.status_code == 400
        assert "niet geldig" in response.content.decode()
    assert User.objects.get(pk=world.sam.pk).email_digest is True


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("template", sorted(notifications.TEMPLATE_KIND))
def test_every_email_renders_in_both_languages(world: World, template: str, language: str) -> None:
    match = _match(world, S.INVITED)
    user = factories.UserFactory(language=language)
    message = notifications.email_render(
        template=template,
        user=user,
        context={
            "opening": match.opening,
            "company": match.opening.company,
            "pseudonym": "Kandidaat ABCD" if language == "nl" else "Candidate ABCD",
            "reason": "",
            "matches": [match],
            "more": 0,
            "size": 3,
        },
    )
    html = message.alternatives[0][0]
    greeting = "Hallo" if language == "nl" else "Hello"
    unsubscribe = "Afmelden" if language == "nl" else "Unsubscribe"
    assert message.subject
    assert "\n" not in message.subject
    for body in (message.body, html):
        assert greeting in body
        assert unsubscribe in body
        assert "{%" not in body
        assert "{{" not in body
    assert f'<html lang="{language}">' in html


def test_a_refused_address_does_not_stop_the_other_digests(world: World, settings) -> None:
    settings.EMAIL_BACKEND = "tests.mailbackends.RefusingBackend"
    # Digests go out in user order: the refused address comes first.
    refused = factories.UserFactory(email="refused@example.nl")
    later = factories.UserFactory()
    assert refused.pk < later.pk
    first = factories.MatchFactory(profile=factories.ProfileFactory(user=refused), state=S.APPROVED)
    second = factories.MatchFactory(profile=factories.ProfileFactory(user=later), state=S.APPROVED)

    assert notifications.suggestion_digests_send(today=TODAY) == 1
    assert [m.to for m in mail.outbox] == [[later.email]]
    # The refused student's suggestion waits for a later digest, and so does the slot.
    assert Match.objects.get(pk=first.pk).student_notified_at is None
    assert Match.objects.get(pk=second.pk).student_notified_at is not None
    assert not DigestSent.objects.filter(user=refused).exists()


def test_a_refused_address_drops_only_that_update(world: World, settings) -> None:
    settings.EMAIL_BACKEND = "tests.mailbackends.RefusingBackend"
    refused = factories.UserFactory(email="refused-member@example.nl")
    factories.MembershipFactory(user=refused, role="company_member", organisation=world.company_x)
    match = _match(world, S.STUDENT_YES)
    assert notifications.match_event_notify(match_id=match.pk, event="forwarded") == 1
    assert [m.to for m in mail.outbox] == [[world.bram.email]]


def test_closing_an_opening_queues_the_students_withdrawal_email(
    world: World, django_capture_on_commit_callbacks
) -> None:
    published: list[tuple[str, str]] = []

    def record(sender: str, routing_key: str, body: object, **kwargs: object) -> None:
        published.append((sender, routing_key))

    match = _match(world, S.APPROVED)
    before_task_publish.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            workflow.opening_close(opening=match.opening, by=world.bram)
    finally:
        before_task_publish.disconnect(record)
    assert ("worker.notify_match", "default") in published


def test_the_worker_task_fans_out_one_task_per_recipient_and_each_sends_once(
    world: World,
) -> None:
    from worker.tasks import notify_match

    colleague = factories.UserFactory()
    factories.MembershipFactory(user=colleague, role="company_member", organisation=world.company_x)
    match = _match(world, S.STUDENT_YES)
    published: list[tuple] = []

    def record(sender: str, body: tuple, **kwargs: object) -> None:
        published.append(tuple(body[0]))

    before_task_publish.connect(record)
    try:
        assert notify_match(match.pk, "forwarded") == 2  # run here, as the worker would
    finally:
        before_task_publish.disconnect(record)
    assert sorted(published) == sorted(
        [(match.pk, "forwarded", world.bram.pk), (match.pk, "forwarded", colleague.pk)]
    )
    assert mail.outbox == []
    assert notify_match(match.pk, "forwarded", colleague.pk) == 1
    assert [m.to for m in mail.outbox] == [[colleague.email]]
    assert notify_match(match.pk, "forwarded", world.otto.pk) == 0  # not of this company
