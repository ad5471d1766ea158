"""Reads of matches, scoped to the viewer: review queues, a student's suggestions,
a company's candidates, and the audit log.

The anonymised candidate (``candidate_for_company``) is the one code path by
which a company sees a student, for the API and the pages alike.

May import: accounts, marketplace, matching.models. Never api/ or web/.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts.exceptions import NotAllowed
from accounts.models import EducationLevel, Membership, OrganisationKind, Role, User
from accounts.selectors import (
    organisations_for_user,
    user_has_role,
    user_is_self_directed_student,
)
from audit.models import AuditEntry
from audit.services import personal_data_viewed
from marketplace.models import (
    Opening,
    OpeningStatus,
    Placement,
    PlacementStatus,
    Profile,
    Skill,
)
from marketplace.selectors import openings_of_member
from matching.models import (
    FORWARDED_STATES,
    REVEALED_STATES,
    Interview,
    Match,
    MatchState,
    Stretch,
)
from matching.rules import match_block_reason

# How a score is said in words to students: (lowest score, label), best first. Set
# at about the median score of the shipped labelled set's excellent (0.46) and good
# (0.24) pairs among the suggestions under engine 1.2.0, whose scores run lower than
# 1.1.0's because the context parts count in proportion to the fit.
SCORE_WORDS = [(0.45, gettext_lazy("strong match")), (0.25, gettext_lazy("good match"))]
SCORE_WORDS_OTHERWISE = gettext_lazy("possible match")


def score_words(score: float) -> str:
    for lowest, label in SCORE_WORDS:
        if score >= lowest:
            return str(label)
    return str(SCORE_WORDS_OTHERWISE)


def explanation_skills(explanation: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The explanation's skills in four lists, each required skill in one only:
    held (``matched``), held below the level asked (``partial``), a related skill
    held instead (``related``), and must-haves missing.

    Suggestions stored by engines before 1.1 listed a related or lower-level skill
    among the matched ones (and a lower-level must-have also as missing); they are
    read into the same four lists, so no page says a student holds what they lack."""
    matched, partial, related = [], [], []
    for item in explanation.get("matched_skills", []):
        if item.get("from_text"):  # named in their own words, not ticked
            matched.append(item)
            continue
        via = item.get("via_related")
        # An item without a level says nothing against it: the skill is held.
        level = item.get("level", item.get("required_level", 1))
        required = item.get("required_level") or 1
        if level is None and via:
            related.append({**item, "via": via})
        elif level is not None and level < required:
            partial.append(item)
        elif level is not None:
            matched.append(item)
    partial += explanation.get("partial_skills", [])
    related += explanation.get("related_skills", [])
    shown = {i["skill"] for i in (*partial, *related)}
    missing = [i for i in explanation.get("missing_must_haves", []) if i["skill"] not in shown]
    return {"matched": matched, "partial": partial, "related": related, "missing": missing}


def _skill_namer(explanations: Sequence[dict[str, Any]]) -> Callable[[dict[str, Any]], dict]:
    """Names, in the active language, for the skills the explanations mention
    (one query for them all); the namer turns one explanation into its four lists
    by name, with the levels and the related skill held."""
    lists = [explanation_skills(e) for e in explanations]
    slugs = {
        slug
        for skills in lists
        for items in skills.values()
        for item in items
        for slug in (item["skill"], item.get("via"))
        if slug
    }
    english = (get_language() or "nl").startswith("en")
    labels = {
        slug: (en if english else nl)
        for slug, nl, en in Skill.objects.filter(slug__in=slugs).values_list(
            "slug", "label_nl", "label_en"
        )
    }

    def name(slug: str) -> str:
        return labels.get(slug, slug)

    def named(explanation: dict[str, Any]) -> dict[str, list]:
        skills = explanation_skills(explanation)
        return {
            "matched": [
                {"name": name(i["skill"]), "from_text": bool(i.get("from_text"))}
                for i in skills["matched"]
            ],
            "partial": [
                {"name": name(i["skill"]), "level": i["level"], "required": i["required_level"]}
                for i in skills["partial"]
            ],
            "related": [
                {"name": name(i["skill"]), "via": name(i["via"])} for i in skills["related"]
            ],
            "missing": [name(i["skill"]) for i in skills["missing"]],
        }

    return named


def interviews_by_match(*, match_ids: Sequence[int]) -> dict[int, Interview]:
    """The interviews of these suggestions with their times (two queries)."""
    return {
        i.match_id: i
        for i in Interview.objects.filter(match_id__in=list(match_ids)).prefetch_related("slots")
    }


def suggestion_cards(*, student: User) -> list[dict[str, Any]]:
    """The student's suggestions, ready for their page: the score in words, the
    matched and missing skills by name, the distance, the interview. Five queries."""
    matches = list(suggestions_for_student(student=student))
    named = _skill_namer([m.explanation for m in matches])
    interviews = interviews_by_match(match_ids=[m.pk for m in matches])
    return [
        {
            "interview": interviews.get(m.pk),
            "match": m,
            "words": score_words(m.score),
            **named(m.explanation),
            "distance_km": m.explanation.get("distance_km"),
            "parts": score_parts(m.explanation),
            "status": student_status(m.state),
        }
        for m in matches
    ]


def stretches_for_viewer(*, viewer: User) -> QuerySet[Stretch]:
    """The stretch lists ("Misschien ook interessant") this viewer may read: their
    own, and those of the students they counsel. Never a company's: a stretch is
    about the student, and no company is ever shown one. Open openings only."""
    if not viewer.is_authenticated or not viewer.is_active:
        return Stretch.objects.none()
    scope = Q(profile__user=viewer) | Q(profile__user__in=_counselled_students(viewer=viewer))
    # A pair that is (or was) a suggestion is never also a stretch: what a counsellor
    # rejected, or what is under way, stays where it is.
    suggested = Match.objects.filter(profile=OuterRef("profile"), opening=OuterRef("opening"))
    return (
        Stretch.objects.filter(
            scope,
            ~Exists(suggested),
            profile__is_visible=True,
            profile__user__is_active=True,
            opening__status=OpeningStatus.OPEN,
        )
        .select_related("profile__user", "opening__company", "opening__place")
        .order_by("profile__user__full_name", "profile_id", "position")
    )


def _level_names(codes: Sequence[str]) -> str:
    names = dict(EducationLevel.choices)
    return ", ".join(str(names.get(code, code)) for code in codes)


def _day(iso: str | None) -> str:
    return date_format(dt.date.fromisoformat(iso)) if iso else "…"


def stretch_words(facts: dict[str, Any], *, mine: bool) -> str:
    """The one rule a stretch suggestion misses, with the facts behind it."""
    rule = facts.get("rule")
    if rule == "level":
        values = {
            "level": _level_names([facts["profile"]]) if facts.get("profile") else "?",
            "accepted": _level_names(facts.get("accepted") or []),
        }
        if mine:
            return _("Asks for %(accepted)s; your level is %(level)s.") % values
        return _("Asks for %(accepted)s; the student's level is %(level)s.") % values
    if rule == "dates":
        values = {
            "start": _day(facts.get("start")),
            "end": _day(facts.get("end")),
            "from": _day(facts.get("available_from")),
            "to": _day(facts.get("available_to")),
        }
        if mine:
            return _("Runs %(start)s to %(end)s; you are available %(from)s to %(to)s.") % values
        return _("Runs %(start)s to %(end)s; the student is available %(from)s to %(to)s.") % values
    if rule == "hours":
        values = {"asked": facts.get("asked"), "available": facts.get("available")}
        if mine:
            return _("Asks %(asked)s hours a week; you can work %(available)s.") % values
        return _("Asks %(asked)s hours a week; the student can work %(available)s.") % values
    return ""


def stretch_cards(*, stretches: Sequence[Stretch], mine: bool) -> list[dict[str, Any]]:
    """Stretch suggestions for a page: the opening, the rule missed in words, and
    the skills by name (one query for the names)."""
    named = _skill_namer([s.explanation for s in stretches])
    return [
        {
            "stretch": s,
            "miss": stretch_words(s.explanation.get("stretch") or {"rule": s.rule}, mine=mine),
            **named(s.explanation),
            "distance_km": s.explanation.get("distance_km"),
        }
        for s in stretches
    ]


# The six parts of a score, by name, for "why this suggestion".
PART_LABELS = {
    "skills": gettext_lazy("your skills against what is asked"),
    "text": gettext_lazy("your own words against the opening's text"),
    "level": gettext_lazy("your education level"),
    "distance": gettext_lazy("travel distance"),
    "availability": gettext_lazy("your availability"),
    "sector": gettext_lazy("your interest in the sector"),
}


# How well one part fits, in words: (lowest share, words), best first.
PART_WORDS = [
    (0.75, gettext_lazy("fits well")),
    (0.4, gettext_lazy("fits partly")),
    (0.0, gettext_lazy("fits little")),
]


def score_parts(explanation: dict[str, Any]) -> list[dict[str, Any]]:
    """Each part of the score as a label, a percentage (for a bar) and words."""
    features = explanation.get("features") or {}
    parts = []
    for key, label in PART_LABELS.items():
        value = features.get(key)
        if not isinstance(value, int | float):
            continue
        words = next(str(w) for lowest, w in PART_WORDS if value >= lowest)
        parts.append({"key": key, "label": label, "percent": round(100 * value), "words": words})
    return parts


# Distances a company sees instead of the exact one: (upper bound in km, code).
DISTANCE_BANDS = [(5, "0-5"), (10, "5-10"), (25, "10-25"), (50, "25-50")]
DISTANCE_BAND_FAR = "50+"


def _counselled_students(*, viewer: User) -> QuerySet[User]:
    """Students of the schools and learning locations the viewer counsels."""
    return User.objects.filter(
        memberships__role=Role.STUDENT,
        memberships__organisation__in=organisations_for_user(user=viewer, role=Role.COUNSELLOR),
    )


def reviewable_matches_for_viewer(*, viewer: User) -> QuerySet[Match]:
    """Every match this viewer reviews, in any state: their students' (as
    counsellor) and their own (as an adult without a school). Never a company's
    candidates: a reviewer's card names the student."""
    if not viewer.is_authenticated or not viewer.is_active:
        return Match.objects.none()
    scope = Q(profile__user__in=_counselled_students(viewer=viewer))
    if user_is_self_directed_student(user=viewer):
        scope |= Q(profile__user=viewer)
    return Match.objects.filter(scope, profile__user__is_active=True).select_related(
        "profile__user", "opening__company", "opening__place"
    )


def review_queue_for_viewer(*, viewer: User) -> QuerySet[Match]:
    """Suggestions waiting for this viewer's decision, best first."""
    return (
        reviewable_matches_for_viewer(viewer=viewer)
        .filter(state=MatchState.SUGGESTED, opening__status=OpeningStatus.OPEN)
        .order_by("-score", "pk")
    )


# What a student sees of their own matches: what a reviewer approved, and what
# followed. Suggestions waiting for review, retired or rejected stay with the reviewer.
STUDENT_VISIBLE_STATES = [
    s
    for s in MatchState.values
    if s not in (MatchState.SUGGESTED, MatchState.RETIRED, MatchState.REJECTED)
]


def suggestions_for_student(*, student: User) -> QuerySet[Match]:
    """What the student sees: suggestions a reviewer approved, and what followed."""
    return (
        Match.objects.filter(profile__user=student, state__in=STUDENT_VISIBLE_STATES)
        .select_related("opening__company", "opening__place")
        .order_by("-score", "pk")
    )


def candidates_for_opening(*, opening: Opening, viewer: User) -> QuerySet[Match]:
    """The students forwarded to this opening (they said yes), for its company."""
    _company_member_check(viewer=viewer, company_id=opening.company_id)
    return (
        Match.objects.filter(
            opening=opening, state__in=FORWARDED_STATES, profile__user__is_active=True
        )
        .select_related("profile__user", "opening__company")
        .prefetch_related("profile__profile_skills__skill")
        .order_by("-score", "pk")
    )


def matches_for_viewer(*, viewer: User) -> QuerySet[Match]:
    """Every match this viewer may open: their own (approved on; all of them for an
    adult without a school, who reviews their own), their students', and the
    candidates forwarded to their company.

    The scopes are resolved to row ids first (a few small queries), so that the
    final filter is an OR over indexed columns; an OR over joined subqueries made
    PostgreSQL scan every match (seconds per request at region scale).
    """
    if not viewer.is_authenticated or not viewer.is_active:
        return Match.objects.none()
    # The viewer's roles in one query; only the scopes they hold are resolved
    # (a student's request asks nothing about counselling or companies).
    memberships = list(
        Membership.objects.filter(user=viewer).values_list(
            "role", "organisation_id", "organisation__kind"
        )
    )
    roles = {role for role, _org, _kind in memberships}
    parts: list[Q] = []
    own = Profile.objects.filter(user=viewer).values_list("pk", flat=True).first()
    if own is not None:
        mine = Q(profile_id=own)
        self_directed = any(
            role == Role.STUDENT and org is None for role, org, _kind in memberships
        ) and not any(
            role == Role.STUDENT and kind == OrganisationKind.SCHOOL
            for role, _org, kind in memberships
        )  # as user_is_self_directed_student, from the rows at hand
        if not self_directed:
            mine &= Q(state__in=STUDENT_VISIBLE_STATES)
        parts.append(mine)
    if Role.COUNSELLOR in roles:
        counselled = list(
            Profile.objects.filter(user__in=_counselled_students(viewer=viewer)).values_list(
                "pk", flat=True
            )
        )
        if counselled:
            parts.append(Q(profile_id__in=counselled))
    companies = [
        org for role, org, _kind in memberships if role == Role.COMPANY_MEMBER and org is not None
    ]
    openings = (
        list(Opening.objects.filter(company__in=companies).values_list("pk", flat=True))
        if companies
        else []
    )
    if openings:
        parts.append(
            Q(opening_id__in=openings, state__in=FORWARDED_STATES, profile__user__is_active=True)
        )
    if not parts:
        return Match.objects.none()
    scope = parts[0]
    for part in parts[1:]:
        scope |= part
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
    """The reasons a company may read, by allow-list: skills matched and missing,
    the level fit and a distance band. No per-feature numbers: with the published
    weights, they would give back the exact distance against the travel radius,
    and so narrow down where the student lives."""
    level = explanation.get("level") or {}
    return {
        "matched_skills": explanation.get("matched_skills", []),
        "partial_skills": explanation.get("partial_skills", []),
        "related_skills": explanation.get("related_skills", []),
        "missing_must_haves": explanation.get("missing_must_haves", []),
        "level": {k: level.get(k) for k in ("profile", "accepted", "fit")},
        "distance_band": distance_band(explanation.get("distance_km")),
    }


def _company_member_check(*, viewer: User, company_id: int) -> None:
    if not Membership.objects.filter(
        user=viewer,
        role=Role.COMPANY_MEMBER,
        organisation_id=company_id,
        user__is_active=True,
    ).exists():
        raise NotAllowed(_("Only the company's own members see its candidates."))


def _candidate(match: Match, *, english: bool) -> dict[str, Any]:
    profile: Profile = match.profile
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
        "pseudonym": candidate_pseudonym(
            profile_id=profile.pk, company_id=match.opening.company_id
        ),
        "state": match.state,
        "opening": match.opening.slug,
        "score": round(match.score, 2),
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
    return candidate


def candidates_for_company(*, matches: Sequence[Match], viewer: User) -> list[dict[str, Any]]:
    """What a company member sees of each candidate, for each match's state.

    Before the student accepts an invitation: skills and levels, education level,
    availability, distance band, the explanation and a pseudonym. Nothing that
    names, dates, places or pictures the person. After accepting: also their name
    and email address, and each such view is written to the audit log (one insert
    for the whole list). Every match must be of one company the viewer belongs to
    and forwarded to it. This is the one code path for pages and the API.
    """
    if not matches:
        return []
    companies = {m.opening.company_id for m in matches}
    if len(companies) != 1:
        raise NotAllowed(_("Only the company's own members see its candidates."))
    _company_member_check(viewer=viewer, company_id=companies.pop())
    if any(m.state not in FORWARDED_STATES or not m.profile.user.is_active for m in matches):
        raise NotAllowed(_("This candidate has not been forwarded to your company."))
    english = (get_language() or "nl").startswith("en")
    candidates = [_candidate(m, english=english) for m in matches]
    revealed = [m for m in matches if m.state in REVEALED_STATES]
    if revealed:
        personal_data_viewed(
            viewer=viewer,
            students=[m.profile.user for m in revealed],
            matches=revealed,
            what="contact",
        )
    return candidates


def candidate_for_company(*, match: Match, viewer: User) -> dict[str, Any]:
    """One candidate: see ``candidates_for_company``."""
    return candidates_for_company(matches=[match], viewer=viewer)[0]


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


def student_pseudonym(*, user_id: int) -> str:
    """How a student appears to coordinators, who see no student's personal data."""
    digest = salted_hmac("maakmatch.student", str(user_id)).digest()
    return _("Student %(code)s") % {"code": base64.b32encode(digest).decode()[:4]}


def audit_log_for_viewer(*, viewer: User, limit: int = 200) -> list[dict[str, Any]]:
    """The newest audit entries in the viewer's scope, ready to show.

    Counsellors and students see names; coordinators see each student (also when
    the student is the one acting) as a pseudonym, because they see no student's
    personal data. Three queries whatever the number of entries.
    """
    coordinator = user_has_role(user=viewer, role=Role.COORDINATOR)
    entries = list(audit_entries_for_viewer(viewer=viewer)[:limit])

    def person(user: User, student_id: int | None) -> str:
        if coordinator and user.pk == student_id:
            return student_pseudonym(user_id=user.pk)
        return user.full_name

    rows = []
    for entry in entries:
        if entry.student_id is None:
            student = _("erased")
        elif coordinator:
            student = student_pseudonym(user_id=entry.student_id)
        else:
            student = entry.student.full_name
        rows.append(
            {
                "at": entry.created_at,
                "action": entry.action,
                "actor": person(entry.actor, entry.student_id) if entry.actor_id else "MaakMatch",
                "student": student,
                "opening": entry.match.opening.title if entry.match_id else None,
                "from_state": entry.from_state,
                "to_state": entry.to_state,
                "reason": entry.reason,
            }
        )
    return rows


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


def candidate_counts(*, opening_ids: Sequence[int]) -> dict[int, int]:
    """Per opening, how many candidates have been forwarded to its company."""
    rows = (
        Match.objects.filter(
            opening_id__in=opening_ids,
            state__in=FORWARDED_STATES,
            profile__user__is_active=True,
        )
        .values("opening_id")
        .annotate(n=Count("pk"))
    )
    return {row["opening_id"]: row["n"] for row in rows}


def candidate_cards(*, opening: Opening, viewer: User) -> list[dict[str, Any]]:
    """The candidates forwarded to an opening, for its page: what
    ``candidates_for_company`` allows, plus the score in words and skill names."""
    matches = list(candidates_for_opening(opening=opening, viewer=viewer))
    candidates = candidates_for_company(matches=matches, viewer=viewer)
    named = _skill_namer([c["explanation"] for c in candidates])
    states = dict(MatchState.choices)
    levels = dict(EducationLevel.choices)
    interviews = interviews_by_match(match_ids=[m.pk for m in matches])
    for c in candidates:
        c["interview"] = interviews.get(c["match"])
        c["words"] = score_words(c["score"])
        c["state_label"] = states[c["state"]]
        c["education_level_label"] = levels.get(c["education_level"], "")
        c.update(named(c["explanation"]))
    return candidates


def review_cards(*, matches: Sequence[Match]) -> list[dict[str, Any]]:
    """Suggestions for a reviewer's page: the student, the opening, the score in
    words, the skills matched and missing by name, and why it cannot be approved
    yet (parental consent), if so."""
    named = _skill_namer([m.explanation for m in matches])
    return [
        {
            "match": m,
            "words": score_words(m.score),
            **named(m.explanation),
            "distance_km": m.explanation.get("distance_km"),
            "blocked": match_block_reason(match=m) if m.state == MatchState.SUGGESTED else None,
        }
        for m in matches
    ]


# Where a suggestion stands, said to the student: (words, status badge colour).
STUDENT_STATUS = {
    MatchState.APPROVED: (gettext_lazy("Waiting for your answer"), "warning"),
    MatchState.STUDENT_YES: (gettext_lazy("You said yes; waiting for the company"), "active"),
    MatchState.STUDENT_NO: (gettext_lazy("You said no"), "inactive"),
    MatchState.INVITED: (gettext_lazy("The company invites you; your answer is needed"), "warning"),
    MatchState.DECLINED: (gettext_lazy("The company chose someone else"), "inactive"),
    MatchState.ACCEPTED: (
        gettext_lazy("You accepted; waiting for the company to confirm the placement"),
        "active",
    ),
    MatchState.PLACED: (gettext_lazy("Placed: you start here"), "valid"),
    MatchState.WITHDRAWN: (gettext_lazy("Withdrawn"), "inactive"),
}


def student_status(state: str) -> tuple[str, str]:
    """A suggestion's state in the student's words, and its badge colour."""
    words, colour = STUDENT_STATUS.get(
        state, (dict(MatchState.choices).get(state, state), "neutral")
    )
    return str(words), colour


def student_counts(*, student: User) -> dict[str, int]:
    """How many of the student's suggestions wait for them, and for others."""
    states = dict(
        suggestions_for_student(student=student)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    return {
        "to_answer": states.get(MatchState.APPROVED, 0) + states.get(MatchState.INVITED, 0),
        "invited": states.get(MatchState.INVITED, 0),
        "waiting": states.get(MatchState.STUDENT_YES, 0) + states.get(MatchState.ACCEPTED, 0),
        "placed": states.get(MatchState.PLACED, 0),
        "total": sum(states.values()),
    }


# A company acts on a candidate who said yes (invite or decline) and on one who
# accepted an invitation (confirm the placement).
COMPANY_TODO_STATES = (MatchState.STUDENT_YES, MatchState.ACCEPTED)


def company_todo(*, viewer: User) -> list[dict[str, Any]]:
    """Per open opening of the viewer's companies, the candidates waiting for
    the company: most waiting first."""
    openings = openings_of_member(viewer=viewer).filter(status=OpeningStatus.OPEN)
    rows = (
        Match.objects.filter(
            opening__in=openings, state__in=COMPANY_TODO_STATES, profile__user__is_active=True
        )
        .values("opening_id", "opening__title", "opening__slug")
        .annotate(n=Count("pk"))
        .order_by("-n", "opening__title")
    )
    return [
        {"slug": r["opening__slug"], "title": r["opening__title"], "count": r["n"]} for r in rows
    ]


# An opening's pipeline, in the order a candidate moves: (stage, states, words).
PIPELINE_STAGES = [
    ("counsellor", (MatchState.SUGGESTED,), gettext_lazy("waiting for the counsellor")),
    ("student", (MatchState.APPROVED,), gettext_lazy("waiting for the student")),
    ("company", (MatchState.STUDENT_YES,), gettext_lazy("waiting for you")),
    ("invited", (MatchState.INVITED,), gettext_lazy("invited")),
    ("accepted", (MatchState.ACCEPTED,), gettext_lazy("accepted, to confirm")),
    ("placed", (MatchState.PLACED,), gettext_lazy("placed")),
]


def opening_pipelines(*, openings: Sequence[Opening], viewer: User) -> dict[int, list[dict]]:
    """Per opening of the viewer's companies, how many candidates stand at each
    stage, including those a counsellor has not yet checked (counted, never
    shown). One query, whatever the number of openings or candidates."""
    own = set(openings_of_member(viewer=viewer).values_list("pk", flat=True))
    ids = [o.pk for o in openings if o.pk in own]
    counts: dict[tuple[int, str], int] = {
        (row["opening_id"], row["state"]): row["n"]
        for row in Match.objects.filter(opening_id__in=ids, profile__user__is_active=True)
        .values("opening_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return {
        opening_id: [
            {
                "stage": stage,
                "label": str(label),
                "count": sum(counts.get((opening_id, state), 0) for state in states),
            }
            for stage, states, label in PIPELINE_STAGES
        ]
        for opening_id in ids
    }


def reviewer_counts(*, viewer: User) -> dict[str, int]:
    """Suggestions waiting for this reviewer, and students' open reports."""
    from matching.reports import reports_for_viewer

    return {
        "to_review": review_queue_for_viewer(viewer=viewer).count(),
        "reports": reports_for_viewer(viewer=viewer).count(),
    }
