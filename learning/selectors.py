"""Reads for courses, sign-ups and course suggestions, scoped to the viewer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from accounts import selectors as accounts_selectors
from accounts.models import Membership, Organisation, OrganisationKind, Role, User
from learning.models import (
    ENROLMENT_ACTIVE,
    Audience,
    Course,
    CourseSuggestion,
    Enrolment,
    EnrolmentStatus,
    GuestOffer,
    GuestRequest,
    GuestRequestStatus,
)
from marketplace.models import Placement, PlacementStatus, Profile
from marketplace.selectors import skill_labels
from matching.engine.courses import CourseRecord, GapSuggestion
from matching.engine.guests import (
    GuestOfferRecord,
    GuestRequestRecord,
    OfferMatch,
    offers_for_requests,
)
from matching.models import Match, MatchState
from matching.selectors import explanation_skills

PROVIDER_KINDS = (OrganisationKind.LEARNING_LOCATION, OrganisationKind.SCHOOL)
# A person's suggestions read for their gap: the best this many, by score.
GAP_SUGGESTIONS = 10
# Suggestions a person turned down (or that were turned down for them) say
# nothing about the skills they want.
GAP_STATES_LEFT_OUT = (
    MatchState.REJECTED,
    MatchState.STUDENT_NO,
    MatchState.RETIRED,
    MatchState.WITHDRAWN,
    MatchState.DECLINED,
)


def courses_public() -> QuerySet[Course]:
    return (
        Course.objects.filter(is_published=True)
        .select_related("provider", "place")
        .prefetch_related("course_skills__skill")
    )


def profiles_suggested_opening(*, opening_id: int) -> list[int]:
    """The profiles with a suggestion of this opening, in any state (one it just
    retired included): those whose gaps, and so whose courses, it moves."""
    return list(
        Match.objects.filter(opening_id=opening_id).values_list("profile_id", flat=True).distinct()
    )


def providers_for(*, user: User) -> QuerySet[Organisation]:
    """The learning locations and schools whose courses this person keeps: those
    where they are a counsellor (a coach)."""
    if not accounts_selectors.user_has_role(user=user, role=Role.COUNSELLOR):
        return Organisation.objects.none()
    return accounts_selectors.organisations_for_user(user=user, role=Role.COUNSELLOR).filter(
        kind__in=PROVIDER_KINDS
    )


def courses_managed_by(*, user: User) -> QuerySet[Course]:
    return (
        Course.objects.filter(provider__in=providers_for(user=user))
        .select_related("provider", "place")
        .prefetch_related("course_skills__skill")
        .annotate(
            waiting=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.REQUESTED))
        )
    )


def courses_visible_to(*, viewer: User) -> QuerySet[Course]:
    """Published courses, and a provider's own drafts for its coaches."""
    managed = providers_for(user=viewer)
    return (
        Course.objects.filter(Q(is_published=True) | Q(provider__in=managed))
        .select_related("provider", "place")
        .prefetch_related("course_skills__skill")
    )


def enrolments_for_provider(*, viewer: User) -> QuerySet[Enrolment]:
    """Sign-ups for the courses this viewer keeps; none for anyone else."""
    return Enrolment.objects.filter(course__provider__in=providers_for(user=viewer)).select_related(
        "course", "user"
    )


def enrolments_visible_to(*, viewer: User) -> QuerySet[Enrolment]:
    """A person's own sign-ups, and those for the courses they keep as a coach."""
    if not viewer.is_authenticated:
        return Enrolment.objects.none()
    return (
        Enrolment.objects.filter(
            Q(user=viewer) | Q(course__provider__in=providers_for(user=viewer))
        )
        .select_related("course", "course__provider", "user")
        .order_by("-requested_at", "-pk")
    )


def enrolments_of(*, user: User) -> QuerySet[Enrolment]:
    if not user.is_authenticated:
        return Enrolment.objects.none()
    return Enrolment.objects.filter(user=user).select_related("course", "course__provider")


def enrolment_live(*, course: Course, user: User) -> Enrolment | None:
    if not user.is_authenticated:
        return None
    return (
        Enrolment.objects.filter(
            course=course,
            user=user,
            status__in=[*ENROLMENT_ACTIVE, EnrolmentStatus.COMPLETED],
        )
        .order_by("-pk")
        .first()
    )


def seats_taken(*, course: Course) -> int:
    return course.enrolments.filter(
        status__in=[EnrolmentStatus.CONFIRMED, EnrolmentStatus.COMPLETED]
    ).count()


def group_of(*, user: User) -> str | None:
    """The group a person joins a course in: a career changer, a pupil or student
    of a school, or an employee of a company; None for anyone else."""
    if not user.is_authenticated:
        return None
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    if Role.STUDENT in roles:
        changer = Profile.objects.filter(user=user, is_career_changer=True).exists()
        if changer or accounts_selectors.user_is_self_directed_student(user=user):
            return Audience.CAREER_CHANGER
        return Audience.PUPIL
    if Role.COMPANY_MEMBER in roles:
        return Audience.EMPLOYEE
    return None


def course_suggestions_for(*, user: User) -> QuerySet[CourseSuggestion]:
    if not user.is_authenticated:
        return CourseSuggestion.objects.none()
    return (
        CourseSuggestion.objects.filter(profile__user=user, course__is_published=True)
        .select_related("course", "course__provider", "course__place")
        .order_by("rank")
    )


def profiles_for_course_suggestions(ids: Iterable[int] | None = None) -> QuerySet[Profile]:
    """Career changers, and students without a current placement, open to
    suggestions."""
    from django.utils import timezone

    today = timezone.localdate()
    placed = Placement.objects.filter(status=PlacementStatus.CONFIRMED).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    profiles = Profile.objects.filter(is_visible=True).filter(
        Q(is_career_changer=True) | ~Q(pk__in=placed.values("profile_id"))
    )
    if ids is not None:
        profiles = profiles.filter(pk__in=list(ids))
    return profiles


def _must_entries(explanation: dict) -> tuple[int, tuple[tuple[str, int], ...]]:
    """How many must-haves an explanation lists, and the unmet ones with their
    level: held below the level asked, only a related skill held, or missing.
    Read through ``explanation_skills``, so older engines' explanations count the
    same way the pages show them."""
    lists = explanation_skills(explanation)
    total, unmet = 0, []
    for key in ("matched", "partial", "related"):
        for item in lists[key]:
            if item.get("importance", "must") != "must":
                continue
            total += 1
            if key != "matched":
                unmet.append((item["skill"], int(item.get("required_level") or 1)))
    for item in lists["missing"]:
        total += 1
        unmet.append((item["skill"], int(item.get("required_level") or 1)))
    return total, tuple(unmet)


def gaps_for(*, profile_ids: Iterable[int]) -> dict[int, list[GapSuggestion]]:
    """Each profile's best suggestions (by score) as the course ranking reads
    them: the opening, the score and the must-haves met and unmet."""
    gaps: dict[int, list[GapSuggestion]] = {pk: [] for pk in profile_ids}
    rows = (
        Match.objects.filter(profile_id__in=list(gaps), profile_rank__isnull=False)
        .exclude(state__in=GAP_STATES_LEFT_OUT)
        .order_by("profile_id", "-score", "pk")
        .values_list("profile_id", "opening_id", "score", "explanation")
    )
    for profile_id, opening_id, score, explanation in rows.iterator(chunk_size=2000):
        mine = gaps[profile_id]
        if len(mine) >= GAP_SUGGESTIONS:
            continue
        total, unmet = _must_entries(explanation or {})
        mine.append(GapSuggestion(opening_id, min(max(float(score), 0.0), 1.0), total, unmet))
    return gaps


def course_records() -> list[CourseRecord]:
    """Published courses that are still to come or on request, with their skills."""
    from django.utils import timezone

    today = timezone.localdate()
    courses = (
        Course.objects.filter(is_published=True)
        .filter(Q(on_request=True) | Q(starts_on__gte=today))
        .prefetch_related("course_skills__skill")
        .order_by("pk")
    )
    return [
        CourseRecord(c.pk, tuple((cs.skill.slug, cs.level) for cs in c.course_skills.all()))
        for c in courses
    ]


# An opening open at least this long counts double in its company's course list.
HARD_TO_FILL_DAYS = 30


def courses_for_company(*, company: Organisation, k: int = 10) -> list[dict]:
    """Courses for a company's staff: ranked, with the same engine function as a
    person's course suggestions, by the must-haves of the company's open openings
    with places left that they teach; an opening open 30 days or more (hard to
    fill) weighs twice as much. Computed on request: one company's openings."""
    from django.utils import timezone

    from marketplace.models import Opening, OpeningStatus, Skill
    from matching.engine.courses import courses_for_gaps

    since = timezone.now() - dt.timedelta(days=HARD_TO_FILL_DAYS)
    openings = list(
        Opening.objects.filter(company=company, status=OpeningStatus.OPEN)
        .prefetch_related("opening_skills__skill")
        .order_by("pk")
    )
    asked = []
    for o in openings:
        if o.places_left <= 0:
            continue
        musts = tuple(
            (row.skill.slug, row.min_level)
            for row in o.opening_skills.all()
            if row.importance == "must"
        )
        hard = o.published_at is not None and o.published_at <= since
        asked.append(GapSuggestion(o.pk, 1.0 if hard else 0.5, len(musts), musts))
    courses = [c for c in course_records() if c.skills]
    skills = list(Skill.objects.order_by("slug").values_list("slug", flat=True))
    ranked = courses_for_gaps(gaps={company.pk: asked}, courses=courses, skills=skills, k=k)
    by_id = {
        c.pk: c
        for c in Course.objects.filter(pk__in=[r.course_id for r in ranked]).select_related(
            "provider", "place"
        )
    }
    titles = {o.pk: o for o in openings}
    labels = skill_labels(slugs={slug for r in ranked for slug, _level in r.closes})
    return [
        {
            "course": by_id[r.course_id],
            "score": r.score,
            "closes": [labels.get(slug, slug) for slug, _level in r.closes],
            "openings": [titles[o.opening_id] for o in r.openings if o.opening_id in titles],
        }
        for r in ranked
        if r.course_id in by_id
    ]


# -- guest lessons ------------------------------------------------------------------

# What a learning location's coaches see of the region's guest lessons.
GUEST_REGION_STATES = (GuestRequestStatus.PLANNED, GuestRequestStatus.GIVEN)


def guest_companies_for(*, user: User) -> QuerySet[Organisation]:
    """The companies whose guest-lesson offers this person keeps."""
    return accounts_selectors.organisations_for_user(user=user, role=Role.COMPANY_MEMBER).filter(
        kind=OrganisationKind.COMPANY
    )


def _offers() -> QuerySet[GuestOffer]:
    return GuestOffer.objects.select_related("company", "place").prefetch_related("skills")


def guest_offers_of(*, viewer: User) -> QuerySet[GuestOffer]:
    return _offers().filter(company__in=guest_companies_for(user=viewer))


def _offers_open() -> QuerySet[GuestOffer]:
    """Offers schools may see and send to: active, of a company a coordinator
    verified (as openings: an unchecked sign-up reaches no school)."""
    return _offers().filter(is_active=True, company__verified_at__isnull=False)


def guest_offers_visible_to(*, viewer: User) -> QuerySet[GuestOffer]:
    """Active offers of verified companies for those who may ask for one
    (counsellors of a school or learning location); a company's own offers,
    active or not, for its members."""
    own = Q(company__in=guest_companies_for(user=viewer))
    if providers_for(user=viewer).exists():
        return _offers().filter(Q(pk__in=_offers_open().values("pk")) | own)
    return _offers().filter(own)


def is_learning_location_coach(*, user: User) -> bool:
    return providers_for(user=user).filter(kind=OrganisationKind.LEARNING_LOCATION).exists()


def guest_requests_for(*, viewer: User) -> QuerySet[GuestRequest]:
    """A school's (or learning location's) own requests for its counsellors; the
    requests sent to a company's offers for its members; and every planned or given
    guest lesson in the region for a learning location's coaches."""
    # A company sees what was sent to it until it declines: a declined request
    # is the school's again, to change and send elsewhere.
    scope = Q(organisation__in=providers_for(user=viewer)) | Q(
        offer__company__in=guest_companies_for(user=viewer),
        status__in=[
            s
            for s in GuestRequestStatus.values
            if s not in (GuestRequestStatus.OPEN, GuestRequestStatus.DECLINED)
        ],
    )
    if is_learning_location_coach(user=viewer):
        scope |= Q(status__in=GUEST_REGION_STATES, place__in_region=True)
    return (
        GuestRequest.objects.filter(scope)
        .select_related("organisation", "offer__company", "place", "requested_by")
        .prefetch_related("skills", "slots")
    )


def guest_request_roles(*, request: GuestRequest, viewer: User) -> set[str]:
    """How the viewer stands to a request they can see: "requester", "company",
    or only "coach" (a learning location's coach who follows the region)."""
    roles = set()
    if providers_for(user=viewer).filter(pk=request.organisation_id).exists():
        roles.add("requester")
    if (
        request.offer is not None
        and guest_companies_for(user=viewer).filter(pk=request.offer.company_id).exists()
    ):
        roles.add("company")
    return roles or {"coach"}


def guest_offer_records(offers: Iterable[GuestOffer]) -> list[GuestOfferRecord]:
    return [
        GuestOfferRecord(
            id=o.pk,
            format=o.format,
            text=f"{o.topic}\n{o.description}",
            skills=tuple(s.slug for s in o.skills.all()),
            levels=frozenset(o.levels),
            venues=frozenset(o.venues),
            lat=o.place.latitude,
            lon=o.place.longitude,
            reach_km=float(o.reach_km),
        )
        for o in offers
    ]


def guest_offers_ranked(
    *, request: GuestRequest, k: int = 5
) -> list[tuple[GuestOffer, OfferMatch]]:
    """The active offers that fit a request, best first, each with why it fits."""
    offers = list(_offers_open())
    record = GuestRequestRecord(
        id=request.pk,
        format=request.format,
        text=f"{request.topic}\n{request.note}",
        skills=tuple(s.slug for s in request.skills.all()),
        level=request.level,
        venues=frozenset(request.venues),
        lat=request.place.latitude,
        lon=request.place.longitude,
    )
    found = offers_for_requests(requests=[record], offers=guest_offer_records(offers), k=k)
    by_id = {o.pk: o for o in offers}
    return [(by_id[m.offer_id], m) for m in found]
