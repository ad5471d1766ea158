"""The demo's suggestions: computed, then walked through the workflow by the
same services a counsellor, a student and a company use, so every role's pages
show the product at once.

Deterministic and idempotent. Each suggestion's fate follows from a hash of
its student's e-mail address and its opening's slug, never from ids or the
clock (only the dates of proposed interview times follow today's date), and a
step is taken only from the state before it: a second run finds nothing left
to do. Nobody's own decisions are ever undone.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone, translation

from accounts.exceptions import DomainError
from accounts.models import Membership, Role, User
from marketplace.models import OpeningStatus
from matching import interviews, pipeline, workflow
from matching.models import InterviewSlot, Match, MatchState, RejectReason

S = MatchState
DEMO_COMPANY = "metaalwerk-de-linge"
# The preset reasons a counsellor picks from when rejecting, as the demo (in
# Dutch, the product's language) gives them.
with translation.override("nl"):
    REJECT_REASONS = [str(label) for label in RejectReason.labels]
INVITE_MESSAGE = (
    "Leuk dat je interesse hebt! Kom je een keer langs in onze werkplaats in Woerden? "
    "Dan laten we je zien wat je bij ons gaat doen."
)
INTERVIEW_PLACE = "Werkplaats Metaalwerk De Linge, Woerden"
INTERVIEW_VIDEO = "https://video.example.nl/metaalwerk-de-linge"
# The demo logins' own suggestions: the first three are approved, the rest wait.
LOGINS = {
    "student@demo.maakmatch.nl",
    "leerling@demo.maakmatch.nl",
    "zijinstromer@demo.maakmatch.nl",
}
LOGIN_APPROVED = 3
# Where the demo company takes a candidate who said yes, by the pair's hash.
GOALS = [S.STUDENT_YES, S.INVITED, S.ACCEPTED, S.ACCEPTED, S.PLACED]
# How deep into a student's list the counsellors of the demo look.
REVIEWED_RANK = 4


@dataclass
class DemoWalk:
    computed: int = 0
    steps: Counter = field(default_factory=Counter)


def _hash(match: Match) -> int:
    return zlib.crc32(f"{match.profile.user.email}|{match.opening.slug}".encode())


def _reviewers() -> dict[int, User]:
    """Per school or learning location, the demo counsellor who reviews for it."""
    rows = (
        Membership.objects.filter(role=Role.COUNSELLOR, user__email__endswith="@demo.maakmatch.nl")
        .select_related("user")
        .order_by("user__email")
    )
    reviewers: dict[int, User] = {}
    for row in rows:
        reviewers.setdefault(row.organisation_id, row.user)
    return reviewers


def _reviewer_of(match: Match, reviewers: dict[int, User]) -> User | None:
    """The student's counsellor, or the student for an adult without a school."""
    student = match.profile.user
    schools = [m.organisation_id for m in student.memberships.all() if m.role == Role.STUDENT]
    if not schools:
        return student
    return next((reviewers[s] for s in schools if s in reviewers), None)


def _step(walk: DemoWalk, name: str, action: Callable[..., object], **kwargs: object) -> bool:
    """Take one workflow step; a step the rules refuse (consent missing, the
    opening full) is skipped, as a person would be told and move on."""
    try:
        action(**kwargs)
    except DomainError:
        return False
    walk.steps[name] += 1
    return True


def _matches(**filters: object) -> QuerySet[Match]:
    return (
        Match.objects.filter(opening__status=OpeningStatus.OPEN, **filters)
        .select_related("profile__user", "opening__company")
        .prefetch_related("profile__user__memberships")
        .order_by("profile__user__email", "profile_rank", "opening__slug")
    )


def _review(walk: DemoWalk, reviewers: dict[int, User]) -> None:
    """Counsellors approve about half of their students' best suggestions and
    reject one in ten with a preset reason; the rest wait in their queues."""
    suggested = _matches(state=S.SUGGESTED, profile_rank__lte=REVIEWED_RANK)
    for match in suggested:
        reviewer = _reviewer_of(match, reviewers)
        if reviewer is None:
            continue
        login = match.profile.user.email in LOGINS
        h = _hash(match)
        if login:
            if (match.profile_rank or REVIEWED_RANK) <= LOGIN_APPROVED:
                _step(walk, "approved", workflow.match_approve, match=match, by=reviewer)
        elif h % 10 < 5:
            _step(walk, "approved", workflow.match_approve, match=match, by=reviewer)
        elif h % 10 == 5:
            reason = REJECT_REASONS[(h // 10) % len(REJECT_REASONS)]
            _step(walk, "rejected", workflow.match_reject, match=match, by=reviewer, reason=reason)


def _answer(walk: DemoWalk) -> None:
    """Students say yes to four in ten approved suggestions and no to one in
    ten; the demo logins leave theirs for the visitor to answer."""
    for match in _matches(state=S.APPROVED).exclude(profile__user__email__in=LOGINS):
        bucket = (_hash(match) // 100) % 10
        if bucket < 4 or match.opening.company.slug == DEMO_COMPANY:
            student = match.profile.user
            _step(
                walk,
                "student_yes",
                workflow.match_student_answer,
                match=match,
                by=student,
                yes=True,
            )
        elif bucket == 4:
            student = match.profile.user
            _step(
                walk,
                "student_no",
                workflow.match_student_answer,
                match=match,
                by=student,
                yes=False,
            )


def _company(walk: DemoWalk) -> None:
    """The demo company takes its candidates to different steps: some wait, some
    are invited, some accepted, some placed. A placement never takes an
    opening's last place, so the openings stay open with candidates to show."""
    member = User.objects.filter(
        memberships__role=Role.COMPANY_MEMBER, memberships__organisation__slug=DEMO_COMPANY
    ).first()
    if member is None:
        return
    candidates = (
        Match.objects.filter(state__in=[S.STUDENT_YES, S.INVITED, S.ACCEPTED])
        .filter(opening__company__slug=DEMO_COMPANY, opening__status=OpeningStatus.OPEN)
        .select_related("profile__user", "opening__company")
        .order_by("opening__slug", "profile__user__email")
    )
    for match in candidates:
        goal = GOALS[(_hash(match) // 1000) % len(GOALS)]
        student = match.profile.user
        if goal != S.STUDENT_YES and match.state == S.STUDENT_YES:
            invited = _step(
                walk,
                "invited",
                interviews.interview_propose,
                match=match,
                by=member,
                message=INVITE_MESSAGE,
                slots=_interview_times(match),
            )
            if not invited:
                continue
        if goal in (S.ACCEPTED, S.PLACED) and match.state == S.INVITED:
            # The student picks the first time offered, which accepts.
            slot = InterviewSlot.objects.filter(
                interview__match=match, chosen_at__isnull=True, cancelled_at__isnull=True
            ).first()
            accepted = slot is not None and _step(
                walk, "accepted", interviews.interview_choose, slot=slot, by=student
            )
            if not accepted:
                continue
            match.refresh_from_db()
        if goal == S.PLACED and match.state == S.ACCEPTED:
            match.opening.refresh_from_db()
            if match.opening.places_left > 1:
                _step(walk, "placed", workflow.match_place, match=match, by=member)


def _interview_times(match: Match) -> list[interviews.SlotInput]:
    """Two times to talk, a week or two ahead (the one thing the clock decides):
    at the workshop, or by video."""
    day = timezone.localdate() + dt.timedelta(days=7 + _hash(match) % 7)

    def at(hour: int, minute: int) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    return [
        interviews.SlotInput(at(10, 0), at(10, 45), INTERVIEW_PLACE),
        interviews.SlotInput(at(14, 30), at(15, 15), INTERVIEW_VIDEO),
    ]


def demo_suggestions_walk() -> DemoWalk:
    """Compute every suggestion (a full run, in this process) and walk a
    believable share of them through the workflow."""
    walk = DemoWalk()
    run, chunks = pipeline.run_start()
    for chunk in chunks:
        pipeline.run_chunk(chunk_id=chunk.pk)
    run.refresh_from_db()
    walk.computed = run.stored
    reviewers = _reviewers()
    _review(walk, reviewers)
    _answer(walk)
    _company(walk)
    _flagged_match()
    return walk


def _flagged_match() -> None:
    """Do here what the worker does next: rematch what the walk's steps flagged
    (a placement pauses its student and takes a place of its opening), so the
    demo is at rest and a second run finds nothing to do."""
    openings, profiles = pipeline.matching_stale(older_than=dt.timedelta(0))
    for pk in openings:
        pipeline.opening_match(opening_id=pk)
    for pk in profiles:
        pipeline.profile_match(profile_id=pk)
