"""What the worker's tasks do: keep suggestions in step with profiles and openings.

Every function is safe to run twice or twice at once:
- a row's ``needs_matching_since`` is cleared only if it did not change meanwhile;
- a task whose row changed after it read it stores nothing (a newer task will);
- a run's chunk counts once however often it runs; the last chunk finishes the run.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from marketplace.models import ClosedReason, Opening, OpeningStatus, Profile
from matching import services, store, workflow
from matching.engine import ENGINE_VERSION, MatchIndex
from matching.models import Match, MatchRun, MatchRunChunk, MatchRunStatus, Stretch
from matching.warm import WARM


def _row_match(
    model: type[Opening] | type[Profile],
    row: Opening | Profile | None,
    store: Callable[[MatchIndex, Opening | Profile], object],
) -> str:
    """Store one row's suggestions, unless the row changed after it was read."""
    if row is None:
        return "gone"
    index = WARM.current()
    with transaction.atomic():
        current = model.objects.select_for_update().filter(pk=row.pk).first()
        if current is None or current.updated_at != row.updated_at:
            return "superseded"  # a newer change; its own task stores the result
        if index is not None:
            store(index, row)
        model.objects.filter(pk=row.pk, needs_matching_since=row.needs_matching_since).update(
            needs_matching_since=None
        )
    return "stored"


def opening_match(*, opening_id: int) -> str:
    """Score one opening against every profile and store its suggestions."""
    opening = services.openings_for_matching(open_only=False).filter(pk=opening_id).first()
    return _row_match(
        Opening,
        opening,
        lambda index, row: services.matches_store_for_opening(index=index, opening=row),
    )


def profile_match(*, profile_id: int) -> str:
    """Score one profile against every opening and store its suggestions."""
    profile = services.profiles_for_matching().filter(pk=profile_id).first()
    return _row_match(
        Profile,
        profile,
        lambda index, row: services.matches_store_for_profile(index=index, profile=row),
    )


def matching_stale(*, older_than: dt.timedelta) -> tuple[list[int], list[int]]:
    """Openings and profiles flagged for matching longer ago than ``older_than``."""
    cutoff = timezone.now() - older_than
    openings = Opening.objects.filter(needs_matching_since__lte=cutoff)
    profiles = Profile.objects.filter(needs_matching_since__lte=cutoff)
    return (
        list(openings.values_list("pk", flat=True)[:1000]),
        list(profiles.values_list("pk", flat=True)[:1000]),
    )


def chunks_stalled(*, older_than: dt.timedelta) -> list[int]:
    """Chunks to send again for running runs that made no progress for ``older_than``.

    A worker killed mid-chunk leaves its message unacknowledged until the broker's
    visibility timeout; re-sending the chunk resumes the run sooner, and a chunk
    that runs twice counts once. A run whose chunks are all done but that never
    finished (its last worker died in between) gets one done chunk sent again,
    which finishes it.
    """
    stalled = MatchRun.objects.filter(
        status=MatchRunStatus.RUNNING, progressed_at__lt=timezone.now() - older_than
    )
    undone = MatchRunChunk.objects.filter(run__in=stalled, done=False)
    pending = list(undone.values_list("pk", flat=True))
    finished = stalled.filter(chunks_done=F("chunks_total")).exclude(chunks_total=0)
    for run in finished:
        first = run.chunks.order_by("number").values_list("pk", flat=True).first()
        if first is not None:
            pending.append(first)
    return pending


def run_start() -> tuple[MatchRun, list[MatchRunChunk]]:
    """Refit the text model on everything and split the profiles into chunks.

    At most one run runs (a partial unique constraint): asked again while one runs
    (beat and a coordinator at once, or a retried task), it returns that run and its
    unfinished chunks to send again, and starts nothing new.
    """
    try:
        with transaction.atomic():
            run = MatchRun.objects.create(engine_version=ENGINE_VERSION)
    except IntegrityError:
        running = MatchRun.objects.get(status=MatchRunStatus.RUNNING)
        return running, list(running.chunks.filter(done=False))
    try:
        index = WARM.fit(run=run)
    except Exception as exc:
        run_fail(run_id=run.pk, error=f"{type(exc).__name__}: {exc}")
        raise
    if index is None:
        MatchRun.objects.filter(pk=run.pk).update(
            status=MatchRunStatus.FINISHED, finished_at=timezone.now()
        )
        run.refresh_from_db()
        return run, []
    ids = [r.id for r in index.profiles]
    size = settings.MAAKMATCH_RUN_CHUNK_PROFILES
    with transaction.atomic():
        MatchRun.objects.filter(pk=run.pk).update(
            chunks_total=math.ceil(len(ids) / size),
            profiles=len(ids),
            openings=len(index.openings),
            text_state=index.text_model.state(),
            progressed_at=timezone.now(),
        )
        # Each chunk rebuilds its profiles' ranks, and the finish every opening's;
        # what people decided stays untouched.
        chunks = MatchRunChunk.objects.bulk_create(
            MatchRunChunk(run=run, number=n, profile_ids=ids[start : start + size])
            for n, start in enumerate(range(0, len(ids), size))
        )
    run.refresh_from_db()
    return run, chunks


def run_chunk(*, chunk_id: int) -> bool:
    """Score one chunk of profiles; returns True when this chunk finished the run."""
    chunk = MatchRunChunk.objects.select_related("run").get(pk=chunk_id)
    run = chunk.run
    if run.status != MatchRunStatus.RUNNING:
        return False
    if chunk.done:
        # A redelivery: the first delivery may have died between its commit and
        # finishing the run, so finishing is tried again (it is safe to repeat).
        return run_finish(run_id=run.pk) if run.chunks_done == run.chunks_total else False
    index = WARM.current(run=run)
    ranked, stretch = index.top_k_and_stretch_for_profiles(profile_ids=chunk.profile_ids)
    suggestions = list(ranked)
    with transaction.atomic():
        if not MatchRunChunk.objects.filter(pk=chunk.pk, done=False).update(done=True):
            return False  # another delivery of this chunk got here first
        # Profiles gone since the run started are left out (their rows went too).
        ids = [i for i in chunk.profile_ids if i in index.profile_position]
        services.matches_store_ranked(
            index=index, suggestions=suggestions, scope=store.profiles_scope(index, ids)
        )
        services.stretch_store(
            index=index, suggestions=list(stretch), profile_ids=chunk.profile_ids
        )
        MatchRun.objects.filter(pk=run.pk).update(
            chunks_done=F("chunks_done") + 1,
            stored=F("stored") + len(suggestions),
            progressed_at=timezone.now(),
        )
    run.refresh_from_db()
    return run_finish(run_id=run.pk) if run.chunks_done == run.chunks_total else False


def run_finish(*, run_id: int) -> bool:
    """Openings' own top-k, then retire untouched suggestions in no list.

    Returns True for the one call that finished the run."""
    run = MatchRun.objects.get(pk=run_id)
    index = WARM.current(run=run)
    with transaction.atomic():
        claimed = MatchRun.objects.filter(
            pk=run_id, status=MatchRunStatus.RUNNING, chunks_done=F("chunks_total")
        ).update(status=MatchRunStatus.FINISHED, finished_at=timezone.now())
        if not claimed:
            return False
        by_opening = list(index.top_k_for_openings()) if index is not None else []
        if index is not None:
            # Every opening the run ranked; closing an opening clears its own.
            scope = store.openings_scope(index, everything=False)
            services.matches_store_ranked(index=index, suggestions=by_opening, scope=scope)
        retired = services.matches_settle()
        MatchRun.objects.filter(pk=run_id).update(retired=retired)
    tables_analyze()
    return True


def tables_analyze() -> None:
    """Fresh planner statistics for the tables a full run rewrote: without them,
    until autovacuum comes by, PostgreSQL misjudges a student's page query.

    Outside a transaction (the worker) it is ``VACUUM (ANALYZE)``: the run's dead
    rows are reclaimed and the visibility map is set, so a counsellor's queue is
    counted from the index alone (66,655 waiting rows: 14 ms against 114 ms for a
    scan of the table). Inside one (a test), where VACUUM cannot run, ``ANALYZE``."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (Match, Stretch))
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} {tables}")


def run_fail(*, run_id: int, error: str) -> None:
    MatchRun.objects.filter(pk=run_id, status=MatchRunStatus.RUNNING).update(
        status=MatchRunStatus.FAILED, error=error[:4000], finished_at=timezone.now()
    )


def openings_expire(*, today: dt.date | None = None) -> int:
    """Close openings past their end date or left unconfirmed; retire their suggestions."""
    today = today or timezone.localdate()
    forgotten = timezone.now() - dt.timedelta(days=settings.MAAKMATCH_OPENING_OPEN_DAYS)
    expiring = Opening.objects.filter(status=OpeningStatus.OPEN).filter(
        Q(end_date__lt=today) | Q(updated_at__lt=forgotten)
    )
    ids = list(expiring.values_list("pk", flat=True))
    with transaction.atomic():
        Opening.objects.filter(pk__in=ids, status=OpeningStatus.OPEN).update(
            status=OpeningStatus.EXPIRED,
            closed_reason=ClosedReason.EXPIRED,
            closed_at=timezone.now(),
            updated_at=timezone.now(),
        )
        workflow.matches_end(
            matches=Match.objects.filter(opening_id__in=ids),
            by=None,
            reason=gettext_noop("The opening expired."),
        )
    return len(ids)
