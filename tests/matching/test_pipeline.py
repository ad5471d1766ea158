"""What the worker's tasks do, run in-process: idempotent, ordered, fault tolerant."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from marketplace import services as market
from marketplace.models import Opening, OpeningSkill, Profile, ProfileSkill
from matching import pipeline
from matching.models import Match, MatchRun, MatchRunChunk, MatchRunStatus, MatchState
from matching.warm import WARM
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cold_cache() -> None:
    WARM.reset()


@pytest.fixture
def region() -> dict:
    cnc = factories.SkillFactory(slug="cnc-draaien", label_nl="CNC-draaien", label_en="CNC")
    woerden = factories.PlaceFactory()
    company = factories.CompanyFactory(
        verified_at=timezone.now(), sbb_recognised=True, sbb_recognised_on=dt.date(2024, 1, 1)
    )
    openings = []
    for i in range(4):
        o = factories.OpeningFactory(company=company, place=woerden, title=f"Stage CNC {i}")
        OpeningSkill.objects.create(opening=o, skill=cnc)
        openings.append(o)
    profiles = []
    for i in range(7):
        p = factories.ProfileFactory(place=woerden, headline=f"CNC-draaier {i}")
        ProfileSkill.objects.create(profile=p, skill=cnc, level=1 + i % 3)
        profiles.append(p)
    return {"openings": openings, "profiles": profiles, "company": company, "cnc": cnc}


def _suggested() -> list[tuple]:
    return sorted(
        Match.objects.filter(state=MatchState.SUGGESTED).values_list(
            "profile_id", "opening_id", "profile_rank", "opening_rank"
        )
    )


def test_saving_an_open_opening_flags_it_and_enqueues_after_commit(
    region: dict, django_capture_on_commit_callbacks: object
) -> None:
    opening = region["openings"][0]
    with django_capture_on_commit_callbacks() as callbacks:
        market.opening_save(opening=opening)
    opening.refresh_from_db()
    assert opening.needs_matching_since is not None
    assert len(callbacks) == 1  # the message goes only once the row is committed


def test_a_draft_opening_is_not_matched(
    region: dict, django_capture_on_commit_callbacks: object
) -> None:
    draft = factories.OpeningFactory(status="draft", published_at=None)
    with django_capture_on_commit_callbacks() as callbacks:
        market.opening_save(opening=draft)
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        market.opening_publish(opening=draft)
    assert len(callbacks) == 1
    draft.refresh_from_db()
    assert draft.status == "open"
    assert draft.expires_at > draft.published_at


def test_matching_an_opening_stores_its_suggestions_and_clears_the_flag(region: dict) -> None:
    opening = region["openings"][0]
    market.opening_save(opening=opening)
    assert pipeline.opening_match(opening_id=opening.pk) == "stored"
    assert Match.objects.filter(opening=opening, state=MatchState.SUGGESTED).count() == 7
    opening.refresh_from_db()
    assert opening.needs_matching_since is None
    # Again: nothing changes.
    before = sorted(Match.objects.values_list("profile_id", "opening_id", "score", "state"))
    assert pipeline.opening_match(opening_id=opening.pk) == "stored"
    assert sorted(Match.objects.values_list("profile_id", "opening_id", "score", "state")) == before


def test_a_task_that_read_an_older_version_stores_nothing(region: dict, monkeypatch) -> None:
    opening = region["openings"][1]
    real = pipeline.services.openings_for_matching

    def read_then_someone_edits(**kwargs):  # the row changes after the task read it
        rows = list(real(**kwargs).filter(pk=opening.pk))
        Opening.objects.filter(pk=opening.pk).update(
            title="Nieuwe titel", updated_at=timezone.now() + dt.timedelta(seconds=1)
        )
        return _Listed(rows)

    monkeypatch.setattr(pipeline.services, "openings_for_matching", read_then_someone_edits)
    assert pipeline.opening_match(opening_id=opening.pk) == "superseded"
    assert not Match.objects.filter(opening=opening).exists()


class _Listed(list):
    def filter(self, **kwargs):
        return self

    def first(self):
        return self[0] if self else None


def test_a_full_run_in_chunks_equals_the_one_shot_full_run(region: dict, settings) -> None:
    settings.MAAKMATCH_RUN_CHUNK_PROFILES = 3
    run, chunks = pipeline.run_start()
    assert (run.chunks_total, len(chunks), run.profiles, run.openings) == (3, 3, 7, 4)
    assert run.text_state
    finished = [pipeline.run_chunk(chunk_id=c.pk) for c in chunks]
    assert finished == [False, False, True]
    run.refresh_from_db()
    assert run.status == MatchRunStatus.FINISHED
    assert run.progress == 1.0
    assert run.stored == 7 * 4
    chunked = _suggested()
    from matching import services

    Match.objects.all().delete()
    services.matches_store_full(index=services.match_index_build(text_state=run.text_state))
    assert _suggested() == chunked


def test_a_chunk_delivered_twice_counts_once(region: dict) -> None:
    run, chunks = pipeline.run_start()
    assert pipeline.run_chunk(chunk_id=chunks[0].pk) is True  # one chunk: it finishes
    assert pipeline.run_chunk(chunk_id=chunks[0].pk) is False
    run.refresh_from_db()
    assert (run.chunks_done, run.status) == (1, MatchRunStatus.FINISHED)


def test_a_failed_run_keeps_its_error(region: dict) -> None:
    run, _chunks = pipeline.run_start()
    pipeline.run_fail(run_id=run.pk, error="ValueError: bad data in profile 7")
    run.refresh_from_db()
    assert run.status == MatchRunStatus.FAILED
    assert "profile 7" in run.error
    assert pipeline.run_chunk(chunk_id=MatchRunChunk.objects.get(run=run).pk) is False


def test_the_warm_index_sees_changed_and_deleted_rows(region: dict) -> None:
    hidden = factories.ProfileFactory(is_visible=False)  # counts must not fool it
    factories.OpeningFactory(status="draft", published_at=None)
    index = WARM.current()
    assert not index.profiles[index.profile_position[hidden.pk]].visible
    assert index is WARM.current()  # kept, not rebuilt
    profile = region["profiles"][0]
    profile.wanted_types = ["job"]
    profile.save()
    assert WARM.current().profiles[index.profile_position[profile.pk]].types == ["job"]
    gone = region["profiles"][1]
    Profile.objects.filter(pk=gone.pk).delete()
    assert not WARM.current().profiles[index.profile_position[gone.pk]].visible
    closed = region["openings"][3]
    Opening.objects.filter(pk=closed.pk).delete()
    assert not WARM.current().openings[index.opening_position[closed.pk]].is_open


def test_the_sweep_finds_rows_whose_message_was_lost(region: dict) -> None:
    old = timezone.now() - dt.timedelta(minutes=5)
    Opening.objects.filter(pk=region["openings"][2].pk).update(needs_matching_since=old)
    Profile.objects.filter(pk=region["profiles"][3].pk).update(needs_matching_since=timezone.now())
    openings, profiles = pipeline.matching_stale(older_than=dt.timedelta(seconds=30))
    assert openings == [region["openings"][2].pk]
    assert profiles == []


def test_openings_past_their_end_expire_retire_untouched_and_withdraw_the_rest(
    region: dict,
) -> None:
    pipeline.opening_match(opening_id=region["openings"][0].pk)
    ended = region["openings"][0]
    Opening.objects.filter(pk=ended.pk).update(
        start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 2, 1)
    )
    approved = Match.objects.filter(opening=ended).first()
    Match.objects.filter(pk=approved.pk).update(state=MatchState.APPROVED)
    assert pipeline.openings_expire(today=dt.date(2026, 11, 27)) == 1
    ended.refresh_from_db()
    assert ended.status == "expired"
    assert not Match.objects.filter(opening=ended, state=MatchState.SUGGESTED).exists()
    # The student had seen it: withdrawn, on the record, not silently retired.
    assert Match.objects.get(pk=approved.pk).state == MatchState.WITHDRAWN
    entry = AuditEntry.objects.get(match=approved)
    assert (entry.from_state, entry.to_state, entry.actor) == ("approved", "withdrawn", None)
    assert ended.closed_reason == "expired"
    assert pipeline.openings_expire(today=dt.date(2026, 11, 27)) == 0


def test_only_one_run_runs_and_asking_again_resends_its_chunks(region: dict, settings) -> None:
    settings.MAAKMATCH_RUN_CHUNK_PROFILES = 3
    first, chunks = pipeline.run_start()
    pipeline.run_chunk(chunk_id=chunks[0].pk)
    again, resend = pipeline.run_start()  # beat and a coordinator at once, or a retry
    assert again.pk == first.pk
    assert [c.pk for c in resend] == [c.pk for c in chunks[1:]]
    for chunk in resend:
        pipeline.run_chunk(chunk_id=chunk.pk)
    second, _ = pipeline.run_start()
    assert list(MatchRun.objects.values_list("pk", flat=True)) == [second.pk, first.pk]


def test_a_run_whose_last_worker_died_before_finishing_is_finished_by_the_sweep(
    region: dict, settings
) -> None:
    settings.MAAKMATCH_RUN_CHUNK_PROFILES = 4
    run, chunks = pipeline.run_start()
    for chunk in chunks:  # every chunk committed, but nobody finished the run
        MatchRunChunk.objects.filter(pk=chunk.pk).update(done=True)
    MatchRun.objects.filter(pk=run.pk).update(
        chunks_done=len(chunks), progressed_at=timezone.now() - dt.timedelta(hours=1)
    )
    resend = pipeline.chunks_stalled(older_than=dt.timedelta(minutes=15))
    assert resend == [chunks[0].pk]
    assert pipeline.run_chunk(chunk_id=resend[0]) is True
    run.refresh_from_db()
    assert run.status == MatchRunStatus.FINISHED


def test_a_run_that_cannot_start_leaves_a_failed_row(region: dict, monkeypatch) -> None:
    def broken(**kwargs):
        raise ValueError("profile 7 has a broken place")

    monkeypatch.setattr(pipeline.services, "match_index_build", broken)
    with pytest.raises(ValueError, match="broken place"):
        pipeline.run_start()
    run = MatchRun.objects.get()
    assert run.status == MatchRunStatus.FAILED
    assert "profile 7" in run.error


def test_verifying_a_company_brings_its_openings_into_matching(
    region: dict, world, django_capture_on_commit_callbacks: object
) -> None:
    company = region["company"]
    company.verified_at = None
    company.save()
    index = WARM.current()
    first = region["openings"][0]
    assert not index.openings[index.opening_position[first.pk]].is_open
    with django_capture_on_commit_callbacks() as callbacks:
        market.company_verify(company=company, coordinator=world.carla)
    assert len(callbacks) == 4  # one message per open opening
    assert Opening.objects.filter(company=company, needs_matching_since__isnull=False).count() == 4
    assert WARM.current().openings[index.opening_position[first.pk]].is_open
    assert pipeline.opening_match(opening_id=first.pk) == "stored"
    assert Match.objects.filter(opening=first).count() == 7


def _planner_rows() -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'matching_match'")
        return cursor.fetchone()[0]


@pytest.mark.postgres
def test_analyze_gives_the_planner_the_tables_size(region: dict) -> None:
    before = _planner_rows()
    while Match.objects.count() in (0, before):  # a count the planner does not know yet
        factories.MatchFactory(state=MatchState.REJECTED)
    assert _planner_rows() != Match.objects.count()
    pipeline.tables_analyze()
    assert _planner_rows() == Match.objects.count()


@pytest.mark.postgres
def test_a_finished_run_leaves_fresh_planner_statistics(region: dict) -> None:
    """The planner knows the rewritten table's size straight after a full run,
    without waiting for autovacuum."""
    _run, chunks = pipeline.run_start()
    for chunk in chunks:
        pipeline.run_chunk(chunk_id=chunk.pk)
    assert MatchRun.objects.get().status == MatchRunStatus.FINISHED
    assert _planner_rows() == Match.objects.count() > 0
