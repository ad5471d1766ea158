"""Reports of wrong suggestions: a student objects, their counsellor hears of it
and handles it. Part of the human oversight the EU AI Act asks for."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.background import task_send_on_commit
from accounts.exceptions import DomainError, InvalidState, NotAllowed
from accounts.models import Role, User
from accounts.selectors import organisations_for_user, user_can_counsel_student
from matching.models import Match, SuggestionReport
from matching.selectors import suggestions_for_student

REASON_MAX = 2000


@transaction.atomic
def suggestion_report(*, match: Match, by: User, reason: str) -> SuggestionReport:
    """The student reports one of their own suggestions as wrong."""
    if not suggestions_for_student(student=by).filter(pk=match.pk).exists():
        raise NotAllowed(_("You can only report your own suggestions."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say what is wrong with this suggestion."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_("Keep it under 2000 characters."), field="reason")
    report = SuggestionReport.objects.create(match=match, reporter=by, reason=reason)

    # The report is stored; a broker that is down delays only the email.
    task_send_on_commit("worker.notify_report", report.pk)
    return report


def reports_for_viewer(*, viewer: User) -> QuerySet[SuggestionReport]:
    """Open reports about the students this viewer counsels."""
    schools = organisations_for_user(user=viewer, role=Role.COUNSELLOR)
    return (
        SuggestionReport.objects.filter(
            handled_at__isnull=True,
            match__profile__user__memberships__role=Role.STUDENT,
            match__profile__user__memberships__organisation__in=schools,
        )
        .select_related("match__opening__company", "match__profile__user")
        .distinct()
    )


def report_recipients(*, report: SuggestionReport) -> list[User]:
    """The counsellors of the reporting student's school or learning location."""
    student = report.match.profile.user
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role=Role.COUNSELLOR,
            memberships__organisation__memberships__user=student,
            memberships__organisation__memberships__role=Role.STUDENT,
        ).distinct()
    )


@transaction.atomic
def report_handle(*, report: SuggestionReport, by: User) -> SuggestionReport:
    if not user_can_counsel_student(viewer=by, student=report.match.profile.user):
        raise NotAllowed(_("Only the student's counsellor handles this report."))
    updated = SuggestionReport.objects.filter(pk=report.pk, handled_at__isnull=True).update(
        handled_at=timezone.now(), handled_by=by
    )
    if not updated:
        raise InvalidState(_("This report has already been handled."))
    report.refresh_from_db()
    task_send_on_commit("worker.notify_report_handled", report.pk)
    return report
