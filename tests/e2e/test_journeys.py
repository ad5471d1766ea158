"""The whole chain once, in a real browser, with a real worker:

1. a student fills in their profile;
2. a company posts and publishes an opening;
3. the worker suggests it to the student;
4. the counsellor approves it (in place, with htmx);
5. the student says yes;
6. the company sees the anonymised candidate and invites;
7. the student accepts, and the company sees the name and confirms the placement.

Every page visited is checked with axe-core.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from marketplace.models import Opening, OpeningStatus, Placement
from matching.models import Match, MatchState
from tests.e2e.conftest import Region, axe_check, log_in, visit
from tests.worker.test_pipeline_live import _wait_for, live_worker  # noqa: F401

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_the_whole_chain(region: Region, new_page, live_server, live_worker) -> None:  # noqa: F811
    base = live_server.url
    start = timezone.localdate() + dt.timedelta(days=60)

    # 1. The student describes what they can do.
    student = new_page()
    log_in(student, base, region.student, region.password)
    axe_check(student)
    visit(student, f"{base}/student/profile/")
    student.fill("input[name=headline]", "Student mechatronica, tweede jaar")
    student.select_option("select[name=education_level]", "mbo3")
    student.select_option("select[name=place]", label="Woerden")
    student.fill("input[name=travel_radius_km]", "30")
    student.check("input[name=wanted_types][value=bol]")
    student.check("input[name=sectors][value=metal]")
    student.fill("input[name=available_from]", start.isoformat())
    student.fill("input[name=hours_per_week]", "32")
    student.fill("input[name=skills-0-skill]", "CNC turning")  # English works too
    student.select_option("select[name=skills-0-level]", "2")
    student.fill("input[name=skills-1-skill]", "TIG-lassen")  # related to MIG/MAG-lassen
    student.click("main form button[type=submit]")
    student.wait_for_selector(".utrecht-alert--ok")
    axe_check(student)

    # 2. The company posts an opening and publishes it.
    company = new_page()
    log_in(company, base, region.company, region.password)
    visit(company, f"{base}/company/openings/new/")
    company.fill("input[name=title]", "Stage CNC-draaier")
    company.fill("textarea[name=description]", "Draaien en frezen op CNC-machines in Woerden.")
    company.select_option("select[name=type]", "bol")
    company.check("input[name=education_levels][value=mbo3]")
    company.select_option("select[name=place]", label="Woerden")
    company.fill("input[name=start_date]", start.isoformat())
    company.fill("input[name=hours_per_week]", "32")
    company.fill("input[name=capacity]", "1")
    company.fill("input[name=skills-0-skill]", "CNC-draaien")
    company.fill("input[name=skills-1-skill]", "MIG/MAG-lassen")
    company.click("main form button[type=submit]")
    company.wait_for_url(f"{base}/company/openings/")
    axe_check(company)
    company.click("form[action$='/publish/'] button")
    company.wait_for_selector(".utrecht-alert--ok")
    opening = Opening.objects.get(title="Stage CNC-draaier")
    assert opening.status == OpeningStatus.OPEN

    # 3. The worker suggests it to the student, with nobody calling the engine.
    assert _wait_for(
        lambda: Match.objects.filter(opening=opening, profile__user__email=region.student).exists(),
        60,
    ), "the worker made no suggestion"
    match = Match.objects.get(opening=opening, profile__user__email=region.student)
    assert match.state == MatchState.SUGGESTED

    # 4. The counsellor approves it, in place.
    counsellor = new_page()
    log_in(counsellor, base, region.counsellor, region.password)
    visit(counsellor, f"{base}/counsellor/review/")
    card = counsellor.locator(f"#suggestion-{match.pk}")
    assert "Sam Student" in card.inner_text()
    card.locator("form[action$='/approve/'] button").click()
    counsellor.wait_for_selector(f"#suggestion-{match.pk} [role=status]")
    assert "de student ziet het nu" in counsellor.locator(f"#suggestion-{match.pk}").inner_text()
    axe_check(counsellor)
    assert Match.objects.get(pk=match.pk).state == MatchState.APPROVED

    # 5. The student sees it, with the reasons, and says yes.
    visit(student, f"{base}/student/suggestions/")
    text = student.locator("main").inner_text()
    assert "Stage CNC-draaier" in text
    assert re.search(r"past (heel )?goed", text)  # a fitting place, said as one
    assert "CNC-draaien" in text
    # A related skill reads as related, never as one the student has.
    assert "je hebt TIG-lassen, gevraagd is MIG/MAG-lassen" in text
    held = next(line for line in text.splitlines() if line.startswith("Je passende"))
    assert "CNC-draaien" in held
    assert "MIG/MAG" not in held
    student.click(f"form[action$='/{match.pk}/yes/'] button")
    student.wait_for_selector(".utrecht-alert--ok")
    axe_check(student)

    # 6. The company sees an anonymised candidate and invites them.
    visit(company, f"{base}/company/openings/{opening.slug}/candidates/")
    page_text = company.locator("main").inner_text()
    assert "Kandidaat " in page_text
    assert "heeft TIG-lassen, gevraagd is MIG/MAG-lassen" in page_text
    assert "Sam Student" not in page_text
    assert "student@demo.maakmatch.nl" not in page_text
    company.fill(f"#invite-{match.pk}", "Kom je een dag meedraaien?")
    company.click(f"form[action$='/{match.pk}/invite/'] button")
    company.wait_for_selector(".utrecht-alert--ok")
    axe_check(company)

    # 7. The student accepts; the company sees who it is and confirms the placement.
    visit(student, f"{base}/student/suggestions/")
    student.click(f"form[action$='/{match.pk}/accept/'] button")
    student.wait_for_selector(".utrecht-alert--ok")
    visit(company, f"{base}/company/openings/{opening.slug}/candidates/")
    assert "Sam Student" in company.locator("main").inner_text()
    company.click(f"form[action$='/{match.pk}/place/'] button")
    company.wait_for_selector(".utrecht-alert--ok")
    axe_check(company)

    placement = Placement.objects.get()
    assert placement.opening_id == opening.pk
    assert Match.objects.get(pk=match.pk).state == MatchState.PLACED
    opening.refresh_from_db()
    assert opening.status == OpeningStatus.CLOSED  # its one place is filled
