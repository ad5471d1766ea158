"""The store path: COPY into a staging table, then one merge per store.

Compared row for row with the path it replaced (``reference_store``) on a seeded
region, from an empty table and from a full one where people decided and
profiles changed after the run read them."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from marketplace.models import Profile
from matching import services, store
from matching.engine import MatchIndex
from matching.models import Match, MatchState
from tests.matching import reference_store

pytestmark = pytest.mark.django_db
S = MatchState
COLUMNS = (
    "profile_id",
    "opening_id",
    "score",
    "profile_rank",
    "opening_rank",
    "state",
    "explanation",
    "engine_version",
    "weights_version",
    "profile_version",
    "opening_version",
)


@pytest.fixture
def index() -> MatchIndex:
    call_command(
        "seed_demo",
        force=True,
        students=240,
        openings=80,
        without_suggestions=True,
        stdout=io.StringIO(),
    )
    built = services.match_index_build()
    assert built is not None
    return built


def _rows(**filters: object) -> list[tuple]:
    return sorted(Match.objects.filter(**filters).values_list(*COLUMNS))


def _after(store_full, index: MatchIndex) -> list[tuple]:
    """The rows ``store_full`` leaves, from the current table; then back to it."""
    with transaction.atomic():
        store_full(index=index)
        rows = _rows()
        transaction.set_rollback(True)
    return rows


def test_from_an_empty_table_both_paths_store_the_same_rows(index: MatchIndex) -> None:
    old = _after(reference_store.matches_store_full, index)
    new = _after(services.matches_store_full, index)
    assert len(new) > 1000
    assert {r[5] for r in new} == {S.SUGGESTED}
    assert new == old


def test_over_decisions_and_newer_rows_both_paths_agree_and_the_merge_keeps_newer_ranks(
    index: MatchIndex,
) -> None:
    services.matches_store_full(index=index)
    approved = list(Match.objects.filter(profile_rank=1).order_by("pk")[:15])
    rejected = list(Match.objects.filter(profile_rank=2).order_by("pk")[:10])
    Match.objects.filter(pk__in=[m.pk for m in approved]).update(state=S.APPROVED, score=0.01)
    Match.objects.filter(pk__in=[m.pk for m in rejected]).update(state=S.REJECTED)
    read = services.match_index_build()  # what the run reads...
    changed = list(Profile.objects.filter(matches__profile_rank=1).distinct().order_by("pk")[:5])
    for profile in changed:  # ...before these students change their profile
        profile.travel_radius_km = 5
        profile.save()
        services.matches_store_for_profile(index=services.match_index_build(), profile=profile)
    newer = _rows(profile__in=changed)
    old = _after(reference_store.matches_store_full, read)
    new = _after(services.matches_store_full, read)
    changed_ids = {p.pk for p in changed}
    assert [r for r in new if r[0] not in changed_ids] == [
        r for r in old if r[0] not in changed_ids
    ]
    # What people decided stays, with the refreshed score (for the students who
    # did not change since the read).
    by_pair = {(r[0], r[1]): r for r in new}
    assert any(m.profile_id not in changed_ids for m in approved)
    for m in approved:
        if m.profile_id in changed_ids:
            continue
        row = by_pair[(m.profile_id, m.opening_id)]
        assert row[5] == S.APPROVED
        assert row[2] == m.score != 0.01
    assert {by_pair[(m.profile_id, m.opening_id)][5] for m in rejected} == {S.REJECTED}

    # The changed students' own lists, written after the read, stay whole. The old
    # path reset every rank first, so it lost their new lists' ranks, and put back
    # the ranks of the openings that had left those lists.
    def own(rows: list[tuple]) -> list[tuple]:
        return [(r[0], r[1], r[2], r[3], r[9]) for r in rows if r[0] in changed_ids]

    assert own(new) == own(newer)
    assert any(r[3] is not None for r in own(new))
    assert own(old) != own(newer)


def test_a_row_changed_after_the_read_is_left_alone_and_the_rest_written(
    index: MatchIndex,
) -> None:
    services.matches_store_full(index=index)
    ranked = list(index.top_k_for_profiles())
    profile_id = ranked[0].profile_id
    mine = [s for s in ranked if s.profile_id == profile_id]
    later = timezone.now() + dt.timedelta(hours=1)
    kept = Match.objects.get(profile_id=profile_id, opening_id=mine[0].opening_id)
    Match.objects.filter(pk=kept.pk).update(score=0.5, profile_version=later, profile_rank=7)
    Match.objects.filter(profile_id=profile_id).exclude(pk=kept.pk).update(score=0.25)
    written = services.matches_store_ranked(
        index=index, suggestions=mine, scope=store.profiles_scope(index, [profile_id])
    )
    assert written == len(mine) - 1
    kept.refresh_from_db()
    assert (kept.score, kept.profile_version, kept.profile_rank) == (0.5, later, 7)
    rest = Match.objects.filter(profile_id=profile_id, profile_rank__isnull=False).exclude(
        pk=kept.pk
    )
    assert rest.count() == len(mine) - 1
    assert not rest.filter(score=0.25).exists()


def test_a_store_writes_its_ranks_and_clears_stale_ones_in_its_scope_only(
    index: MatchIndex,
) -> None:
    services.matches_store_full(index=index)
    ranked = list(index.top_k_for_profiles())
    first, second = sorted({s.profile_id for s in ranked})[:2]
    mine = [s for s in ranked if s.profile_id == first]
    assert len(mine) >= 3
    others_before = _rows(profile_id=second)
    # The list shrinks to its last two, in reverse: the merge writes ranks 1 and 2.
    shorter = [mine[-1], mine[-2]]
    services.matches_store_ranked(
        index=index, suggestions=shorter, scope=store.profiles_scope(index, [first])
    )
    ranks = dict(
        Match.objects.filter(profile_id=first, profile_rank__isnull=False).values_list(
            "opening_id", "profile_rank"
        )
    )
    assert ranks == {mine[-1].opening_id: 1, mine[-2].opening_id: 2}
    assert _rows(profile_id=second) == others_before  # outside the scope
    # The opening ranks of the first profile's rows were not this store's to touch.
    assert Match.objects.filter(profile_id=first, opening_rank__isnull=False).exists() == any(
        r[4] is not None for r in _rows(profile_id=first)
    )


def test_incremental_stores_go_through_the_merge_and_keep_decisions(index: MatchIndex) -> None:
    services.matches_store_full(index=index)
    match = Match.objects.filter(profile_rank=1).order_by("pk").first()
    Match.objects.filter(pk=match.pk).update(state=S.APPROVED)
    profile = match.profile
    profile.wanted_types = ["orientation"]  # few or no openings fit now
    profile.save()
    services.matches_store_for_profile(index=index, profile=profile)
    match.refresh_from_db()
    assert match.state == S.APPROVED
    assert match.profile_rank is None or match.profile_version == profile.updated_at
    untouched = Match.objects.filter(profile=profile, state=S.SUGGESTED, profile_rank__isnull=True)
    assert not untouched.filter(opening_rank__isnull=True).exists()  # retired instead


def test_a_scope_names_a_known_rank_and_one_version_per_id() -> None:
    with pytest.raises(ValueError, match="unknown rank"):
        store.RankScope("score", [1], [None])
    with pytest.raises(ValueError, match="one version per id"):
        store.RankScope("profile_rank", [1, 2], [None])
