"""Reads of matches, scoped to the viewer: review queues, a student's suggestions,
a company's candidates, and the audit log.

The anonymised candidate (``candidate_for_company``) is the one code path by
which a company sees a student, for the API and the pages alike.

May import: accounts, marketplace, matching.models. Never api/ or web/.
"""

from __future__ import annotations

import base64
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.exceptions import NotAllowed
from accounts.models import Membership, OrganisationKind, Role, User
from accounts.selectors import (
    organisations_for_user,
    user_has_role,
    user_is_self_directed_student,
)
from marketplace.models import Opening, OpeningStatus, Placement, PlacementStatus, Profile
from matching.audit import personal_data_viewed
from matching.models import (
    FORWARDED_STATES,
    REVEALED_STATES,
    AuditEntry,
    Match,
    MatchState,
)

# Distances a company sees instead of the exact one: (upper bound in km, code).
DISTANCE_BANDS = [(5, "0-5"), (10, "5-10"), (25, "10-25"), (50, "25-50")]
DISTANCE_BAND_FAR = "50+"


def _counselled_students(*, viewer: User) -> QuerySet[User]:
    """Students of the schools and learning locations the viewer counsels."""
    return User.objects.filter(
        memberships__role=Role.STUDENT,
        memberships__organisation__in=organisations_for_user(user=viewer, role=Role.COUNSELLOR),
    )


def review_queue_for_viewer(*, viewer: User) -> QuerySet[Match]:
    """Suggestions waiting for this viewer's decision, best first: their
    students' (as counsellor) and their own (as an adult without a school)."""
    if not viewer.is_authenticated or not viewer.is_active:
        return Match.objects.none()
    scope = Q(profile__user__in=_counselled_students(viewer=viewer))
    if user_is_self_directed_student(user=viewer):
        scope |= Q(profile__user=viewer)
    return (
        Match.objects.filter(scope, state=MatchState.SUGGESTED, opening__status=OpeningStatus.OPEN)
        .select_related("profile__user", "opening__company", "opening__place")
        .order_by("-score", "pk")
    )


def suggestions_for_student(*, student: User) -> QuerySet[Match]:
    """What the student sees: suggestions a reviewer approved, and what followed."""
    shown = [s for s in MatchState.values if s not in (MatchState.SUGGESTED, MatchState.RETIRED)]
    shown.remove(MatchState.REJECTED)
    return (
        Match.objects.filter(profile__user=student, state__in=shown)
        .select_related("opening__company", "opening__place")
        .order_by("-score", "pk")
    )


def candidates_for_opening(*, opening: Opening, viewer: User) -> QuerySet[Match]:
    """The students forwarded to this opening (they said yes), for its company."""
    if not user_has_role(user=viewer, role=Role.COMPANY_MEMBER, organisation=opening.company):
        raise NotAllowed(_("Only the company's own members see its candidates."))
    return (
        Match.objects.filter(opening=opening, state__in=FORWARDED_STATES)
        .select_related("profile__user", "opening__company")
        .prefetch_related("profile__profile_skills__skill")
        .order_by("-score", "pk")
    )


def matches_for_viewer(*, viewer: User) -> QuerySet[Match]:
    """Every match this viewer may open: their own (approved on), their students',
    and the candidates forwarded to their company."""
    if not viewer.is_authenticated or not viewer.is_active:
        return Match.objects.none()
    companies = organisations_for_user(user=viewer, role=Role.COMPANY_MEMBER)
    own = Q(profile__user=viewer) & ~Q(state__in=[MatchState.SUGGESTED, MatchState.RETIRED])
    if user_is_self_directed_student(user=viewer):
        own = Q(profile__user=viewer)
    scope = (
        own
        | Q(profile__user__in=_counselled_students(viewer=viewer))
        | Q(opening__company__in=companies, state__in=FORWARDED_STATES)
    )
    return Match.objects.filter(scope).select_related(
        "profile__user", "opening__company", "opening__place"
    )


def candidate_pseudonym(*, profile_id: int, company_id: int) -> str:
    """A stable name for a candidate within one company, like "Kandidaat 7F3K".

    Keyed on the company too, so that two companies cannot tell they saw the
    same person; derived from the secret key, so nobody can reverse it.
    """
    digest = salted_hmac("maakmatch.candidate", f"{profile_id}:{company_id}").digest()
    code = base64.b32encode(digest).decode()[:4]
    return _("Candidate %(code)s") % {"code": code}


def distance_band(distance_km: float | None) -> str | None:
    if distance_km is None:
        return None
    for bound, band in DISTANCE_BANDS:
        if distance_km < bound:
            return band
    return DISTANCE_BAND_FAR


def _explanation_for_company(explanation: dict[str, Any]) -> dict[str, Any]:
    """The reasons without the exact distance and travel radius, which would
    narrow down where the student lives."""
    hidden = {"distance_km", "radius_km"}
    shown = {k: v for k, v in explanation.items() if k not in hidden}
    shown["distance_band"] = distance_band(explanation.get("distance_km"))
    return shown


def candidate_for_company(*, match: Match, viewer: User) -> dict[str, Any]:
    """What a company member sees of a candidate, for this match's state.

    Before the student accepts an invitation: skills and levels, education level,
    availability, distance band, the explanation and a pseudonym. Nothing that
    names, dates, places or pictures the person. After accepting: also their name
    and email address, and every such view is written to the audit log.
    """
    opening = match.opening
    if not user_has_role(user=viewer, role=Role.COMPANY_MEMBER, organisation=opening.company):
        raise NotAllowed(_("Only the company's own members see its candidates."))
    if match.state not in FORWARDED_STATES:
        raise NotAllowed(_("This candidate has not been forwarded to your company."))
    profile: Profile = match.profile
    english = (get_language() or "nl").startswith("en")
    skills = [
        {
            "skill": ps.skill.slug,
            "label": ps.skill.label_en if english else ps.skill.label_nl,
            "level": ps.level,
        }
        for ps in sorted(profile.profile_skills.all(), key=lambda ps: ps.skill.slug)
    ]
    candidate: dict[str, Any] = {
        "match": match.pk,
        "pseudonym": candidate_pseudonym(profile_id=profile.pk, company_id=opening.company_id),
        "state": match.state,
        "opening": opening.pk,
        "score": round(match.score, 4),
        "education_level": profile.education_level or None,
        "skills": skills,
        "availability": {
            "from": profile.available_from,
            "until": profile.available_until,
            "hours_per_week": profile.hours_per_week,
        },
        "distance_band": distance_band(match.explanation.get("distance_km")),
        "explanation": _explanation_for_company(match.explanation),
        "contact": None,
    }
    if match.state in REVEALED_STATES:
        user = profile.user
        candidate["contact"] = {"name": user.full_name, "email": user.email}
        personal_data_viewed(viewer=viewer, students=[user], match=match, what="contact")
    return candidate


def audit_entries_for_viewer(*, viewer: User) -> QuerySet[AuditEntry]:
    """Coordinators see the whole region's log; counsellors see the entries about
    their students; a student sees the entries about themself."""
    if not viewer.is_authenticated or not viewer.is_active:
        return AuditEntry.objects.none()
    entries = AuditEntry.objects.select_related("actor", "student", "match__opening")
    if user_has_role(user=viewer, role=Role.COORDINATOR):
        return entries
    return entries.filter(
        Q(student__in=_counselled_students(viewer=viewer)) | Q(student=viewer)
    ).distinct()


def placements_for_viewer(*, viewer: User) -> QuerySet[Placement]:
    """The parties to a placement: the student, their counsellors, the company."""
    if not viewer.is_authenticated or not viewer.is_active:
        return Placement.objects.none()
    companies = organisations_for_user(user=viewer, role=Role.COMPANY_MEMBER)
    scope = (
        Q(profile__user=viewer)
        | Q(profile__user__in=_counselled_students(viewer=viewer))
        | Q(company__in=companies)
    )
    return Placement.objects.filter(scope).select_related("opening", "company", "profile__user")


def review_queue_sizes() -> dict[int, int]:
    """For every person with suggestions to review, how many wait: counsellors
    count their students' queue, adults without a school their own. Three
    queries, whatever the number of people (the counsellors' digest input)."""
    per_student = dict(
        Match.objects.filter(state=MatchState.SUGGESTED, opening__status=OpeningStatus.OPEN)
        .values_list("profile__user_id")
        .annotate(n=Count("pk"))
        .values_list("profile__user_id", "n")
    )
    if not per_student:
        return {}
    sizes: dict[int, int] = {}
    pairs = (
        Membership.objects.filter(
            role=Role.STUDENT,
            user_id__in=per_student,
            organisation__memberships__role=Role.COUNSELLOR,
        )
        .values_list("organisation__memberships__user_id", "user_id")
        .distinct()
    )
    for counsellor_id, student_id in pairs:
        sizes[counsellor_id] = sizes.get(counsellor_id, 0) + per_student[student_id]
    self_directed = (
        Membership.objects.filter(
            role=Role.STUDENT, organisation__isnull=True, user_id__in=per_student
        )
        .exclude(user__memberships__organisation__kind=OrganisationKind.SCHOOL)
        .values_list("user_id", flat=True)
    )
    for user_id in self_directed:
        sizes[user_id] = sizes.get(user_id, 0) + per_student[user_id]
    return sizes


def placement_active_for(*, match: Match) -> Placement | None:
    return Placement.objects.filter(
        profile_id=match.profile_id, opening_id=match.opening_id, status=PlacementStatus.CONFIRMED
    ).first()
