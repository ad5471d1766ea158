"""The web permission matrix: every URL pattern of the pages, by GET and POST,
by every persona, with and without ``HX-Request: true``, against one table.

Each cell is what the persona gets:
``ok`` a page (200) · ``go`` a redirect within the site (done, or elsewhere) ·
``in`` to the login page · ``2f`` to the second factor · ``400`` a bad link ·
``403`` refused · ``404`` not found (nothing hints that it exists) · ``405``
not this method.

A fragment (``HX-Request``) gets the same answer as the page: the header never
opens a door. A URL pattern missing from the table fails
``test_every_web_route_is_in_the_matrix``.

Beside the statuses, ``test_rendered_pages_never_name_someone_out_of_scope``
reads every body each persona gets and checks that no name or e-mail address of
a student outside that persona's scope is in it: companies see a candidate's
name only once the student accepted their invitation.

Personas, in the order of each row:
A anonymous · S sam (student, school A, 18) · S2 pim (student, school B) ·
L lotte (pupil, school A, 14) · Z zeynep (career changer) · M bram (member,
company X) · M2 otto (member, company Y) · C dirk (counsellor, school A) ·
C2 olga (counsellor, school B) · LC cas (coach, learning location) · K carla
(coordinator, second factor passed) · K0 carla (password only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import services as account_services
from accounts.models import ApiToken, ImportJob, ImportKind, ImportStatus, Organisation, User
from learning import selectors as learning_selectors
from learning.models import Course, Enrolment, GuestOffer, GuestRequest
from matching.models import Match, MatchState, SuggestionReport
from notifications import services as notification_services
from tests import factories
from tests.conftest import World, login_with_second_factor

pytestmark = pytest.mark.django_db
S = MatchState
PERSONAS = ["A", "S", "S2", "L", "Z", "M", "M2", "C", "C2", "LC", "K", "K0"]
COMPANY_MEMBERS = {"M": "company_x", "M2": "company_y"}


@dataclass
class Scene:
    world: World
    pim: User
    ada: User  # student at school A who accepted company X's invitation
    forwarded: Match  # sam said yes to company X's opening: X may not see his name yet
    waiting: Match  # a suggestion for sam, waiting for review
    approved: Match  # approved, waiting for sam's answer
    accepted: Match  # ada accepted company X's invitation
    report: SuggestionReport
    job: ImportJob
    token: ApiToken  # sam's
    invitation_token: str
    invitation_pk: int
    unsubscribe_token: str
    pending_uid: str
    pending_token: str
    enrol_token: str
    unverified: Organisation
    notification_pk: int  # one of sam's notifications
    key_pk: int  # company X's API key; bram and dirk are their organisations' admins
    webhook_pk: int  # company X's webhook
    course: Course  # cas's learning location's, for employees and career changers
    enrolment: Enrolment  # zeynep signed up for it; cas has yet to confirm
    guest_offer: GuestOffer  # company X's guest lesson
    guest_request: GuestRequest  # dirk's, for a class of school A: planned with company X

    def user(self, persona: str) -> User | None:
        w = self.world
        return {
            "A": None,
            "S": w.sam,
            "S2": self.pim,
            "L": w.lotte,
            "Z": w.zeynep,
            "M": w.bram,
            "M2": w.otto,
            "C": w.dirk,
            "C2": w.olga,
            "LC": w.cas,
            "K": w.carla,
            "K0": w.carla,
        }[persona]

    def students(self) -> list[User]:
        w = self.world
        return [w.sam, self.pim, w.lotte, w.zeynep, self.ada]


def _name(user: User, name: str) -> User:
    # Plain, distinctive names, so that a hit in a page is the person.
    User.objects.filter(pk=user.pk).update(full_name=name)
    user.full_name = name
    return user


@pytest.fixture
def scene(world: World) -> Scene:
    today = timezone.localdate()
    for user, name in [
        (world.sam, "Sem Quarles"),
        (world.lotte, "Lotte Ypma"),
        (world.zeynep, "Zeynep Oktay"),
    ]:
        _name(user, name)
    pim = _name(factories.UserFactory(date_of_birth=dt.date(today.year - 17, 2, 2)), "Pim Xandra")
    factories.MembershipFactory(user=pim, role="student", organisation=world.school_b)
    ada = _name(factories.UserFactory(date_of_birth=dt.date(today.year - 19, 3, 3)), "Ada Wouters")
    factories.MembershipFactory(user=ada, role="student", organisation=world.school_a)
    Organisation.objects.filter(pk=world.company_x.pk).update(verified_at=timezone.now())
    for user in (world.sam, pim, world.lotte, world.zeynep, ada):
        factories.ProfileFactory(user=user)
    opening = factories.OpeningFactory(company=world.company_x, capacity=5)
    other_opening = factories.OpeningFactory(company=world.company_x)
    y_opening = factories.OpeningFactory(company=world.company_y)

    def match(user: User, state: str, on=opening) -> Match:
        return factories.MatchFactory(profile=user.profile, opening=on, state=state)

    forwarded = match(world.sam, S.STUDENT_YES)
    waiting = match(world.sam, S.SUGGESTED, other_opening)
    approved = match(world.sam, S.APPROVED, y_opening)
    accepted = match(ada, S.ACCEPTED)
    match(pim, S.STUDENT_YES, y_opening)
    match(world.lotte, S.SUGGESTED, other_opening)
    match(world.zeynep, S.STUDENT_YES, other_opening)
    report = SuggestionReport.objects.create(match=approved, reporter=world.sam, reason="Te ver")
    job = ImportJob.objects.create(
        kind=ImportKind.STUDENTS,
        organisation=world.school_a,
        created_by=world.dirk,
        filename="klas-2a.csv",
        status=ImportStatus.FAILED,
        errors=[{"line": 2, "column": "e-mail", "message": world.sam.email}],
    )
    token, _key = account_services.api_token_create(user=world.sam, name="app")
    invitation = account_services.invitation_create(
        organisation=world.school_a, created_by=world.dirk
    )
    pending = factories.UserFactory(is_active=False, signup_pending_since=timezone.now())
    return Scene(
        world=world,
        pim=pim,
        ada=ada,
        forwarded=forwarded,
        waiting=waiting,
        approved=approved,
        accepted=accepted,
        report=report,
        job=job,
        token=token,
        invitation_token=invitation.token,
        invitation_pk=invitation.pk,
        unsubscribe_token=notification_services.unsubscribe_token_make(
            user=world.sam, kind="digest"
        ),
        pending_uid=urlsafe_base64_encode(force_bytes(pending.pk)),
        pending_token=account_services.signup_tokens.make_token(pending),
        enrol_token=account_services.second_factor_enrolment_token(user=world.carla),
        unverified=factories.CompanyFactory(verified_at=None),
        notification_pk=_interview_and_notification(world, accepted),
        key_pk=_admins_and_key(world),
        webhook_pk=_webhook(world),
        course=(course := factories.CourseFactory(provider=world.location)),
        enrolment=Enrolment.objects.create(
            course=course, user=world.zeynep, group="career_changer"
        ),
        **_guest_lesson(world),
    )


def _guest_lesson(world: World) -> dict:
    request = factories.guest_lesson_planned(
        school=world.school_a, counsellor=world.dirk, company=world.company_x, member=world.bram
    )
    return {"guest_offer": request.offer, "guest_request": request}


def _webhook(world: World) -> int:
    from notifications import webhooks

    endpoint, _secret = webhooks.webhook_create(
        by=world.bram,
        organisation=world.company_x,
        url="https://ats.example.nl/hook",
        events=["opening.filled"],
    )
    return endpoint.pk


def _admins_and_key(world: World) -> int:
    from accounts import keys
    from accounts.models import Membership

    Membership.objects.filter(user__in=[world.bram, world.dirk]).update(is_admin=True)
    key, _secret = keys.organisation_key_create(
        by=world.bram, organisation=world.company_x, name="ATS", scope="read", days=30
    )
    return key.pk


def _interview_and_notification(world: World, accepted: Match) -> int:
    """Ada's accepted invitation has a planned interview (company X and Ada may
    download it); sam has one notification."""
    from matching.models import Interview, InterviewSlot
    from notifications.models import Notification

    interview = Interview.objects.create(match=accepted, message="Welkom")
    start = timezone.now() + dt.timedelta(days=5)
    InterviewSlot.objects.create(
        interview=interview,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        location="Hal 1",
        chosen_at=timezone.now(),
    )
    return Notification.objects.create(
        user=world.sam, kind="approved", params={"title": "Stage"}, url="/student/suggestions/"
    ).pk


# The arguments of each route, from the scene.
ARGS: dict[str, Callable[[Scene], list]] = {
    "opening_detail": lambda s: [s.forwarded.opening.slug],
    "company_detail": lambda s: [s.world.company_x.slug],
    "signup_confirm": lambda s: [s.pending_uid, s.pending_token],
    "invitation_accept": lambda s: [s.invitation_token],
    "invitation_revoke": lambda s: [s.invitation_pk],
    "import_detail": lambda s: [s.job.pk],
    "import_template": lambda s: ["students"],
    "parental_consent": lambda s: [s.world.lotte.pk],
    "review_step": lambda s: [s.waiting.pk, "approve"],
    "unsubscribe": lambda s: [s.unsubscribe_token],
    "two_factor_enrol": lambda s: [s.enrol_token],
    "my_suggestion_report": lambda s: [s.approved.pk],
    "my_suggestion_answer": lambda s: [s.approved.pk, "yes"],
    "report_handled": lambda s: [s.report.pk],
    "api_token_revoke": lambda s: [s.token.pk],
    "opening_edit": lambda s: [s.forwarded.opening.slug],
    "opening_candidates": lambda s: [s.forwarded.opening.slug],
    "candidate_step": lambda s: [s.forwarded.opening.slug, s.forwarded.pk, "invite"],
    "opening_action": lambda s: [s.forwarded.opening.slug, "duplicate"],
    "company_edit": lambda s: [s.world.company_x.slug],
    "kpi_export": lambda s: ["csv"],
    "company_verify": lambda s: [s.unverified.pk],
    "company_refuse": lambda s: [s.unverified.pk],
    "interview_step": lambda s: [s.approved.pk, "other_time"],
    "interview_calendar": lambda s: [s.accepted.pk],
    "notification_open": lambda s: [s.notification_pk],
    "organisation_key_revoke": lambda s: [s.key_pk],
    "organisation_webhook_remove": lambda s: [s.webhook_pk],
    "course_detail": lambda s: [s.course.slug],
    "course_edit": lambda s: [s.course.slug],
    "course_publish": lambda s: [s.course.slug, "unpublish"],
    "course_enrolments": lambda s: [s.course.slug],
    "enrolment_withdraw": lambda s: [s.enrolment.pk],
    "enrolment_action": lambda s: [s.enrolment.pk, "confirm"],
    "guest_offer_edit": lambda s: [s.guest_offer.pk],
    "guest_offer_active": lambda s: [s.guest_offer.pk, "withdraw"],
    "guest_request": lambda s: [s.guest_request.pk],
    "guest_request_edit": lambda s: [s.guest_request.pk],
    "guest_request_calendar": lambda s: [s.guest_request.pk],
    "guest_request_step": lambda s: [s.guest_request.pk, "given"],
}

# (route, method): one cell per persona, in PERSONAS' order.
TABLE: dict[tuple[str, str], str] = {
    ("account_delete", "get"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("account_delete", "post"): "in 400 400 400 400 400 400 400 400 400 400 400",
    ("algorithm", "get"): "ok ok ok ok ok ok ok ok ok ok ok ok",
    ("integrating", "get"): "ok ok ok ok ok ok ok ok ok ok ok ok",
    ("integrating", "post"): "405 405 405 405 405 405 405 405 405 405 405 405",
    ("algorithm", "post"): "405 405 405 405 405 405 405 405 405 405 405 405",
    ("api_token_revoke", "get"): "in 405 405 405 405 405 405 405 405 405 405 2f",
    ("api_token_revoke", "post"): "in go 404 404 404 404 404 404 404 404 404 2f",
    ("organisation_webhooks", "get"): "in 404 404 404 404 ok 404 ok 404 404 404 2f",
    ("organisation_webhooks", "post"): "in 404 404 404 404 ok 404 ok 404 404 404 2f",
    ("organisation_webhook_remove", "get"): "in 405 405 405 405 405 405 405 405 405 405 2f",
    ("organisation_webhook_remove", "post"): "in 404 404 404 404 go 404 404 404 404 404 2f",
    ("organisation_keys", "get"): "in 404 404 404 404 ok 404 ok 404 404 404 2f",
    ("organisation_keys", "post"): "in 404 404 404 404 ok 404 ok 404 404 404 2f",
    ("organisation_key_revoke", "get"): "in 405 405 405 405 405 405 405 405 405 405 2f",
    ("organisation_key_revoke", "post"): "in 404 404 404 404 go 404 404 404 404 404 2f",
    ("api_tokens", "get"): "in ok ok ok ok ok ok ok ok ok ok 2f",
    ("api_tokens", "post"): "in ok ok ok ok ok ok ok ok ok ok 2f",
    ("interview_step", "get"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("interview_step", "post"): "in go 404 404 404 404 404 404 404 404 404 404",
    ("interview_calendar", "get"): "in 404 404 404 404 ok 404 404 404 404 404 404",
    ("interview_calendar", "post"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("notifications", "get"): "in ok ok ok ok ok ok ok ok ok ok ok",
    ("notifications", "post"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("notifications_read", "get"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("notifications_read", "post"): "in go go go go go go go go go go go",
    ("notification_open", "get"): "in go 404 404 404 404 404 404 404 404 404 404",
    ("notification_open", "post"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("candidate_step", "get"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("candidate_step", "post"): "in 404 404 404 404 go 404 404 404 404 404 404",
    ("companies_to_verify", "get"): "in 403 403 403 403 403 403 403 403 403 ok 2f",
    ("companies_to_verify", "post"): "in 403 403 403 403 403 403 403 403 403 405 2f",
    ("company_detail", "get"): "ok ok ok ok ok ok ok ok ok ok ok ok",
    ("company_detail", "post"): "405 405 405 405 405 405 405 405 405 405 405 405",
    ("company_edit", "get"): "in 403 403 403 403 ok 404 403 403 403 403 403",
    ("company_edit", "post"): "in 403 403 403 403 ok 404 403 403 403 403 403",
    ("company_openings", "get"): "in 403 403 403 403 ok ok 403 403 403 403 403",
    ("company_openings", "post"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("company_verify", "get"): "in 403 403 403 403 403 403 403 403 403 405 2f",
    ("company_verify", "post"): "in 403 403 403 403 403 403 403 403 403 go 2f",
    ("company_refuse", "get"): "in 403 403 403 403 403 403 403 403 403 405 2f",
    ("company_refuse", "post"): "in 403 403 403 403 403 403 403 403 403 go 2f",
    ("dashboard", "get"): "in ok ok ok ok ok ok ok ok ok ok ok",
    ("dashboard", "post"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("data_download", "get"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("data_download", "post"): "in ok ok ok ok ok ok ok ok ok ok ok",
    ("health", "get"): "ok ok ok ok ok ok ok ok ok ok ok ok",
    ("health", "post"): "405 405 405 405 405 405 405 405 405 405 405 405",
    ("favicon", "get"): "go go go go go go go go go go go go",
    ("favicon", "post"): "405 405 405 405 405 405 405 405 405 405 405 405",
    ("manifest", "get"): "ok ok ok ok ok ok ok ok ok ok ok ok",
    ("manifest", "post"): "405 405 405 405 405 405 405 405 405 405 405 405",
    ("home", "get"): "ok ok ok ok ok ok ok ok ok ok ok ok",
    ("home", "post"): "405 405 405 405 405 405 405 405 405 405 405 405",
    ("import_detail", "get"): "in 404 404 404 404 404 404 ok 404 404 404 404",
    ("import_detail", "post"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("import_template", "get"): "in ok ok ok ok ok ok ok ok ok ok ok",
    ("import_template", "post"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("invitation_accept", "get"): "ok ok ok ok ok ok ok ok ok ok ok ok",
    ("invitation_accept", "post"): "ok go go go go ok ok ok ok ok ok ok",
    ("invitations", "get"): "in 403 403 403 403 403 403 ok ok ok 403 403",
    ("invitation_revoke", "get"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("invitation_revoke", "post"): "in 404 404 404 404 404 404 go 404 404 404 404",
    ("invitations", "post"): "in 403 403 403 403 403 403 ok ok ok 403 403",
    ("kpi_baseline", "get"): "in 403 403 403 403 403 403 403 403 403 405 2f",
    ("kpi_baseline", "post"): "in 403 403 403 403 403 403 403 403 403 go 2f",
    ("kpi_export", "get"): "in 403 403 403 403 403 403 403 403 403 ok 2f",
    ("kpi_export", "post"): "in 403 403 403 403 403 403 403 403 403 405 2f",
    ("kpi_report", "get"): "in 403 403 403 403 403 403 403 403 403 ok 2f",
    ("kpi_report", "post"): "in 403 403 403 403 403 403 403 403 403 405 2f",
    ("kpis", "get"): "in 403 403 403 403 403 403 403 403 403 ok 2f",
    ("kpis", "post"): "in 403 403 403 403 403 403 403 403 403 405 2f",
    ("match_runs", "get"): "in 403 403 403 403 403 403 403 403 403 ok 2f",
    ("match_runs", "post"): "in 403 403 403 403 403 403 403 403 403 -- 2f",
    ("my_suggestion_answer", "get"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("my_suggestion_answer", "post"): "in go 404 404 404 404 404 404 404 404 404 404",
    ("my_suggestion_report", "get"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("my_suggestion_report", "post"): "in go 404 404 404 404 404 404 404 404 404 404",
    ("my_suggestions", "get"): "in ok ok ok ok 403 403 403 403 403 403 403",
    ("my_suggestions", "post"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("opening_action", "get"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("opening_action", "post"): "in 404 404 404 404 go 404 404 404 404 404 404",
    ("opening_candidates", "get"): "in 404 404 404 404 ok 404 404 404 404 404 404",
    ("opening_candidates", "post"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("opening_detail", "get"): "ok ok ok ok ok ok ok ok ok ok ok ok",
    ("opening_detail", "post"): "405 405 405 405 405 405 405 405 405 405 405 405",
    ("opening_edit", "get"): "in 404 404 404 404 ok 404 404 404 404 404 404",
    ("opening_edit", "post"): "in 404 404 404 404 ok 404 404 404 404 404 404",
    ("opening_new", "get"): "in 403 403 403 403 ok ok 403 403 403 403 403",
    ("opening_new", "post"): "in 403 403 403 403 ok ok 403 403 403 403 403",
    ("openings", "get"): "ok ok ok ok ok ok ok ok ok ok ok ok",
    ("openings", "post"): "405 405 405 405 405 405 405 405 405 405 405 405",
    ("openings_import", "get"): "in 403 403 403 403 ok ok 403 403 403 403 403",
    ("openings_import", "post"): "in 403 403 403 403 ok ok 403 403 403 403 403",
    ("openings_import_region", "get"): "in 403 403 403 403 403 403 403 403 403 ok 2f",
    ("openings_import_region", "post"): "in 403 403 403 403 403 403 403 403 403 ok 2f",
    ("parental_consent", "get"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("parental_consent", "post"): "in 404 404 404 404 404 404 go 404 404 404 404",
    ("planner", "get"): "in 403 403 403 403 403 403 ok ok ok 403 403",
    ("planner", "post"): "in 403 403 403 403 403 403 go go go 403 403",
    ("profile_edit", "get"): "in ok ok ok ok 403 403 403 403 403 403 403",
    ("profile_edit", "post"): "in ok ok ok ok 403 403 403 403 403 403 403",
    ("report_handled", "get"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("report_handled", "post"): "in 404 404 404 404 404 404 go 404 404 404 404",
    ("review_batch", "get"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("review_batch", "post"): "in 403 403 403 go 403 403 go go go 403 403",
    ("review_queue", "get"): "in 403 403 403 ok 403 403 ok ok ok 403 403",
    ("review_queue", "post"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("review_step", "get"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("review_step", "post"): "in 403 403 403 404 403 403 go/ok 404 404 403 403",
    ("settings", "get"): "in ok ok ok ok ok ok ok ok ok ok ok",
    ("settings", "post"): "in ok ok ok ok ok ok ok ok ok ok ok",
    ("signup", "get"): "ok go go go go go go go go go go go",
    ("signup", "post"): "405 405 405 405 405 405 405 405 405 405 405 405",
    ("signup_career_changer", "get"): "ok go go go go go go go go go go go",
    ("signup_career_changer", "post"): "ok go go go go go go go go go go go",
    ("signup_company", "get"): "ok go go go go go go go go go go go",
    ("signup_company", "post"): "ok go go go go go go go go go go go",
    ("signup_confirm", "get"): "ok ok ok ok ok ok ok ok ok ok ok ok",
    ("signup_confirm", "post"): "go go go go go go go go go go go go",
    ("signup_sent", "get"): "ok ok ok ok ok ok ok ok ok ok ok ok",
    ("signup_sent", "post"): "405 405 405 405 405 405 405 405 405 405 405 405",
    ("skill_options", "get"): "in ok ok ok ok ok ok ok ok ok ok ok",
    ("skill_options", "post"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("skill_proposals", "get"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("skill_proposals", "post"): "in ok ok ok ok ok ok ok ok ok ok ok",
    ("skills_gap", "get"): "in 403 403 403 403 403 403 403 403 403 ok 2f",
    ("skills_gap", "post"): "in 403 403 403 403 403 403 403 403 403 405 2f",
    ("students", "get"): "in 403 403 403 403 403 403 ok ok ok 403 403",
    ("students", "post"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("students_import", "get"): "in 403 403 403 403 403 403 ok ok ok 403 403",
    ("students_import", "post"): "in 403 403 403 403 403 403 ok ok ok 403 403",
    ("two_factor_enrol", "get"): "in 400 400 400 400 400 400 400 400 400 400 2f",
    ("two_factor_enrol", "post"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("two_factor_setup", "get"): "in ok ok ok ok ok ok ok ok ok 2f ok",
    ("two_factor_setup", "post"): "in ok ok ok ok ok ok ok ok ok 2f 2f",
    ("two_factor_verify", "get"): "in 2f 2f 2f 2f 2f 2f 2f 2f 2f ok 2f",
    ("two_factor_verify", "post"): "in 2f 2f 2f 2f 2f 2f 2f 2f 2f ok 2f",
    ("unsubscribe", "get"): "ok ok ok ok ok ok ok ok ok ok ok ok",
    ("unsubscribe", "post"): "ok ok ok ok ok ok ok ok ok ok ok ok",
    ("courses", "get"): "ok ok ok ok ok ok ok ok ok ok ok ok",
    ("courses", "post"): "405 405 405 405 405 405 405 405 405 405 405 405",
    # Signing up: pupils are not this course's audience, zeynep signed up already
    # (the form says so), company members join as employees.
    ("course_detail", "get"): "ok ok ok ok ok ok ok ok ok ok ok ok",
    ("course_detail", "post"): "in ok ok ok ok go go ok ok ok ok ok",
    ("my_courses", "get"): "in ok ok ok ok ok ok ok ok ok ok ok",
    ("my_courses", "post"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("enrolment_withdraw", "get"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("enrolment_withdraw", "post"): "in 404 404 404 go 404 404 404 404 404 404 404",
    # Coaches and school counsellors keep their organisation's courses.
    ("company_courses", "get"): "in 403 403 403 403 ok ok 403 403 403 403 403",
    ("company_courses", "post"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("coach_courses", "get"): "in 403 403 403 403 403 403 ok ok ok 403 403",
    ("coach_courses", "post"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("course_new", "get"): "in 403 403 403 403 403 403 ok ok ok 403 403",
    ("course_new", "post"): "in 403 403 403 403 403 403 ok ok ok 403 403",
    ("course_edit", "get"): "in 404 404 404 404 404 404 404 404 ok 404 404",
    ("course_edit", "post"): "in 404 404 404 404 404 404 404 404 ok 404 404",
    ("course_publish", "get"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("course_publish", "post"): "in 404 404 404 404 404 404 404 404 go 404 404",
    ("course_enrolments", "get"): "in 404 404 404 404 404 404 404 404 ok 404 404",
    ("course_enrolments", "post"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("enrolment_action", "get"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("enrolment_action", "post"): "in 404 404 404 404 404 404 404 404 go/ok 404 404",
    # Guest lessons: companies keep offers, schools and learning locations ask; a
    # request is seen by its school, the company it was sent to and, once planned,
    # by the learning locations' coaches (cas), and by nobody else.
    ("guest_lessons", "get"): "in 403 403 403 403 ok ok ok ok ok 403 403",
    ("guest_lessons", "post"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("guest_offer_new", "get"): "in 403 403 403 403 ok ok 403 403 403 403 403",
    ("guest_offer_new", "post"): "in 403 403 403 403 ok ok 403 403 403 403 403",
    ("guest_offer_edit", "get"): "in 404 404 404 404 ok 404 404 404 404 404 404",
    ("guest_offer_edit", "post"): "in 404 404 404 404 ok 404 404 404 404 404 404",
    ("guest_offer_active", "get"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("guest_offer_active", "post"): "in 404 404 404 404 go 404 404 404 404 404 404",
    ("guest_request_new", "get"): "in 403 403 403 403 403 403 ok ok ok 403 403",
    ("guest_request_new", "post"): "in 403 403 403 403 403 403 ok ok ok 403 403",
    ("guest_request", "get"): "in 404 404 404 404 ok 404 ok 404 ok 404 404",
    ("guest_request", "post"): "in 405 405 405 405 405 405 405 405 405 405 405",
    # Planned: not changed any more, so dirk is sent back to the request.
    ("guest_request_edit", "get"): "in 404 404 404 404 404 404 go 404 404 404 404",
    ("guest_request_edit", "post"): "in 404 404 404 404 404 404 go 404 404 404 404",
    ("guest_request_calendar", "get"): "in 404 404 404 404 ok 404 ok 404 ok 404 404",
    ("guest_request_calendar", "post"): "in 405 405 405 405 405 405 405 405 405 405 405",
    ("guest_request_step", "get"): "in 405 405 405 405 405 405 405 405 405 405 405",
    # Before its date a lesson is not given: the page says so (the service refuses
    # cas, who only follows it).
    ("guest_request_step", "post"): "in 404 404 404 404 go 404 go 404 go 404 404",
}

# Signed links show their own subject to whoever holds the link (it was e-mailed
# to them): the unsubscribe page names the address it unsubscribes.
LINK_SUBJECT: dict[str, Callable[[Scene], User]] = {"unsubscribe": lambda s: s.world.sam}

# Cells checked elsewhere: a coordinator's recompute needs a worker
# (tests/web/test_runs.py).
ELSEWHERE = {("match_runs", "post", "K")}


def _outcome(response) -> str:
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        if location.startswith(reverse("login")):
            return "in"
        if location.startswith("/account/two-factor/"):
            return "2f"
        return "go"
    if response.status_code == 200:
        return "ok"
    return str(response.status_code)


def _request(scene: Scene, persona: str, route: str, method: str, hx: bool):
    client = Client()
    user = scene.user(persona)
    if persona == "K":
        login_with_second_factor(client, user)
    elif user is not None:
        client.force_login(user)
    url = reverse(f"web:{route}", args=ARGS[route](scene) if route in ARGS else [])
    headers = {"HX-Request": "true"} if hx else {}
    return getattr(client, method)(url, headers=headers)


def _forbidden_people(scene: Scene, persona: str, route: str) -> list[User]:
    """The students whose name or address this persona may never read."""
    me = scene.user(persona)
    w = scene.world
    allowed = {me.pk} if me is not None else set()
    if route in LINK_SUBJECT:
        allowed.add(LINK_SUBJECT[route](scene).pk)
    if me is not None:  # a sign-up shares the person with the course's provider
        allowed |= set(
            learning_selectors.enrolments_for_provider(viewer=me).values_list("user_id", flat=True)
        )
    students = [s for s in scene.students() if s.pk not in allowed]
    if persona in COMPANY_MEMBERS:
        company = getattr(w, COMPANY_MEMBERS[persona])
        known = set(
            Match.objects.filter(
                opening__company=company, state__in=[S.ACCEPTED, S.PLACED]
            ).values_list("profile__user_id", flat=True)
        )
        return [s for s in students if s.pk not in known]
    if persona == "C":  # school A's counsellor knows school A's students
        return [s for s in students if s in (scene.pim, w.zeynep)]
    if persona == "C2":
        return [s for s in students if s in (w.sam, w.lotte, w.zeynep, scene.ada)]
    return students


def _cells(scene: Scene, route: str, method: str) -> tuple[list[str], list[str]]:
    """Run every persona, with and without HX-Request, each in a savepoint that
    is rolled back; return the outcomes and any personal-data leaks."""
    outcomes, leaks = [], []
    for persona in PERSONAS:
        if (route, method, persona) in ELSEWHERE:
            outcomes.append("--")
            continue
        seen = set()
        for hx in (False, True):
            with transaction.atomic():
                response = _request(scene, persona, route, method, hx)
                transaction.set_rollback(True)
            seen.add(_outcome(response))
            body = b"".join(response) if response.streaming else response.content
            text = body.decode("utf-8", "replace")
            for person in _forbidden_people(scene, persona, route):
                for value in (person.full_name, person.email):
                    if value in text:
                        leaks.append(f"{persona}{' hx' if hx else ''}: {value}")
        outcomes.append(seen.pop() if len(seen) == 1 else "/".join(sorted(seen)))
    return outcomes, leaks


def _web_routes() -> list[str]:
    return sorted(
        p.name
        for p in get_resolver().namespace_dict["web"][1].url_patterns
        if isinstance(p, URLPattern)
    )


ROWS = [(route, method) for route in _web_routes() for method in ("get", "post")]


@pytest.mark.parametrize(("route", "method"), ROWS, ids=[f"{m}-{r}" for r, m in ROWS])
def test_the_matrix(scene: Scene, route: str, method: str) -> None:
    outcomes, leaks = _cells(scene, route, method)
    got = " ".join(outcomes)
    expected = TABLE.get((route, method))
    assert expected is not None, f'("{route}", "{method}"): "{got}",'
    assert got == " ".join(expected.split()), dict(zip(PERSONAS, outcomes, strict=True))
    assert leaks == []


def test_every_web_route_is_in_the_matrix() -> None:
    missing = [(r, m) for r, m in ROWS if (r, m) not in TABLE]
    assert missing == []
    assert set(TABLE) <= set(ROWS)
    for row, cells in TABLE.items():
        assert len(cells.split()) == len(PERSONAS), row


def test_the_guard_reads_names_where_they_belong(scene: Scene) -> None:
    """The guard above is only worth something if names do show where allowed:
    the company sees the candidate who accepted, the counsellor their student."""
    w = scene.world
    candidates = _request(scene, "M", "opening_candidates", "get", hx=False).content.decode()
    assert scene.ada.full_name in candidates
    assert w.sam.full_name not in candidates
    assert "Kandidaat" in candidates or "andidaat" in candidates.lower()
    queue = _request(scene, "C", "review_queue", "get", hx=False).content.decode()
    assert w.sam.full_name in queue
