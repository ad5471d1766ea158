"""The demo shows the product at once: ``seed_demo`` computes the suggestions
and walks a share of them through the workflow, deterministically, and a
second run changes nothing."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command

from accounts.models import User
from audit.models import AuditEntry
from matching.demo import DEMO_COMPANY, REJECT_REASONS
from matching.models import Match, MatchState
from matching.selectors import review_queue_for_viewer, suggestions_for_student

pytestmark = pytest.mark.django_db(transaction=True)
S = MatchState


def _states(**filters: object) -> Counter:
    return Counter(Match.objects.filter(**filters).values_list("state", flat=True))


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", force=True, students=120, openings=60, stdout=out)
    return out.getvalue()


def test_the_demo_has_suggestions_at_every_step_and_a_rerun_changes_nothing() -> None:
    output = _seed()
    assert "Suggestions:" in output
    states = _states()
    for state in (S.SUGGESTED, S.APPROVED, S.REJECTED, S.STUDENT_YES, S.STUDENT_NO):
        assert states[state] > 0, (state, states)
    # Each role's pages have content.
    sam = User.objects.get(email="student@demo.maakmatch.nl")
    assert suggestions_for_student(student=sam).filter(state=S.APPROVED).count() == 3
    dirk = User.objects.get(email="decaan@demo.maakmatch.nl")
    assert review_queue_for_viewer(viewer=dirk).exists()
    company = _states(opening__company__slug=DEMO_COMPANY)
    assert company[S.SUGGESTED] > 0  # waiting for a counsellor
    assert sum(company[s] for s in (S.STUDENT_YES, S.INVITED, S.ACCEPTED, S.PLACED)) > 0
    # Rejections carry a preset reason, as a counsellor gives one.
    reasons = set(AuditEntry.objects.filter(to_state=S.REJECTED).values_list("reason", flat=True))
    assert reasons
    assert reasons <= set(REJECT_REASONS)
    # Everything went through the workflow: each step on the record, by a person.
    steps = AuditEntry.objects.filter(to_state__in=[S.APPROVED, S.REJECTED, S.STUDENT_YES])
    assert steps.count() >= states[S.APPROVED] + states[S.REJECTED] + states[S.STUDENT_YES]
    assert not steps.filter(actor__isnull=True).exists()
    audit_before = AuditEntry.objects.count()
    # A second run takes no step and leaves every state as it was.
    assert "workflow steps: none new" in _seed()
    assert _states() == states
    assert AuditEntry.objects.count() == audit_before
