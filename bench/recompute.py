"""Full recompute wall time with one worker process and with two.

Region-scale demo data on PostgreSQL, real workers on Redis. Each run is started as
the nightly beat would (``worker.match_full_recompute``), and timed until its run
row says finished; the chunks fan out over whichever workers are up::

    DATABASE_URL=postgres://root@127.0.0.1:5432/maakmatch_bench \\
    REDIS_URL=redis://127.0.0.1:6379/2 python -m bench.recompute
"""

from __future__ import annotations

import argparse
import time

from bench.live import django_setup, region_data, wait_for, workers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--openings", type=int, default=5_000)
    args = parser.parse_args()
    django_setup()
    from matching.models import MatchRun, MatchRunStatus
    from worker.tasks import match_full_recompute

    region_data(args.students, args.openings)
    timings = {}
    for count in (1, 2):
        with workers(count):
            MatchRun.objects.filter(status=MatchRunStatus.RUNNING).update(
                status=MatchRunStatus.FAILED, error="left over by an earlier benchmark"
            )
            t0 = time.perf_counter()
            run_id = match_full_recompute.delay().get(timeout=300)
            took = wait_for(
                lambda run_id=run_id: (
                    MatchRun.objects.get(pk=run_id).status != MatchRunStatus.RUNNING
                ),
                1200,
                step=0.2,
            )
            run = MatchRun.objects.get(pk=run_id)
            if took is None or run.status != MatchRunStatus.FINISHED:
                raise SystemExit(f"run {run_id} did not finish: {run.status} {run.error}")
            timings[count] = time.perf_counter() - t0
            print(
                f"{count} worker process(es): {timings[count]:.1f} s for {run.profiles:,} "
                f"profiles x {run.openings:,} openings in {run.chunks_total} chunks, "
                f"{run.stored:,} suggestions stored"
            )
    ratio = timings[1] / timings[2]
    print(
        f"two workers are {ratio:.2f}x as fast as one "
        f"({'faster: the chunks fan out' if ratio > 1 else 'NOT faster'})"
    )


if __name__ == "__main__":
    main()
