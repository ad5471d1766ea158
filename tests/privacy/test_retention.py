"""Retention: inactive profiles are warned, then erased 30 days later unless the
person comes back; old rejected and withdrawn suggestions are deleted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from marketplace.models import Profile
from matching.models import Match, MatchState
from privacy.services import retention_run
from tests import factories

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def _student(months_idle: float, **kw) -> User:
    then = NOW - dt.timedelta(days=round(months_idle * 30.44))
    user = factories.UserFactory(date_joined=then, last_login=then, **kw)
    profile = factories.ProfileFactory(user=user)
    Profile.objects.filter(pk=profile.pk).update(updated_at=then)
    return user


def test_warn_then_erase_unless_they_come_back() -> None:
    idle = _student(19, full_name="Ineke Inactief", language="nl")
    back = _student(19, full_name="Bart Terug")
    active = _student(2, full_name="Anna Actief")
    counts = retention_run(now=NOW)
    assert counts["warned"] == 2
    assert {m.to[0] for m in mail.outbox} == {idle.email, back.email}
    warning = next(m for m in mail.outbox if m.to == [idle.email])
    assert "verwijderen" in warning.body
    assert "List-Unsubscribe" not in warning.extra_headers
    # A second run the next day warns nobody again.
    assert retention_run(now=NOW + dt.timedelta(days=1))["warned"] == 0
    # Bart logs in meanwhile.
    User.objects.filter(pk=back.pk).update(last_login=NOW + dt.timedelta(days=10))
    later = NOW + dt.timedelta(days=31)
    counts = retention_run(now=later)
    assert counts["erased"] == 1
    assert User.objects.get(pk=idle.pk).erased_at is not None
    assert User.objects.get(pk=back.pk).erased_at is None
    assert User.objects.get(pk=active.pk).erased_at is None
    assert not User.objects.filter(full_name="Ineke Inactief").exists()


def test_old_rejected_and_withdrawn_suggestions_go() -> None:
    old = NOW - dt.timedelta(days=400)
    recent = NOW - dt.timedelta(days=30)
    keep, gone = [], []
    for state, when, bucket in [
        (MatchState.REJECTED, old, gone),
        (MatchState.WITHDRAWN, old, gone),
        (MatchState.REJECTED, recent, keep),
        (MatchState.PLACED, old, keep),
        (MatchState.APPROVED, old, keep),
    ]:
        match = factories.MatchFactory(state=state)
        Match.objects.filter(pk=match.pk).update(state_changed_at=when)
        bucket.append(match.pk)
    counts = retention_run(now=NOW)
    assert counts["suggestions_deleted"] == 2
    assert set(Match.objects.values_list("pk", flat=True)) == set(keep)


def test_unused_invitations_and_old_import_records_go(world) -> None:
    import datetime as dt

    from django.utils import timezone

    from accounts.models import ImportJob, Invitation
    from privacy import services as privacy

    now = timezone.now()
    old = Invitation.objects.create(
        organisation=world.school_a,
        email="oud@example.nl",
        full_name="Oud",
        class_name="1A",
        created_at=now - dt.timedelta(days=100),
        expires_at=now - dt.timedelta(days=70),
    )
    fresh = Invitation.objects.create(
        organisation=world.school_a,
        email="nieuw@example.nl",
        created_at=now,
        expires_at=now + dt.timedelta(days=30),
    )
    ImportJob.objects.create(kind="students", created_at=now - dt.timedelta(days=400))
    recent = ImportJob.objects.create(kind="students")
    counts = privacy.retention_run(now=now)
    assert (counts["invitations_deleted"], counts["imports_deleted"]) == (1, 1)
    assert not Invitation.objects.filter(pk=old.pk).exists()
    assert Invitation.objects.filter(pk=fresh.pk).exists()
    assert list(ImportJob.objects.values_list("pk", flat=True)) == [recent.pk]
