"""Guest lessons and company visits: the ranking of offers for a request on
hand-checkable cases, the way from request to a planned date in both calendars
(Europe/Amsterdam), the rules on who takes which step, and the pages."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.exceptions import DomainError, InvalidState, NotAllowed
from learning import guest_lessons, selectors
from learning.models import GuestRequestStatus
from matching.engine.guests import GuestOfferRecord, GuestRequestRecord, offers_for_requests
from matching.interviews import SlotInput
from notifications import services as notification_services
from notifications.models import Notification
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
G = GuestRequestStatus


# -- the ranking, without a database -------------------------------------------------


def _offer(id_, skills, *, levels=("mbo2",), venues=("school",), lat=52.0853, lon=4.8836,
           reach=30.0, text="Gastles lassen", format_="guest_lesson"):  # fmt: skip
    return GuestOfferRecord(
        id=id_, format=format_, text=text, skills=tuple(skills), levels=frozenset(levels),
        venues=frozenset(venues), lat=lat, lon=lon, reach_km=reach,
    )  # fmt: skip


def _request(skills, *, level="mbo2", venues=("school",), text="Gastles lassen"):
    return GuestRequestRecord(
        id="r", format="guest_lesson", text=text, skills=tuple(skills), level=level,
        venues=frozenset(venues), lat=52.0853, lon=4.8836,
    )  # fmt: skip


@pytest.mark.django_db(False)
def test_an_offer_showing_two_of_the_skills_asked_ranks_above_one_showing_one() -> None:
    request = _request(["lassen", "plc", "vca"])
    found = offers_for_requests(
        requests=[request], offers=[_offer("one", ["lassen"]), _offer("two", ["lassen", "plc"])]
    )
    assert [m.offer_id for m in found] == ["two", "one"]
    two, one = found
    assert two.parts["skills"] == pytest.approx(2 / 3, abs=1e-4)
    assert one.parts["skills"] == pytest.approx(1 / 3, abs=1e-4)
    # Same text and place: the scores differ by the skills weight alone.
    assert two.score - one.score == pytest.approx(0.5 / 3, abs=1e-3)
    assert two.skills_shared == ("lassen", "plc")


@pytest.mark.django_db(False)
def test_the_hard_rules_leave_out_wrong_level_kind_venue_and_distance() -> None:
    request = _request(["lassen"])
    utrecht = (52.0907, 5.1214)  # about 16 km from Woerden
    offers = [
        _offer("ok", ["lassen"]),
        _offer("level", ["lassen"], levels=("havo",)),
        _offer("venue", ["lassen"], venues=("company",)),
        _offer("visit", ["lassen"], format_="company_visit"),
        _offer("far", ["lassen"], lat=utrecht[0], lon=utrecht[1], reach=10),
        _offer("near", ["lassen"], lat=utrecht[0], lon=utrecht[1], reach=40),
    ]
    found = offers_for_requests(requests=[request], offers=offers)
    assert [m.offer_id for m in found] == ["ok", "near"]
    near = found[1]
    assert 15 < near.distance_km < 18
    assert near.parts["distance"] == pytest.approx(1 - near.distance_km / 40, abs=2e-3)


@pytest.mark.django_db(False)
def test_without_skills_the_topic_decides() -> None:
    request = _request([], text="CNC-frezen in de praktijk")
    found = offers_for_requests(
        requests=[request],
        offers=[
            _offer("bakken", [], text="Brood bakken in een bakkerij"),
            _offer("cnc", [], text="CNC-frezen en draaien bij een toeleverancier"),
        ],
    )
    assert [m.offer_id for m in found] == ["cnc", "bakken"]
    assert found[0].parts["text"] > found[1].parts["text"]


# -- from request to both calendars ---------------------------------------------------


@pytest.fixture
def scene(world: World) -> dict:
    for company in (world.company_x, world.company_y):
        company.verified_at = timezone.now()
        company.save(update_fields=["verified_at"])
    skill = factories.SkillFactory(slug="lassen-gl", label_nl="Lassen", label_en="Welding")
    offer = factories.GuestOfferFactory(company=world.company_x, topic="Lassen in de praktijk")
    offer.skills.set([skill])
    request = guest_lessons.request_save(
        by=world.dirk,
        organisation=world.school_a,
        data={
            "format": "guest_lesson",
            "topic": "Lassen",
            "class_name": "2 MT-B",
            "level": "mbo2",
            "pupils": 22,
            "venues": ["school"],
            "place": offer.place,
            "note": "Ze lassen sinds september.",
        },
        skills=[skill],
    )
    return {"offer": offer, "request": request, "skill": skill}


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMSTERDAM)


def _ics(message) -> icalendar.Calendar:
    (attachment,) = [a for a in message.attachments if a[0].endswith(".ics")]
    assert attachment[2].startswith("text/calendar; method=")
    return icalendar.Calendar.from_ical(attachment[1])


def _worker(request, event: str) -> int:
    """What ``worker.notify_guest_request`` does after the step's commit."""
    return notification_services.guest_request_notify(request_id=request.pk, event=event)


def test_a_request_ends_up_in_both_calendars_at_amsterdam_time(world: World, scene: dict) -> None:
    request, offer = scene["request"], scene["offer"]
    # A date in the summer (CEST, UTC+2) and one in the winter (CET, UTC+1).
    summer = dt.date(timezone.localdate().year + 1, 7, 2)
    winter = dt.date(timezone.localdate().year + 1, 1, 14)
    guest_lessons.request_send(request=request, offer=offer, by=world.dirk)
    _worker(request, "sent")
    assert [m.to for m in mail.outbox] == [[world.bram.email]]
    guest_lessons.request_accept(
        request=request,
        by=world.bram,
        answer="Graag!",
        slots=[
            SlotInput(_local(summer, 9, 30), _local(summer, 11), "Lokaal 2.14"),
            SlotInput(_local(winter, 13), _local(winter, 14, 30), "Werkplaats"),
        ],
    )
    request.refresh_from_db()
    assert request.status == G.PROPOSED
    assert _worker(request, "proposed") == 1  # the counsellor who asked
    winter_slot = request.slots.get(location="Werkplaats")
    mail.outbox.clear()
    guest_lessons.request_choose(request=request, slot_id=winter_slot.pk, by=world.dirk)
    assert _worker(request, "planned") == 2
    request.refresh_from_db()
    assert request.status == G.PLANNED
    assert request.chosen == winter_slot
    # Both calendars: the counsellor who asked and the company's member.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.dirk.email, world.bram.email])
    for message in mail.outbox:
        (event,) = _ics(message).walk("VEVENT")
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert str(start.tzinfo) == "Europe/Amsterdam"
        assert (start.hour, start.minute, end.hour, end.minute) == (13, 0, 14, 30)
        assert start.utcoffset() == dt.timedelta(hours=1)  # CET in January
        assert start.astimezone(dt.UTC).hour == 12
        assert str(event["location"]) == "Werkplaats"
        assert str(event["uid"]) == f"{request.uid}@maakmatch"
        assert _ics(message)["method"] == "REQUEST"
    assert Notification.objects.filter(user=world.dirk, kind="guest_planned").exists()
    assert Notification.objects.filter(user=world.bram, kind="guest_planned").exists()

    # The download gives the same event, and a coach of a learning location sees it too.
    for user in (world.dirk, world.bram, world.cas):
        client = Client()
        client.force_login(user)
        download = client.get(reverse("web:guest_request_calendar", args=[request.pk]))
        assert download.status_code == 200
        assert download["Content-Type"].startswith("text/calendar")
        (event,) = icalendar.Calendar.from_ical(download.content).walk("VEVENT")
        assert event.decoded("dtstart") == _local(winter, 13)
    for outsider in (world.olga, world.otto, world.sam):
        client = Client()
        client.force_login(outsider)
        assert (
            client.get(reverse("web:guest_request_calendar", args=[request.pk])).status_code == 404
        )

    # Cancelling takes it out of both calendars with a higher sequence.
    mail.outbox.clear()
    guest_lessons.request_cancel(request=request, by=world.bram)
    assert _worker(request, "cancelled") == 2
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        calendar = _ics(message)
        assert calendar["method"] == "CANCEL"
        (event,) = calendar.walk("VEVENT")
        assert event["sequence"] == 2


def test_given_counts_pupils_after_the_date(world: World, scene: dict) -> None:
    request, offer = scene["request"], scene["offer"]
    guest_lessons.request_send(request=request, offer=offer, by=world.dirk)
    soon = timezone.now() + dt.timedelta(hours=1)
    guest_lessons.request_accept(
        request=request,
        by=world.bram,
        slots=[SlotInput(soon, soon + dt.timedelta(hours=1), "Aula")],
    )
    guest_lessons.request_choose(request=request, slot_id=request.slots.get().pk, by=world.dirk)
    with pytest.raises(InvalidState):
        guest_lessons.request_given(request=request, by=world.bram, pupils_reached=20)
    request.slots.update(
        starts_at=timezone.now() - dt.timedelta(hours=2),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    with pytest.raises(DomainError):
        guest_lessons.request_given(request=request, by=world.bram, pupils_reached=23)
    with pytest.raises(NotAllowed):
        guest_lessons.request_given(request=request, by=world.otto, pupils_reached=20)
    guest_lessons.request_given(request=request, by=world.bram, pupils_reached=20)
    request.refresh_from_db()
    assert (request.status, request.pupils_reached) == (G.GIVEN, 20)


def test_who_takes_which_step(world: World, scene: dict) -> None:
    request, offer = scene["request"], scene["offer"]
    # Only the requesting school's counsellors send it; only the company answers.
    with pytest.raises(NotAllowed):
        guest_lessons.request_send(request=request, offer=offer, by=world.olga)
    with pytest.raises(NotAllowed):
        guest_lessons.request_send(request=request, offer=offer, by=world.bram)
    guest_lessons.request_send(request=request, offer=offer, by=world.dirk)
    with pytest.raises(NotAllowed):
        guest_lessons.request_decline(request=request, by=world.otto, answer="nee")
    with pytest.raises(NotAllowed):
        guest_lessons.request_decline(request=request, by=world.dirk, answer="nee")
    with pytest.raises(DomainError):
        guest_lessons.request_decline(request=request, by=world.bram, answer="  ")
    guest_lessons.request_decline(request=request, by=world.bram, answer="Geen tijd dit jaar.")
    request.refresh_from_db()
    assert request.status == G.DECLINED
    # A declined request may go to another offer; an offer for another level may not.
    other = factories.GuestOfferFactory(company=world.company_y, levels=["havo"])
    with pytest.raises(DomainError):
        guest_lessons.request_send(request=request, offer=other, by=world.dirk)
    with pytest.raises(NotAllowed):
        guest_lessons.offer_save(by=world.bram, offer=other, data={"topic": "Overgenomen"})
    # Companies keep only their own offers; a school cannot make one.
    with pytest.raises(NotAllowed):
        guest_lessons.offer_save(by=world.dirk, company=world.school_a, data={"topic": "x"})


def test_offers_need_levels_and_places(world: World) -> None:
    place = factories.PlaceFactory()
    data = {
        "format": "company_visit",
        "topic": "Rondleiding",
        "description": "Door de fabriek.",
        "levels": [],
        "venues": ["company"],
        "frequency": "term",
        "place": place,
        "reach_km": 20,
    }
    with pytest.raises(DomainError) as caught:
        guest_lessons.offer_save(by=world.bram, company=world.company_x, data=data)
    assert caught.value.field == "levels"
    offer = guest_lessons.offer_save(
        by=world.bram, company=world.company_x, data={**data, "levels": ["vmbo"]}
    )
    assert offer.pk
    assert offer.company == world.company_x


def test_who_sees_which_request(world: World, scene: dict) -> None:
    request, offer = scene["request"], scene["offer"]

    def sees(user) -> bool:
        return selectors.guest_requests_for(viewer=user).filter(pk=request.pk).exists()

    # Not sent: only the school's counsellors.
    assert [sees(u) for u in (world.dirk, world.olga, world.bram, world.otto, world.cas)] == [
        True, False, False, False, False,
    ]  # fmt: skip
    guest_lessons.request_send(request=request, offer=offer, by=world.dirk)
    assert [sees(u) for u in (world.dirk, world.olga, world.bram, world.otto, world.cas)] == [
        True, False, True, False, False,
    ]  # fmt: skip
    soon = timezone.now() + dt.timedelta(days=3)
    guest_lessons.request_accept(
        request=request, by=world.bram, slots=[SlotInput(soon, soon + dt.timedelta(hours=1), "A")]
    )
    guest_lessons.request_choose(request=request, slot_id=request.slots.get().pk, by=world.dirk)
    # Planned: a learning location's coach follows it too.
    assert [sees(u) for u in (world.dirk, world.olga, world.bram, world.otto, world.cas)] == [
        True, False, True, False, True,
    ]  # fmt: skip
    assert not any(sees(u) for u in (world.sam, world.zeynep, world.carla))


def test_the_pages_walk_a_request_from_ranking_to_planned(world: World, scene: dict) -> None:
    request, offer = scene["request"], scene["offer"]
    far = factories.PlaceFactory(name="Maastricht", latitude=50.85, longitude=5.69)
    factories.GuestOfferFactory(company=world.company_y, topic="Te ver weg", place=far)
    dirk, bram = Client(), Client()
    dirk.force_login(world.dirk)
    bram.force_login(world.bram)

    page = dirk.get(reverse("web:guest_request", args=[request.pk])).content.decode()
    assert "Lassen in de praktijk" in page
    assert world.company_x.name in page
    assert "Te ver weg" not in page  # beyond the company's reach
    response = dirk.post(
        reverse("web:guest_request_step", args=[request.pk, "send"]), {"offer": offer.pk}
    )
    assert response.status_code == 302
    page = bram.get(reverse("web:guest_lessons")).content.decode()
    assert "Lassen" in page
    assert "2 MT-B" in page
    day = timezone.localdate() + dt.timedelta(days=10)
    response = bram.post(
        reverse("web:guest_request_step", args=[request.pk, "accept"]),
        {
            "message": "Wij komen graag.",
            "slot1_date": day.isoformat(),
            "slot1_start": "10:00",
            "slot1_end": "11:30",
            "slot1_location": "Lokaal 1.02",
        },
    )
    assert response.status_code == 302
    page = dirk.get(reverse("web:guest_request", args=[request.pk])).content.decode()
    assert "Lokaal 1.02" in page
    assert "Wij komen graag." in page
    slot = request.slots.get()
    dirk.post(reverse("web:guest_request_step", args=[request.pk, "choose"]), {"slot": slot.pk})
    request.refresh_from_db()
    assert request.status == G.PLANNED
    chosen = request.chosen.starts_at.astimezone(AMSTERDAM)
    assert (chosen.date(), chosen.hour, chosen.minute) == (day, 10, 0)


def test_bad_input_on_the_pages_loses_nothing(world: World, scene: dict) -> None:
    client = Client()
    client.force_login(world.dirk)
    response = client.post(
        reverse("web:guest_request_new"),
        {"format": "guest_lesson", "topic": "Lassen", "class_name": "3A", "level": "mbo2",
         "pupils": "999", "venues": ["school"], "place": scene["offer"].place_id,
         "skills": "Lassen, Onbekende kunst"},
    )  # fmt: skip
    assert response.status_code == 200
    body = response.content.decode()
    assert "Onbekende kunst" in body  # named in the error and kept in the field
    assert "Lassen" in body
    request = scene["request"]
    response = client.post(
        reverse("web:guest_request_step", args=[request.pk, "send"]), {"offer": "9" * 40}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == G.OPEN


def test_a_counsellors_requests_are_in_their_export_and_outlive_their_erasure(
    world: World, scene: dict
) -> None:
    from privacy import services as privacy

    request = scene["request"]
    exported = privacy.personal_data_export(user=world.dirk)["guest_lesson_requests"]
    assert [(r["topic"], r["class"], r["note"]) for r in exported] == [
        ("Lassen", "2 MT-B", "Ze lassen sinds september.")
    ]
    assert privacy.personal_data_export(user=world.olga)["guest_lesson_requests"] == []
    privacy.account_erase(user=world.dirk)
    request.refresh_from_db()
    assert request.requested_by is None
    assert request.organisation == world.school_a  # the school's request stays


def test_review_rules_unverified_declined_past_and_far(world: World, scene: dict) -> None:
    """An unverified company's offer reaches no school; a company that declined is
    no longer a side; a date that passed cannot be chosen; a school beyond the
    company's reach cannot send to it."""
    request, offer = scene["request"], scene["offer"]
    unchecked = factories.CompanyFactory(verified_at=None)
    hidden = factories.GuestOfferFactory(company=unchecked, place=offer.place)
    visible = selectors.guest_offers_visible_to(viewer=world.dirk)
    assert offer in visible
    assert hidden not in visible
    assert hidden.pk not in [o.pk for o, _fit in selectors.guest_offers_ranked(request=request)]
    with pytest.raises(InvalidState):
        guest_lessons.request_send(request=request, offer=hidden, by=world.dirk)

    far = factories.PlaceFactory(name="Maastricht", latitude=50.85, longitude=5.69)
    distant = factories.GuestOfferFactory(company=world.company_y, place=far, reach_km=50)
    with pytest.raises(DomainError) as caught:
        guest_lessons.request_send(request=request, offer=distant, by=world.dirk)
    assert caught.value.field == "offer"

    guest_lessons.request_send(request=request, offer=offer, by=world.dirk)
    guest_lessons.request_decline(request=request, by=world.bram, answer="Geen tijd.")
    # Declined: the company neither sees it nor cancels it; it cannot go back there.
    assert not selectors.guest_requests_for(viewer=world.bram).filter(pk=request.pk).exists()
    with pytest.raises(NotAllowed):
        guest_lessons.request_cancel(request=request, by=world.bram)
    with pytest.raises(InvalidState):
        guest_lessons.request_send(request=request, offer=offer, by=world.dirk)

    other = factories.GuestOfferFactory(company=world.company_y, place=offer.place)
    guest_lessons.request_send(request=request, offer=other, by=world.dirk)
    soon = timezone.now() + dt.timedelta(hours=2)
    guest_lessons.request_accept(
        request=request, by=world.otto, slots=[SlotInput(soon, soon + dt.timedelta(hours=1), "A")]
    )
    slot = request.slots.get(cancelled_at__isnull=True)
    slot.starts_at = timezone.now() - dt.timedelta(minutes=5)
    slot.save(update_fields=["starts_at"])
    with pytest.raises(InvalidState):
        guest_lessons.request_choose(request=request, slot_id=slot.pk, by=world.dirk)
    client = Client()
    client.force_login(world.dirk)
    page = client.get(reverse("web:guest_request", args=[request.pk])).content.decode()
    assert "Every proposed date has passed" in page or "Alle voorgestelde data" in page


def test_a_coach_who_follows_the_region_reads_no_note(world: World) -> None:
    request = factories.guest_lesson_planned(
        school=world.school_a, counsellor=world.dirk, company=world.company_x, member=world.bram
    )
    request.note = "Bel Dirk op 06-12345678."
    request.save(update_fields=["note"])
    for user, sees in ((world.dirk, True), (world.bram, True), (world.cas, False)):
        client = Client()
        client.force_login(user)
        page = client.get(reverse("web:guest_request", args=[request.pk])).content.decode()
        assert ("06-12345678" in page) is sees
        api = client.get(f"/api/v1/guest-requests/{request.pk}/").json()
        assert ("06-12345678" in api["note"]) is sees
        ics = client.get(reverse("web:guest_request_calendar", args=[request.pk])).content
        assert (b"06-12345678" in ics) is sees


def test_a_skill_whose_name_holds_a_comma_survives_the_list() -> None:
    from web.forms import SkillListField

    eightd = factories.SkillFactory(slug="8d", label_nl="Oorzaakanalyse (8D, 5x waarom)")
    weld = factories.SkillFactory(slug="las", label_nl="Lassen")
    field = SkillListField(terms={"oorzaakanalyse (8d, 5x waarom)": eightd, "lassen": weld})
    text = field.prepare_value([eightd, weld])
    assert field.clean(text) == [eightd, weld]
    with pytest.raises(Exception, match="Borduren"):
        field.clean("Lassen, Borduren")


def test_a_coach_of_another_learning_location_is_an_outsider_until_it_is_planned(
    world: World,
) -> None:
    """A learning location asks too (cas, for a class of career changers); a coach
    of another location sees nothing of it, by page, fragment or API, until it
    is planned, and then only reads it: no step is theirs."""
    other_location = factories.LearningLocationFactory()
    olaf = factories.UserFactory()
    factories.MembershipFactory(user=olaf, role="counsellor", organisation=other_location)
    world.company_x.verified_at = timezone.now()
    world.company_x.save(update_fields=["verified_at"])
    offer = factories.GuestOfferFactory(company=world.company_x)
    request = factories.GuestRequestFactory(
        organisation=world.location, requested_by=world.cas, place=offer.place
    )
    guest_lessons.request_send(request=request, offer=offer, by=world.cas)
    client = Client()
    client.force_login(olaf)
    page = reverse("web:guest_request", args=[request.pk])
    api = f"/api/v1/guest-requests/{request.pk}/"
    assert client.get(page).status_code == 404
    assert client.get(page, headers={"HX-Request": "true"}).status_code == 404
    assert client.get(api).status_code == 404
    assert client.post(f"{api}cancel/", content_type="application/json").status_code == 404
    assert request.topic not in client.get(reverse("web:guest_lessons")).content.decode()
    assert client.get("/api/v1/guest-requests/").json()["count"] == 0

    soon = timezone.now() + dt.timedelta(days=5)
    guest_lessons.request_accept(
        request=request, by=world.bram, slots=[SlotInput(soon, soon + dt.timedelta(hours=1), "A")]
    )
    guest_lessons.request_choose(request=request, slot_id=request.slots.get().pk, by=world.cas)
    assert client.get(page).status_code == 200
    assert client.get(api).status_code == 200
    assert client.post(f"{api}cancel/", content_type="application/json").status_code == 403
    response = client.post(reverse("web:guest_request_step", args=[request.pk, "cancel"]))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == G.PLANNED  # nothing moved
