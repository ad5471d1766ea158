"""Every page that shows or changes personal data, against the outsider personas:
a student of another school, a company the candidate was not forwarded to, a
counsellor of another school. Pages keyed by a person or a match answer 404 to
them (nothing hints that it exists); list pages answer without the person in them.

The last test makes sure every web route is classified here, so a new page cannot
skip this check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from accounts.models import ImportJob, ImportKind, ImportStatus
from learning.models import Enrolment
from matching.models import Interview, InterviewSlot, Match, MatchState, SuggestionReport
from notifications.models import Notification
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db
S = MatchState


@dataclass
class Case:
    world: World
    forwarded: Match  # Sam said yes to company X's opening
    waiting: Match  # a suggestion for Sam waiting for review
    approved: Match  # approved, waiting for Sam's answer
    other_student: object  # a student of school B
    report: SuggestionReport  # Sam reported the approved one
    job: ImportJob  # Dirk imported a class list
    accepted: Match  # Sam accepted company X's invitation; the interview is planned
    notification: object  # one of Sam's notifications
    course: object  # the learning location's; Cas keeps it
    enrolment: object  # Sam signed up for it
    guest_request: object  # Dirk's for a class of school A, planned with company X


@pytest.fixture
def case(world: World) -> Case:
    profile = factories.ProfileFactory(user=world.sam)

    def match(state: str) -> Match:
        opening = factories.OpeningFactory(company=world.company_x)
        return factories.MatchFactory(profile=profile, opening=opening, state=state)

    other = factories.UserFactory()
    factories.MembershipFactory(user=other, organisation=world.school_b)
    approved = match(S.APPROVED)
    report = SuggestionReport.objects.create(match=approved, reporter=world.sam, reason="Te ver")
    job = ImportJob.objects.create(
        kind=ImportKind.STUDENTS,
        organisation=world.school_a,
        created_by=world.dirk,
        filename="klas-2a.csv",
        status=ImportStatus.FAILED,
        errors=[{"line": 2, "column": "e-mail", "message": world.sam.email}],
    )
    accepted = match(S.ACCEPTED)
    interview = Interview.objects.create(match=accepted, message="Welkom")
    start = timezone.now() + dt.timedelta(days=5)
    InterviewSlot.objects.create(
        interview=interview,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        location="Hal 1",
        chosen_at=timezone.now(),
    )
    notification = Notification.objects.create(
        user=world.sam, kind="approved", params={"title": "Stage"}, url="/student/suggestions/"
    )
    return Case(
        world,
        match(S.STUDENT_YES),
        match(S.SUGGESTED),
        approved,
        other,
        report,
        job,
        accepted,
        notification,
        course := factories.CourseFactory(
            provider=world.location, audiences=["pupil", "employee", "career_changer"]
        ),
        Enrolment.objects.create(course=course, user=world.sam, group="pupil"),
        factories.guest_lesson_planned(
            school=world.school_a, counsellor=world.dirk, company=world.company_x, member=world.bram
        ),
    )


# (route name, method, url args from the case, the owner persona's attribute, data)
BY_ID: list[tuple[str, str, Callable[[Case], list], str, dict]] = [
    ("opening_candidates", "get", lambda c: [c.forwarded.opening.slug], "bram", {}),
    ("opening_edit", "get", lambda c: [c.forwarded.opening.slug], "bram", {}),
    ("opening_action", "post", lambda c: [c.forwarded.opening.slug, "duplicate"], "bram", {}),
    (
        "candidate_step",
        "post",
        lambda c: [c.forwarded.opening.slug, c.forwarded.pk, "invite"],
        "bram",
        {"message": "Welkom"},
    ),
    ("review_step", "post", lambda c: [c.waiting.pk, "approve"], "dirk", {}),
    ("parental_consent", "post", lambda c: [c.world.lotte.pk], "dirk", {}),
    ("my_suggestion_answer", "post", lambda c: [c.approved.pk, "yes"], "sam", {}),
    (
        "my_suggestion_report",
        "post",
        lambda c: [c.approved.pk],
        "sam",
        {"reason": "Ik wil geen lasser worden."},
    ),
    ("report_handled", "post", lambda c: [c.report.pk], "dirk", {}),
    ("company_edit", "get", lambda c: [c.world.company_x.slug], "bram", {}),
    ("import_detail", "get", lambda c: [c.job.pk], "dirk", {}),
    ("interview_step", "post", lambda c: [c.approved.pk, "other_time"], "sam", {}),
    ("interview_calendar", "get", lambda c: [c.accepted.pk], "sam", {}),
    ("notification_open", "get", lambda c: [c.notification.pk], "sam", {}),
    ("course_enrolments", "get", lambda c: [c.course.slug], "cas", {}),
    ("course_edit", "get", lambda c: [c.course.slug], "cas", {}),
    ("course_publish", "post", lambda c: [c.course.slug, "unpublish"], "cas", {}),
    ("enrolment_action", "post", lambda c: [c.enrolment.pk, "confirm"], "cas", {}),
    ("enrolment_withdraw", "post", lambda c: [c.enrolment.pk], "sam", {}),
    ("guest_request", "get", lambda c: [c.guest_request.pk], "dirk", {}),
    ("guest_request_edit", "get", lambda c: [c.guest_request.pk], "dirk", {}),
    ("guest_request_calendar", "get", lambda c: [c.guest_request.pk], "bram", {}),
    ("guest_request_step", "post", lambda c: [c.guest_request.pk, "cancel"], "bram", {}),
    ("guest_offer_edit", "get", lambda c: [c.guest_request.offer_id], "bram", {}),
    ("guest_offer_active", "post", lambda c: [c.guest_request.offer_id, "withdraw"], "bram", {}),
]
OUTSIDERS = ["otto", "olga", "other_student"]


def _persona(case: Case, name: str):
    return case.other_student if name == "other_student" else getattr(case.world, name)


@pytest.mark.parametrize(("name", "method", "args", "owner", "data"), BY_ID)
@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_get_not_found(
    client: Client, case: Case, name, method, args, owner, data, outsider: str
) -> None:
    client.force_login(_persona(case, outsider))
    response = getattr(client, method)(reverse(f"web:{name}", args=args(case)), data)
    # A company page is not personal data: an outsider without any company is
    # refused outright (403); one with another company gets "not found". Only
    # reviewers reach a review step: anyone else is refused whatever the id.
    allowed = {404}
    if name == "company_edit" and outsider != "otto":
        allowed = {404, 403}
    if name == "review_step" and outsider != "olga":
        allowed = {403}
    assert response.status_code in allowed, response.status_code
    states = set(Match.objects.values_list("state", flat=True))
    assert states == {S.STUDENT_YES, S.SUGGESTED, S.APPROVED, S.ACCEPTED}  # nothing moved


@pytest.mark.parametrize(("name", "method", "args", "owner", "data"), BY_ID)
def test_the_owner_gets_through(client: Client, case: Case, name, method, args, owner, data):
    client.force_login(_persona(case, owner))
    response = getattr(client, method)(reverse(f"web:{name}", args=args(case)), data)
    assert response.status_code in (200, 302)


LISTS = [
    ("students", ""),
    ("review_queue", ""),
    ("planner", "?student={sam}"),
    ("my_suggestions", ""),
    ("company_openings", ""),
    ("dashboard", ""),
    ("invitations", ""),
    ("students_import", ""),
    ("openings_import", ""),
    ("notifications", ""),
    ("my_courses", ""),
    ("coach_courses", ""),
    ("guest_lessons", ""),
]


@pytest.mark.parametrize(("name", "query"), LISTS)
@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_lists_never_show_someone_elses_student(
    client: Client, case: Case, name: str, query: str, outsider: str
) -> None:
    sam = case.world.sam
    client.force_login(_persona(case, outsider))
    response = client.get(reverse(f"web:{name}") + query.format(sam=sam.pk))
    assert response.status_code in (200, 403)
    body = response.content.decode()
    assert sam.full_name not in body
    assert sam.email not in body


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_a_batch_of_someone_elses_suggestions_changes_nothing(
    client: Client, case: Case, outsider: str
) -> None:
    client.force_login(_persona(case, outsider))
    client.post(reverse("web:review_batch"), {"match": [case.waiting.pk]})
    assert Match.objects.get(pk=case.waiting.pk).state == S.SUGGESTED


# Routes without another person's data: public pages, one's own account, the
# coordinator's company checks (companies are not personal data), and signed links.
NO_ONE_ELSES_DATA = {
    "home",
    "health",
    "favicon",
    "manifest",
    "openings",
    "opening_detail",
    "company_detail",
    "courses",
    "course_detail",  # a course's page; signing up is the viewer's own
    "course_new",
    "company_courses",  # the company's own openings against public courses
    "guest_offer_new",  # a company's new offer, a school's new request: nothing yet
    "guest_request_new",
    "algorithm",
    "integrating",
    "signup",
    "signup_career_changer",
    "signup_company",
    "signup_sent",
    "signup_confirm",  # a signed link: opens only the account it was made for
    "invitation_accept",
    "review_batch",  # acts only on the viewer's own queue: test below
    "notifications_read",  # marks only the viewer's own notifications
    "unsubscribe",
    "profile_edit",
    "settings",
    "data_download",
    "account_delete",
    "api_tokens",
    "api_token_revoke",
    # The organisation's keys: its admins only (tests/api/test_organisation_keys.py).
    "organisation_keys",
    "organisation_key_revoke",
    "organisation_webhooks",
    "organisation_webhook_remove",
    "opening_new",
    "companies_to_verify",
    "company_verify",
    "company_refuse",
    "invitation_revoke",
    "match_runs",
    # A coordinator's openings import (companies only), and the empty templates.
    "openings_import_region",
    "import_template",
    # Skill proposals for the text the viewer posts.
    "skill_proposals",
    "skill_options",
    # The region's figures: aggregates only, small numbers hidden (tests/web/test_kpi_pages.py).
    "kpis",
    "kpi_export",
    "kpi_baseline",
    "kpi_report",
    "skills_gap",
    # One's own second factor.
    "two_factor_setup",
    "two_factor_verify",
    "two_factor_enrol",  # a signed link, for the account it was sent to only
}


def test_every_web_route_is_classified() -> None:
    web_names = set(get_resolver().namespace_dict["web"][1].reverse_dict.keys())
    web_names = {n for n in web_names if isinstance(n, str)}
    classified = {row[0] for row in BY_ID} | {row[0] for row in LISTS} | NO_ONE_ELSES_DATA
    assert web_names == classified, (
        f"unclassified: {sorted(web_names - classified)}; gone: {sorted(classified - web_names)}"
    )
