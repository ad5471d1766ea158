"""API throughput and latency, side by side with plain Django views.

Under gunicorn (2 workers) on PostgreSQL with region-scale demo data, this
measures requests per second and p95 latency of

- ``GET /api/v1/suggestions/`` as a student (API token),
- the counsellor's queue, ``GET /api/v1/suggestions/?state=suggested``, and
- the public opening search ``GET /api/v1/openings/?place=…&radius_km=…``,

each against a plain ``JsonResponse`` view in ``bench/api_plain.py`` that serves
the same data with the same queries and hand-built dicts. Both run in the same
process pool, in turns (product, plain, product, plain), so drift hits both.
It prints the ratios, the queries per request and the server time per request
in process (median). Targets: at least 0.8 of the plain view's throughput, at least
120 req/s and a p95 at most 100 ms for the suggestions (the student's and the
counsellor's queue), and at most 10 ms server time.

    DATABASE_URL=postgres://root@127.0.0.1:5432/maakmatch_bench \\
    REDIS_URL=redis://127.0.0.1:6379/2 python -m bench.api
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from bench import live
from bench.common import load_average, table

CLIENTS = 8  # concurrent keep-alive connections
SECONDS = 8.0  # per turn, after a warm-up
TURNS = 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(port: int) -> Iterator[subprocess.Popen]:
    environ = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.api_settings",
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=live.ROOT,
        env=environ,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=20)


def load(port: int, path: str, headers: dict[str, str], seconds: float) -> tuple[float, float]:
    """Requests per second and p95 latency (ms) with CLIENTS keep-alive clients."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        while time.monotonic() < stop:
            start = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            if response.status != 200:
                errors.append(response.status)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise SystemExit(f"{path}: {len(errors)} responses were not 200, e.g. {errors[0]}")
    p95 = statistics.quantiles(latencies, n=20)[18] * 1000
    return len(latencies) / elapsed, p95


@contextmanager
def in_process(headers: dict[str, str]) -> Iterator[object]:
    """A Django test client on the bench's URLs, without throttling."""
    from django.test import Client
    from django.test.utils import override_settings

    with override_settings(
        ROOT_URLCONF="bench.api_urls",
        API_THROTTLE_RATES={"anon": "1000000/minute", "user": "1000000/minute"},
        ALLOWED_HOSTS=["testserver"],
    ):
        yield Client(**{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})


def queries_per_request(path: str, headers: dict[str, str]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with in_process(headers) as client:
        client.get(path)  # warm caches (content types, translations)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
    return len(captured)


def server_ms(path: str, headers: dict[str, str], requests: int) -> float:
    """The median time one request takes in process (no network, no gunicorn)."""
    with in_process(headers) as client:
        client.get(path)
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
    return statistics.median(times) * 1000


def student_with_suggestions(*, computed: bool = False) -> tuple[str, int]:
    """A student of the demo data with 20 approved suggestions; returns an API key."""
    from django.db.models import Count

    from accounts.services import api_token_create
    from matching.models import Match, MatchState

    top = (
        Match.objects.values("profile__user")
        .annotate(n=Count("pk"))
        .order_by("-n", "profile__user")
        .first()
    )
    if top is None and computed:
        raise SystemExit("The recompute stored no suggestions: there is nothing to serve.")
    if top is None:  # a fresh bench database: compute the suggestions once
        from django.core.management import call_command

        call_command("match_all", verbosity=0)
        return student_with_suggestions(computed=True)
    user_id = top["profile__user"]
    ids = list(
        Match.objects.filter(profile__user_id=user_id).order_by("-score").values_list("pk")[:20]
    )
    # Bench data only: the student's best suggestions as if a counsellor approved them.
    Match.objects.filter(pk__in=[i for (i,) in ids]).update(state=MatchState.APPROVED)
    from accounts.models import User

    _token, key = api_token_create(user=User.objects.get(pk=user_id), name="bench")
    return key, len(ids)


def counsellor_with_queue() -> tuple[str, int]:
    """The demo counsellor whose students have the most suggestions waiting;
    returns an API key and the queue's length."""
    from django.db.models import Count

    from accounts.models import Membership, Role, User
    from accounts.services import api_token_create
    from matching.models import Match, MatchState

    best = None
    for membership in Membership.objects.filter(role=Role.COUNSELLOR).select_related("user"):
        students = Membership.objects.filter(
            role=Role.STUDENT, organisation_id=membership.organisation_id
        ).values("user")
        waiting = Match.objects.filter(
            profile__user__in=students, state=MatchState.SUGGESTED
        ).aggregate(n=Count("pk"))["n"]
        if best is None or waiting > best[1]:
            best = (membership.user, waiting)
    if best is None:
        raise SystemExit("the demo data has no counsellor")
    user: User = best[0]
    _token, key = api_token_create(user=user, name="bench")
    return key, best[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--openings", type=int, default=5_000)
    parser.add_argument("--seconds", type=float, default=SECONDS, help="per turn")
    parser.add_argument("--turns", type=int, default=TURNS)
    parser.add_argument("--requests", type=int, default=200, help="in process, per path")
    args = parser.parse_args()
    live.django_setup()
    live.region_data(students=args.students, openings=args.openings)
    print(load_average())
    key, approved = student_with_suggestions()
    bearer = {"Authorization": f"Bearer {key}"}
    counsellor_key, waiting = counsellor_with_queue()
    counsellor = {"Authorization": f"Bearer {counsellor_key}"}
    search = "?place=woerden&radius_km=20&page_size=20"
    pairs = [
        (
            "student suggestions",
            "/api/v1/suggestions/?page_size=20",
            "/bench/plain/suggestions/",
            bearer,
        ),
        (
            "counsellor's queue",
            "/api/v1/suggestions/?state=suggested&page_size=20",
            "/bench/plain/suggestions/?state=suggested",
            counsellor,
        ),
        (
            "public opening search",
            f"/api/v1/openings/{search}",
            f"/bench/plain/openings/{search}",
            {},
        ),
    ]
    port = _free_port()
    results: dict[str, dict[str, list[tuple[float, float]]]] = {}
    with gunicorn(port):
        for name, product, plain, headers in pairs:
            for path in (product, plain):
                load(port, path, headers, min(2.0, args.seconds))  # warm-up
            runs = results.setdefault(name, {"product": [], "plain": []})
            for _ in range(args.turns):
                runs["product"].append(load(port, product, headers, args.seconds))
                runs["plain"].append(load(port, plain, headers, args.seconds))
    rows, server = [], []
    for name, product, plain, headers in pairs:
        server.append(
            [
                name,
                server_ms(product, headers, args.requests),
                server_ms(plain, headers, args.requests),
            ]
        )
        runs = results[name]
        rps_product = statistics.mean(r for r, _ in runs["product"])
        rps_plain = statistics.mean(r for r, _ in runs["plain"])
        p95_product = statistics.mean(p for _, p in runs["product"])
        p95_plain = statistics.mean(p for _, p in runs["plain"])
        rows.append(
            [
                name,
                f"{rps_product:.0f}",
                f"{rps_plain:.0f}",
                f"{rps_product / rps_plain:.2f}",
                f"{p95_product:.1f}",
                f"{p95_plain:.1f}",
                f"{p95_product / p95_plain:.2f}",
                f"{queries_per_request(product, headers)}/{queries_per_request(plain, headers)}",
            ]
        )
    print(
        table(
            f"API vs plain Django views (gunicorn, 2 workers, {CLIENTS} clients, "
            f"{args.turns} x {args.seconds:.0f} s each; the student has {approved} approved "
            f"suggestions, the counsellor's students {waiting} waiting)",
            [
                "endpoint",
                "req/s API",
                "req/s plain",
                "ratio (≥0.8)",
                "p95 ms API",
                "p95 ms plain",
                "ratio (≤2)",
                "queries API/plain",
            ],
            rows,
        )
    )
    print(
        table(
            f"Server time per request, in process (median of {args.requests}; target ≤ 10 ms)",
            ["endpoint", "ms API", "ms plain"],
            server,
        )
    )
    print(load_average())


if __name__ == "__main__":
    main()
