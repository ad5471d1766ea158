"""Emails about matches, sent by the worker through Django's email backend.

Each email goes out in the recipient's language, as plain text and HTML, only
if their notification settings allow it, and carries an unsubscribe link that
works without logging in (a signed token, see ``accounts.services``).

- ``match_event_notify``: one step of a match (forwarded, invited, accepted, withdrawn).
- ``suggestion_digests_send``: a student's new approved suggestions, once a day,
  at most ``MAAKMATCH_DIGEST_MAX_SUGGESTIONS``, at most
  ``MAAKMATCH_DIGEST_MAX_PER_COMPANY`` from one company.
- ``review_digests_send``: how many suggestions wait for a reviewer, once a day.

May import: accounts, marketplace, matching. Never api/ or web/.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import lazy

from accounts.models import Role, User
from accounts.services import unsubscribe_token_make
from matching.models import DigestKind, DigestSent, Match, MatchState
from matching.selectors import candidate_pseudonym, review_queue_sizes

logger = logging.getLogger(__name__)

# Which kind of email (and so which setting and unsubscribe link) each template is.
TEMPLATE_KIND = {
    "forwarded": "updates",
    "accepted": "updates",
    "invited": "updates",
    "withdrawn": "updates",
    "suggestions_digest": "digest",
    "review_digest": "digest",
}
SETTING_FOR_KIND = {"updates": "email_updates", "digest": "email_digest"}


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
        subject = render_to_string(f"matching/email/{template}_subject.txt", context)
        text = render_to_string(f"matching/email/{template}.txt", context)
        html = render_to_string(f"matching/email/{template}.html", context)
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


def _send(*, template: str, users: Iterable[User], context: dict[str, Any]) -> int:
    sent = 0
    for user in users:
        if _wants(user, TEMPLATE_KIND[template]):
            email_render(template=template, user=user, context=context).send()
            sent += 1
    return sent


def _company_members(match: Match) -> list[User]:
    return list(
        User.objects.filter(
            memberships__role=Role.COMPANY_MEMBER,
            memberships__organisation_id=match.opening.company_id,
            is_active=True,
        ).distinct()
    )


def match_event_notify(*, match_id: int, event: str) -> int:
    """Send the emails one step of a match causes; returns how many went out.

    A match that moved on since (or is gone) sends nothing: the email would be stale.
    """
    match = (
        Match.objects.select_related("profile__user", "opening__company", "opening__place")
        .filter(pk=match_id)
        .first()
    )
    if match is None:
        return 0
    expected = {
        "forwarded": MatchState.STUDENT_YES,
        "invited": MatchState.INVITED,
        "accepted": MatchState.ACCEPTED,
        "withdrawn": MatchState.WITHDRAWN,
    }
    if event not in expected:
        raise ValueError(f"Unknown match event {event!r}.")
    if match.state != expected[event]:
        return 0
    context = {
        "opening": match.opening,
        "company": match.opening.company,
        # Rendered per recipient, in their language ("Kandidaat 7F3K").
        "pseudonym": lazy(candidate_pseudonym, str)(
            profile_id=match.profile_id, company_id=match.opening.company_id
        ),
        "reason": _last_reason(match),
    }
    if event in ("forwarded", "accepted"):
        return _send(template=event, users=_company_members(match), context=context)
    return _send(template=event, users=[match.profile.user], context=context)


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
        with transaction.atomic():
            if not _digest_claim(
                user=user, kind=DigestKind.SUGGESTIONS, day=today, items=len(picked)
            ):
                continue
            Match.objects.filter(pk__in=[m.pk for m in picked]).update(
                student_notified_at=timezone.now()
            )
            # Sent inside the transaction: if sending fails, nothing is marked sent.
            email_render(
                template="suggestions_digest",
                user=user,
                context={"matches": picked, "more": len(matches) - len(picked)},
            ).send()
        sent += 1
    return sent


def review_digests_send(*, today: dt.date | None = None) -> int:
    """Tell each reviewer how many suggestions wait for them, at most once a day."""
    today = today or timezone.localdate()
    sizes = review_queue_sizes()
    sent = 0
    for user in User.objects.filter(pk__in=sizes, is_active=True):
        if not _wants(user, "digest"):
            continue
        with transaction.atomic():
            size = sizes[user.pk]
            if not _digest_claim(user=user, kind=DigestKind.REVIEW_QUEUE, day=today, items=size):
                continue
            email_render(template="review_digest", user=user, context={"size": size}).send()
        sent += 1
    return sent
