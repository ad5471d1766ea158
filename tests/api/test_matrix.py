"""The permission matrix: every endpoint, method and persona, with the status expected.

Nobody reads or changes what is not theirs: an object outside the viewer's scope
is 404, never 200 and never 500. A route of the API that has no row here fails
``test_every_route_is_in_the_matrix``.

Personas, in the order of each row's expectation string:
A anonymous · S sam (student, school A) · S2 pim (student, school B) · C dirk
(counsellor, school A) · C2 olga (counsellor, school B) · M bram (member,
company X) · M2 otto (member, company Y) · K carla (coordinator).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, ImportJob, ImportKind, Organisation, User
from accounts.services import api_token_create
from learning.models import Enrolment
from marketplace.models import OpeningSkill, Placement
from matching import interviews, workflow
from matching.models import InterviewSlot, Match, MatchRun
from notifications.models import Notification
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db
PERSONAS = ["A", "S", "S2", "C", "C2", "M", "M2", "K"]


@dataclass
class Objects:
    world: World
    pim: User
    public: Any  # company X's open opening
    draft: Any  # company X's draft
    skill: Any
    place: Any
    suggested: Match
    approved: Match
    forwarded: Match
    invited: Match
    accepted: Match
    placement: Placement
    run: MatchRun
    token: ApiToken
    job: ImportJob
    offered_slot: InterviewSlot  # proposed on ``invited``
    notification: Notification  # sam's
    webhook: Any  # company X's; bram is its admin
    course: Any  # school A's, for everyone; dirk keeps it
    draft_course: Any  # school A's, not published
    enrolment: Any  # pim signed up for ``course``
    guest_open: Any  # dirk's request for a class of school A, not sent yet
    guest_sent: Any  # dirk's, sent to company X's offer, waiting for its answer
    guest_planned: Any  # dirk's, planned with company X

    def user(self, persona: str) -> User | None:
        w = self.world
        return {
            "A": None,
            "S": w.sam,
            "S2": self.pim,
            "C": w.dirk,
            "C2": w.olga,
            "M": w.bram,
            "M2": w.otto,
            "K": w.carla,
        }[persona]


@pytest.fixture
def objects(world: World) -> Objects:
    Organisation.objects.filter(pk=world.company_x.pk).update(
        verified_at=timezone.now(), sbb_recognised=True, sbb_recognised_on=dt.date(2020, 1, 1)
    )
    pim = factories.UserFactory(date_of_birth=dt.date(2005, 5, 5))
    factories.MembershipFactory(user=pim, role="student", organisation=world.school_b)
    skill = factories.SkillFactory(slug="cnc-draaien")
    public = factories.OpeningFactory(company=world.company_x, capacity=5)
    OpeningSkill.objects.create(opening=public, skill=skill)
    draft = factories.OpeningFactory(company=world.company_x, status="draft", published_at=None)
    OpeningSkill.objects.create(opening=draft, skill=skill)
    profile = factories.ProfileFactory(user=world.sam)

    def match(state: str) -> Match:
        opening = factories.OpeningFactory(company=world.company_x, capacity=3)
        return factories.MatchFactory(profile=profile, opening=opening, state=state)

    accepted_for_placement = match("accepted")
    placement = workflow.match_place(match=accepted_for_placement, by=world.bram)
    token, _key = api_token_create(user=world.sam, name="SIS koppeling")
    invited, accepted = match("invited"), match("accepted")
    interviews.interview_propose(match=invited, by=world.bram, slots=[_slot_input(10)])
    interviews.interview_propose(match=accepted, by=world.bram, slots=[_slot_input(11)])
    chosen = InterviewSlot.objects.get(interview__match=accepted)
    interviews.interview_choose(slot=chosen, by=world.sam)
    return Objects(
        world=world,
        pim=pim,
        public=public,
        draft=draft,
        skill=skill,
        place=public.place,
        suggested=match("suggested"),
        approved=match("approved"),
        forwarded=match("student_yes"),
        invited=invited,
        accepted=accepted,
        placement=placement,
        run=MatchRun.objects.create(status="finished", engine_version="1.0.0"),
        token=token,
        job=ImportJob.objects.create(
            kind=ImportKind.STUDENTS, organisation=world.school_a, created_by=world.dirk
        ),
        offered_slot=InterviewSlot.objects.get(interview__match=invited),
        notification=Notification.objects.create(
            user=world.sam, kind="approved", params={"title": "Stage"}, url="/student/"
        ),
        webhook=_webhook(world),
        course=(course := factories.CourseFactory(provider=world.school_a, audiences=EVERYONE)),
        draft_course=factories.CourseFactory(provider=world.school_a, is_published=False),
        enrolment=Enrolment.objects.create(course=course, user=pim, group="pupil"),
        **_guest_lessons(world),
    )


def _guest_lessons(world: World) -> dict:
    from learning import guest_lessons

    planned = factories.guest_lesson_planned(
        school=world.school_a, counsellor=world.dirk, company=world.company_x, member=world.bram
    )
    sent = factories.GuestRequestFactory(
        organisation=world.school_a, requested_by=world.dirk, place=planned.place
    )
    guest_lessons.request_send(request=sent, offer=planned.offer, by=world.dirk)
    open_ = factories.GuestRequestFactory(
        organisation=world.school_a, requested_by=world.dirk, place=planned.place
    )
    return {"guest_open": open_, "guest_sent": sent, "guest_planned": planned}


GUEST_OFFER_BODY = {
    "format": "company_visit",
    "topic": "Rondleiding door de fabriek",
    "description": "Een ochtend in de werkplaats.",
    "skills": ["cnc-draaien"],
    "levels": ["vmbo", "mbo2"],
    "venues": ["company"],
    "frequency": "term",
    "place": "woerden",
}
GUEST_REQUEST_BODY = {
    "format": "guest_lesson",
    "topic": "CNC-draaien",
    "class_name": "2 MT-B",
    "level": "mbo2",
    "pupils": 20,
    "skills": ["cnc-draaien"],
    "venues": ["school"],
    "place": "woerden",
}


EVERYONE = ["employee", "career_changer", "pupil"]


def _webhook(world: World) -> Any:
    from accounts.models import Membership
    from notifications import webhooks

    Membership.objects.filter(user=world.bram).update(is_admin=True)
    endpoint, _secret = webhooks.webhook_create(
        by=world.bram,
        organisation=world.company_x,
        url="https://ats.example.nl/hook",
        events=["opening.filled"],
    )
    return endpoint


def _slot_input(days: int) -> interviews.SlotInput:
    start = timezone.now() + dt.timedelta(days=days)
    return interviews.SlotInput(start, start + dt.timedelta(hours=1), "Industrieweg 4, Woerden")


def _slot_body(days: int) -> dict:
    slot = _slot_input(days)
    return {
        "starts_at": slot.starts_at.isoformat(),
        "ends_at": slot.ends_at.isoformat(),
        "location": slot.location,
    }


OPENING_BODY = {
    "title": "Stage onderhoudsmonteur",
    "description": "Onderhoud aan productielijnen.",
    "type": "job",
    "place": "woerden",
    "start_date": "2027-02-01",
    "hours_per_week": 32,
    "skills": [{"skill": "cnc-draaien", "importance": "must", "min_level": 1}],
}


@dataclass(frozen=True)
class Row:
    route: str  # the URL name within the "api" namespace
    method: str
    expect: str  # one status per persona, in PERSONAS order
    args: Callable[[Objects], list] = lambda o: []
    body: dict | Callable[[Objects], dict] | None = None
    label: str = ""


def r(route: str, method: str, expect: str, args=None, body=None, label: str = "") -> Row:
    return Row(route, method, expect, args or (lambda o: []), body, label)


slug = lambda name: lambda o: [getattr(o, name).slug]  # noqa: E731
pk = lambda name: lambda o: [getattr(o, name).pk]  # noqa: E731

ROWS = [
    r("api-root", "get", "401 200 200 200 200 200 200 200"),
    r("schema", "get", "200 200 200 200 200 200 200 200"),
    r("docs", "get", "200 200 200 200 200 200 200 200"),
    r("me", "get", "401 200 200 200 200 200 200 200"),
    r("me-data", "get", "401 200 200 200 200 200 200 200"),
    # Without the right password nobody's account is deleted.
    r("me", "delete", "401 400 400 400 400 400 400 400", body={"password": "niet-goed"}),
    r("kpis", "get", "401 403 403 403 403 403 403 200"),
    r("skills-gap", "get", "401 403 403 403 403 403 403 200"),
    # Openings
    r("opening-list", "get", "200 200 200 200 200 200 200 200"),
    # Otto may draft openings for company Y (public once a coordinator verifies it).
    r("opening-list", "post", "401 403 403 403 403 201 201 403", body=OPENING_BODY),
    r("opening-detail", "get", "200 200 200 200 200 200 200 200", slug("public")),
    r("opening-detail", "get", "404 404 404 404 404 200 404 404", slug("draft"), label="draft"),
    r(
        "opening-detail",
        "patch",
        "401 403 403 403 403 200 403 403",
        slug("public"),
        {"title": "Nieuwe titel"},
    ),
    r(
        "opening-detail",
        "patch",
        "401 404 404 404 404 200 404 404",
        slug("draft"),
        {"title": "Nieuwe titel"},
        label="draft",
    ),
    r("opening-detail", "delete", "401 405 405 405 405 405 405 405", slug("public")),
    r("opening-publish", "post", "401 404 404 404 404 200 404 404", slug("draft")),
    r("opening-close", "post", "401 403 403 403 403 200 403 403", slug("public")),
    # Companies (company Y is not verified: only its member and coordinators see it)
    r("company-list", "get", "200 200 200 200 200 200 200 200"),
    r(
        "company-detail",
        "get",
        "200 200 200 200 200 200 200 200",
        lambda o: [o.world.company_x.slug],
    ),
    r(
        "company-detail",
        "get",
        "404 404 404 404 404 404 200 200",
        lambda o: [o.world.company_y.slug],
        label="unverified",
    ),
    r(
        "company-detail",
        "patch",
        "401 403 403 403 403 200 403 403",
        lambda o: [o.world.company_x.slug],
        {"description": "Familiebedrijf in Woerden."},
    ),
    r(
        "company-verify",
        "post",
        "401 403 403 403 403 403 403 200",
        lambda o: [o.world.company_y.slug],
    ),
    # Profiles
    r("profile-list", "get", "401 200 200 200 200 200 200 200"),
    r(
        "profile-detail",
        "get",
        "401 200 404 200 404 404 404 404",
        lambda o: [o.world.sam.profile.pk],
    ),
    r(
        "profile-detail",
        "patch",
        "401 200 404 403 404 404 404 404",
        lambda o: [o.world.sam.profile.pk],
        {"headline": "Monteur in opleiding"},
    ),
    r("profile-me", "get", "401 200 404 404 404 404 404 404"),
    r("profile-me", "patch", "401 200 200 403 403 403 403 403", body={"headline": "Hallo"}),
    # Skills and places
    r("skill-list", "get", "200 200 200 200 200 200 200 200"),
    r("skill-detail", "get", "200 200 200 200 200 200 200 200", slug("skill")),
    r("place-list", "get", "200 200 200 200 200 200 200 200"),
    r("place-detail", "get", "200 200 200 200 200 200 200 200", slug("place")),
    # Suggestions: each step on a match in the state it starts from
    r("suggestion-list", "get", "401 200 200 200 200 200 200 200"),
    r("suggestion-detail", "get", "401 200 404 200 404 200 404 404", pk("forwarded")),
    r(
        "suggestion-detail",
        "get",
        "401 404 404 200 404 404 404 404",
        pk("suggested"),
        label="suggested",
    ),
    r("suggestion-approve", "post", "401 404 404 200 404 404 404 404", pk("suggested")),
    r(
        "suggestion-reject",
        "post",
        "401 404 404 200 404 404 404 404",
        pk("suggested"),
        {"reason": "Te ver van huis"},
    ),
    r("suggestion-yes", "post", "401 200 404 403 404 404 404 404", pk("approved")),
    r("suggestion-no", "post", "401 200 404 403 404 404 404 404", pk("approved")),
    r("suggestion-invite", "post", "401 403 404 403 404 200 404 404", pk("forwarded")),
    r("suggestion-decline", "post", "401 403 404 403 404 200 404 404", pk("forwarded")),
    r("suggestion-accept", "post", "401 200 404 403 404 403 404 404", pk("invited")),
    r("suggestion-refuse", "post", "401 200 404 403 404 403 404 404", pk("invited")),
    r("suggestion-place", "post", "401 403 404 403 404 201 404 404", pk("accepted")),
    # Interviews: the company proposes and moves, the student chooses or asks
    # for another time, either cancels; the counsellor follows but takes no step.
    r(
        "suggestion-interview-propose",
        "post",
        "401 403 404 403 404 200 404 404",
        pk("invited"),
        {"slots": [_slot_body(12)]},
    ),
    r(
        "suggestion-interview-choose",
        "post",
        "401 200 404 403 404 403 404 404",
        pk("invited"),
        lambda o: {"slot": o.offered_slot.pk},
    ),
    r("suggestion-interview-other-time", "post", "401 200 404 403 404 403 404 404", pk("invited")),
    r(
        "suggestion-interview-move",
        "post",
        "401 403 404 403 404 200 404 404",
        pk("accepted"),
        _slot_body(13),
    ),
    r("suggestion-interview-cancel", "post", "401 200 404 403 404 200 404 404", pk("accepted")),
    # Notifications: each person's own.
    r("notification-list", "get", "401 200 200 200 200 200 200 200"),
    r("notification-read", "post", "401 200 404 404 404 404 404 404", pk("notification")),
    r("notification-read-all", "post", "401 200 200 200 200 200 200 200"),
    # Webhooks: an organisation's admins only (bram for company X).
    r("webhook-list", "get", "401 200 200 200 200 200 200 200"),
    r(
        "webhook-list",
        "post",
        "401 403 403 403 403 201 403 403",
        body=lambda o: {
            "organisation": o.world.company_x.slug,
            "url": "https://ats.example.nl/andere-hook",
            "events": ["placement.confirmed"],
        },
    ),
    r("webhook-detail", "get", "401 404 404 404 404 200 404 404", pk("webhook")),
    r("webhook-detail", "delete", "401 404 404 404 404 204 404 404", pk("webhook")),
    r("webhook-deliveries", "get", "401 404 404 404 404 200 404 404", pk("webhook")),
    # Placements
    r("placement-list", "get", "401 200 200 200 200 200 200 200"),
    r("placement-detail", "get", "401 200 404 200 404 200 404 404", pk("placement")),
    r(
        "placement-cancel",
        "post",
        "401 403 404 200 404 200 404 404",
        pk("placement"),
        {"reason": "Verhuisd"},
    ),
    # Runs
    r("run-list", "get", "401 403 403 403 403 403 403 200"),
    r("run-detail", "get", "401 403 403 403 403 403 403 200", pk("run")),
    # Tokens
    r("token-list", "get", "401 200 200 200 200 200 200 200"),
    r("token-list", "post", "401 201 201 201 201 201 201 201", body={"name": "Koppeling"}),
    r("token-detail", "get", "401 200 404 404 404 404 404 404", pk("token")),
    r("token-detail", "delete", "401 204 404 404 404 404 404 404", pk("token")),
    # Imports: each person sees only their own.
    r("import-list", "get", "401 200 200 200 200 200 200 200"),
    r("import-detail", "get", "401 404 404 200 404 404 404 404", pk("job")),
    # Courses: public; a student, career changer or employee signs up (pim already
    # did); dirk keeps school A's courses and decides on their sign-ups.
    r("course-list", "get", "200 200 200 200 200 200 200 200"),
    r("course-detail", "get", "200 200 200 200 200 200 200 200", slug("course")),
    r(
        "course-detail",
        "get",
        "404 404 404 200 404 404 404 404",
        slug("draft_course"),
        label="draft",
    ),
    r("course-sign-up", "post", "401 201 409 403 403 201 201 403", slug("course"), {}),
    r("course-suggestion-list", "get", "401 200 200 200 200 200 200 200"),
    r("sign-up-list", "get", "401 200 200 200 200 200 200 200"),
    r("sign-up-confirm", "post", "401 404 403 200 404 404 404 404", pk("enrolment")),
    r("sign-up-decline", "post", "401 404 403 200 404 404 404 404", pk("enrolment")),
    # Completion needs a confirmed sign-up first (409 for the provider).
    r("sign-up-complete", "post", "401 404 403 409 404 404 404 404", pk("enrolment")),
    r("sign-up-withdraw", "post", "401 404 200 403 404 404 404 404", pk("enrolment")),
    # Guest lessons: companies keep offers; counsellors see the active ones and ask
    # for a class; a request is seen by its school and the company it went to.
    r("guest-offer-list", "get", "401 200 200 200 200 200 200 200"),
    r("guest-offer-list", "post", "401 403 403 403 403 201 201 403", body=GUEST_OFFER_BODY),
    r(
        "guest-offer-detail",
        "get",
        "401 404 404 200 200 200 404 404",
        lambda o: [o.guest_planned.offer_id],
    ),
    r(
        "guest-offer-detail",
        "patch",
        "401 404 404 403 403 200 404 404",
        lambda o: [o.guest_planned.offer_id],
        {"topic": "Lassen voor beginners", "active": False},
    ),
    r("guest-request-list", "get", "401 200 200 200 200 200 200 200"),
    r("guest-request-list", "post", "401 403 403 201 201 403 403 403", body=GUEST_REQUEST_BODY),
    r("guest-request-detail", "get", "401 404 404 200 404 200 404 404", pk("guest_planned")),
    r(
        "guest-request-detail",
        "patch",
        "401 404 404 200 404 404 404 404",
        pk("guest_open"),
        {"pupils": 18},
    ),
    # Planned: not changed any more (409); the company never changes it (403).
    r(
        "guest-request-detail",
        "patch",
        "401 404 404 409 404 403 404 404",
        pk("guest_planned"),
        {"pupils": 18},
        label="planned",
    ),
    r("guest-request-offers", "get", "401 404 404 200 404 404 404 404", pk("guest_open")),
    r(
        "guest-request-send",
        "post",
        "401 404 404 200 404 404 404 404",
        pk("guest_open"),
        lambda o: {"offer": o.guest_planned.offer_id},
    ),
    r(
        "guest-request-accept",
        "post",
        "401 404 404 403 404 200 404 404",
        pk("guest_sent"),
        lambda o: {"message": "Graag", "slots": [_slot_body(20)]},
    ),
    r(
        "guest-request-decline",
        "post",
        "401 404 404 403 404 200 404 404",
        pk("guest_sent"),
        {"answer": "Geen tijd dit jaar."},
    ),
    r(
        "guest-request-choose",
        "post",
        "401 404 404 409 404 403 404 404",
        pk("guest_planned"),
        {"slot": 1},
    ),
    # Before its date a lesson is not given (409 for both sides).
    r(
        "guest-request-given",
        "post",
        "401 404 404 409 404 409 404 404",
        pk("guest_planned"),
        {"pupils_reached": 20},
    ),
    r("guest-request-cancel", "post", "401 404 404 200 404 200 404 404", pk("guest_planned")),
]
# Routes checked elsewhere: starting a run needs a broker (tests/web/test_runs.py);
# uploads are multipart, with every persona, in tests/api/test_imports.py.
ELSEWHERE = {("run-start", "post"), ("import-students", "post"), ("import-openings", "post")}
CASES = [(row, persona) for row in ROWS for persona in PERSONAS]


@pytest.mark.parametrize(
    ("row", "persona"),
    CASES,
    ids=[f"{row.method}-{row.route}{'-' + row.label if row.label else ''}-{p}" for row, p in CASES],
)
def test_the_matrix(objects: Objects, row: Row, persona: str) -> None:
    expected = int(row.expect.split()[PERSONAS.index(persona)])
    client = APIClient()
    user = objects.user(persona)
    if user is not None:
        client.force_authenticate(user)
    url = reverse(f"api:{row.route}", args=row.args(objects))
    body = row.body(objects) if callable(row.body) else row.body
    response = getattr(client, row.method)(url, body, format="json")
    assert response.status_code == expected, response.content[:300]
    if expected >= 400 and response.get("Content-Type", "").startswith("application/json"):
        assert set(response.json()) == {"error", "detail", "fields"}


def _api_routes() -> set[str]:
    resolver = get_resolver()
    names: set[str] = set()

    def walk(patterns: list, namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and namespace == "api" and p.name:
                names.add(p.name)

    walk(resolver.url_patterns, None)
    return names


def test_every_route_is_in_the_matrix() -> None:
    covered = {row.route for row in ROWS} | {route for route, _m in ELSEWHERE}
    assert _api_routes() - covered == set()
    assert len(set(PERSONAS)) == len(PERSONAS)
    for row in ROWS:
        assert len(row.expect.split()) == len(PERSONAS), row


# ----- organisation keys --------------------------------------------------------
# The same rules through organisation keys, read (r) and read-write (rw): a key
# of school A acts as its counsellor, a key of company X as its member, and a
# key of company Y is the outsider. A read key may not write (403) whatever it
# names.
KEY_PERSONAS = {
    "A-r": ("school_a", "read"),
    "A-rw": ("school_a", "read_write"),
    "X-r": ("company_x", "read"),
    "X-rw": ("company_x", "read_write"),
    "Y-rw": ("company_y", "read_write"),
}
KEY_ROWS = [
    r("me", "get", "200 200 200 200 200"),
    r("profile-list", "get", "200 200 200 200 200"),
    r("profile-detail", "get", "200 200 404 404 404", lambda o: [o.world.sam.profile.pk]),
    r("suggestion-detail", "get", "200 200 200 200 404", pk("forwarded")),
    r("suggestion-approve", "post", "403 200 403 404 404", pk("suggested")),
    r("suggestion-invite", "post", "403 403 403 200 404", pk("forwarded")),
    r("opening-list", "post", "403 403 403 201 201", body=OPENING_BODY),
    r("placement-detail", "get", "200 200 200 200 404", pk("placement")),
    r(
        "placement-cancel",
        "post",
        "403 200 403 200 404",
        pk("placement"),
        {"reason": "Verhuisd"},
    ),
    r("token-list", "post", "403 403 403 403 403", body={"name": "Koppeling"}),
    r("kpis", "get", "403 403 403 403 403"),
    r("notification-list", "get", "200 200 200 200 200"),
]
KEY_CASES = [(row, persona) for row in KEY_ROWS for persona in KEY_PERSONAS]


@pytest.mark.parametrize(
    ("row", "persona"),
    KEY_CASES,
    ids=[f"{row.method}-{row.route}-{p}" for row, p in KEY_CASES],
)
def test_the_matrix_with_organisation_keys(objects: Objects, row: Row, persona: str) -> None:
    from accounts import keys
    from accounts.models import Membership

    w = objects.world
    Membership.objects.filter(user__in=[w.dirk, w.bram, w.otto]).update(is_admin=True)
    attribute, scope = KEY_PERSONAS[persona]
    organisation = getattr(w, attribute)
    admin = {"school_a": w.dirk, "company_x": w.bram, "company_y": w.otto}[attribute]
    _key, secret = keys.organisation_key_create(
        by=admin, organisation=organisation, name=persona, scope=scope, days=30
    )
    expected = int(row.expect.split()[list(KEY_PERSONAS).index(persona)])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    url = reverse(f"api:{row.route}", args=row.args(objects))
    body = row.body(objects) if callable(row.body) else row.body
    response = getattr(client, row.method)(url, body, format="json")
    assert response.status_code == expected, response.content[:300]
    if expected >= 400:
        assert set(response.json()) == {"error", "detail", "fields"}
