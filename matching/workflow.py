"""The human part of a match's journey: review, the student's answer, the
company's invitation, the placement, and withdrawal.

Every allowed step is one row of ``TRANSITIONS``, with who may take it. Each
step is a conditional ``UPDATE ... WHERE state = <from>``, so two people acting
at once cannot both move the same match, and it writes one append-only audit
entry. Emails are queued on the worker once the transaction commits.

May import: accounts, marketplace, matching.models, matching.rules. Never api/ or web/.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.background import task_send_on_commit
from accounts.exceptions import DomainError, InvalidState, NotAllowed
from accounts.models import Role, User
from accounts.selectors import (
    user_can_counsel_student,
    user_can_review_suggestions_of,
    user_has_role,
)
from audit.models import AuditAction, AuditEntry
from marketplace import services as market
from marketplace.models import ClosedReason, Opening, OpeningStatus, Placement, Profile, Skill
from matching.models import ENGINE_STATES, IN_PROGRESS_STATES, Match, MatchState
from matching.rules import match_block_reason


class Actor(enum.StrEnum):
    """Who may take a step, relative to the match."""

    REVIEWER = "reviewer"  # a counsellor of the student, or the adult without a school
    STUDENT = "student"  # the student whose profile it is
    COMPANY = "company"  # a member of the opening's company
    SYSTEM = "system"  # MaakMatch, on behalf of whoever closed, hid, erased or cancelled


S = MatchState
# Every allowed transition, and who may make it. Nothing else moves a match.
TRANSITIONS: dict[tuple[str, str], Actor] = {
    (S.SUGGESTED, S.APPROVED): Actor.REVIEWER,
    (S.SUGGESTED, S.REJECTED): Actor.REVIEWER,
    (S.APPROVED, S.STUDENT_YES): Actor.STUDENT,
    (S.APPROVED, S.STUDENT_NO): Actor.STUDENT,
    (S.STUDENT_YES, S.INVITED): Actor.COMPANY,
    (S.STUDENT_YES, S.DECLINED): Actor.COMPANY,
    (S.INVITED, S.ACCEPTED): Actor.STUDENT,
    (S.INVITED, S.STUDENT_NO): Actor.STUDENT,
    (S.ACCEPTED, S.PLACED): Actor.COMPANY,
    # Withdrawn: the opening closed or filled, the profile was hidden or erased,
    # or a placement was cancelled.
    **{
        (state, S.WITHDRAWN): Actor.SYSTEM
        for state in [*ENGINE_STATES, *IN_PROGRESS_STATES, S.PLACED]
    },
}

# The email each step sends, if any (see notifications.services).
EVENTS: dict[str, str] = {
    S.APPROVED: "approved",  # in the product only; e-mail waits for the digest
    S.PLACED: "placed",  # in the product only
    S.STUDENT_YES: "forwarded",
    S.INVITED: "invited",
    S.ACCEPTED: "accepted",
    S.WITHDRAWN: "withdrawn",
}


# Steps an organisation's webhook hears of (notifications.webhooks).
WEBHOOK_EVENTS: dict[str, str] = {
    S.APPROVED: "suggestion.approved",
    S.STUDENT_YES: "suggestion.student_yes",
    S.ACCEPTED: "invitation.accepted",
}


def _webhook(event: str, **ids: int | str) -> None:
    task_send_on_commit("worker.webhook_event", event, ids)


def transition_allowed(*, from_state: str, to_state: str) -> Actor | None:
    return TRANSITIONS.get((from_state, to_state))


def actor_may(*, actor: Actor, match: Match, user: User | None) -> bool:
    """Whether ``user`` is the kind of person the step needs, for this match."""
    if actor == Actor.SYSTEM:
        return True  # only reachable through the services below, which check first
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    student = match.profile.user
    if actor == Actor.REVIEWER:
        return user_can_review_suggestions_of(viewer=user, student=student)
    if actor == Actor.STUDENT:
        return user.pk == student.pk
    return user_has_role(user=user, role=Role.COMPANY_MEMBER, organisation=match.opening.company)


def _notify(match_id: int, event: str) -> None:
    task_send_on_commit("worker.notify_match", match_id, event)


def _check(*, match: Match, to: str, by: User | None) -> None:
    """Raise the domain error for a step that is not allowed, or not this person's."""
    actor = transition_allowed(from_state=match.state, to_state=to)
    if actor is None:
        raise InvalidState(
            _("A suggestion that is “%(from)s” cannot become “%(to)s”.")
            % {"from": MatchState(match.state).label, "to": MatchState(to).label}
        )
    if not actor_may(actor=actor, match=match, user=by):
        raise NotAllowed(_("You may not take this step for this suggestion."))
    if to == S.WITHDRAWN:
        return
    if match.opening.status != OpeningStatus.OPEN:
        raise InvalidState(_("This opening is closed."))
    if not (match.profile.is_visible and match.profile.user.is_active):
        raise InvalidState(_("This student is no longer looking."))


def _transition(
    *, match: Match, to: str, by: User | None, reason: str = "", notify: bool = True
) -> Match:
    _check(match=match, to=to, by=by)
    now = timezone.now()
    moved = Match.objects.filter(pk=match.pk, state=match.state).update(
        state=to, state_changed_at=now
    )
    if moved != 1:
        raise InvalidState(
            _("Someone else changed this suggestion a moment ago; reload and try again.")
        )
    AuditEntry.objects.create(
        created_at=now,
        actor=by,
        action=AuditAction.TRANSITION,
        student_id=match.profile.user_id,
        match=match,
        from_state=match.state,
        to_state=to,
        reason=reason.strip(),
    )
    match.state, match.state_changed_at = to, now
    if notify and to in EVENTS:
        _notify(match.pk, EVENTS[to])
    if to in WEBHOOK_EVENTS:
        _webhook(WEBHOOK_EVENTS[to], suggestion=match.pk)
    return match


@transaction.atomic
def match_approve(*, match: Match, by: User, reason: str = "") -> Match:
    """A counsellor (or the adult without a school) lets the student see it."""
    _check(match=match, to=S.APPROVED, by=by)
    blocked = match_block_reason(match=match)
    if blocked:
        raise InvalidState(blocked)
    return _transition(match=match, to=S.APPROVED, by=by, reason=reason)


@transaction.atomic
def match_reject(*, match: Match, by: User, reason: str) -> Match:
    """A counsellor keeps the suggestion from the student, and says why."""
    if not reason.strip():
        raise DomainError(_("Say why this suggestion is rejected."), field="reason")
    return _transition(match=match, to=S.REJECTED, by=by, reason=reason)


@transaction.atomic
def match_student_answer(*, match: Match, by: User, yes: bool, reason: str = "") -> Match:
    """The student's yes (the company then sees them, anonymised) or no."""
    return _transition(match=match, to=S.STUDENT_YES if yes else S.STUDENT_NO, by=by, reason=reason)


@transaction.atomic
def match_invite(*, match: Match, by: User, message: str = "") -> Match:
    """The company invites the anonymised candidate."""
    return _transition(match=match, to=S.INVITED, by=by, reason=message)


@transaction.atomic
def match_decline(*, match: Match, by: User, reason: str = "") -> Match:
    return _transition(match=match, to=S.DECLINED, by=by, reason=reason)


@transaction.atomic
def match_invitation_answer(*, match: Match, by: User, accept: bool, reason: str = "") -> Match:
    """The student accepts the invitation (the company then sees their name) or not."""
    return _transition(match=match, to=S.ACCEPTED if accept else S.STUDENT_NO, by=by, reason=reason)


@transaction.atomic
def match_place(
    *,
    match: Match,
    by: User,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
) -> Placement:
    """The company confirms: a placement, one place filled, and for the last place
    the opening closes and every other open suggestion of it ends."""
    _check(match=match, to=S.PLACED, by=by)
    # Every confirmation of this opening takes the opening's lock first, then reads
    # the match afresh: a second click finds it placed (409, not an IntegrityError).
    Opening.objects.select_for_update().filter(pk=match.opening_id).exists()
    if Match.objects.filter(pk=match.pk).values_list("state", flat=True).first() != match.state:
        raise InvalidState(
            _("Someone else changed this suggestion a moment ago; reload and try again.")
        )
    placement, full = market.placement_record(
        profile=match.profile,
        opening_id=match.opening_id,
        by=by,
        start_date=start_date,
        end_date=end_date,
    )
    if full:
        # Every match of the opening, locked in (profile, opening) order before any
        # is changed: the same order every other writer locks in.
        list(_locked(Match.objects.filter(opening_id=match.opening_id)).values_list("pk"))
    _transition(match=match, to=S.PLACED, by=by)
    # The student is paused for new suggestions while placed: the ones no person
    # has looked at yet retire now (the engine brings them back if it is cancelled).
    waiting = Match.objects.filter(profile_id=match.profile_id, state=S.SUGGESTED)
    # Openings that counted this student among their best: they take the next one.
    refill = set(waiting.filter(opening_rank__isnull=False).values_list("opening_id", flat=True))
    waiting.update(state=S.RETIRED, profile_rank=None, opening_rank=None)
    for opening_id in sorted(refill):
        market.matching_request(Opening, opening_id, "worker.match_opening")
    _webhook("placement.confirmed", placement=placement.pk, suggestion=match.pk)
    if full:
        others = Match.objects.filter(opening_id=match.opening_id).exclude(pk=match.pk)
        filled = gettext_noop("All places of this opening are filled.")
        matches_end(matches=others, by=None, reason=filled)
        _webhook("opening.filled", opening=match.opening.slug)
    return placement


@transaction.atomic
def placement_cancel(*, placement: Placement, by: User, reason: str) -> Placement:
    """The company or the student's counsellor cancels a placement, with a reason.

    The place is free again; an opening that had closed because it was full reopens.
    """
    student = placement.profile.user if placement.profile_id else None
    may = user_has_role(user=by, role=Role.COMPANY_MEMBER, organisation=placement.company) or (
        student is not None and user_can_counsel_student(viewer=by, student=student)
    )
    if not may:
        raise NotAllowed(_("You may not cancel this placement."))
    market.placement_cancel_record(placement=placement, by=by, reason=reason)
    placed = Match.objects.filter(
        profile_id=placement.profile_id, opening_id=placement.opening_id, state=S.PLACED
    ).first()
    if placed is not None:
        _transition(match=placed, to=S.WITHDRAWN, by=by, reason=reason, notify=False)
    _webhook("placement.cancelled", placement=placement.pk)
    placement.refresh_from_db()
    return placement


def matches_end(
    *, matches: QuerySet[Match], by: User | None, reason: str, notify: bool = True
) -> int:
    """End every open suggestion among ``matches``: untouched ones retire (the
    engine may bring them back), ones a person acted on are withdrawn and the
    student hears why. Returns how many were withdrawn.

    ``reason`` is stored untranslated (``gettext_noop``) and translated when shown,
    so each reader sees it in their own language."""
    matches.filter(state=S.SUGGESTED).update(state=S.RETIRED, profile_rank=None, opening_rank=None)
    withdrawn = 0
    for match in _locked(matches.filter(state__in=IN_PROGRESS_STATES)):
        _transition(match=match, to=S.WITHDRAWN, by=by, reason=reason, notify=notify)
        withdrawn += 1
    return withdrawn


def _locked(matches: QuerySet[Match]) -> QuerySet[Match]:
    """Lock in (profile, opening) order, like every writer (see services._newer_only)."""
    return (
        matches.select_for_update(of=("self",))
        .select_related("profile__user", "opening")
        .order_by("profile_id", "opening_id")
    )


@transaction.atomic
def opening_close(*, opening: Opening, by: User) -> Opening:
    """A company member closes their opening; its open suggestions end."""
    if not user_has_role(user=by, role=Role.COMPANY_MEMBER, organisation=opening.company):
        raise NotAllowed(_("Only the company's own members close its openings."))
    closed = market.opening_close(opening=opening, reason=ClosedReason.BY_COMPANY)
    matches_end(
        matches=Match.objects.filter(opening=closed),
        by=by,
        reason=gettext_noop("The company closed this opening."),
    )
    return closed


@transaction.atomic
def profile_hide(*, profile: Profile, by: User) -> Profile:
    """The student stops looking: no new suggestions, open ones end."""
    if by.pk != profile.user_id:
        raise NotAllowed(_("Only the student themself hides their profile."))
    profile = market.profile_visibility_set(profile=profile, visible=False)
    # The student knows why; they get no email about their own step.
    matches_end(
        matches=Match.objects.filter(profile=profile),
        by=by,
        reason=gettext_noop("The student is no longer looking."),
        notify=False,
    )
    return profile


@transaction.atomic
def profile_write(
    *,
    user: User,
    by: User,
    fields: dict[str, object],
    skills: list[tuple[Skill, int]] | None = None,
) -> Profile:
    """A student writes their profile; switching it off ends its suggestions."""
    fields = dict(fields)
    visible = fields.pop("is_visible", None)
    profile = market.profile_update(user=user, by=by, fields=fields, skills=skills)
    if visible is False and profile.is_visible:
        profile = profile_hide(profile=profile, by=by)
    elif visible is True and not profile.is_visible:
        profile = market.profile_visibility_set(profile=profile, visible=True)
    return profile


def _each(matches: QuerySet[Match], step: Callable[[Match], object]) -> tuple[int, list[str]]:
    """Take one step on several suggestions, each in its own transaction, so one
    that is refused (consent missing, state moved on) does not undo the others.

    Returns how many were done and, for the rest, why not."""
    done, refused = 0, []
    for match in matches.select_related("profile__user", "opening"):
        try:
            step(match)
        except DomainError as exc:
            refused.append(f"{match.profile.user.full_name}, {match.opening.title}: {exc.message}")
        else:
            done += 1
    return done, refused


def matches_approve_batch(*, matches: QuerySet[Match], by: User) -> tuple[int, list[str]]:
    """Approve several suggestions; see ``_each``."""
    return _each(matches, lambda match: match_approve(match=match, by=by))


def matches_reject_batch(
    *, matches: QuerySet[Match], by: User, reason: str
) -> tuple[int, list[str]]:
    """Reject several suggestions with one reason; see ``_each``."""
    return _each(matches, lambda match: match_reject(match=match, by=by, reason=reason))
