"""Emails about matches, sent by the worker through Django's email backend.

Each email goes out in the recipient's language, as plain text and HTML, only
if their notification settings allow it, and carries an unsubscribe link that
works without logging in (a signed token, made and read here).

- ``match_event_notify``: one step of a match (forwarded, invited, accepted, withdrawn).
- ``suggestion_digests_send``: a student's new approved suggestions, once a day,
  at most ``MAAKMATCH_DIGEST_MAX_SUGGESTIONS``, at most
  ``MAAKMATCH_DIGEST_MAX_PER_COMPANY`` from one company.
- ``review_digests_send``: how many suggestions wait for a reviewer, once a day.

May import: accounts, audit, marketplace, matching. Never api/ or web/.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from accounts.exceptions import InvalidState
from accounts.models import Organisation, Role, User
from accounts.selectors import user_has_role, user_is_self_directed_student
from matching.models import Match, MatchState
from matching.selectors import candidate_pseudonym, review_queue_sizes
from notifications import inbox
from notifications.models import DigestKind, DigestSent

logger = logging.getLogger(__name__)

# Which kind of email (and so which setting and unsubscribe link) each template is.
TEMPLATE_KIND = {
    "forwarded": "updates",
    "accepted": "updates",
    "invited": "updates",
    "withdrawn": "updates",
    "report": "updates",
    "company_refused": "updates",
    "interview": "updates",
    "guest_lesson": "updates",
    "suggestions_digest": "digest",
    "review_digest": "digest",
}
SETTING_FOR_KIND = {"updates": "email_updates", "digest": "email_digest"}


# Each kind of email, and the setting its unsubscribe link switches off.
NOTIFICATION_SETTINGS = {"digest": "email_digest", "updates": "email_updates"}
_UNSUBSCRIBE_SALT = "maakmatch.unsubscribe"


def unsubscribe_token_make(*, user: User, kind: str) -> str:
    """A signed token for an email's unsubscribe link: works without logging in,
    names one person and one kind of email, and cannot be forged or edited."""
    if kind not in NOTIFICATION_SETTINGS:
        raise ValueError(f"Unknown notification kind {kind!r}.")
    return signing.dumps({"u": user.pk, "k": kind}, salt=_UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_read(*, token: str) -> tuple[User, str]:
    """The person and kind a token names; InvalidState for a broken or foreign token."""
    try:
        data = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=data["u"], is_active=True)
        kind = data["k"]
    except (signing.BadSignature, KeyError, TypeError, User.DoesNotExist):
        raise InvalidState(_("This unsubscribe link is not valid.")) from None
    if kind not in NOTIFICATION_SETTINGS:
        raise InvalidState(_("This unsubscribe link is not valid."))
    return user, kind


def notifications_unsubscribe(*, token: str) -> tuple[User, str]:
    """Switch off the kind of email the token names (idempotent)."""
    user, kind = unsubscribe_token_read(token=token)
    User.objects.filter(pk=user.pk).update(**{NOTIFICATION_SETTINGS[kind]: False})
    setattr(user, NOTIFICATION_SETTINGS[kind], False)
    return user, kind


def _absolute(path: str) -> str:
    return f"{settings.MAAKMATCH_BASE_URL}{path}"


def email_render(*, template: str, user: User, context: dict[str, Any]) -> EmailMultiAlternatives:
    """One email, in the recipient's language, as text with an HTML alternative."""
    kind = TEMPLATE_KIND[template]
    with translation.override(user.language):
        unsubscribe = _absolute(
            reverse("web:unsubscribe", args=[unsubscribe_token_make(user=user, kind=kind)])
        )
        context = {
            **context,
            "user": user,
            "kind": kind,
            "unsubscribe_url": unsubscribe,
            "site_url": _absolute(reverse("web:dashboard")),
        }
        subject = render_to_string(f"notifications/email/{template}_subject.txt", context)
        text = render_to_string(f"notifications/email/{template}.txt", context)
        html = render_to_string(f"notifications/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[user.email],
        headers={
            # One-click unsubscribe from the mail client (RFC 8058).
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _wants(user: User, kind: str) -> bool:
    return user.is_active and bool(user.email) and getattr(user, SETTING_FOR_KIND[kind])


# Refusals about one address: logged and skipped, never retried. Anything else
# (the server unreachable, a timeout) propagates, and the worker's task retries.
RECIPIENT_REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused)

# What each event's email is about: the state the match must still be in.
EVENT_STATE = {
    "forwarded": MatchState.STUDENT_YES,
    "invited": MatchState.INVITED,
    "accepted": MatchState.ACCEPTED,
    "withdrawn": MatchState.WITHDRAWN,
}
COMPANY_EVENTS = frozenset({"forwarded", "accepted"})


def _event_match(match_id: int, event: str) -> Match | None:
    """The match, if the event is still true of it (a stale email is not sent)."""
    if event not in EVENT_STATE:
        raise ValueError(f"Unknown match event {event!r}.")
    match = (
        Match.objects.select_related("profile__user", "opening__company", "opening__place")
        .filter(pk=match_id)
        .first()
    )
    return match if match is not None and match.state == EVENT_STATE[event] else None


def _recipients(match: Match, event: str) -> list[User]:
    """The company's members for "forwarded" and "accepted", the student otherwise;
    only those who want the email."""
    if event in COMPANY_EVENTS:
        users = User.objects.filter(
            memberships__role=Role.COMPANY_MEMBER,
            memberships__organisation_id=match.opening.company_id,
        ).distinct()
    else:
        users = [match.profile.user]
    return [u for u in users if _wants(u, TEMPLATE_KIND[event])]


def match_event_recipients(*, match_id: int, event: str) -> list[int]:
    """Who gets the email one step of a match causes (ids, for one task each)."""
    match = _event_match(match_id, event)
    return [] if match is None else [u.pk for u in _recipients(match, event)]


def match_event_send(*, match_id: int, event: str, user_id: int) -> bool:
    """Send one recipient the email of one step; False if it no longer applies or
    the address was refused. One task per recipient, so a retry never repeats an
    email someone else already got."""
    match = _event_match(match_id, event)
    if match is None:
        return False
    # Still a recipient: a member of the company (or the student), wanting email.
    user = next((u for u in _recipients(match, event) if u.pk == user_id), None)
    if user is None:
        return False
    context = {
        "opening": match.opening,
        "company": match.opening.company,
        # Rendered per recipient, in their language ("Kandidaat 7F3K").
        "pseudonym": lazy(candidate_pseudonym, str)(
            profile_id=match.profile_id, company_id=match.opening.company_id
        ),
        "reason": _last_reason(match),
        "slots": _interview_slots(match) if event == "invited" else [],
    }
    try:
        email_render(template=event, user=user, context=context).send()
    except RECIPIENT_REFUSED:
        logger.warning("The mail server refused %s's address; %s email dropped.", user_id, event)
        return False
    return True


def match_event_notify(*, match_id: int, event: str) -> int:
    """Send every recipient the email of one step, here and now; returns how many.
    (The worker fans out one task per recipient instead.)"""
    recipients = match_event_recipients(match_id=match_id, event=event)
    return sum(match_event_send(match_id=match_id, event=event, user_id=u) for u in recipients)


def _interview_slots(match: Match) -> list[Any]:
    """The times an invitation proposes, if it came with an interview."""
    from matching.models import Interview

    interview = Interview.objects.filter(match=match).first()
    return interview.open_slots if interview else []


def _last_reason(match: Match) -> str:
    entry = match.audit_entries.filter(to_state=match.state).order_by("-created_at").first()
    return entry.reason if entry else ""


def digest_pick(
    matches: Sequence[Match],
    *,
    limit: int | None = None,
    per_company: int | None = None,
) -> list[Match]:
    """The best suggestions within the digest's limits, best first."""
    limit = settings.MAAKMATCH_DIGEST_MAX_SUGGESTIONS if limit is None else limit
    per_company = settings.MAAKMATCH_DIGEST_MAX_PER_COMPANY if per_company is None else per_company
    picked: list[Match] = []
    from_company: dict[int, int] = {}
    for match in sorted(matches, key=lambda m: (-m.score, m.pk)):
        company = match.opening.company_id
        if from_company.get(company, 0) >= per_company:
            continue
        from_company[company] = from_company.get(company, 0) + 1
        picked.append(match)
        if len(picked) == limit:
            break
    return picked


def _digest_claim(*, user: User, kind: str, day: dt.date, items: int) -> bool:
    """Take today's digest slot for this person; False if it was already taken."""
    try:
        with transaction.atomic():
            DigestSent.objects.create(user=user, kind=kind, day=day, items=items)
    except IntegrityError:
        return False
    return True


def suggestion_digests_send(*, today: dt.date | None = None) -> int:
    """Each student's newly approved suggestions, at most one email a day.

    Suggestions beyond the limits stay unlisted and come in a later digest.
    Returns how many emails went out.
    """
    today = today or timezone.localdate()
    waiting = (
        Match.objects.filter(state=MatchState.APPROVED, student_notified_at__isnull=True)
        .select_related("profile__user", "opening__company", "opening__place")
        .order_by("profile__user_id")
    )
    by_student: dict[int, list[Match]] = {}
    for match in waiting:
        by_student.setdefault(match.profile.user_id, []).append(match)
    sent = 0
    for matches in by_student.values():
        user = matches[0].profile.user
        if not _wants(user, "digest"):
            continue
        picked = digest_pick(matches)
        listed = Match.objects.filter(pk__in=[m.pk for m in picked])
        with transaction.atomic():
            if not _digest_claim(
                user=user, kind=DigestKind.SUGGESTIONS, day=today, items=len(picked)
            ):
                continue
            listed.update(student_notified_at=timezone.now())
        message = email_render(
            template="suggestions_digest",
            user=user,
            context={
                "matches": picked,
                "more": len(matches) - len(picked),
                "on_my_own": user_is_self_directed_student(user=user),
            },
        )
        # Sent after the short transaction (no rows stay locked while the mail
        # server answers); a failed send gives the slot and the suggestions back.
        if _digest_send(message, user=user, kind=DigestKind.SUGGESTIONS, day=today):
            sent += 1
        else:
            listed.update(student_notified_at=None)
    return sent


def _digest_send(message: EmailMultiAlternatives, *, user: User, kind: str, day: dt.date) -> bool:
    """Send a claimed digest; on failure release the claim. A refused address is
    logged and skipped; any other error is raised for the task to retry (digests
    already sent stay claimed, so nobody gets two)."""
    try:
        message.send()
    except RECIPIENT_REFUSED:
        DigestSent.objects.filter(user=user, kind=kind, day=day).delete()
        logger.warning(
            "The mail server refused user %s's address; %s digest dropped.", user.pk, kind
        )
        return False
    except Exception:
        DigestSent.objects.filter(user=user, kind=kind, day=day).delete()
        raise
    return True


def review_digests_send(*, today: dt.date | None = None) -> int:
    """Tell each reviewer how many suggestions wait for them, at most once a day."""
    today = today or timezone.localdate()
    sizes = review_queue_sizes()
    sent = 0
    for user in User.objects.filter(pk__in=sizes, is_active=True):
        if not _wants(user, "digest"):
            continue
        size = sizes[user.pk]
        if not _digest_claim(user=user, kind=DigestKind.REVIEW_QUEUE, day=today, items=size):
            continue
        # A career changer reviews their own suggestions: no "students" in their mail.
        context = {"size": size, "on_my_own": not user_has_role(user=user, role=Role.COUNSELLOR)}
        message = email_render(template="review_digest", user=user, context=context)
        if _digest_send(message, user=user, kind=DigestKind.REVIEW_QUEUE, day=today):
            sent += 1
    return sent


def report_notify(*, report_id: int) -> int:
    """Tell the student's counsellors that a suggestion was reported as wrong."""
    from matching.models import SuggestionReport
    from matching.reports import report_recipients

    report = (
        SuggestionReport.objects.select_related("match__opening", "match__profile__user")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        return 0
    sent = 0
    for user in report_recipients(report=report):
        if not user.email_updates:
            continue
        email_render(
            template="report",
            user=user,
            context={
                "student": report.match.profile.user.full_name,
                "opening": report.match.opening,
                "reason": report.reason,
                "review_url": _absolute(reverse("web:review_queue")),
            },
        ).send()
        sent += 1
    return sent


def company_refused_notify(*, company_id: int) -> int:
    """Tell a refused company's members why, so they can fix it and ask again."""
    company = Organisation.objects.filter(pk=company_id, refused_at__isnull=False).first()
    if company is None:
        return 0
    sent = 0
    for user in User.objects.filter(
        memberships__organisation=company, memberships__role=Role.COMPANY_MEMBER, is_active=True
    ).distinct():
        email_render(
            template="company_refused",
            user=user,
            context={"company": company, "reason": company.refusal_reason},
        ).send()
        sent += 1
    return sent


# Interview e-mails: who gets each, and whether a calendar file goes with it.
INTERVIEW_TO_STUDENT = frozenset({"proposed", "chosen", "moved", "cancelled"})
INTERVIEW_TO_COMPANY = frozenset({"other_time", "chosen", "moved", "cancelled"})
INTERVIEW_CALENDAR = frozenset({"chosen", "moved", "cancelled"})


def _interview_slot_current(interview: Any, event: str, slot_id: int | None) -> Any:
    """The slot the e-mail is about, if the event still holds (a stale one is not
    sent: a time moved again, or chosen and then cancelled, sends only the last)."""
    from matching.models import InterviewSlot

    if event not in INTERVIEW_CALENDAR:
        return None
    slot = InterviewSlot.objects.filter(pk=slot_id, interview=interview).first()
    if slot is None or slot.chosen_at is None:
        return False
    return slot if (slot.cancelled_at is not None) == (event == "cancelled") else False


def interview_calendar_file(
    *, interview: Any, slot: Any, for_company: bool, cancel: bool = False
) -> bytes:
    """The interview's .ics for one side, titled in the active language."""
    from notifications.calendar import interview_ics

    match = interview.match
    if for_company:
        summary = _("Interview with %(who)s: %(title)s") % {
            "who": match.profile.user.full_name,
            "title": match.opening.title,
        }
    else:
        summary = _("Interview: %(title)s at %(company)s") % {
            "title": match.opening.title,
            "company": match.opening.company.name,
        }
    return interview_ics(
        interview=interview,
        slot=slot,
        summary=summary,
        description=interview.message,
        cancel=cancel,
    )


def _attach_calendar(
    message: EmailMultiAlternatives, name: str, ics: bytes, *, cancel: bool
) -> None:
    method = "CANCEL" if cancel else "REQUEST"
    message.attach(name, ics, f"text/calendar; method={method}; charset=utf-8")


def _send_or_drop(message: EmailMultiAlternatives, user: User, what: str) -> int:
    """Send one e-mail of a step: 1 if sent, 0 if the server refused the address
    (logged and dropped; anything else propagates, and the task retries)."""
    try:
        message.send()
    except RECIPIENT_REFUSED:
        logger.warning("The mail server refused %s's address; %s email dropped.", user.pk, what)
        return 0
    return 1


def guest_calendar_file(
    *, request: Any, cancel: bool = False, with_note: bool = True
) -> bytes | None:
    """The planned guest lesson's .ics (the same event for both sides), titled in
    the active language; None while no date is chosen. The school's note is for
    the two sides only (``with_note``)."""
    from notifications.calendar import event_ics

    slot = request.chosen
    if slot is None:
        return None
    kind = request.get_format_display()
    summary = _("%(kind)s: %(topic)s (%(company)s, %(class)s)") % {
        "kind": kind[:1].upper() + kind[1:],
        "topic": request.topic,
        "company": request.offer.company.name if request.offer else "",
        "class": f"{request.organisation.name} {request.class_name}",
    }
    return event_ics(
        uid=request.uid,
        sequence=request.sequence,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        location=slot.location,
        summary=summary,
        description=request.note if with_note else "",
        cancel=cancel,
    )


def _guest_requesters(request: Any) -> list[User]:
    """Who hears of a request on the school's side: the counsellor who asked, while
    they still counsel there; otherwise the school's counsellors."""
    coaches = list(inbox.coaches_of(organisation_id=request.organisation_id))
    asker = request.requested_by
    if asker is not None and any(c.pk == asker.pk for c in coaches):
        return [asker]
    return coaches


# A guest-lesson step, the status the request must still have, and who is told.
GUEST_EVENTS = {
    "sent": ("sent", "company"),
    "proposed": ("proposed", "requester"),
    "declined": ("declined", "requester"),
    "planned": ("planned", "both"),
    "cancelled": ("cancelled", "both"),
}


def guest_request_notify(*, request_id: int, event: str) -> int:
    """E-mail (and list) a guest-lesson request's step to the side it concerns. A
    planned date goes to both sides with its .ics; a cancelled one with the .ics
    that takes it out of their calendars."""
    from learning.models import GuestRequest

    status, audience = GUEST_EVENTS[event]
    request = (
        GuestRequest.objects.select_related("organisation", "offer__company", "requested_by")
        .prefetch_related("slots")
        .filter(pk=request_id, status=status)
        .first()
    )
    if request is None or request.offer is None:
        return 0
    recipients: list[User] = []
    if audience in ("requester", "both"):
        recipients += _guest_requesters(request)
    if audience in ("company", "both"):
        recipients += list(inbox.company_members(company_id=request.offer.company_id))
    inbox.for_guest_request(request=request, event=event, recipients=recipients)
    sent = 0
    for user in recipients:
        if not _wants(user, "updates"):
            continue
        with translation.override(user.language):
            context = {
                "event": event,
                "request": request,
                "company": request.offer.company,
                "slot": request.chosen,
                "slots": request.open_slots,
                "url": _absolute(reverse("web:guest_request", args=[request.pk])),
            }
            message = email_render(template="guest_lesson", user=user, context=context)
            ics = guest_calendar_file(request=request, cancel=event == "cancelled")
            if ics is not None and event in ("planned", "cancelled"):
                _attach_calendar(message, "guest-lesson.ics", ics, cancel=event == "cancelled")
        sent += _send_or_drop(message, user, "guest-lesson")
    return sent


def interview_notify(*, interview_id: int, event: str, slot_id: int | None = None) -> int:
    """E-mail both sides of an interview what changed; a chosen, moved or cancelled
    time carries the .ics file that puts it in (or takes it out of) a calendar."""
    from matching.models import Interview

    interview = (
        Interview.objects.select_related(
            "match__profile__user", "match__opening__company", "match__opening__place"
        )
        .filter(pk=interview_id)
        .first()
    )
    if interview is None:
        return 0
    slot = _interview_slot_current(interview, event, slot_id)
    if slot is False:
        return 0
    match = interview.match
    student = match.profile.user
    recipients = []
    if event in INTERVIEW_TO_STUDENT:
        recipients.append((student, False))
    if event in INTERVIEW_TO_COMPANY:
        members = User.objects.filter(
            memberships__role=Role.COMPANY_MEMBER,
            memberships__organisation_id=match.opening.company_id,
        ).distinct()
        recipients += [(member, True) for member in members]
    revealed = match.state in (MatchState.ACCEPTED, MatchState.PLACED)
    inbox.for_interview(interview=interview, event=event, recipients=recipients, revealed=revealed)
    sent = 0
    for user, for_company in recipients:
        if not _wants(user, "updates"):
            continue
        with translation.override(user.language):
            who = (
                student.full_name
                if revealed
                else candidate_pseudonym(
                    profile_id=match.profile_id, company_id=match.opening.company_id
                )
            )
            context = {
                "event": event,
                "interview": interview,
                "opening": match.opening,
                "company": match.opening.company,
                "for_company": for_company,
                "who": who,
                "slot": slot,
                "slots": interview.open_slots,
                "url": _absolute(
                    reverse("web:opening_candidates", args=[match.opening.slug])
                    if for_company
                    else reverse("web:my_suggestions")
                ),
            }
            message = email_render(template="interview", user=user, context=context)
            if slot:
                ics = interview_calendar_file(
                    interview=interview,
                    slot=slot,
                    for_company=for_company,
                    cancel=event == "cancelled",
                )
                _attach_calendar(message, "interview.ics", ics, cancel=event == "cancelled")
        sent += _send_or_drop(message, user, "interview")
    return sent
