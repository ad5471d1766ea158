"""Journeys on the seeded demo, with no preparation step: what `make run` shows a
new user. The counsellor filters the queue to one class and approves a
selection, plans a class; the company proposes interview times; the student
picks one and the calendar file has the right time in Amsterdam; the
coordinator refuses a company with a reason. axe-core checks every page."""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import Membership, Organisation, OrganisationKind, Role, User
from matching.demo import DEMO_COMPANY
from matching.models import Interview, Match, MatchState
from notifications.services import interview_notify
from tests.e2e.conftest import axe_check, log_in, visit

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = MatchState
AMS = ZoneInfo("Europe/Amsterdam")
COUNSELLOR = "decaan@demo.maakmatch.nl"


@pytest.fixture
def demo(transactional_db: None) -> None:
    """`seed_demo` as `make run` calls it, at a size that keeps CI quick."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    call_command("seed_demo", force=True, students=160, openings=60, stdout=io.StringIO())
    TOTPDevice.objects.create(
        user=User.objects.get(email="coordinator@demo.maakmatch.nl"),
        name="telefoon",
        confirmed=True,
    )


def _busiest_class() -> str:
    """The class at the counsellor's school with the most suggestions waiting."""
    counsellor = User.objects.get(email=COUNSELLOR)
    school = Membership.objects.get(user=counsellor, role=Role.COUNSELLOR).organisation
    rows = (
        Membership.objects.filter(role=Role.STUDENT, organisation=school)
        .exclude(class_name="")
        .filter(user__profile__matches__state=S.SUGGESTED)
        .values("class_name")
        .annotate(n=Count("user__profile__matches"))
        .order_by("-n", "class_name")
    )
    return rows[0]["class_name"]


def test_the_counsellor_filters_one_class_and_approves_a_selection_then_plans_it(
    demo: None, new_page, live_server
) -> None:
    base = live_server.url
    klas = _busiest_class()
    page = new_page()
    log_in(page, base, COUNSELLOR, DEMO_PASSWORD)
    visit(page, f"{base}/counsellor/review/")
    page.select_option("select[name=klas]", klas)
    page.click("form.mm-filters button[type=submit]")
    page.wait_for_url(re.compile(rf"klas={klas}"))
    axe_check(page)
    boxes = page.locator("input[name=match][form=batch-form]")
    shown = boxes.count()
    assert shown > 0
    page.check("#select-all")  # the script shows and drives it
    assert all(boxes.nth(i).is_checked() for i in range(shown))
    page.click("button[name=action][value=approve]")
    page.wait_for_url(re.compile(rf"klas={klas}"))
    axe_check(page)
    approved = Match.objects.filter(
        state=S.APPROVED,
        audit_entries__actor__email=COUNSELLOR,
        audit_entries__to_state=S.APPROVED,
        profile__user__memberships__class_name=klas,
    ).distinct()
    assert approved.count() >= 1
    assert re.search(r"\d+ suggesties? goedgekeurd", page.content())

    visit(page, f"{base}/counsellor/planner/")
    page.select_option("select[name=klas]", klas)
    page.click("text=Toon de studenten")
    page.wait_for_url(re.compile(rf"klas={klas}"))
    axe_check(page)
    assert page.locator("input[name=student]").count() >= 1
    page.click("text=Plan de hele groep")
    page.wait_for_url(re.compile(r"whole=1"))
    axe_check(page)
    assert "Voorgesteld plan" in page.content()


def test_the_company_proposes_times_and_the_student_picks_one_into_the_calendar(
    demo: None, new_page, live_server
) -> None:
    base = live_server.url
    match = (
        Match.objects.filter(state=S.STUDENT_YES, opening__company__slug=DEMO_COMPANY)
        .select_related("opening", "profile__user")
        .order_by("pk")
        .first()
    )
    assert match is not None, "the demo leaves candidates waiting for the company"
    day = timezone.localdate() + dt.timedelta(days=9)
    company = new_page()
    log_in(company, base, "bedrijf@demo.maakmatch.nl", DEMO_PASSWORD)
    visit(company, f"{base}/company/openings/")
    assert "wacht op de begeleider" in company.content()  # the pipeline per opening
    visit(company, f"{base}/company/openings/{match.opening.slug}/candidates/")
    form = company.locator(f"form[action$='/candidates/{match.pk}/invite/']")
    form.locator("textarea[name=message]").fill("Kom je kennismaken in de werkplaats?")
    form.locator("input[name=slot1_date]").fill(day.isoformat())
    form.locator("input[name=slot1_start]").fill("09:30")
    form.locator("input[name=slot1_end]").fill("10:15")
    form.locator("input[name=slot1_location]").fill("Industrieweg 4, Woerden")
    form.locator("input[name=slot2_date]").fill((day + dt.timedelta(days=1)).isoformat())
    form.locator("input[name=slot2_start]").fill("14:00")
    form.locator("input[name=slot2_end]").fill("14:45")
    form.locator("input[name=slot2_location]").fill("https://video.example.nl/kennismaken")
    form.locator("button[type=submit]").click()
    company.wait_for_load_state()
    axe_check(company)
    assert "met de tijden die je voorstelde" in company.content()

    student = new_page()
    log_in(student, base, match.profile.user.email, DEMO_PASSWORD)
    visit(student, f"{base}/student/suggestions/")
    assert "Kom je kennismaken in de werkplaats?" in student.content()
    first = Interview.objects.get(match=match).open_slots[0]
    student.check(f"#slot-{first.pk}")
    student.click(f"form[action$='/suggestions/{match.pk}/interview/choose/'] button")
    student.wait_for_load_state()
    axe_check(student)
    assert "Het gesprek staat gepland" in student.content()
    assert Match.objects.get(pk=match.pk).state == S.ACCEPTED
    with student.expect_download() as download:
        student.click(f"a[href$='/interviews/{match.pk}/interview.ics']")
    calendar = icalendar.Calendar.from_ical(open(download.value.path(), "rb").read())  # noqa: SIM115
    (event,) = calendar.walk("VEVENT")
    start = event.decoded("DTSTART")
    assert start.astimezone(AMS).replace(tzinfo=None) == dt.datetime.combine(day, dt.time(9, 30))
    assert str(event["LOCATION"]) == "Industrieweg 4, Woerden"

    # The company now sees the name and the planned time.
    visit(company, f"{base}/company/openings/{match.opening.slug}/candidates/")
    assert match.profile.user.full_name in company.content()
    assert "Gesprek gepland" in company.content()

    # The worker's task tells the company in its notification list (run here as
    # the worker runs it); the header opens the list and leads to the candidate.
    interview_notify(interview_id=first.interview_id, event="chosen", slot_id=first.pk)
    visit(company, f"{base}/company/openings/")
    summary = company.locator(".mm-notifications > summary")
    assert summary.locator(".mm-count").inner_text() == "1"
    summary.click()
    item = company.locator(".mm-notifications__panel .mm-notification--unread a")
    item.wait_for()  # fetched by htmx when the list opens
    axe_check(company)
    assert "koos een gesprekstijd voor" in item.inner_text()
    item.click()
    company.wait_for_url(f"**/company/openings/{match.opening.slug}/candidates/")
    assert company.locator(".mm-notifications .mm-count").count() == 0  # read now


def test_the_coordinator_refuses_a_company_with_a_reason(demo: None, new_page, live_server) -> None:
    base = live_server.url
    applicant = (
        Organisation.objects.filter(
            kind=OrganisationKind.COMPANY, verified_at__isnull=True, refused_at__isnull=True
        )
        .order_by("slug")
        .first()
    )
    assert applicant is not None, "the demo has companies waiting to be verified"
    page = new_page()
    log_in(page, base, "coordinator@demo.maakmatch.nl", DEMO_PASSWORD)
    visit(page, f"{base}/coordinator/companies/")
    assert applicant.kvk_number in page.content()
    page.fill(f"#refuse-{applicant.pk}", "Het KvK-nummer hoort bij een ander bedrijf.")
    page.click(f"form[action$='/companies/{applicant.pk}/refuse/'] button")
    page.wait_for_load_state()
    axe_check(page)
    applicant.refresh_from_db()
    assert applicant.refused_at is not None
    assert applicant.refusal_reason == "Het KvK-nummer hoort bij een ander bedrijf."
