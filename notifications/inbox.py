"""Notifications inside the product: the list in the header.

The worker writes them when a step happens (the same tasks that send e-mail),
so a step's transaction never waits for them. Each row keeps a kind and the
facts it needs; the sentence is said in the reader's language when shown. A
company's reader gets a name only from the step where it may see one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import Role, User
from learning.models import Enrolment, EnrolmentStatus
from matching.models import Match, MatchState
from notifications.models import Notification, NotificationKind

K = NotificationKind

SENTENCES = {
    K.APPROVED: gettext_lazy("New suggestion: %(title)s at %(company)s"),
    K.INVITED: gettext_lazy("%(company)s invites you for %(title)s"),
    K.FORWARDED: gettext_lazy("A new candidate for %(title)s"),
    K.ACCEPTED: gettext_lazy("%(who)s accepted your invitation for %(title)s"),
    K.PLACED: gettext_lazy("Your placement at %(company)s is confirmed: %(title)s"),
    K.WITHDRAWN: gettext_lazy("%(title)s at %(company)s has ended"),
    K.INTERVIEW_PROPOSED: gettext_lazy("%(company)s proposes times to talk about %(title)s"),
    K.INTERVIEW_OTHER_TIME: gettext_lazy(
        "A candidate for %(title)s asks for another interview time"
    ),
    K.INTERVIEW_CHOSEN: gettext_lazy("%(who)s chose an interview time for %(title)s"),
    K.INTERVIEW_MOVED: gettext_lazy("The interview for %(title)s has a new time"),
    K.INTERVIEW_CANCELLED: gettext_lazy("The interview for %(title)s is cancelled"),
    K.REPORT_HANDLED: gettext_lazy("Your counsellor handled your report about %(title)s"),
    K.COURSE_SIGN_UP: gettext_lazy("%(who)s signed up for %(course)s"),
    K.COURSE_CONFIRMED: gettext_lazy("Your sign-up for %(course)s is confirmed"),
    K.COURSE_DECLINED: gettext_lazy("Your sign-up for %(course)s was declined"),
    K.COURSE_COMPLETED: gettext_lazy("You completed %(course)s: its skills are on your profile"),
    K.GUEST_REQUESTED: gettext_lazy("%(school)s asks for a guest lesson: %(topic)s"),
    K.GUEST_PROPOSED: gettext_lazy("%(company)s proposes dates for %(topic)s"),
    K.GUEST_DECLINED: gettext_lazy("%(company)s cannot give %(topic)s"),
    K.GUEST_PLANNED: gettext_lazy("Guest lesson planned: %(topic)s with %(class)s"),
    K.GUEST_CANCELLED: gettext_lazy("Guest lesson cancelled: %(topic)s"),
}
# A guest-lesson request's step and its kind.
GUEST_KINDS = {
    "sent": K.GUEST_REQUESTED,
    "proposed": K.GUEST_PROPOSED,
    "declined": K.GUEST_DECLINED,
    "planned": K.GUEST_PLANNED,
    "cancelled": K.GUEST_CANCELLED,
}
# A sign-up's step, the status it must still have, the kind, and who is told.
ENROLMENT_EVENTS = {
    "requested": (EnrolmentStatus.REQUESTED, K.COURSE_SIGN_UP, "provider"),
    "confirmed": (EnrolmentStatus.CONFIRMED, K.COURSE_CONFIRMED, "person"),
    "declined": (EnrolmentStatus.DECLINED, K.COURSE_DECLINED, "person"),
    "completed": (EnrolmentStatus.COMPLETED, K.COURSE_COMPLETED, "person"),
}

# A match's step, the state it must still be in, the kind, and who is told.
MATCH_EVENTS = {
    "approved": (MatchState.APPROVED, K.APPROVED, "student"),
    "invited": (MatchState.INVITED, K.INVITED, "student"),
    "forwarded": (MatchState.STUDENT_YES, K.FORWARDED, "company"),
    "accepted": (MatchState.ACCEPTED, K.ACCEPTED, "company"),
    "placed": (MatchState.PLACED, K.PLACED, "student"),
    "withdrawn": (MatchState.WITHDRAWN, K.WITHDRAWN, "student"),
}
INTERVIEW_KINDS = {
    "proposed": K.INTERVIEW_PROPOSED,
    "other_time": K.INTERVIEW_OTHER_TIME,
    "chosen": K.INTERVIEW_CHOSEN,
    "moved": K.INTERVIEW_MOVED,
    "cancelled": K.INTERVIEW_CANCELLED,
}
LIST_SIZE = 8


class _Facts(dict):
    """Missing facts read as empty, so an old row never breaks its sentence."""

    def __missing__(self, key: str) -> str:
        return ""


def notification_text(notification: Notification) -> str:
    return str(SENTENCES[notification.kind]) % _Facts(notification.params or {})


def notifications_add(*, users: Iterable[User], kind: str, params: dict, url: str) -> int:
    """One notification per (active) person."""
    rows = [
        Notification(user=user, kind=kind, params=params, url=url)
        for user in users
        if user.is_active
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


def company_members(*, company_id: int) -> QuerySet[User]:
    return User.objects.filter(
        memberships__role=Role.COMPANY_MEMBER,
        memberships__organisation_id=company_id,
        is_active=True,
        organisation_key__isnull=True,  # a key's account reads no notifications
    ).distinct()


def match_facts(match: Match, *, with_name: bool) -> dict[str, Any]:
    facts = {"title": match.opening.title, "company": match.opening.company.name}
    if with_name:
        facts["who"] = match.profile.user.full_name
    return facts


def for_match_event(*, match_id: int, event: str) -> int:
    """The notifications one step of a match causes; none if it no longer holds."""
    if event not in MATCH_EVENTS:
        raise ValueError(f"Unknown match event {event!r}.")
    state, kind, audience = MATCH_EVENTS[event]
    match = (
        Match.objects.select_related("profile__user", "opening__company")
        .filter(pk=match_id, state=state)
        .first()
    )
    if match is None:
        return 0
    if audience == "company":
        return notifications_add(
            users=company_members(company_id=match.opening.company_id),
            kind=kind,
            params=match_facts(match, with_name=event == "accepted"),
            url=reverse("web:opening_candidates", args=[match.opening.slug]),
        )
    return notifications_add(
        users=[match.profile.user],
        kind=kind,
        params=match_facts(match, with_name=False),
        url=reverse("web:my_suggestions") + f"#suggestion-{match.pk}",
    )


def notifications_for_user(*, user: User) -> QuerySet[Notification]:
    """A person's own notifications, newest first; nobody else's."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def unread_count(*, user: User) -> int:
    return notifications_for_user(user=user).filter(read_at__isnull=True).count()


def notification_open(*, user: User, notification_id: int) -> str | None:
    """Mark one of the person's notifications read; where it leads (None if it is
    not theirs)."""
    notification = notifications_for_user(user=user).filter(pk=notification_id).first()
    if notification is None:
        return None
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
    return notification.url


def notifications_read_all(*, user: User) -> int:
    return (
        notifications_for_user(user=user)
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )


def coaches_of(*, organisation_id: int) -> QuerySet[User]:
    """The counsellors (coaches) of a learning location or school, not its keys."""
    return User.objects.filter(
        memberships__role=Role.COUNSELLOR,
        memberships__organisation_id=organisation_id,
        is_active=True,
        organisation_key__isnull=True,
    ).distinct()


def for_enrolment(*, enrolment_id: int, event: str) -> int:
    """A sign-up's step: the provider's coaches hear of a new sign-up (with the
    person's name: signing up shares it), the person of each decision."""
    if event not in ENROLMENT_EVENTS:
        raise ValueError(f"Unknown sign-up event {event!r}.")
    status, kind, audience = ENROLMENT_EVENTS[event]
    enrolment = (
        Enrolment.objects.select_related("course", "user")
        .filter(pk=enrolment_id, status=status)
        .first()
    )
    if enrolment is None:
        return 0
    course = enrolment.course
    if audience == "provider":
        return notifications_add(
            users=coaches_of(organisation_id=course.provider_id),
            kind=kind,
            params={"course": course.title, "who": enrolment.user.full_name},
            url=reverse("web:course_enrolments", args=[course.slug]),
        )
    return notifications_add(
        users=[enrolment.user],
        kind=kind,
        params={"course": course.title},
        url=reverse("web:my_courses"),
    )


def for_guest_request(*, request: Any, event: str, recipients: Iterable[User]) -> int:
    """One notification per person told of a guest-lesson request's step."""
    return notifications_add(
        users=recipients,
        kind=GUEST_KINDS[event],
        params={
            "topic": request.topic,
            "class": request.class_name,
            "school": request.organisation.name,
            "company": request.offer.company.name if request.offer else "",
        },
        url=reverse("web:guest_request", args=[request.pk]),
    )


def for_report_handled(*, report_id: int) -> int:
    """The student who reported a suggestion hears that it was handled."""
    from matching.models import SuggestionReport

    report = (
        SuggestionReport.objects.select_related("match__opening__company", "reporter")
        .filter(pk=report_id, handled_at__isnull=False, reporter__isnull=False)
        .first()
    )
    if report is None:
        return 0
    return notifications_add(
        users=[report.reporter],
        kind=K.REPORT_HANDLED,
        params=match_facts(report.match, with_name=False),
        url=reverse("web:my_suggestions"),
    )


def for_interview(
    *, interview: Any, event: str, recipients: Iterable[tuple[User, bool]], revealed: bool
) -> int:
    """One notification per side of an interview step (``recipients``: person,
    whether on the company's side). A student is not told of their own pick."""
    match = interview.match
    added = 0
    for user, for_company in recipients:
        if event == "chosen" and not for_company:
            continue
        added += notifications_add(
            users=[user],
            kind=INTERVIEW_KINDS[event],
            params=match_facts(match, with_name=for_company and revealed),
            url=reverse("web:opening_candidates", args=[match.opening.slug])
            if for_company
            else reverse("web:my_suggestions") + f"#suggestion-{match.pk}",
        )
    return added
