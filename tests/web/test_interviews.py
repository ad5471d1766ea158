"""From invitation to interview: a company proposes times with its message, the
student sees the message and picks a time or asks for another, and both get an
iCalendar file that lands at the right Amsterdam time; moving and cancelling
send updates; outsiders see and do nothing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from matching.models import Interview, InterviewSlot, Match, MatchState
from notifications.services import interview_notify
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db
S = MatchState
AMS = ZoneInfo("Europe/Amsterdam")


def _forwarded(world: World) -> Match:
    profile = factories.ProfileFactory(user=world.sam)
    opening = factories.OpeningFactory(company=world.company_x, title="Stage onderhoud")
    return factories.MatchFactory(profile=profile, opening=opening, state=S.STUDENT_YES)


def _day(days: int = 10) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def _times(*rows: tuple[dt.date, str, str, str]) -> dict[str, str]:
    data = {}
    for n, (day, start, end, place) in enumerate(rows, start=1):
        data |= {
            f"slot{n}_date": day.isoformat(),
            f"slot{n}_start": start,
            f"slot{n}_end": end,
            f"slot{n}_location": place,
        }
    return data


def _step(match: Match, step: str) -> str:
    return reverse("web:candidate_step", args=[match.opening.slug, match.pk, step])


def _invite(client: Client, world: World, match: Match) -> Interview:
    client.force_login(world.bram)
    data = {"message": "Kom je langs? Neem je veiligheidsschoenen mee."} | _times(
        (_day(10), "09:30", "10:15", "Industrieweg 4, Woerden"),
        (_day(11), "14:00", "14:45", "https://meet.example.nl/abc"),
    )
    response = client.post(_step(match, "invite"), data, follow=True)
    assert "uitgenodigd, met de tijden die je voorstelde" in response.content.decode()
    return Interview.objects.get(match=match)


def _ics(message) -> icalendar.Calendar:
    (attachment,) = [a for a in message.attachments if a[0] == "interview.ics"]
    assert attachment[2].startswith("text/calendar")
    return icalendar.Calendar.from_ical(attachment[1])


def test_the_whole_way_from_invitation_to_a_planned_interview(client: Client, world: World) -> None:
    match = _forwarded(world)
    interview = _invite(client, world, match)
    assert Match.objects.get(pk=match.pk).state == S.INVITED
    assert [s.location for s in interview.open_slots] == [
        "Industrieweg 4, Woerden",
        "https://meet.example.nl/abc",
    ]
    # The student sees the message and the times on the suggestion.
    client.force_login(world.sam)
    html = client.get(reverse("web:my_suggestions")).content.decode()
    assert "Neem je veiligheidsschoenen mee." in html
    assert "09:30\u201310:15, Industrieweg 4, Woerden" in html  # an en dash between
    first = interview.open_slots[0]
    response = client.post(
        reverse("web:interview_step", args=[match.pk, "choose"]), {"slot": first.pk}, follow=True
    )
    assert "Het gesprek staat gepland" in response.content.decode()
    assert Match.objects.get(pk=match.pk).state == S.ACCEPTED  # picking accepts
    assert InterviewSlot.objects.get(pk=first.pk).chosen_at is not None

    # Both sides get the event with the right Amsterdam time.
    mail.outbox.clear()
    assert interview_notify(interview_id=interview.pk, event="chosen", slot_id=first.pk) == 2
    assert {tuple(m.to) for m in mail.outbox} == {(world.sam.email,), (world.bram.email,)}
    for message in mail.outbox:
        calendar = _ics(message)
        assert calendar["METHOD"] == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        start = event.decoded("DTSTART")
        assert start.tzinfo is not None
        assert start.astimezone(AMS).replace(tzinfo=None) == dt.datetime.combine(
            _day(10), dt.time(9, 30)
        )
        assert event.decoded("DTEND").astimezone(AMS).time() == dt.time(10, 15)
        assert str(event["LOCATION"]) == "Industrieweg 4, Woerden"
        assert str(event["UID"]) == f"{interview.uid}@maakmatch"
        assert calendar.walk("VTIMEZONE")  # the zone travels with the file
    company_mail = next(m for m in mail.outbox if m.to == [world.bram.email])
    assert world.sam.full_name in str(_ics(company_mail).walk("VEVENT")[0]["SUMMARY"])

    # The company's page and the download say the same.
    client.force_login(world.bram)
    html = client.get(reverse("web:opening_candidates", args=[match.opening.slug])).content
    assert "Gesprek gepland" in html.decode()
    download = client.get(reverse("web:interview_calendar", args=[match.pk]))
    assert download["Content-Type"].startswith("text/calendar")
    assert icalendar.Calendar.from_ical(download.content).walk("VEVENT")


def test_moving_and_cancelling_send_updates_with_a_higher_sequence(
    client: Client, world: World
) -> None:
    match = _forwarded(world)
    interview = _invite(client, world, match)
    client.force_login(world.sam)
    client.post(
        reverse("web:interview_step", args=[match.pk, "choose"]),
        {"slot": interview.open_slots[1].pk},
    )
    chosen_sequence = Interview.objects.get(pk=interview.pk).sequence
    client.force_login(world.bram)
    response = client.post(
        _step(match, "move"), _times((_day(12), "11:00", "11:30", "Kantine")), follow=True
    )
    assert "verplaatst" in response.content.decode()
    interview.refresh_from_db()
    moved = interview.chosen
    assert moved.location == "Kantine"
    assert interview.sequence == chosen_sequence + 1
    mail.outbox.clear()
    assert interview_notify(interview_id=interview.pk, event="moved", slot_id=moved.pk) == 2
    (event,) = _ics(mail.outbox[0]).walk("VEVENT")
    assert event["SEQUENCE"] == interview.sequence
    assert event.decoded("DTSTART").astimezone(AMS).hour == 11
    # An e-mail about the time before the move is stale and not sent.
    old = InterviewSlot.objects.filter(interview=interview, cancelled_at__isnull=False).first()
    assert interview_notify(interview_id=interview.pk, event="chosen", slot_id=old.pk) == 0

    client.force_login(world.sam)
    client.post(reverse("web:interview_step", args=[match.pk, "cancel"]))
    interview.refresh_from_db()
    assert interview.chosen is None
    mail.outbox.clear()
    assert interview_notify(interview_id=interview.pk, event="cancelled", slot_id=moved.pk) == 2
    calendar = _ics(mail.outbox[0])
    assert calendar["METHOD"] == "CANCEL"
    assert calendar.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    # The company may then propose new times.
    client.force_login(world.bram)
    client.post(_step(match, "propose"), _times((_day(20), "10:00", "10:30", "Hal 2")))
    assert [s.location for s in Interview.objects.get(pk=interview.pk).open_slots] == ["Hal 2"]


def test_asking_for_another_time_reaches_the_company(client: Client, world: World) -> None:
    match = _forwarded(world)
    interview = _invite(client, world, match)
    client.force_login(world.sam)
    client.post(
        reverse("web:interview_step", args=[match.pk, "other_time"]),
        {"note": "Ik kan alleen op woensdag."},
    )
    interview.refresh_from_db()
    assert interview.other_time_asked_at is not None
    mail.outbox.clear()
    assert interview_notify(interview_id=interview.pk, event="other_time") == 1
    assert mail.outbox[0].to == [world.bram.email]
    assert "woensdag" in mail.outbox[0].body
    assert world.sam.full_name not in mail.outbox[0].body  # still anonymous: not accepted
    client.force_login(world.bram)
    html = client.get(reverse("web:opening_candidates", args=[match.opening.slug])).content
    assert "Ik kan alleen op woensdag." in html.decode()
    client.post(_step(match, "propose"), _times((_day(13), "10:00", "10:30", "Hal 2")))
    interview.refresh_from_db()
    assert interview.other_time_asked_at is None
    assert [s.location for s in interview.open_slots] == ["Hal 2"]  # the old ones withdrawn
    mail.outbox.clear()
    assert interview_notify(interview_id=interview.pk, event="proposed") == 1
    assert "Hal 2" in mail.outbox[0].body


def test_bad_times_are_refused_with_a_clear_message(client: Client, world: World) -> None:
    match = _forwarded(world)
    client.force_login(world.bram)
    cases = [
        (_times((_day(-1), "09:00", "10:00", "Hal")), "in het verleden"),
        (_times((_day(3), "10:00", "09:00", "Hal")), "eindigt voordat"),
        ({"slot1_date": _day(3).isoformat()}, "Vul de datum, beide tijden en de plek"),
    ]
    for data, words in cases:
        response = client.post(_step(match, "invite"), data, follow=True)
        assert words in response.content.decode()
        assert Match.objects.get(pk=match.pk).state == S.STUDENT_YES
    assert not Interview.objects.exists()


def test_outsiders_cannot_see_or_touch_an_interview(client: Client, world: World) -> None:
    match = _forwarded(world)
    interview = _invite(client, world, match)
    slot = interview.open_slots[0]
    other_student = factories.UserFactory()
    factories.MembershipFactory(user=other_student, organisation=world.school_b)
    for outsider in (world.otto, other_student, world.olga, world.dirk):
        client.force_login(outsider)
        assert client.get(reverse("web:interview_calendar", args=[match.pk])).status_code == 404
        for step in ("choose", "other_time", "cancel"):
            url = reverse("web:interview_step", args=[match.pk, step])
            assert client.post(url, {"slot": slot.pk}).status_code in (403, 404)
        for step in ("propose", "move", "cancel_interview"):
            data = _times((_day(5), "10:00", "11:00", "Geheime plek"))
            assert client.post(_step(match, step), data).status_code in (403, 404)
    interview.refresh_from_db()
    assert interview.chosen is None
    assert [s.location for s in interview.open_slots] != ["Geheime plek"]
    # Before a time is chosen, nobody downloads a calendar file.
    client.force_login(world.sam)
    assert client.get(reverse("web:interview_calendar", args=[match.pk])).status_code == 404
    # A time of another interview cannot be picked through this one.
    other = _forwarded_other(world)
    client.force_login(world.sam)
    response = client.post(
        reverse("web:interview_step", args=[match.pk, "choose"]),
        {"slot": other.pk},
        follow=True,
    )
    assert "Kies een van de voorgestelde tijden" in response.content.decode()


def _forwarded_other(world: World) -> InterviewSlot:
    opening = factories.OpeningFactory(company=world.company_y)
    match = factories.MatchFactory(
        profile=factories.ProfileFactory(), opening=opening, state=S.INVITED
    )
    interview = Interview.objects.create(match=match)
    start = timezone.now() + dt.timedelta(days=3)
    return InterviewSlot.objects.create(
        interview=interview, starts_at=start, ends_at=start + dt.timedelta(hours=1), location="X"
    )


def test_the_worker_task_exists() -> None:
    from worker.tasks import notify_interview

    assert notify_interview.name == "worker.notify_interview"


# ----- the company's pipeline per opening ---------------------------------------------


def test_the_pipeline_counts_every_stage_including_the_counsellors(
    client: Client, world: World
) -> None:
    opening = factories.OpeningFactory(company=world.company_x, title="Stage onderhoud")
    for state, n in ((S.SUGGESTED, 3), (S.APPROVED, 2), (S.STUDENT_YES, 1), (S.PLACED, 1)):
        for _ in range(n):
            factories.MatchFactory(opening=opening, state=state)
    client.force_login(world.bram)
    html = client.get(reverse("web:opening_candidates", args=[opening.slug])).content.decode()
    pipeline = html[html.index('class="mm-pipeline"') :]
    for count, words in (
        (3, "wacht op de begeleider"),
        (2, "wacht op de student"),
        (1, "wacht op jou"),
        (1, "geplaatst"),
    ):
        count_html = f'<span class="mm-pipeline__count">{count}</span>'
        assert f'{count_html} <span class="mm-pipeline__label">{words}' in pipeline
    html = client.get(reverse("web:company_openings")).content.decode()
    assert "wacht op de begeleider" in html
    # Another company sees no pipeline of this opening, on either page.
    client.force_login(world.otto)
    assert client.get(reverse("web:opening_candidates", args=[opening.slug])).status_code == 404
    assert (
        "wacht op de begeleider" not in client.get(reverse("web:company_openings")).content.decode()
    )


def test_the_pipeline_costs_the_same_queries_for_20_and_200(client: Client, world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    opening = factories.OpeningFactory(company=world.company_x, capacity=300)
    client.force_login(world.bram)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("web:company_openings")).status_code == 200
        return len(captured)

    for _ in range(20):
        factories.MatchFactory(opening=opening, state=S.SUGGESTED)
    small = queries()
    for _ in range(180):
        factories.MatchFactory(opening=opening, state=S.APPROVED)
    assert queries() == small
