"""Guest lessons in a real browser: the demo company offers a guest lesson, the
ROC's counsellor asks for one for a class, finds the offer, sends the request;
the company proposes a date, the counsellor picks it and downloads it for the
calendar, and a learning location's coach sees it planned in the region. Every
page is checked with axe."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.utils import timezone

from learning.models import GuestOffer, GuestRequest, GuestRequestStatus
from tests.e2e.conftest import Region, axe_check, log_in, visit

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check_all(page, selector: str, values: list[str]) -> None:
    for value in values:
        page.check(f"{selector}[value={value}]")


def test_a_guest_lesson_from_offer_to_both_calendars(region: Region, new_page, live_server) -> None:
    base = live_server.url

    # 1. The company offers a guest lesson.
    company = new_page()
    log_in(company, base, region.company, region.password)
    visit(company, f"{base}/guest-lessons/")
    company.click("text=Nieuw aanbod")
    company.wait_for_url(f"{base}/guest-lessons/offers/new/")
    axe_check(company)
    company.fill("input[name=topic]", "Lassen in de praktijk")
    company.fill("input[name=skills]", "MIG/MAG-lassen, Lasnaden beoordelen")
    company.fill("textarea[name=description]", "Een lasser laat zien hoe een goede las ontstaat.")
    _check_all(company, "input[name=levels]", ["mbo2", "mbo3"])
    _check_all(company, "input[name=venues]", ["school"])
    company.select_option("select[name=place]", label="Woerden")
    company.fill("input[name=reach_km]", "40")
    company.click("main form button[type=submit]")
    company.wait_for_url(f"{base}/guest-lessons/")
    axe_check(company)
    offer = GuestOffer.objects.get(topic="Lassen in de praktijk")
    assert {s.slug for s in offer.skills.all()} == {"mig-mag-lassen", "lasnaden-beoordelen"}

    # 2. The ROC's counsellor asks for one for a class and finds the offer.
    counsellor = new_page()
    log_in(counsellor, base, region.counsellor, region.password)
    visit(counsellor, f"{base}/guest-lessons/requests/new/")
    counsellor.fill("input[name=topic]", "Lassen voor EMM2B")
    counsellor.fill("input[name=class_name]", "EMM2B")
    counsellor.select_option("select[name=level]", "mbo2")
    counsellor.fill("input[name=pupils]", "20")
    counsellor.fill("input[name=skills]", "MIG/MAG-lassen")
    _check_all(counsellor, "input[name=venues]", ["school"])
    counsellor.select_option("select[name=place]", label="Woerden")
    counsellor.click("main form button[type=submit]")
    counsellor.wait_for_selector("text=Aanbod dat past")
    axe_check(counsellor)
    request = GuestRequest.objects.get(class_name="EMM2B")
    card = counsellor.locator("article", has_text="Lassen in de praktijk")
    assert "Laat zien: MIG/MAG-lassen" in card.inner_text()
    card.locator("button").click()
    counsellor.wait_for_selector(".utrecht-alert--ok")
    axe_check(counsellor)

    # 3. The company proposes a date, in Dutch local time.
    day = timezone.localdate() + dt.timedelta(days=12)
    visit(company, f"{base}/guest-lessons/requests/{request.pk}/")
    company.fill("textarea[name=message]", "Wij komen graag.")
    company.fill(f"#slot1-date-{request.pk}", day.isoformat())
    company.fill(f"#slot1-start-{request.pk}", "10:15")
    company.fill(f"#slot1-end-{request.pk}", "11:45")
    company.fill(f"#slot1-location-{request.pk}", "Lokaal T1.04")
    company.click("text=Accepteren en data voorstellen")
    company.wait_for_selector(".utrecht-alert--ok")
    axe_check(company)

    # 4. The counsellor picks it; the calendar file has the Amsterdam time.
    visit(counsellor, f"{base}/guest-lessons/requests/{request.pk}/")
    assert "Wij komen graag." in counsellor.locator("main").inner_text()
    counsellor.click("text=Deze datum plannen")
    counsellor.wait_for_selector(".utrecht-alert--ok")
    axe_check(counsellor)
    assert GuestRequest.objects.get(pk=request.pk).status == GuestRequestStatus.PLANNED
    with counsellor.expect_download() as download:
        counsellor.click("text=Zet het in je agenda (.ics)")
    with open(download.value.path(), "rb") as file:
        (event,) = icalendar.Calendar.from_ical(file.read()).walk("VEVENT")
    start = event.decoded("dtstart")
    assert str(start.tzinfo) == "Europe/Amsterdam"
    assert (start.date(), start.hour, start.minute) == (day, 10, 15)

    # 5. A learning location's coach sees it planned in the region.
    coach = new_page()
    log_in(coach, base, "coach@demo.maakmatch.nl", region.password)
    visit(coach, f"{base}/guest-lessons/")
    assert "Lassen voor EMM2B" in coach.locator("main").inner_text()
    visit(coach, f"{base}/guest-lessons/requests/{request.pk}/")
    assert "Deze datum plannen" not in coach.locator("main").inner_text()
