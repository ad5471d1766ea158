"""From invitation to interview: a company proposes up to three slots with its
message, the student picks one (which accepts the invitation) or asks for
another time, and either side may move or cancel the chosen slot. Each step
that changes the calendar e-mails both sides an iCalendar file
(``notifications.calendar``); the worker sends them after the commit.

May import: accounts, marketplace, matching.models, matching.workflow. Never api/ or web/.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.background import task_send_on_commit
from accounts.exceptions import DomainError, InvalidState, NotAllowed
from accounts.models import Role, User
from accounts.selectors import user_has_role
from matching import workflow
from matching.models import (
    INTERVIEW_SLOTS_MAX,
    Interview,
    InterviewSlot,
    Match,
    MatchState,
)

S = MatchState
SLOT_MINUTES_MAX = 8 * 60


@dataclass(frozen=True)
class SlotInput:
    starts_at: dt.datetime
    ends_at: dt.datetime
    location: str


def _notify(interview: Interview, event: str, slot_id: int | None = None) -> None:
    task_send_on_commit("worker.notify_interview", interview.pk, event, slot_id)


def _company_check(match: Match, by: User) -> None:
    if not user_has_role(user=by, role=Role.COMPANY_MEMBER, organisation=match.opening.company):
        raise NotAllowed(_("Only the company's members plan its interviews."))


def _student_check(match: Match, by: User) -> None:
    if match.profile.user_id != by.pk:
        raise NotAllowed(_("Only the student answers this invitation."))


def slots_check(slots: Sequence[SlotInput]) -> list[SlotInput]:
    """One to three slots, each in the future, ending after it starts, and with
    a place or link. Errors name the slot, so a form can point at it."""
    if not slots:
        raise DomainError(_("Propose at least one time."), field="slots")
    if len(slots) > INTERVIEW_SLOTS_MAX:
        raise DomainError(
            _("Propose at most %(n)s times.") % {"n": INTERVIEW_SLOTS_MAX}, field="slots"
        )
    now = timezone.now()
    for n, slot in enumerate(slots, start=1):
        if slot.starts_at <= now:
            raise DomainError(_("Time %(n)s lies in the past.") % {"n": n}, field="slots")
        if slot.ends_at <= slot.starts_at:
            raise DomainError(_("Time %(n)s ends before it starts.") % {"n": n}, field="slots")
        if slot.ends_at - slot.starts_at > dt.timedelta(minutes=SLOT_MINUTES_MAX):
            raise DomainError(_("Time %(n)s is longer than 8 hours.") % {"n": n}, field="slots")
        if not slot.location.strip():
            raise DomainError(
                _("Say where time %(n)s takes place, or give a video link.") % {"n": n},
                field="slots",
            )
    return list(slots)


def interview_of(*, match: Match) -> Interview:
    """The suggestion's interview, or the domain error that there is none."""
    interview = Interview.objects.filter(match=match).first()
    if interview is None:
        raise InvalidState(_("No interview has been planned for this suggestion."))
    return interview


def _locked_interview(match: Match) -> Interview | None:
    return Interview.objects.select_for_update().filter(match=match).first()


@transaction.atomic
def interview_propose(
    *, match: Match, by: User, message: str = "", slots: Sequence[SlotInput]
) -> Interview:
    """The company invites the candidate with a message and up to three times, or
    (already invited, or the chosen time was cancelled) proposes new times. The
    times proposed before and not chosen are withdrawn."""
    _company_check(match, by)
    slots = slots_check(slots)
    interview = _locked_interview(match)
    first = match.state == S.STUDENT_YES
    if first:
        # The invitation's own e-mail carries the message and the times.
        workflow.match_invite(match=match, by=by, message=message)
    elif match.state not in (S.INVITED, S.ACCEPTED):
        raise InvalidState(_("Interview times are proposed to a candidate who said yes."))
    elif interview is not None and interview.chosen is not None:
        raise InvalidState(_("A time has been chosen; move or cancel that one instead."))
    now = timezone.now()
    if interview is None:
        interview = Interview.objects.create(
            match=match, message=message.strip(), created_by=by, created_at=now
        )
    else:
        interview.slots.filter(chosen_at__isnull=True, cancelled_at__isnull=True).update(
            cancelled_at=now
        )
        if message.strip():
            interview.message = message.strip()
        interview.other_time_asked_at, interview.other_time_note = None, ""
        interview.save(update_fields=["message", "other_time_asked_at", "other_time_note"])
    InterviewSlot.objects.bulk_create(
        InterviewSlot(
            interview=interview,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            location=slot.location.strip(),
        )
        for slot in slots
    )
    if not first:
        _notify(interview, "proposed")
    return interview


@transaction.atomic
def interview_choose(*, slot: InterviewSlot, by: User) -> Interview:
    """The student picks a proposed time. For an open invitation this accepts it,
    so the company then sees their name. Both get the event for their calendar."""
    interview = Interview.objects.select_for_update().get(pk=slot.interview_id)
    match = interview.match
    _student_check(match, by)
    slot = InterviewSlot.objects.get(pk=slot.pk)
    if slot.cancelled_at is not None or slot.chosen_at is not None:
        raise InvalidState(_("This time is no longer offered."))
    if interview.chosen is not None:
        raise InvalidState(_("You already chose a time for this interview."))
    if slot.starts_at <= timezone.now():
        raise InvalidState(_("This time has passed; ask for another time."))
    if match.state == S.INVITED:
        workflow.match_invitation_answer(match=match, by=by, accept=True)
    elif match.state != S.ACCEPTED:
        raise InvalidState(_("This invitation is no longer open."))
    slot.chosen_at = timezone.now()
    slot.save(update_fields=["chosen_at"])
    interview.other_time_asked_at, interview.other_time_note = None, ""
    interview.sequence = F("sequence") + 1
    interview.save(update_fields=["other_time_asked_at", "other_time_note", "sequence"])
    interview.refresh_from_db()
    _notify(interview, "chosen", slot.pk)
    return interview


@transaction.atomic
def interview_other_time(*, match: Match, by: User, note: str = "") -> Interview:
    """None of the times suit the student: the company hears so, with the note."""
    _student_check(match, by)
    interview = _locked_interview(match)
    if interview is None or match.state not in (S.INVITED, S.ACCEPTED):
        raise InvalidState(_("There is no invitation to answer."))
    if interview.chosen is not None:
        raise InvalidState(_("You already chose a time; cancel it first."))
    interview.other_time_asked_at = timezone.now()
    interview.other_time_note = note.strip()[:500]
    interview.save(update_fields=["other_time_asked_at", "other_time_note"])
    _notify(interview, "other_time")
    return interview


@transaction.atomic
def interview_move(*, interview: Interview, by: User, slot: SlotInput) -> Interview:
    """The company moves the chosen time; both calendars get the update."""
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    _company_check(interview.match, by)
    (slot,) = slots_check([slot])
    chosen = interview.chosen
    if chosen is None:
        raise InvalidState(_("No time has been chosen yet."))
    now = timezone.now()
    InterviewSlot.objects.filter(pk=chosen.pk).update(cancelled_at=now)
    moved = InterviewSlot.objects.create(
        interview=interview,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        location=slot.location.strip(),
        chosen_at=now,
    )
    interview.sequence = F("sequence") + 1
    interview.save(update_fields=["sequence"])
    interview.refresh_from_db()
    _notify(interview, "moved", moved.pk)
    return interview


@transaction.atomic
def interview_cancel(*, interview: Interview, by: User) -> Interview:
    """The company or the student cancels the chosen time; both calendars drop it.
    The company may then propose new times."""
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    match = interview.match
    if match.profile.user_id != by.pk:
        _company_check(match, by)
    chosen = interview.chosen
    if chosen is None:
        raise InvalidState(_("No time has been chosen yet."))
    InterviewSlot.objects.filter(pk=chosen.pk).update(cancelled_at=timezone.now())
    interview.sequence = F("sequence") + 1
    interview.save(update_fields=["sequence"])
    interview.refresh_from_db()
    _notify(interview, "cancelled", chosen.pk)
    return interview


def interview_chosen_for_viewer(
    *, match_id: int, viewer: User
) -> tuple[Interview, InterviewSlot, bool] | None:
    """The chosen time of a suggestion's interview, for its student or a member of
    its company (then the flag is True); None for anyone else, or with no time."""
    interview = (
        Interview.objects.select_related("match__profile__user", "match__opening__company")
        .filter(match_id=match_id)
        .first()
    )
    if interview is None or not viewer.is_authenticated:
        return None
    match = interview.match
    if match.profile.user_id == viewer.pk:
        for_company = False
    elif match.state in (S.ACCEPTED, S.PLACED) and user_has_role(
        user=viewer, role=Role.COMPANY_MEMBER, organisation=match.opening.company
    ):
        for_company = True
    else:
        return None
    chosen = interview.chosen
    return None if chosen is None else (interview, chosen, for_company)
