"""One journey per role, in Dutch and in English, with axe-core on every page;
and a check that the axe check itself catches a violation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Organisation, OrganisationKind, User
from marketplace.models import Opening, OpeningSkill, Place, Profile, ProfileSkill, Skill
from matching.models import Match, MatchState
from tests.e2e.conftest import PHONE, Region, axe_check, log_in, visit

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = ["nl", "en"]


def _opening(title: str = "Stage CNC-draaier") -> Opening:
    company = Organisation.objects.get(slug="metaalwerk-de-linge")
    opening = Opening.objects.create(
        company=company,
        slug=f"e2e-{title.lower().replace(' ', '-')}",
        title=title,
        description="Draaien en frezen op CNC-machines.",
        type="bol",
        education_levels=["mbo3"],
        place=Place.objects.get(name="Woerden"),
        start_date=timezone.localdate() + dt.timedelta(days=60),
        hours_per_week=32,
        capacity=2,
        status="open",
        published_at=timezone.now(),
    )
    OpeningSkill.objects.create(opening=opening, skill=Skill.objects.get(slug="cnc-draaien"))
    return opening


def _suggestion(region: Region, state: str = MatchState.SUGGESTED) -> Match:
    user = User.objects.get(email=region.student)
    profile, _ = Profile.objects.get_or_create(
        user=user,
        defaults={
            "headline": "Student mechatronica",
            "education_level": "mbo3",
            "place": Place.objects.get(name="Woerden"),
            "wanted_types": ["bol"],
        },
    )
    ProfileSkill.objects.get_or_create(
        profile=profile, skill=Skill.objects.get(slug="cnc-draaien"), defaults={"level": 2}
    )
    return Match.objects.create(
        profile=profile,
        opening=_opening(),
        score=0.78,
        state=state,
        engine_version="1.0.0",
        explanation={
            "distance_km": 0.0,
            "matched_skills": [{"skill": "cnc-draaien", "credit": 1.0}],
            "missing_must_haves": [],
        },
    )


def test_axe_check_catches_a_violation(browser) -> None:
    page = browser.new_page()
    page.set_content("<html lang='nl'><title>x</title><main><img src='x.png'></main></html>")
    with pytest.raises(AssertionError, match="image-alt"):
        axe_check(page)
    page.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_visitor(region: Region, new_page, live_server, language: str) -> None:
    opening = _opening()
    base = live_server.url
    page = new_page(language=language)
    visit(page, f"{base}/")
    assert page.locator("html").get_attribute("lang") == language
    visit(page, f"{base}/openings/?type=bol&place=woerden&radius_km=10")
    assert "Stage CNC-draaier" in page.locator("main").inner_text()
    visit(page, f"{base}/openings/{opening.slug}/")
    assert page.locator("script[type='application/ld+json']").count() == 1
    visit(page, f"{base}/companies/{opening.company.slug}/")
    visit(page, f"{base}/algorithm/")
    visit(page, f"{base}/signup/")
    visit(page, f"{base}/accounts/login/")
    # A bad search redisplays the form with a message in the page's language.
    visit(page, f"{base}/openings/?radius_km=-5")
    expected = "minstens 0" if language == "nl" else "greater than or equal to 0"
    assert expected in page.locator("main").inner_text()


def test_the_language_switch(region: Region, new_page, live_server) -> None:
    page = new_page()
    visit(page, f"{live_server.url}/openings/")
    assert page.locator("h1").inner_text() == "Vacatures zoeken"
    page.click("form.mm-language button")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Search openings"
    axe_check(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_student(region: Region, new_page, live_server, language: str) -> None:
    _suggestion(region, MatchState.APPROVED)
    base = live_server.url
    page = new_page(language=language)
    log_in(page, base, region.student, region.password)
    axe_check(page)
    visit(page, f"{base}/student/profile/")
    # Bad input: the form comes back with messages, nothing is saved.
    page.fill("input[name=available_from]", "2027-06-01")
    page.fill("input[name=available_until]", "2027-01-01")
    page.fill("input[name=skills-1-skill]", "Toverkunst")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".utrecht-form-field-error-message")
    axe_check(page)
    text = page.locator("main").inner_text()
    assert ("staat niet in de lijst" if language == "nl" else "is not in the skills list") in text
    visit(page, f"{base}/student/suggestions/")
    assert "Stage CNC-draaier" in page.locator("main").inner_text()
    visit(page, f"{base}/settings/")
    visit(page, f"{base}/settings/tokens/")


@pytest.mark.parametrize("language", LANGUAGES)
def test_company(region: Region, new_page, live_server, language: str) -> None:
    match = _suggestion(region, MatchState.STUDENT_YES)
    base = live_server.url
    page = new_page(language=language)
    log_in(page, base, region.company, region.password)
    visit(page, f"{base}/company/openings/")
    visit(page, f"{base}/company/metaalwerk-de-linge/edit/")
    page.check("input[name=learning_locations] >> nth=1")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".utrecht-alert--ok")
    axe_check(page)
    assert "TechnoHub Woerden" in page.locator("main").inner_text()
    visit(page, f"{base}/company/openings/new/")
    page.click("main form button[type=submit]")  # everything empty
    page.wait_for_selector(".utrecht-form-field-error-message")
    axe_check(page)
    visit(page, f"{base}/company/openings/{match.opening.slug}/candidates/")
    assert "Sam Student" not in page.locator("main").inner_text()
    visit(page, f"{base}/company/openings/")
    page.click("form[action$='/duplicate/'] button")
    page.wait_for_url("**/edit/")
    axe_check(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_counsellor(region: Region, new_page, live_server, language: str) -> None:
    match = _suggestion(region)
    base = live_server.url
    page = new_page(language=language)
    log_in(page, base, region.counsellor, region.password)
    visit(page, f"{base}/counsellor/students/")
    visit(page, f"{base}/counsellor/planner/?student={match.profile.user_id}")
    assert "Stage CNC-draaier" in page.locator("main").inner_text()
    visit(page, f"{base}/counsellor/invitations/")
    visit(page, f"{base}/counsellor/review/")
    page.check(f"#pick-{match.pk}")
    page.click("#batch-form button")
    page.wait_for_selector(".utrecht-alert--ok")
    axe_check(page)
    assert Match.objects.get(pk=match.pk).state == MatchState.APPROVED


@pytest.mark.parametrize("language", LANGUAGES)
def test_coordinator(region: Region, new_page, live_server, language: str) -> None:
    Organisation.objects.create(
        kind=OrganisationKind.COMPANY,
        name="Lasbedrijf Lopik (fictief)",
        slug="lasbedrijf-lopik",
        kvk_number="99000077",
        sector="metal",
        size_class="micro",
    )
    base = live_server.url
    page = new_page(language=language)
    log_in(page, base, region.coordinator, region.password)
    visit(page, f"{base}/coordinator/companies/")
    page.click("main form button")
    page.wait_for_selector(".utrecht-alert--ok")
    axe_check(page)
    assert Organisation.objects.get(slug="lasbedrijf-lopik").verified_at is not None
    visit(page, f"{base}/coordinator/runs/")
    _suggestion(region, MatchState.APPROVED)
    year = timezone.localdate().year
    visit(page, f"{base}/coordinator/kpis/?period={year}&breakdown=municipality")
    assert page.locator("svg[role=img]").count() == 2  # trend and municipalities
    page.fill("#baseline-year", str(year))
    page.click("form[action$='/baseline/'] button")
    page.wait_for_selector(".utrecht-alert--ok")
    axe_check(page)
    visit(page, f"{base}/coordinator/kpis/report/?period={year}")
    visit(page, f"{base}/coordinator/skills-gap/?period={year}")


def test_every_main_page_fits_a_phone(region: Region, new_page, live_server) -> None:
    """At 360 px wide nothing scrolls sideways."""
    _suggestion(region, MatchState.APPROVED)
    base = live_server.url
    for email, url in [
        (None, "/"),
        (None, "/openings/"),
        (region.student, "/student/suggestions/"),
        (region.company, "/company/openings/"),
        (region.counsellor, "/counsellor/students/"),
        (region.coordinator, "/coordinator/runs/"),
    ]:
        page = new_page(viewport=PHONE)
        if email:
            log_in(page, base, email, region.password)
        visit(page, base + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{url} is {width}px wide at 360px"


def test_the_csp_blocks_inline_script_and_the_check_sees_it(
    region: Region, new_page, live_server
) -> None:
    page = new_page()
    visit(page, f"{live_server.url}/openings/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = 1'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected") is None  # it did not run
    with pytest.raises(AssertionError, match="Content-Security-Policy"):
        axe_check(page)
