"""Lifelong learning in a real browser, with a real worker: a career changer finds
a course that closes a gap in her best suggestion, signs up, the learning
location's coach confirms and records completion, and the worker's rematch gives
the opening whose gap it closed a higher score. Every page is checked with axe."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Organisation, User
from learning import services as learning
from learning.models import Course, CourseSkill, Enrolment, EnrolmentStatus
from marketplace.models import Opening, OpeningSkill, Place, Profile, ProfileSkill, Skill
from matching import pipeline
from matching.models import Match
from tests.e2e.conftest import Region, axe_check, log_in, visit
from tests.worker.test_pipeline_live import _wait_for, live_worker  # noqa: F401

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _scene(region: Region) -> tuple[Opening, Course]:
    """Zeynep mills; the demo company's maintenance job also asks PLC and welding."""
    woerden = Place.objects.get(slug="woerden")
    skills = {
        s.slug: s
        for s in Skill.objects.filter(
            slug__in=["cnc-frezen", "plc-programmeren", "mig-mag-lassen", "vca-basis"]
        )
    }
    company = Organisation.objects.get(slug="metaalwerk-de-linge")
    opening = Opening.objects.create(
        company=company,
        slug="onderhoudsmonteur-e2e",
        title="Onderhoudsmonteur",
        description="Onderhoud en storingen aan de productielijn.",
        type="job",
        place=woerden,
        start_date=timezone.localdate() + dt.timedelta(days=40),
        hours_per_week=36,
        capacity=1,
        status="open",
        published_at=timezone.now(),
    )
    for slug in ("cnc-frezen", "plc-programmeren", "mig-mag-lassen"):
        OpeningSkill.objects.create(opening=opening, skill=skills[slug], importance="must")
    zeynep = User.objects.get(email=region.career_changer)
    profile, _ = Profile.objects.get_or_create(user=zeynep)
    profile.is_career_changer, profile.place = True, woerden
    profile.wanted_types, profile.headline = ["job"], "Frezer, wil onderhoudsmonteur worden"
    profile.save()
    ProfileSkill.objects.update_or_create(
        profile=profile, skill=skills["cnc-frezen"], defaults={"level": 2}
    )
    technohub = Organisation.objects.get(name="TechnoHub Woerden")
    existing = Course.objects.filter(provider=technohub, title="PLC-programmeren met TIA Portal")
    if existing.exists():  # the demo's own course (the screenshots seed the demo's)
        return opening, _suggested(profile, existing.get())
    plc = Course.objects.create(
        provider=technohub,
        slug="plc-e2e",
        title="PLC-programmeren met TIA Portal",
        description="Een installatie programmeren en storingzoeken.",
        place=woerden,
        starts_on=timezone.localdate() + dt.timedelta(days=20),
        duration_hours=32,
        audiences=["employee", "career_changer"],
        is_published=True,
    )
    CourseSkill.objects.create(course=plc, skill=skills["plc-programmeren"], level=2)
    vca = Course.objects.create(
        provider=technohub,
        slug="vca-e2e",
        title="VCA Basis",
        description="Veilig werken.",
        place=woerden,
        on_request=True,
        duration_hours=8,
        audiences=["career_changer"],
        is_published=True,
    )
    CourseSkill.objects.create(course=vca, skill=skills["vca-basis"], level=2)
    return opening, _suggested(profile, plc)


def _suggested(profile: Profile, course: Course) -> Course:
    pipeline.profile_match(profile_id=profile.pk)
    learning.course_suggestions_refresh()
    return course


def test_a_course_closes_a_gap_and_the_suggestion_improves(
    region: Region,
    new_page,
    live_server,
    live_worker,  # noqa: F811
) -> None:
    base = live_server.url
    opening, course = _scene(region)
    before = Match.objects.get(opening=opening, profile__user__email=region.career_changer).score

    # 1. Zeynep sees which course closes a gap, and how close it brings her.
    changer = new_page()
    log_in(changer, base, region.career_changer, region.password)
    visit(changer, f"{base}/student/courses/")
    text = changer.locator("main").inner_text()
    assert "PLC-programmeren met TIA Portal" in text
    assert (
        "Na deze cursus voldoe je aan 2 van de 3 eisen voor Onderhoudsmonteur bij "
        "Metaalwerk De Linge" in text
    )
    assert "VCA Basis" not in text  # it teaches nothing her suggestions ask

    # 2. She signs up on the course's page.
    changer.click("text=PLC-programmeren met TIA Portal")
    changer.wait_for_url(f"{base}/courses/{course.slug}/")
    axe_check(changer)
    changer.fill("textarea[name=motivation]", "Ik wil de overstap naar onderhoud maken.")
    changer.click("main form button[type=submit]")
    changer.wait_for_url(f"{base}/student/courses/")
    changer.wait_for_selector(".utrecht-alert--ok")
    axe_check(changer)
    enrolment = Enrolment.objects.get(course=course, user__email=region.career_changer)

    # 3. The coach confirms, then records completion, in place.
    coach = new_page()
    log_in(coach, base, "coach@demo.maakmatch.nl", region.password)
    visit(coach, f"{base}/coach/courses/")
    visit(coach, f"{base}/coach/courses/{course.slug}/sign-ups/")
    row = coach.locator(f"#enrolment-{enrolment.pk}")
    assert "Ik wil de overstap naar onderhoud maken." in row.inner_text()
    row.locator("form[action$='/confirm/'] button").click()
    coach.wait_for_selector(f"#enrolment-{enrolment.pk} form[action$='/complete/']")
    coach.locator(f"#enrolment-{enrolment.pk} form[action$='/complete/'] button").click()
    coach.wait_for_selector(f"#enrolment-{enrolment.pk}:has-text('afgerond')")
    assert "1 vaardigheid toegevoegd" in coach.locator(f"#enrolment-{enrolment.pk}").inner_text()
    axe_check(coach)
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.COMPLETED

    # 4. The worker rematches her: the opening whose gap the course closed scores higher.
    assert _wait_for(
        lambda: (
            Match.objects.get(opening=opening, profile__user__email=region.career_changer).score
            > before
        ),
        60,
    ), "the worker did not rematch after the completion"
    after = Match.objects.get(opening=opening, profile__user__email=region.career_changer)
    assert {m["skill"] for m in after.explanation["missing_must_haves"]} == {"mig-mag-lassen"}
    visit(changer, f"{base}/student/profile/")
    assert (
        "Van een cursus die je afrondde: PLC-programmeren" in changer.locator("main").inner_text()
    )
