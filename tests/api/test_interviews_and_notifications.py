"""Interviews and notifications through the API: the same steps and rules as the
pages. A company invites with times, the student reads them on the suggestion
and picks one (which accepts), the company moves and either side cancels; a
person reads and marks only their own notifications, in their language."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from matching.models import Interview, Match, MatchState
from notifications import inbox
from notifications.models import Notification, NotificationKind
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db
S = MatchState
AMS = ZoneInfo("Europe/Amsterdam")


def _client(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _forwarded(world: World) -> Match:
    profile = factories.ProfileFactory(user=world.sam)
    opening = factories.OpeningFactory(company=world.company_x, title="Stage onderhoud")
    return factories.MatchFactory(profile=profile, opening=opening, state=S.STUDENT_YES)


def _at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=AMS)


def _slot(days: int, hour: int, where: str = "Industrieweg 4, Woerden") -> dict:
    return {
        "starts_at": _at(days, hour).isoformat(),
        "ends_at": _at(days, hour, 45).isoformat(),
        "location": where,
    }


def _url(match: Match, step: str) -> str:
    return reverse(f"api:suggestion-{step}", args=[match.pk])


def test_invite_with_times_then_the_student_picks_one(world: World) -> None:
    match = _forwarded(world)
    bram, sam = _client(world.bram), _client(world.sam)
    body = {"message": "Neem je veiligheidsschoenen mee.", "slots": [_slot(10, 9), _slot(11, 14)]}
    response = bram.post(_url(match, "invite"), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == S.INVITED
    interview = response.json()["interview"]
    assert interview["message"] == "Neem je veiligheidsschoenen mee."
    assert [s["chosen"] for s in interview["slots"]] == [False, False]

    # The student reads the same message and times on their suggestion.
    seen = sam.get(reverse("api:suggestion-detail", args=[match.pk])).json()["interview"]
    assert seen["message"] == "Neem je veiligheidsschoenen mee."
    first = seen["slots"][0]
    assert dt.datetime.fromisoformat(first["starts_at"]) == _at(10, 9)

    response = sam.post(_url(match, "interview-choose"), {"slot": first["id"]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == S.ACCEPTED  # picking a time accepts
    assert [s["chosen"] for s in response.json()["interview"]["slots"]] == [True, False]

    # The company moves it: one chosen time, at the new hour.
    response = bram.post(_url(match, "interview-move"), _slot(12, 13), format="json")
    assert response.status_code == 200, response.content
    slots = response.json()["interview"]["slots"]
    chosen = [s for s in slots if s["chosen"]]
    assert len(chosen) == 1
    assert dt.datetime.fromisoformat(chosen[0]["starts_at"]) == _at(12, 13)
    assert Interview.objects.get(match=match).sequence == 2

    # The student cancels; the company may then propose again.
    assert sam.post(_url(match, "interview-cancel"), {}, format="json").status_code == 200
    response = bram.post(
        _url(match, "interview-propose"), {"slots": [_slot(14, 10)]}, format="json"
    )
    assert response.status_code == 200, response.content
    slots = response.json()["interview"]["slots"]  # the cancelled time is gone
    assert [(s["chosen"], s["starts_at"][:10]) for s in slots] == [
        (False, _at(14, 10).date().isoformat())
    ]


def test_steps_that_are_not_yours_or_not_now_are_refused(world: World) -> None:
    match = _forwarded(world)
    bram, sam = _client(world.bram), _client(world.sam)
    # The student cannot propose, the company cannot choose.
    response = sam.post(_url(match, "invite"), {"slots": [_slot(10, 9)]}, format="json")
    assert response.status_code == 403
    bram.post(_url(match, "invite"), {"slots": [_slot(10, 9)]}, format="json")
    slot = Interview.objects.get(match=match).slots.get()
    response = bram.post(_url(match, "interview-choose"), {"slot": slot.pk}, format="json")
    assert response.status_code == 403
    # Nothing chosen yet: nothing to move or cancel.
    assert bram.post(_url(match, "interview-move"), _slot(12, 9), format="json").status_code == 409
    assert sam.post(_url(match, "interview-cancel"), {}, format="json").status_code == 409
    # A slot of another suggestion is not this one's.
    response = sam.post(_url(match, "interview-choose"), {"slot": slot.pk + 999}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"slot": ["Deze suggestie heeft zo'n tijd niet."]}
    # Asking for another time reaches the interview.
    response = sam.post(_url(match, "interview-other-time"), {"note": "Na 15 uur"}, format="json")
    assert response.status_code == 200
    assert response.json()["interview"]["other_time_asked"] is True
    assert response.json()["interview"]["other_time_note"] == "Na 15 uur"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slots": [_slot(-1, 9)]}, "slots"),  # in the past
        ({"slots": [_slot(1, 9)] * 4}, "slots"),  # more than three
        (
            {"slots": [{"starts_at": "morgen", "ends_at": "x", "location": "W"}]},
            "slots.0.starts_at",
        ),
        ({"message": "Hallo", "reason": "Anders"}, "reason"),  # the message twice, differing
    ],
)
def test_bad_times_are_field_level_400s(world: World, body: dict, field: str) -> None:
    match = _forwarded(world)
    response = _client(world.bram).post(_url(match, "invite"), body, format="json")
    assert response.status_code == 400, response.content
    assert any(name.startswith(field) for name in response.json()["fields"]), response.json()
    assert Match.objects.get(pk=match.pk).state == S.STUDENT_YES  # nothing changed


def test_the_old_reason_field_is_still_the_message(world: World) -> None:
    match = _forwarded(world)
    response = _client(world.bram).post(
        _url(match, "invite"), {"reason": "Kom langs"}, format="json"
    )
    assert response.status_code == 200
    assert Match.objects.get(pk=match.pk).state == S.INVITED


def test_the_interview_is_for_the_student_and_the_company_only(world: World) -> None:
    match = _forwarded(world)
    _client(world.bram).post(
        _url(match, "invite"), {"message": "Geheim", "slots": [_slot(10, 9)]}, format="json"
    )
    detail = reverse("api:suggestion-detail", args=[match.pk])
    # The counsellor follows the step but not the company's message and times.
    response = _client(world.dirk).get(detail)
    assert response.status_code == 200
    assert response.json()["interview"] is None
    for outsider in (world.olga, world.otto):
        response = _client(outsider).get(detail)
        assert response.status_code == 404
        assert "Geheim" not in response.content.decode()
        assert _client(outsider).post(_url(match, "interview-cancel")).status_code == 404


def _note(user: User, title: str, read: bool = False) -> Notification:
    return Notification.objects.create(
        user=user,
        kind=NotificationKind.APPROVED,
        params={"title": title, "company": "Van Dijk Metaal"},
        url="/student/suggestions/",
        read_at=timezone.now() if read else None,
    )


def test_notifications_are_your_own_and_in_your_language(world: World) -> None:
    mine = _note(world.sam, "Stage CNC")
    _note(world.sam, "Stage lassen", read=True)
    theirs = _note(world.dirk, "Niet voor Sam")
    sam = _client(world.sam)
    url = reverse("api:notification-list")
    body = sam.get(url).json()
    assert [n["text"] for n in body["results"]] == [
        "Nieuwe suggestie: Stage lassen bij Van Dijk Metaal",
        "Nieuwe suggestie: Stage CNC bij Van Dijk Metaal",
    ]
    assert "Niet voor Sam" not in str(body)
    english = sam.get(url, {"unread": "true"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert [n["text"] for n in english["results"]] == [
        "New suggestion: Stage CNC at Van Dijk Metaal"
    ]
    assert english["results"][0]["read"] is False

    # Someone else's notification is not found, and stays unread.
    assert sam.post(reverse("api:notification-read", args=[theirs.pk])).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    response = sam.post(reverse("api:notification-read", args=[mine.pk]))
    assert response.status_code == 200
    assert response.json()["read"] is True
    _note(world.sam, "Leerbaan")
    response = sam.post(reverse("api:notification-read-all"))
    assert response.json() == {"read": 1}
    assert inbox.unread_count(user=world.sam) == 0
    assert inbox.unread_count(user=world.dirk) == 1
