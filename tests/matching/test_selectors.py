"""Who sees which matches, placements and audit entries: each persona, and the outsiders."""

from __future__ import annotations

import pytest

from accounts.models import User
from accounts.services import parental_consent_record
from matching import workflow
from matching.models import Match, MatchState
from matching.selectors import (
    audit_log_for_viewer,
    matches_for_viewer,
    placements_for_viewer,
    review_queue_for_viewer,
    review_queue_sizes,
    student_pseudonym,
    suggestions_for_student,
)
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db
S = MatchState


def _match(world: World, student: str, state: str, **opening: object) -> Match:
    user = getattr(world, student)
    profile = getattr(user, "profile", None) or factories.ProfileFactory(user=user)
    opening = factories.OpeningFactory(company=world.company_x, **opening)
    return factories.MatchFactory(profile=profile, opening=opening, state=state)


def _ids(matches: object) -> set[int]:
    return set(matches.values_list("pk", flat=True))


def test_the_review_queue_holds_the_viewers_students_open_suggestions(world: World) -> None:
    sams = _match(world, "sam", S.SUGGESTED)
    lottes = _match(world, "lotte", S.SUGGESTED)
    zeyneps = _match(world, "zeynep", S.SUGGESTED)
    _match(world, "sam", S.APPROVED)  # decided already
    _match(world, "sam", S.SUGGESTED, status="closed", closed_reason="by_company")

    assert _ids(review_queue_for_viewer(viewer=world.dirk)) == {sams.pk, lottes.pk}
    assert _ids(review_queue_for_viewer(viewer=world.zeynep)) == {zeyneps.pk}
    for outsider in ("olga", "cas", "bram", "otto", "carla", "sam", "stranger"):
        assert _ids(review_queue_for_viewer(viewer=getattr(world, outsider))) == set(), outsider
    User.objects.filter(pk=world.lotte.pk).update(is_active=False)
    assert _ids(review_queue_for_viewer(viewer=world.dirk)) == {sams.pk}


def test_review_queue_sizes_count_per_reviewer(world: World) -> None:
    _match(world, "sam", S.SUGGESTED)
    _match(world, "lotte", S.SUGGESTED)
    _match(world, "zeynep", S.SUGGESTED)
    _match(world, "zeynep", S.REJECTED)
    colleague = factories.UserFactory()
    factories.MembershipFactory(user=colleague, role="counsellor", organisation=world.school_a)
    assert review_queue_sizes() == {world.dirk.pk: 2, colleague.pk: 2, world.zeynep.pk: 1}


def test_a_student_sees_approved_suggestions_and_what_followed_only(world: World) -> None:
    shown = {s: _match(world, "sam", s) for s in S.values}
    visible = {
        shown[s].pk
        for s in S.values
        if s not in (S.SUGGESTED, S.RETIRED, S.REJECTED)  # the reviewer's business
    }
    assert _ids(suggestions_for_student(student=world.sam)) == visible
    assert _ids(matches_for_viewer(viewer=world.sam)) == visible
    assert _ids(suggestions_for_student(student=world.lotte)) == set()


def test_matches_for_each_persona(world: World) -> None:
    waiting = _match(world, "sam", S.SUGGESTED)
    forwarded = _match(world, "sam", S.STUDENT_YES)
    own = _match(world, "zeynep", S.SUGGESTED)
    assert _ids(matches_for_viewer(viewer=world.dirk)) == {waiting.pk, forwarded.pk}
    assert _ids(matches_for_viewer(viewer=world.bram)) == {forwarded.pk}
    assert _ids(matches_for_viewer(viewer=world.zeynep)) == {own.pk}
    for outsider in ("olga", "cas", "otto", "carla", "lotte", "stranger"):
        assert _ids(matches_for_viewer(viewer=getattr(world, outsider))) == set(), outsider


def test_placements_are_seen_by_the_parties_only(world: World) -> None:
    match = _match(world, "sam", S.ACCEPTED)
    placement = workflow.match_place(match=match, by=world.bram)
    for party in ("sam", "dirk", "bram"):
        assert list(placements_for_viewer(viewer=getattr(world, party))) == [placement], party
    for outsider in ("olga", "cas", "otto", "carla", "lotte", "zeynep", "stranger"):
        assert not placements_for_viewer(viewer=getattr(world, outsider)).exists(), outsider


def test_a_step_on_a_closed_opening_or_a_hidden_profile_is_refused(world: World) -> None:
    closed = _match(world, "sam", S.SUGGESTED, status="closed", closed_reason="by_company")
    with pytest.raises(workflow.InvalidState):
        workflow.match_approve(match=closed, by=world.dirk)
    hidden = _match(world, "zeynep", S.APPROVED)
    workflow.profile_hide(profile=hidden.profile, by=world.zeynep)
    hidden = Match.objects.get(pk=hidden.pk)
    assert hidden.state == S.WITHDRAWN
    other = factories.MatchFactory(profile=hidden.profile, state=S.SUGGESTED)
    with pytest.raises(workflow.InvalidState):
        workflow.match_approve(match=Match.objects.get(pk=other.pk), by=world.zeynep)


def test_the_coordinator_reads_the_audit_log_without_student_names(world: World) -> None:
    parental_consent_record(student=world.lotte, counsellor=world.dirk)
    match = _match(world, "lotte", S.SUGGESTED)
    workflow.match_approve(match=match, by=world.dirk, reason="Goed passend")
    workflow.match_student_answer(match=match, by=world.lotte, yes=True)

    rows = audit_log_for_viewer(viewer=world.carla)
    pseudonym = student_pseudonym(user_id=world.lotte.pk)
    assert [(r["actor"], r["student"], r["to_state"]) for r in rows] == [
        (pseudonym, pseudonym, S.STUDENT_YES),
        (world.dirk.full_name, pseudonym, S.APPROVED),
    ]
    assert world.lotte.full_name not in repr(rows)

    counsellor_rows = audit_log_for_viewer(viewer=world.dirk)
    assert {r["student"] for r in counsellor_rows} == {world.lotte.full_name}
    assert audit_log_for_viewer(viewer=world.olga) == []
