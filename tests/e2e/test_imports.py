"""In a real browser: a counsellor uploads a class list (a broken one first), an
import's progress bar follows the job until it is done, and a company ticks a
skill that its description names. axe-core checks every state."""

from __future__ import annotations

import pytest

from accounts.models import ImportJob, ImportStatus, Invitation, Membership, User
from marketplace.models import OpeningSkill, Skill
from tests.e2e.conftest import Region, axe_check, log_in, visit
from tests.e2e.test_roles import _opening

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOOD = (
    "naam;e-mail;niveau;klas\n"
    "Sanne de Vries;sanne@example.nl;MBO 2;2A\n"
    "Jan Smit;jan@example.nl;MBO 3;2A\n"
)


def _upload(page, text: str) -> None:
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "klas-2a.csv", "mimeType": "text/csv", "buffer": text.encode()}],
    )
    page.click("main form button[type=submit]")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_counsellor_imports_a_class_list(
    region: Region, new_page, live_server, language: str
) -> None:
    base = live_server.url
    page = new_page(language=language)
    log_in(page, base, region.counsellor, region.password)
    visit(page, f"{base}/counsellor/invitations/import/")
    _upload(page, GOOD + "Piet;piet@;MBO 2;2B\n")
    page.wait_for_selector("#import-errors")
    axe_check(page)
    assert "4" in page.locator("main table").first.inner_text()
    assert not Invitation.objects.exists()
    _upload(page, GOOD)
    page.wait_for_url("**/imports/*/")
    axe_check(page)
    assert set(Invitation.objects.values_list("email", flat=True)) == {
        "sanne@example.nl",
        "jan@example.nl",
    }


def test_the_progress_bar_follows_the_job_until_it_is_done(
    region: Region, new_page, live_server
) -> None:
    counsellor = User.objects.get(email=region.counsellor)
    school = Membership.objects.filter(user=counsellor, role="counsellor").first().organisation
    job = ImportJob.objects.create(
        kind="students",
        organisation=school,
        created_by=counsellor,
        filename="hele-school.csv",
        status=ImportStatus.CHECKING,
        rows_total=4000,
        rows_done=1500,
    )
    base = live_server.url
    page = new_page()
    log_in(page, base, region.counsellor, region.password)
    visit(page, f"{base}/imports/{job.pk}/")
    assert page.locator("progress").get_attribute("value") == "1500"
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.DONE, rows_done=4000, created_count=4000
    )
    page.wait_for_selector("text=4000 toegevoegd", timeout=10_000)  # the 2 s poll
    assert page.locator("progress").count() == 0
    axe_check(page)


def test_a_company_ticks_a_skill_its_description_names(
    region: Region, new_page, live_server
) -> None:
    opening = _opening()
    base = live_server.url
    page = new_page()
    log_in(page, base, region.company, region.password)
    visit(page, f"{base}/company/openings/{opening.slug}/edit/")
    page.fill("textarea[name=description]", "Je last frames met MIG/MAG en leest de werktekening.")
    page.click("button[name=propose]")  # htmx: only the proposals are fetched
    page.wait_for_selector("input[name=proposed_skill]")
    axe_check(page)
    mig = Skill.objects.get(slug="mig-mag-lassen")
    assert page.locator(f"#proposed-{mig.pk}").is_visible()
    assert "/edit/" in page.url  # the page did not reload
    page.check(f"#proposed-{mig.pk}")
    page.click("#skill-proposals button[type=submit]")
    page.wait_for_selector(".utrecht-alert--ok")
    assert OpeningSkill.objects.filter(opening=opening, skill=mig, importance="nice").exists()
    assert OpeningSkill.objects.filter(opening=opening).count() == 2  # nothing unticked


def test_a_large_taxonomy_fills_the_skill_list_as_one_types(
    region: Region, new_page, live_server, monkeypatch
) -> None:
    from marketplace import selectors

    monkeypatch.setattr(selectors, "SKILL_DATALIST_MAX", 10)  # the shipped 236 are "large"
    opening = _opening()
    base = live_server.url
    page = new_page()
    log_in(page, base, region.company, region.password)
    visit(page, f"{base}/company/openings/{opening.slug}/edit/")
    assert page.locator("#skill-options option").count() == 0
    page.locator("input[name='skills-1-skill']").press_sequentially("robotl", delay=50)
    page.wait_for_selector("#skill-options option[value='Robotlassen']", state="attached")
    axe_check(page)
