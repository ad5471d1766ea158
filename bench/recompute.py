"""The full recompute: end to end against the engine alone, the store against a
bare COPY, and the fan-out over 1, 2 and 4 worker processes.

Region-scale demo data on PostgreSQL, real workers on Redis. In one run it measures

1. **the engine alone**, in this process: the index built from records already
   read, then both top-k passes (profiles with their stretch lists, openings);
2. **the store**: the same suggestions, explained, through the product's store
   (COPY into staging, one merge) into an empty table, in rows/s, next to a bare
   COPY of the same rows into a table without indexes;
3. **the recompute end to end**, started as the nightly beat does
   (``worker.match_full_recompute``) and timed until its run row says finished,
   with 1, 2 and 4 worker processes. Each starts from the same table: emptied
   first (``--start empty``) or holding the previous run's rows (``--start full``).

It prints ``end to end / engine: N.Nx`` for the fastest fan-out (target ≤ 3x)
and each fan-out's speed-up over one worker (target: 2 workers ≥ 1.6x)::

    DATABASE_URL=postgres://root@127.0.0.1:5432/maakmatch_bench \\
    REDIS_URL=redis://127.0.0.1:6379/2 python -m bench.recompute
"""

from __future__ import annotations

import argparse
import os
import time

from bench.common import CpuBusy, Timer, load_average, table
from bench.live import django_setup, region_data, wait_for, workers


def _empty_tables() -> None:
    from django.db import connection

    from matching.models import Match, Stretch

    tables = ", ".join(m._meta.db_table for m in (Match, Stretch))
    with connection.cursor() as cursor:
        # Bench data only: nothing else refers to its suggestions.
        cursor.execute(f"TRUNCATE {tables} CASCADE")


def engine_and_store() -> dict[str, float]:
    """The engine alone and the store's rows/s next to a bare COPY, in-process."""
    from django.db import connection, transaction

    from matching import services, store
    from matching.engine import MatchIndex

    profiles = [services.profile_record(p) for p in services.profiles_for_matching()]
    openings = [services.opening_record(o) for o in services.openings_for_matching()]
    taxonomy, config = services.engine_taxonomy(), services.match_config()
    with Timer() as engine:
        index = MatchIndex.build(
            profiles=profiles, openings=openings, taxonomy=taxonomy, config=config
        )
        by_profile, _stretch = index.top_k_and_stretch_for_profiles()
        by_opening = index.top_k_for_openings()
    if not by_profile:
        raise SystemExit(
            f"The engine found no suggestions for {len(profiles)} profiles x "
            f"{len(openings)} openings: nothing to store or time. Check the bench data "
            "(or drop the bench database so it is seeded afresh)."
        )
    ranks = services._ranks(list(by_profile), key=lambda s: s.profile_id)
    items = [store.Ranked(s, profile_rank=ranks[(s.profile_id, s.opening_id)]) for s in by_profile]
    with Timer() as explain:
        rows = list(store.staging_rows(index, items))
    _empty_tables()
    scope = store.profiles_scope(index, [p.id for p in index.profiles])
    with Timer() as merge:
        store.matches_merge_rows(rows=rows, scopes=[scope])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE bench_bare (LIKE {store.STAGING})")
        with (
            Timer() as bare,
            cursor.cursor.copy(f"COPY bench_bare ({', '.join(store.COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        transaction.set_rollback(True)
    _empty_tables()
    return {
        "engine": engine.s,
        "suggestions": len(by_profile) + len(by_opening),
        "rows": len(rows),
        "explain_us": explain.s / max(len(rows), 1) * 1e6,
        "merge_rows_s": len(rows) / merge.s,
        "bare_rows_s": len(rows) / bare.s,
    }


def recompute(count: int, *, start: str) -> dict[str, float]:
    """One full recompute through ``count`` worker processes."""
    from matching.models import MatchRun, MatchRunStatus
    from worker.tasks import match_full_recompute

    with workers(count):
        MatchRun.objects.filter(status=MatchRunStatus.RUNNING).update(
            status=MatchRunStatus.FAILED, error="left over by an earlier benchmark"
        )
        if start == "empty":
            _empty_tables()
        t0 = time.perf_counter()
        with CpuBusy() as cpu:
            run_id = match_full_recompute.delay().get(timeout=300)
            took = wait_for(
                lambda: MatchRun.objects.get(pk=run_id).status != MatchRunStatus.RUNNING,
                3600,
                step=0.2,
            )
        run = MatchRun.objects.get(pk=run_id)
        if took is None or run.status != MatchRunStatus.FINISHED:
            raise SystemExit(f"run {run_id} did not finish: {run.status} {run.error}")
        return {
            "seconds": time.perf_counter() - t0,
            "profiles": run.profiles,
            "openings": run.openings,
            "chunks": run.chunks_total,
            "stored": run.stored,
            "busy": cpu.cores,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--openings", type=int, default=5_000)
    parser.add_argument("--workers", default="1,2,4", help="worker counts, e.g. 1,2,4")
    parser.add_argument("--start", choices=["empty", "full"], default="empty")
    args = parser.parse_args()
    django_setup()
    region_data(args.students, args.openings)
    print(load_average())

    measured = engine_and_store()
    print(
        table(
            "The store, on the profiles' suggestions of one run",
            ["", "rows", "rows/s", "vs bare COPY"],
            [
                ["bare COPY (no indexes)", measured["rows"], measured["bare_rows_s"], 1.0],
                [
                    "store: COPY + merge",
                    measured["rows"],
                    measured["merge_rows_s"],
                    measured["merge_rows_s"] / measured["bare_rows_s"],
                ],
            ],
        )
    )
    print(f"explanations built: {measured['explain_us']:.1f} µs per row")

    counts = [int(c) for c in args.workers.split(",")]
    runs = {}
    if args.start == "full":
        recompute(counts[0], start="empty")  # fills the table the runs start from
    for count in counts:
        runs[count] = recompute(count, start=args.start)
    base = runs[counts[0]]["seconds"]
    print(
        table(
            f"Full recompute, each from the same {args.start} table",
            [
                "workers",
                "seconds",
                "profiles",
                "openings",
                "chunks",
                "stored",
                "speed-up",
                "cores busy",
            ],
            [
                [
                    f"{count} worker process(es)",
                    r["seconds"],
                    r["profiles"],
                    r["openings"],
                    r["chunks"],
                    r["stored"],
                    base / r["seconds"],
                    "?" if r["busy"] is None else f"{r['busy']:.2f} of {os.cpu_count()}",
                ]
                for count, r in runs.items()
            ],
        )
    )
    fastest = min(r["seconds"] for r in runs.values())
    print(f"engine alone: {measured['engine']:.1f} s for {measured['suggestions']:,} suggestions")
    print(f"end to end / engine: {fastest / measured['engine']:.1f}x (target ≤ 3x)")
    if 1 in runs and 2 in runs:
        ratio = runs[1]["seconds"] / runs[2]["seconds"]
        print(f"2 workers / 1 worker: {ratio:.2f}x as fast (target ≥ 1.6x)")
        busy = runs[1]["busy"]
        if busy:
            # Every process shares the cores: a second worker can add only the
            # cores the first left idle.
            print(
                f"one worker's run kept {busy:.2f} of {os.cpu_count()} cores busy "
                f"(workers and PostgreSQL): this machine allows at most "
                f"{(os.cpu_count() or 1) / busy:.2f}x from more workers"
            )
    print(load_average())


if __name__ == "__main__":
    main()
