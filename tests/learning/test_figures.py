"""Lifelong learning in the region's figures, the skills gap's course column, and
the courses a company's staff could take."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from insights import kpis
from learning import selectors, services
from tests.conftest import World, login_with_second_factor

pytestmark = pytest.mark.django_db


def _complete(gap, world: World) -> None:
    enrolment = services.enrolment_request(course=gap["two"], user=world.zeynep)
    services.enrolment_decide(enrolment=enrolment, by=world.cas, confirm=True)
    services.enrolment_complete(enrolment=enrolment, by=world.cas)
    employee = services.enrolment_request(course=gap["one"], user=world.bram)
    services.enrolment_decide(enrolment=employee, by=world.cas, confirm=True)


def test_participants_completions_and_skills_added_count_by_group(gap, world: World) -> None:
    _complete(gap, world)
    period = kpis.Period.parse(str(kpis.timezone.localdate().year))
    total = kpis.kpi_table(period=period)[kpis.TOTAL]
    assert total["course_participants_career_changer"] == 1
    assert total["course_participants_employee"] == 1
    assert total["course_participants_pupil"] == 0
    assert total["course_completions_career_changer"] == 1
    assert total["course_completions_employee"] == 0
    assert total["skills_from_courses"] == 2
    # People: a count of 1 is shown as "<5"; zero is shown.
    assert kpis.display("course_completions_career_changer", total) == "<5"
    assert kpis.display("course_completions_pupil", total) == 0
    # By learning location: the course's provider.
    by_location = kpis.kpi_table(period=period, breakdown="learning_location")
    assert by_location[world.location.name]["course_completions_career_changer"] == 1
    # The year's baseline keeps them.
    figures = kpis.kpi_figures(period=period)
    assert figures[kpis.TOTAL][kpis.TOTAL]["skills_from_courses"] == 2


def test_the_top_gaps_with_and_without_a_course(gap, world: World) -> None:
    period = kpis.Period.parse(str(kpis.timezone.localdate().year))
    rows = {r["skill"]: r for r in kpis.skills_gap(period=period)}
    # The maintenance job asks four must-haves; courses teach each of them.
    assert {s: rows[s]["courses"] for s in rows} == {
        "cnc-frezen": 1,
        "mig-mag-lassen": 1,
        "plc-programmeren": 1,
        "vca-basis": 1,
    }
    total = kpis.kpi_table(period=period)[kpis.TOTAL]
    assert (total["gaps_with_course"], total["gaps_without_course"]) == (4, 0)
    services.course_publish_set(course=gap["one"], by=world.cas, published=False)
    total = kpis.kpi_table(period=period)[kpis.TOTAL]
    assert (total["gaps_with_course"], total["gaps_without_course"]) == (3, 1)
    client = Client()
    login_with_second_factor(client, world.carla)
    page = client.get(reverse("web:skills_gap")).text
    assert "Cursussen in de regio" in page
    assert f'href="{reverse("web:courses")}?skill=plc-programmeren"' in page
    csv = client.get(reverse("web:skills_gap") + "?format=csv").content.decode()
    assert "Cursussen in de regio" in csv.splitlines()[0]


def test_a_company_sees_courses_for_what_its_open_openings_ask(gap, world: World) -> None:
    rows = selectors.courses_for_company(company=world.company_x)
    assert rows[0]["course"].title == "Lassen en PLC"
    assert sorted(r["course"].title for r in rows) == ["Frezen", "Lassen en PLC", "VCA"]
    assert rows[0]["openings"] == [gap["opening"]]
    assert selectors.courses_for_company(company=world.company_y) == []
    client = Client()
    client.force_login(world.bram)
    page = client.get(reverse("web:company_courses")).text
    assert "Lassen en PLC" in page
    assert "gevraagd in: Onderhoudsmonteur" in page
    client.force_login(world.otto)
    assert "Lassen en PLC" not in client.get(reverse("web:company_courses")).text


def _given(world: World, pupils: int, *, days_ago: int = 1):
    from django.utils import timezone

    from learning import guest_lessons
    from tests import factories

    request = factories.guest_lesson_planned(
        school=world.school_a, counsellor=world.dirk, company=world.company_x, member=world.bram
    )
    past = timezone.now() - kpis.dt.timedelta(days=days_ago)
    request.slots.update(starts_at=past, ends_at=past + kpis.dt.timedelta(hours=1))
    return guest_lessons.request_given(request=request, by=world.bram, pupils_reached=pupils)


def test_guest_lessons_given_and_pupils_reached(world: World, client: Client) -> None:
    from tests import factories

    world.company_x.learning_locations.add(world.location)
    today = kpis.timezone.localdate()
    _given(world, 22, days_ago=0)
    _given(world, 3, days_ago=0)
    _given(world, 18, days_ago=today.timetuple().tm_yday + 5)  # last year
    factories.guest_lesson_planned(  # planned, not given: not counted
        school=world.school_b, counsellor=world.olga, company=world.company_x, member=world.bram
    )
    period = kpis.Period.parse(str(today.year))
    total = kpis.kpi_table(period=period)[kpis.TOTAL]
    assert total["guest_lessons_given"] == 2
    assert total["pupils_reached"] == 25
    by_location = kpis.kpi_table(period=period, breakdown="learning_location")
    assert by_location[world.location.name]["pupils_reached"] == 25
    by_level = kpis.kpi_table(period=period, breakdown="education_level")
    assert by_level["mbo2"]["guest_lessons_given"] == 2
    last_year = kpis.kpi_table(period=kpis.Period.parse(str(today.year - 1)))[kpis.TOTAL]
    assert last_year["guest_lessons_given"] == 1
    assert last_year["pupils_reached"] == 18
    # Pupils are people: a handful is hidden; the lessons themselves are not.
    few = {"pupils_reached": 3, "guest_lessons_given": 1}
    assert kpis.display("pupils_reached", few) == "<5"
    assert kpis.display("guest_lessons_given", few) == 1
    # The dashboard and the CSV export show them.
    login_with_second_factor(client, world.carla)
    page = client.get(reverse("web:kpis"), {"period": str(today.year)}).content.decode()
    assert "Gastlessen en bedrijfsbezoeken gegeven" in page
    export = client.get(reverse("web:kpi_export", args=["csv"]), {"period": str(today.year)})
    assert export.status_code == 200
    assert "Gastlessen en bedrijfsbezoeken gegeven" in export.content.decode("utf-8-sig")
