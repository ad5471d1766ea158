"""The main page of each role, at desktop width and at 360 px, as PNG files.

``make screenshots`` writes them to ``docs/screenshots/`` (the README shows
them); in a normal test run they go to a temporary folder, so the run checks
that every page renders at both sizes without touching the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from learning.demo import demo_courses_create, demo_guest_lessons_create
from matching.models import MatchState
from tests.e2e.conftest import DESKTOP, PHONE, Region, log_in, visit
from tests.e2e.test_course_journey import _scene as course_scene
from tests.e2e.test_roles import _suggestion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _figures() -> None:
    """A few openings and placements over this year, so the dashboard's charts
    have something to draw."""
    import datetime as dt

    from django.utils import timezone

    from accounts.models import Organisation
    from marketplace.models import Opening, Place, Placement

    company = Organisation.objects.get(slug="metaalwerk-de-linge")
    year = timezone.localdate().year
    tz = timezone.get_current_timezone()
    places = list(Place.objects.filter(in_region=True).order_by("name")[:5])
    for i in range(10):
        published = dt.datetime(year, 1 + i, 5, tzinfo=tz)
        opening = Opening.objects.create(
            company=company,
            slug=f"kpi-{i}",
            title=f"Stage {i}",
            description="Stage in de maakindustrie.",
            type="bol" if i % 2 else "bbl",
            place=places[i % len(places)],
            start_date=published.date(),
            hours_per_week=32,
            capacity=4,
            status="open",
            published_at=published,
        )
        for j in range(i % 4 + 1):
            placement = Placement.objects.create(
                opening=opening, company=company, type=opening.type, start_date=published.date()
            )
            Placement.objects.filter(pk=placement.pk).update(
                confirmed_at=published + dt.timedelta(days=20 + j)
            )


def _more_suggestions(match) -> None:
    """One suggestion the student answers and one the counsellor reviews."""
    from matching.models import Match
    from tests.e2e.test_roles import _opening

    for title, state, score in (
        ("Leerbaan lasser", MatchState.APPROVED, 0.52),
        ("Stage onderhoudsmonteur", MatchState.SUGGESTED, 0.41),
    ):
        Match.objects.create(
            profile=match.profile,
            opening=_opening(title),
            score=score,
            state=state,
            engine_version=match.engine_version,
            explanation=match.explanation,
        )


def _applicant() -> None:
    """A company waiting for the coordinator's check, with who registered it."""
    from accounts.models import Membership, Organisation, OrganisationKind, Role, User

    company = Organisation.objects.create(
        kind=OrganisationKind.COMPANY,
        name="Lasbedrijf Lopik (fictief)",
        slug="lasbedrijf-lopik",
        kvk_number="99000077",
        sector="metal",
        size_class="micro",
        municipality="Lopik",
    )
    owner = User.objects.create_user(
        email="olaf@lasbedrijf-lopik.example", password=None, full_name="Olaf Oprichter"
    )
    Membership.objects.create(user=owner, organisation=company, role=Role.COMPANY_MEMBER)


def _open_guest_request(region: Region) -> str:
    """A class's request that is not sent yet: its page ranks the offers that fit."""
    from accounts.models import User
    from learning import guest_lessons
    from marketplace.models import Place, Skill

    dirk = User.objects.get(email=region.counsellor)
    school = dirk.memberships.get().organisation
    request = guest_lessons.request_save(
        by=dirk,
        organisation=school,
        data={
            "format": "guest_lesson",
            "topic": "Lassen en lasnaden beoordelen",
            "class_name": "EMM2A",
            "level": "mbo2",
            "pupils": 24,
            "venues": ["school"],
            "place": Place.objects.get(slug="woerden"),
            "note": "De klas last sinds september met MIG/MAG.",
        },
        skills=Skill.objects.filter(slug__in=["mig-mag-lassen", "lasnaden-beoordelen"]),
    )
    return f"/guest-lessons/requests/{request.pk}/"


def test_main_page_per_role(region: Region, new_page, live_server, tmp_path: Path) -> None:
    target = Path(os.environ.get("MAAKMATCH_SCREENSHOT_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    match = _suggestion(region, MatchState.STUDENT_YES)
    _more_suggestions(match)
    _applicant()
    _figures()
    demo_courses_create()
    demo_guest_lessons_create()
    course_scene(region)  # a career changer whose best suggestion a course helps
    pages = [
        ("visitor", None, "/"),
        ("student", region.student, "/student/suggestions/"),
        ("student-dashboard", region.student, "/dashboard/"),
        ("company", region.company, f"/company/openings/{match.opening.slug}/candidates/"),
        ("company-openings", region.company, "/company/openings/"),
        ("counsellor", region.counsellor, "/counsellor/students/"),
        ("review-queue", region.counsellor, "/counsellor/review/"),
        ("coordinator", region.coordinator, "/coordinator/companies/"),
        ("kpi-dashboard", region.coordinator, "/coordinator/kpis/?breakdown=municipality"),
        ("courses", None, "/courses/"),
        ("career-changer-courses", region.career_changer, "/student/courses/"),
        ("coach-courses", "coach@demo.maakmatch.nl", "/coach/courses/"),
        ("company-guest-lessons", region.company, "/guest-lessons/"),
        ("counsellor-guest-request", region.counsellor, _open_guest_request(region)),
    ]
    written = []
    pages_of: dict[str | None, list[tuple[str, str]]] = {}
    for role, email, url in pages:
        pages_of.setdefault(email, []).append((role, url))
    for email, shots in pages_of.items():
        # One login per person (a one-time code cannot be used twice), then
        # every page at both sizes.
        page = new_page(viewport=DESKTOP)
        if email:
            log_in(page, live_server.url, email, region.password)
        for role, url in shots:
            for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                page.set_viewport_size(viewport)
                visit(page, live_server.url + url)
                path = target / f"{role}-{size}.png"
                page.screenshot(path=str(path), full_page=True)
                written.append(path)
    for path in written:
        assert path.read_bytes()[:8] == PNG_MAGIC, path
