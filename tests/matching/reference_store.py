"""The store path before COPY and merge (``bulk_create(update_conflicts)`` after a
``SELECT … FOR UPDATE``), kept only as the reference the new one is compared with
row for row (``test_store.py``). Nothing in the product calls it."""

from __future__ import annotations

from collections.abc import Sequence

from matching.engine import MatchIndex, Suggestion
from matching.models import Match
from matching.services import StoreResult, _ranks, _settle

BATCH = 2000


def _match(index: MatchIndex, s: Suggestion, **fields: object) -> Match:
    profile = index.profiles[index.profile_position[s.profile_id]]
    opening = index.openings[index.opening_position[s.opening_id]]
    return Match(
        profile_id=s.profile_id,
        opening_id=s.opening_id,
        score=min(max(s.score, 0.0), 1.0),
        explanation=index.explain(s, profile=profile, opening=opening),
        engine_version=s.engine_version,
        weights_version=index.config.weights_version,
        profile_version=profile.version,
        opening_version=opening.version,
        **fields,
    )


def _newer_only(rows: Sequence[Match]) -> list[Match]:
    if not rows:
        return []
    stored = {
        (p, o): (pv, ov)
        for p, o, pv, ov in Match.objects.select_for_update()
        .filter(
            profile_id__in={r.profile_id for r in rows}, opening_id__in={r.opening_id for r in rows}
        )
        .order_by("profile_id", "opening_id")
        .values_list("profile_id", "opening_id", "profile_version", "opening_version")
    }

    def older(mine: object, theirs: object) -> bool:
        return mine is not None and theirs is not None and mine < theirs

    return [
        r
        for r in rows
        if not (key := stored.get((r.profile_id, r.opening_id)))
        or not (older(r.profile_version, key[0]) or older(r.opening_version, key[1]))
    ]


def _upsert(rows: Sequence[Match], rank_fields: Sequence[str]) -> None:
    Match.objects.bulk_create(
        sorted(_newer_only(rows), key=lambda r: (r.profile_id, r.opening_id)),
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["profile", "opening"],
        update_fields=[
            "score",
            "explanation",
            "engine_version",
            "weights_version",
            "profile_version",
            "opening_version",
            "updated_at",
            *rank_fields,
        ],
    )


def matches_store_full(*, index: MatchIndex) -> StoreResult:
    """The old full run (without the stretch lists)."""
    by_profile = list(index.top_k_for_profiles())
    by_opening = list(index.top_k_for_openings())
    profile_ranks = _ranks(by_profile, key=lambda s: s.profile_id)
    opening_ranks = _ranks(by_opening, key=lambda s: s.opening_id)
    merged = {(s.profile_id, s.opening_id): s for s in [*by_opening, *by_profile]}
    Match.objects.update(profile_rank=None, opening_rank=None)
    rows = [
        _match(index, s, profile_rank=profile_ranks.get(pair), opening_rank=opening_ranks.get(pair))
        for pair, s in merged.items()
    ]
    _upsert(rows, ["profile_rank", "opening_rank"])
    return StoreResult(stored=len(rows), retired=_settle(Match.objects.all()))
