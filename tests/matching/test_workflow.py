"""The match's journey: every transition by its right person and refused for
every other one, placements and their capacity, withdrawal, and the audit log."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.urls import reverse

from accounts.exceptions import DomainError, InvalidState, NotAllowed
from accounts.services import parental_consent_record
from audit.models import AuditAction, AuditEntry
from marketplace.models import Opening, OpeningStatus, Placement, PlacementStatus
from matching import workflow
from matching.models import Match, MatchState
from matching.selectors import audit_entries_for_viewer
from tests import factories
from tests.conftest import World, login_with_second_factor

pytestmark = pytest.mark.django_db
S = MatchState
PERSONAS = ["sam", "lotte", "dirk", "olga", "cas", "bram", "otto", "carla", "zeynep", "stranger"]


def _match(world: World, state: str, *, student: str = "sam", **opening: object) -> Match:
    user = getattr(world, student)
    profile = getattr(user, "profile", None) or factories.ProfileFactory(user=user)
    opening = factories.OpeningFactory(company=world.company_x, **opening)
    return factories.MatchFactory(profile=profile, opening=opening, state=state)


# (from, to, the service call, the one persona who may take it)
STEPS: list[tuple[str, str, Callable[..., object], str]] = [
    (S.SUGGESTED, S.APPROVED, lambda m, by: workflow.match_approve(match=m, by=by), "dirk"),
    (
        S.SUGGESTED,
        S.REJECTED,
        lambda m, by: workflow.match_reject(match=m, by=by, reason="Te ver weg"),
        "dirk",
    ),
    (
        S.APPROVED,
        S.STUDENT_YES,
        lambda m, by: workflow.match_student_answer(match=m, by=by, yes=True),
        "sam",
    ),
    (
        S.APPROVED,
        S.STUDENT_NO,
        lambda m, by: workflow.match_student_answer(match=m, by=by, yes=False),
        "sam",
    ),
    (S.STUDENT_YES, S.INVITED, lambda m, by: workflow.match_invite(match=m, by=by), "bram"),
    (S.STUDENT_YES, S.DECLINED, lambda m, by: workflow.match_decline(match=m, by=by), "bram"),
    (
        S.INVITED,
        S.ACCEPTED,
        lambda m, by: workflow.match_invitation_answer(match=m, by=by, accept=True),
        "sam",
    ),
    (
        S.INVITED,
        S.STUDENT_NO,
        lambda m, by: workflow.match_invitation_answer(match=m, by=by, accept=False),
        "sam",
    ),
    (S.ACCEPTED, S.PLACED, lambda m, by: workflow.match_place(match=m, by=by), "bram"),
]
STEP_IDS = [f"{a}-to-{b}" for a, b, _call, _who in STEPS]


def test_every_step_with_a_service_is_in_the_one_table() -> None:
    assert {(a, b) for a, b, _call, _who in STEPS} <= set(workflow.TRANSITIONS)
    human = {k for k, actor in workflow.TRANSITIONS.items() if actor != workflow.Actor.SYSTEM}
    assert human == {(a, b) for a, b, _call, _who in STEPS}


@pytest.mark.parametrize(("from_state", "to_state", "call", "who"), STEPS, ids=STEP_IDS)
def test_the_right_person_takes_the_step_and_it_is_on_the_record(
    world: World, from_state: str, to_state: str, call: Callable, who: str
) -> None:
    match = _match(world, from_state)
    call(match, getattr(world, who))
    match.refresh_from_db()
    assert match.state == to_state
    assert match.state_changed_at is not None
    entry = AuditEntry.objects.get(match=match)
    assert (entry.actor, entry.action) == (getattr(world, who), AuditAction.TRANSITION)
    assert (entry.from_state, entry.to_state, entry.student) == (from_state, to_state, world.sam)


@pytest.mark.parametrize(
    ("from_state", "to_state", "call", "who", "wrong"),
    [(*step, wrong) for step in STEPS for wrong in PERSONAS if wrong != step[3]],
    ids=[
        f"{i}-by-{wrong}"
        for i, step in zip(STEP_IDS, STEPS, strict=True)
        for wrong in PERSONAS
        if wrong != step[3]
    ],
)
def test_every_other_person_is_refused_and_nothing_changes(
    world: World, from_state: str, to_state: str, call: Callable, who: str, wrong: str
) -> None:
    match = _match(world, from_state)
    with pytest.raises(NotAllowed):
        call(match, getattr(world, wrong))
    match.refresh_from_db()
    assert match.state == from_state
    assert not AuditEntry.objects.exists()
    assert not Placement.objects.exists()


@pytest.mark.parametrize("from_state", S.values)
@pytest.mark.parametrize("to_state", S.values)
def test_a_step_outside_the_table_is_refused(world: World, from_state: str, to_state: str) -> None:
    if (from_state, to_state) in workflow.TRANSITIONS:
        return
    match = _match(world, from_state)
    with pytest.raises(InvalidState):
        workflow._transition(match=match, to=to_state, by=world.dirk)
    assert Match.objects.get(pk=match.pk).state == from_state


def test_acting_on_a_stale_copy_is_refused(world: World) -> None:
    match = _match(world, S.SUGGESTED)
    stale = Match.objects.get(pk=match.pk)
    workflow.match_approve(match=match, by=world.dirk)
    with pytest.raises(InvalidState):
        workflow.match_reject(match=stale, by=world.dirk, reason="dubbel")
    assert Match.objects.get(pk=match.pk).state == S.APPROVED
    assert AuditEntry.objects.filter(match=match).count() == 1


def test_a_rejection_needs_a_reason(world: World) -> None:
    match = _match(world, S.SUGGESTED)
    with pytest.raises(DomainError) as info:
        workflow.match_reject(match=match, by=world.dirk, reason="  ")
    assert info.value.field == "reason"
    assert Match.objects.get(pk=match.pk).state == S.SUGGESTED


def test_an_adult_without_a_school_approves_their_own_suggestions(world: World) -> None:
    match = _match(world, S.SUGGESTED, student="zeynep")
    for outsider in (world.dirk, world.cas, world.carla):
        with pytest.raises(NotAllowed):
            workflow.match_approve(match=match, by=outsider)
    workflow.match_approve(match=match, by=world.zeynep)
    assert Match.objects.get(pk=match.pk).state == S.APPROVED


def test_a_pupil_under_16_waits_for_parental_consent(world: World) -> None:
    match = _match(world, S.SUGGESTED, student="lotte")
    assert "toestemming" in workflow.match_block_reason(match=match)
    with pytest.raises(InvalidState, match="toestemming"):
        workflow.match_approve(match=match, by=world.dirk)
    assert Match.objects.get(pk=match.pk).state == S.SUGGESTED
    parental_consent_record(student=world.lotte, counsellor=world.dirk)
    match = Match.objects.get(pk=match.pk)
    assert workflow.match_block_reason(match=match) is None
    workflow.match_approve(match=match, by=world.dirk)
    assert Match.objects.get(pk=match.pk).state == S.APPROVED


# --- Placements -----------------------------------------------------------------


def test_confirming_creates_the_placement_and_fills_a_place(world: World) -> None:
    match = _match(world, S.ACCEPTED, capacity=2)
    placement = workflow.match_place(
        match=match, by=world.bram, start_date=dt.date(2027, 2, 1), end_date=dt.date(2027, 6, 30)
    )
    opening = Opening.objects.get(pk=match.opening_id)
    assert (opening.places_filled, opening.status) == (1, OpeningStatus.OPEN)
    assert (placement.profile, placement.opening, placement.type) == (
        match.profile,
        opening,
        opening.type,
    )
    assert (placement.start_date, placement.end_date) == (dt.date(2027, 2, 1), dt.date(2027, 6, 30))
    assert placement.status == PlacementStatus.CONFIRMED


def test_an_end_before_the_start_is_a_field_error_and_stores_nothing(world: World) -> None:
    match = _match(world, S.ACCEPTED)
    with pytest.raises(DomainError) as info:
        workflow.match_place(
            match=match, by=world.bram, start_date=dt.date(2027, 2, 1), end_date=dt.date(2027, 1, 1)
        )
    assert info.value.field == "end_date"
    assert not Placement.objects.exists()
    assert Match.objects.get(pk=match.pk).state == S.ACCEPTED
    assert Opening.objects.get(pk=match.opening_id).places_filled == 0


def test_the_last_place_closes_the_opening_and_ends_the_other_suggestions(world: World) -> None:
    winner = _match(world, S.ACCEPTED, capacity=2)
    opening = winner.opening
    Opening.objects.filter(pk=opening.pk).update(places_filled=1)
    untouched = factories.MatchFactory(opening=opening, state=S.SUGGESTED)
    waiting = factories.MatchFactory(opening=opening, state=S.APPROVED)
    refused = factories.MatchFactory(opening=opening, state=S.STUDENT_NO)
    workflow.match_place(match=winner, by=world.bram)
    opening.refresh_from_db()
    assert (opening.status, opening.closed_reason, opening.places_left) == ("closed", "filled", 0)
    assert Match.objects.get(pk=untouched.pk).state == S.RETIRED
    assert Match.objects.get(pk=waiting.pk).state == S.WITHDRAWN
    assert Match.objects.get(pk=refused.pk).state == S.STUDENT_NO
    entry = AuditEntry.objects.get(match=waiting)
    assert entry.actor is None
    assert "filled" in entry.reason


def test_no_place_left_means_no_placement(world: World) -> None:
    match = _match(world, S.ACCEPTED, capacity=1)
    Opening.objects.filter(pk=match.opening_id).update(places_filled=1)
    with pytest.raises(InvalidState):
        workflow.match_place(match=match, by=world.bram)
    assert not Placement.objects.exists()
    assert Match.objects.get(pk=match.pk).state == S.ACCEPTED


def test_cancelling_frees_the_place_and_reopens_a_full_opening(world: World) -> None:
    match = _match(world, S.ACCEPTED, capacity=1)
    placement = workflow.match_place(match=match, by=world.bram)
    assert Opening.objects.get(pk=match.opening_id).status == "closed"
    with pytest.raises(NotAllowed):
        workflow.placement_cancel(placement=placement, by=world.otto, reason="niet van ons")
    with pytest.raises(DomainError) as info:
        workflow.placement_cancel(placement=placement, by=world.bram, reason="")
    assert info.value.field == "reason"
    workflow.placement_cancel(placement=placement, by=world.bram, reason="Verhuisd")
    placement.refresh_from_db()
    assert (placement.status, placement.cancel_reason, placement.cancelled_by) == (
        PlacementStatus.CANCELLED,
        "Verhuisd",
        world.bram,
    )
    opening = Opening.objects.get(pk=match.opening_id)
    assert (opening.status, opening.closed_reason, opening.places_filled) == ("open", "", 0)
    assert Match.objects.get(pk=match.pk).state == S.WITHDRAWN
    with pytest.raises(InvalidState):
        workflow.placement_cancel(placement=placement, by=world.bram, reason="nogmaals")


def test_the_students_counsellor_may_cancel_and_a_closed_opening_stays_closed(
    world: World,
) -> None:
    match = _match(world, S.ACCEPTED, capacity=2)
    placement = workflow.match_place(match=match, by=world.bram)
    Opening.objects.filter(pk=match.opening_id).update(status="closed", closed_reason="by_company")
    with pytest.raises(NotAllowed):
        workflow.placement_cancel(placement=placement, by=world.olga, reason="?")
    workflow.placement_cancel(placement=placement, by=world.dirk, reason="Ziek")
    opening = Opening.objects.get(pk=match.opening_id)
    assert (opening.status, opening.places_filled) == ("closed", 0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_members_confirming_the_last_place_at_once_make_one_placement(
    world: World,
) -> None:
    colleague = factories.UserFactory()
    factories.MembershipFactory(user=colleague, role="company_member", organisation=world.company_x)
    first = _match(world, S.ACCEPTED, capacity=1)
    second = factories.MatchFactory(
        opening=first.opening, profile=factories.ProfileFactory(), state=S.ACCEPTED
    )
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def confirm(match_id: int, member_id: int, name: str) -> None:
        try:
            match = Match.objects.select_related("profile__user", "opening__company").get(
                pk=match_id
            )
            member = type(world.bram).objects.get(pk=member_id)
            barrier.wait(timeout=10)
            outcomes[name] = workflow.match_place(match=match, by=member)
        except Exception as exc:  # the loser's error is the point of the test
            outcomes[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=confirm, args=(first.pk, world.bram.pk, "bram")),
        threading.Thread(target=confirm, args=(second.pk, colleague.pk, "colleague")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(isinstance(o, Placement) for o in outcomes.values()) == 1
    assert sum(isinstance(o, InvalidState) for o in outcomes.values()) == 1
    assert Placement.objects.count() == 1
    opening = Opening.objects.get(pk=first.opening_id)
    assert (opening.places_filled, opening.status, opening.closed_reason) == (1, "closed", "filled")
    states = sorted(Match.objects.filter(opening=opening).values_list("state", flat=True))
    assert states == [S.PLACED, S.WITHDRAWN]


# --- Withdrawal -------------------------------------------------------------------


def test_closing_an_opening_withdraws_open_steps_and_retires_the_untouched(world: World) -> None:
    invited = _match(world, S.INVITED)
    opening = invited.opening
    untouched = factories.MatchFactory(opening=opening, state=S.SUGGESTED)
    declined = factories.MatchFactory(opening=opening, state=S.DECLINED)
    with pytest.raises(NotAllowed):
        workflow.opening_close(opening=opening, by=world.otto)
    assert Match.objects.get(pk=invited.pk).state == S.INVITED
    workflow.opening_close(opening=opening, by=world.bram)
    opening.refresh_from_db()
    assert (opening.status, opening.closed_reason) == ("closed", "by_company")
    assert Match.objects.get(pk=invited.pk).state == S.WITHDRAWN
    assert Match.objects.get(pk=untouched.pk).state == S.RETIRED
    assert Match.objects.get(pk=declined.pk).state == S.DECLINED
    assert AuditEntry.objects.get(match=invited).actor == world.bram
    with pytest.raises(InvalidState):
        workflow.opening_close(opening=opening, by=world.bram)


def test_hiding_a_profile_withdraws_its_open_steps(world: World) -> None:
    approved = _match(world, S.APPROVED)
    profile = approved.profile
    with pytest.raises(NotAllowed):
        workflow.profile_hide(profile=profile, by=world.dirk)
    workflow.profile_hide(profile=profile, by=world.sam)
    profile.refresh_from_db()
    assert profile.is_visible is False
    assert Match.objects.get(pk=approved.pk).state == S.WITHDRAWN


def test_a_refreshed_score_never_moves_a_decided_match_back(world: World) -> None:
    """The engine's settle only touches suggested and retired rows."""
    from matching.services import _settle

    decided = {state: _match(world, state) for state in S.values if state != S.SUGGESTED}
    Match.objects.update(profile_rank=None, opening_rank=None, score=0.1)
    _settle(Match.objects.all())
    for state, match in decided.items():
        assert Match.objects.get(pk=match.pk).state == state


# --- Audit log ---------------------------------------------------------------------


def test_the_audit_log_cannot_be_changed_or_deleted_through_the_orm(world: World) -> None:
    match = _match(world, S.SUGGESTED)
    workflow.match_approve(match=match, by=world.dirk, reason="Past goed")
    entry = AuditEntry.objects.get()
    entry.reason = "iets anders"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="weg")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().reason == "Past goed"


def test_the_audit_log_cannot_be_changed_or_deleted_in_the_admin(world: World, client) -> None:
    match = _match(world, S.SUGGESTED)
    workflow.match_approve(match=match, by=world.dirk, reason="Past goed")
    entry = AuditEntry.objects.get()
    admin = factories.UserFactory(is_staff=True, is_superuser=True)
    login_with_second_factor(client, admin)
    change = reverse("admin:audit_auditentry_change", args=[entry.pk])
    delete = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert client.get(change).status_code == 200  # read-only view
    assert client.post(change, {"reason": "weg", "action": "view"}).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:audit_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302, 403)
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert AuditEntry.objects.get().reason == "Past goed"


def test_each_sees_the_audit_log_of_their_scope(world: World) -> None:
    sams = _match(world, S.SUGGESTED)
    zeyneps = _match(world, S.SUGGESTED, student="zeynep")
    workflow.match_approve(match=sams, by=world.dirk)
    workflow.match_approve(match=zeyneps, by=world.zeynep)

    def seen(viewer: str) -> set[int]:
        entries = audit_entries_for_viewer(viewer=getattr(world, viewer))
        return set(entries.values_list("match_id", flat=True))

    assert seen("carla") == {sams.pk, zeyneps.pk}
    assert seen("dirk") == {sams.pk}
    assert seen("sam") == {sams.pk}
    assert seen("zeynep") == {zeyneps.pk}
    for outsider in ("olga", "cas", "bram", "otto", "stranger", "lotte"):
        assert seen(outsider) == set(), outsider
