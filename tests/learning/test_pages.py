"""The course pages as people see them: search, the course page's JSON-LD, a
person's course suggestions in words, a coach's forms and sign-up rows (with
and without htmx), and what an outsider gets."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from learning import services
from learning.models import Course, CourseSkill, Enrolment, EnrolmentStatus
from marketplace.models import ProfileSkill
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _json_ld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found, "no JSON-LD on the page"
    return json.loads(found.group(1))


def test_the_search_filters_by_skill_place_date_and_audience(gap) -> None:
    far = factories.PlaceFactory(name="Utrecht", latitude=52.09, longitude=5.12)
    later = gap["one"]
    later.starts_on = timezone.localdate() + dt.timedelta(days=90)
    later.audiences = ["pupil"]
    later.place = far
    later.save()

    def titles(query: str) -> set[str]:
        response = _client().get(reverse("web:courses") + query)
        assert response.status_code == 200
        return set(re.findall(r'class="mm-card__title"><a [^>]*>([^<]+)</a>', response.text))

    assert titles("") == {"Lassen en PLC", "VCA", "Frezen"}
    assert titles("?skill=plc-programmeren") == {"Lassen en PLC"}
    assert titles("?place=utrecht") == {"VCA"}
    assert titles("?place=woerden&radius_km=5") == {"Lassen en PLC", "Frezen"}
    assert titles("?place=woerden&radius_km=50") == {"Lassen en PLC", "VCA", "Frezen"}
    soon = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    assert titles(f"?starts_after={soon}") == {"VCA"}
    assert titles("?audience=pupil") == {"VCA"}
    # A bad filter says so and lists nothing.
    bad = _client().get(reverse("web:courses") + "?radius_km=-5")
    assert "0 cursussen gevonden" in bad.text or "0 courses found" in bad.text
    assert 'aria-invalid="true"' in bad.text or "utrecht-form-field--invalid" in bad.text


def test_a_course_page_carries_course_json_ld(gap) -> None:
    course = gap["two"]
    html = _client().get(reverse("web:course_detail", args=[course.slug])).text
    data = _json_ld(html)
    assert data["@type"] == "Course"
    assert data["name"] == "Lassen en PLC"
    assert data["provider"]["name"] == course.provider.name
    instance = data["hasCourseInstance"][0]
    assert instance["@type"] == "CourseInstance"
    assert instance["startDate"] == course.starts_on.isoformat()
    assert instance["location"]["address"]["addressLocality"] == "Woerden"
    assert {t["termCode"] for t in data["teaches"]} == {"mig-mag-lassen", "plc-programmeren"}
    course.on_request, course.starts_on = True, None
    course.save()
    data = _json_ld(_client().get(reverse("web:course_detail", args=[course.slug])).text)
    assert "startDate" not in data["hasCourseInstance"][0]


def test_a_draft_is_seen_only_by_its_providers_coaches(gap, world: World) -> None:
    course = gap["one"]
    course.is_published = False
    course.save()
    url = reverse("web:course_detail", args=[course.slug])
    assert _client(world.cas).get(url).status_code == 200
    for outsider in (None, world.dirk, world.zeynep, world.bram):
        assert _client(outsider).get(url).status_code == 404
    assert f">{course.title}</a>" not in _client(world.dirk).get(reverse("web:courses")).text


def test_my_courses_says_how_close_each_course_brings_the_person(gap, world: World) -> None:
    services.course_suggestions_refresh()
    html = _client(world.zeynep).get(reverse("web:my_courses")).text
    company = gap["opening"].company.name
    assert "Lassen en PLC" in html
    assert (
        "Na deze cursus voldoe je aan 3 van de 4 eisen voor Onderhoudsmonteur bij " + company
    ) in html
    assert html.index("Lassen en PLC") < html.index(">VCA<")
    assert "Frezen" not in html  # closes nothing she misses
    # Another student sees none of hers.
    assert "Lassen en PLC" not in _client(world.sam).get(reverse("web:my_courses")).text


def test_signing_up_on_the_page_and_the_coach_confirms_and_completes_with_htmx(
    gap, world: World
) -> None:
    course = gap["two"]
    page = reverse("web:course_detail", args=[course.slug])
    response = _client(world.zeynep).post(page, {"motivation": "Ik wil omscholen."})
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(course=course, user=world.zeynep)
    assert enrolment.motivation == "Ik wil omscholen."
    # A pupil is told who the course is for; nothing is stored.
    refused = _client(world.sam).post(page, {})
    assert refused.status_code == 200
    assert "Deze cursus is voor" in refused.text
    assert not Enrolment.objects.filter(user=world.sam).exists()
    listing = _client(world.cas).get(reverse("web:course_enrolments", args=[course.slug])).text
    assert world.zeynep.email in listing
    assert "Ik wil omscholen." in listing
    hx = {"HX-Request": "true"}
    confirm = reverse("web:enrolment_action", args=[enrolment.pk, "confirm"])
    row = _client(world.cas).post(confirm, headers=hx)
    assert row.status_code == 200
    assert row.text.lstrip().startswith(f'<tr id="enrolment-{enrolment.pk}"')
    assert "bevestigd" in row.text
    assert "Afronding vastleggen" in row.text
    complete = reverse("web:enrolment_action", args=[enrolment.pk, "complete"])
    row = _client(world.cas).post(complete, headers=hx)
    assert "afgerond" in row.text
    assert "2 vaardigheden toegevoegd" in row.text
    assert ProfileSkill.objects.filter(profile=gap["profile"], source="course").count() == 2
    profile_page = _client(world.zeynep).get(reverse("web:profile_edit")).text
    marked = re.search(r"Van een cursus die je afrondde: ([^.<]+)\.", profile_page)
    assert marked is not None
    assert set(marked.group(1).split(", ")) == {"MIG/MAG-lassen", "PLC-programmeren"}
    # A second completion is refused in the row, not a 500.
    again = _client(world.cas).post(complete, headers=hx)
    assert again.status_code == 200
    assert 'role="alert"' in again.text


def test_an_outsider_coach_gets_nothing_from_a_sign_up_fragment(gap, world: World) -> None:
    enrolment = services.enrolment_request(course=gap["two"], user=world.zeynep)
    confirm = reverse("web:enrolment_action", args=[enrolment.pk, "confirm"])
    for outsider in (world.dirk, world.olga, world.bram, world.zeynep):
        for headers in ({}, {"HX-Request": "true"}):
            response = _client(outsider).post(confirm, headers=headers)
            assert response.status_code == 404
            assert world.zeynep.email not in response.text
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.REQUESTED
    listing = reverse("web:course_enrolments", args=[gap["two"].slug])
    assert _client(world.dirk).get(listing).status_code == 404


def test_the_coach_form_redisplays_errors_and_saves_a_draft(gap, world: World) -> None:
    url = reverse("web:course_new")
    body = {
        "title": "Hydrauliek",
        "description": "Leerbord.",
        "place": gap["opening"].place.pk,
        "duration_hours": "8",
        "cost_eur": "0",
        "audiences": ["employee"],
        "skills-TOTAL_FORMS": "1",
        "skills-INITIAL_FORMS": "0",
        "skills-0-skill": "PLC-programmeren",
        "skills-0-level": "2",
    }
    response = _client(world.cas).post(url, body)
    assert response.status_code == 200
    assert "Geef een startdatum" in response.text
    assert response.context["form"]["title"].value() == "Hydrauliek"  # nothing lost
    assert not Course.objects.filter(title="Hydrauliek").exists()
    body["on_request"] = "on"
    response = _client(world.cas).post(url, body)
    assert response.status_code == 302
    course = Course.objects.get(title="Hydrauliek")
    assert (course.provider, course.is_published, course.on_request) == (
        world.location,
        False,
        True,
    )
    assert list(CourseSkill.objects.filter(course=course).values_list("skill__slug", "level")) == [
        ("plc-programmeren", 2)
    ]
