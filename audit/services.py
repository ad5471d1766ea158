"""Writing the audit log's "personal data viewed" entries.

Imports only ``accounts``: every app may call it. Transitions write their own
entries (``matching.workflow``). This module records
every time someone other than the student sees the student's personal data: a
company member opening a revealed candidate, a counsellor opening their list.
Entries are only ever added (``AuditEntry`` refuses change and delete).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Model
from django.utils import timezone

from accounts.models import User
from audit.models import AuditAction, AuditEntry


def personal_data_viewed(
    *,
    viewer: User,
    students: Sequence[User],
    what: str,
    matches: Sequence[Model | None] | None = None,
) -> int:
    """Record that ``viewer`` saw these students' personal data, in one insert;
    ``matches``, if given, pairs each student with the match it was seen through.

    A student looking at their own data is not recorded. Returns the entries added.
    """
    now = timezone.now()
    through = matches if matches is not None else [None] * len(students)
    entries = [
        AuditEntry(
            created_at=now,
            actor=viewer,
            action=AuditAction.VIEW,
            student=student,
            match=match,
            reason=what,
        )
        for student, match in zip(students, through, strict=True)
        if student.pk != viewer.pk
    ]
    AuditEntry.objects.bulk_create(entries)
    return len(entries)


def api_call_recorded(*, actor: User, method: str, path: str, status: int) -> None:
    """One call made with an organisation key, under the key's own account."""
    AuditEntry.objects.create(
        actor=actor, action=AuditAction.API_CALL, reason=f"{method} {path[:500]} {status}"
    )
