"""Freshness: from an opening's commit until its suggestions can be read.

Region-scale demo data (20,000 students, 5,000 openings) on PostgreSQL, one real
worker on Redis. Publishes 50 openings one by one through the product's own
service (nothing here calls the engine) and prints p50/p95 of commit → suggestions
readable, and separately Celery's enqueue → task start, from Celery's own task
events (the worker runs with -E)::

    DATABASE_URL=postgres://root@127.0.0.1:5432/maakmatch_bench \\
    REDIS_URL=redis://127.0.0.1:6379/2 python -m bench.freshness
"""

from __future__ import annotations

import argparse
import threading
import time

import numpy as np

from bench.common import load_average
from bench.live import django_setup, region_data, wait_for, workers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--openings", type=int, default=5_000)
    parser.add_argument("--publish", type=int, default=50)
    args = parser.parse_args()
    django_setup()
    from marketplace.models import Opening, OpeningStatus
    from marketplace.services import opening_publish
    from matching.models import Match
    from worker.celery import app

    started = time.perf_counter()
    region_data(args.students, args.openings)
    print(load_average())
    print(
        f"Data ready in {time.perf_counter() - started:.0f} s: "
        f"{args.students:,} students, {args.openings:,} openings."
    )
    app.conf.task_send_sent_event = True
    sent, began = {}, {}

    def listen() -> None:
        with app.connection() as conn:
            receiver = app.events.Receiver(
                conn,
                handlers={
                    "task-sent": lambda e: sent.setdefault(e["uuid"], e["timestamp"]),
                    "task-started": lambda e: began.setdefault(e["uuid"], e["timestamp"]),
                },
            )
            receiver.capture(limit=None, timeout=None, wakeup=True)

    threading.Thread(target=listen, daemon=True).start()

    def done(opening: Opening) -> bool:
        return Opening.objects.filter(pk=opening.pk, needs_matching_since__isnull=True).exists()

    drafts = list(
        Opening.objects.filter(
            status=OpeningStatus.OPEN, company__verified_at__isnull=False
        ).order_by("pk")[: args.publish + 1]
    )
    with workers(1, events=True):
        # Warm-up: the worker builds its index on the first task.
        first = drafts.pop(0)
        Match.objects.filter(opening=first).delete()
        opening_publish(opening=first)
        wait_for(lambda: done(first), 120)
        fresh = []
        for opening in drafts:
            Match.objects.filter(opening=opening).delete()
            opening.title = f"{opening.title} (bijgewerkt)"
            t0 = time.perf_counter()
            opening_publish(opening=opening)  # commits, then enqueues
            # Readable once the task stored its result and cleared the row's flag
            # (some openings rightly get no suggestions at all).
            took = wait_for(lambda o=opening: done(o), 30)
            fresh.append(time.perf_counter() - t0 if took is not None else float("inf"))
        time.sleep(1)
    queue = [began[u] - sent[u] for u in sent if u in began]
    print(
        f"Published {len(fresh)} openings one by one, one worker on Redis, "
        f"{args.students:,} students."
    )
    print(
        f"commit -> suggestions readable: p50 {np.percentile(fresh, 50) * 1e3:.0f} ms, "
        f"p95 {np.percentile(fresh, 95) * 1e3:.0f} ms, max {max(fresh) * 1e3:.0f} ms "
        f"(target p95 < 1000 ms: {'met' if np.percentile(fresh, 95) < 1 else 'NOT met'})"
    )
    if queue:
        print(
            f"enqueue -> task start (Celery events, {len(queue)} tasks): "
            f"p50 {np.percentile(queue, 50) * 1e3:.0f} ms, "
            f"p95 {np.percentile(queue, 95) * 1e3:.0f} ms"
        )
    else:
        print("enqueue -> task start: no Celery events received")
    print(load_average())


if __name__ == "__main__":
    main()
