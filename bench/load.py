"""A bounded mixed load on loopback: gunicorn + PostgreSQL + Redis + real workers.

For LOAD_SECONDS (default 300) a fixed set of clients works the API at once:

- students read their suggestions (``GET /api/v1/suggestions/``);
- a company member drafts and publishes job openings (``POST /api/v1/openings/``,
  then ``…/publish/``);
- counsellors read their review queue and approve the best suggestion in it.

Each client waits a short, random think time between requests, so the load is
bounded, not a flood. At the end it prints requests served, errors (target 0), the
p95 latency per kind and overall, and whether every opening published during the
run got its suggestions from the workers within a minute.

    DATABASE_URL=postgres://root@127.0.0.1:5432/maakmatch_bench \\
    REDIS_URL=redis://127.0.0.1:6379/2 python -m bench.load
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import statistics
import threading
import time
from collections import defaultdict

from bench import live
from bench.api import _free_port, gunicorn
from bench.common import load_average, table

SECONDS = float(os.environ.get("LOAD_SECONDS", "300"))
STUDENTS = 12
COUNSELLORS = 4
COMPANIES = 2  # clients publishing for the demo company
THINK = (0.05, 0.4)  # seconds between one client's requests


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: list[tuple[str, int, str]] = []
        self.published: list[str] = []

    def add(self, kind: str, seconds: float, status: int, ok: bool, body: str) -> None:
        with self.lock:
            self.latency[kind].append(seconds)
            if not ok:
                self.errors.append((kind, status, body[:200]))


def _request(conn, method: str, path: str, key: str, body: dict | None = None):
    headers = {"Authorization": f"Bearer {key}", "Host": "127.0.0.1"}
    payload = None
    if body is not None:
        payload = json.dumps(body)
        headers["Content-Type"] = "application/json"
    started = time.perf_counter()
    conn.request(method, path, body=payload, headers=headers)
    response = conn.getresponse()
    text = response.read().decode()
    return response.status, text, time.perf_counter() - started


def _people() -> dict[str, list[str]]:
    """API keys for the clients: students with approved suggestions, the demo
    company's member, the demo counsellors."""
    from accounts.models import Role, User
    from accounts.services import api_token_create
    from matching.models import Match, MatchState

    def key(user: User) -> str:
        return api_token_create(user=user, name="load bench")[1]

    students = list(
        User.objects.filter(
            profile__matches__state=MatchState.SUGGESTED,
            memberships__role=Role.STUDENT,
            memberships__organisation__isnull=False,
        )
        .distinct()
        .order_by("pk")[:STUDENTS]
    )
    for student in students:  # as if their counsellor had approved some already
        best = Match.objects.filter(profile__user=student, state=MatchState.SUGGESTED).order_by(
            "-score"
        )[:10]
        Match.objects.filter(pk__in=[m.pk for m in best]).update(state=MatchState.APPROVED)
    counsellors = [
        u
        for u in User.objects.filter(memberships__role=Role.COUNSELLOR).distinct().order_by("pk")
        if Match.objects.filter(
            state=MatchState.SUGGESTED,
            profile__user__memberships__organisation__memberships__user=u,
        ).exists()
    ][:COUNSELLORS]
    company = User.objects.get(email="bedrijf@demo.maakmatch.nl")
    return {
        "student": [key(u) for u in students],
        "counsellor": [key(u) for u in counsellors],
        "company": [key(company) for _ in range(COMPANIES)],
    }


def student(port: int, key: str, rec: Recorder, stop: float, rng: random.Random) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.monotonic() < stop:
        status, body, took = _request(conn, "GET", "/api/v1/suggestions/", key)
        rec.add("student: my suggestions", took, status, status == 200, body)
        time.sleep(rng.uniform(*THINK))
    conn.close()


def counsellor(port: int, key: str, rec: Recorder, stop: float, rng: random.Random) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.monotonic() < stop:
        status, body, took = _request(
            conn, "GET", "/api/v1/suggestions/?state=suggested&page_size=20", key
        )
        rec.add("counsellor: review queue", took, status, status == 200, body)
        rows = json.loads(body).get("results", []) if status == 200 else []
        # A suggestion waiting for parental consent cannot be approved; skip it.
        rows = [r for r in rows if not r.get("blocked_reason")]
        if rows:
            pick = rng.choice(rows)
            status, body, took = _request(
                conn, "POST", f"/api/v1/suggestions/{pick['id']}/approve/", key, {}
            )
            # 409: a colleague (or a parental-consent rule) got there first.
            rec.add("counsellor: approve", took, status, status in (200, 409), body)
        time.sleep(rng.uniform(*THINK))
    conn.close()


def company(port: int, key: str, rec: Recorder, stop: float, rng: random.Random) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    n = 0
    while time.monotonic() < stop:
        n += 1
        start = (dt.date.today() + dt.timedelta(days=60)).isoformat()
        opening = {
            "title": f"Onderhoudsmonteur {n} (load)",
            "description": "Onderhoud aan productielijnen, storingen verhelpen, PLC lezen.",
            "type": "job",
            "place": rng.choice(["woerden", "montfoort", "ijsselstein", "lopik", "oudewater"]),
            "start_date": start,
            "hours_per_week": 36,
            "skills": [{"skill": "cnc-draaien", "importance": "must", "min_level": 1}],
        }
        status, body, took = _request(conn, "POST", "/api/v1/openings/", key, opening)
        rec.add("company: draft opening", took, status, status == 201, body)
        if status == 201:
            slug = json.loads(body)["slug"]
            status, body, took = _request(
                conn, "POST", f"/api/v1/openings/{slug}/publish/", key, {}
            )
            rec.add("company: publish", took, status, status == 200, body)
            if status == 200:
                with rec.lock:
                    rec.published.append(slug)
        time.sleep(rng.uniform(1.0, 3.0))  # a company publishes now and then
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--openings", type=int, default=5_000)
    parser.add_argument("--seconds", type=float, default=SECONDS)
    args = parser.parse_args()
    live.django_setup()
    live.region_data(students=args.students, openings=args.openings)
    print(load_average())
    from django.core.management import call_command

    from matching.models import Match

    if not Match.objects.exists():
        call_command("match_all", verbosity=0)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.api_settings"
    people = _people()
    print(
        f"Clients: {len(people['student'])} students, {len(people['counsellor'])} counsellors, "
        f"{len(people['company'])} company; {args.seconds:.0f} s."
    )
    rec = Recorder()
    port = _free_port()
    with live.workers(2), gunicorn(port):
        stop = time.monotonic() + args.seconds
        threads = []
        for role, fn in (("student", student), ("counsellor", counsellor), ("company", company)):
            for i, key in enumerate(people[role]):
                rng = random.Random(f"{role}-{i}")
                threads.append(threading.Thread(target=fn, args=(port, key, rec, stop, rng)))
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - began
        from marketplace.models import Opening

        def all_matched() -> bool:
            done = (
                Match.objects.filter(opening__slug__in=rec.published).values("opening").distinct()
            )
            return done.count() == len(rec.published)

        waited = live.wait_for(all_matched, 60, step=0.5)
        matched = (
            Match.objects.filter(opening__slug__in=rec.published)
            .values("opening")
            .distinct()
            .count()
        )
        Opening.objects.filter(slug__in=rec.published).delete()  # leave the bench data as it was
    rows = []
    everything = []
    for kind, values in sorted(rec.latency.items()):
        everything.extend(values)
        p95 = (
            statistics.quantiles(values, n=20)[18] * 1000
            if len(values) >= 20
            else max(values) * 1000
        )
        rows.append([kind, len(values), p95])
    total_p95 = statistics.quantiles(everything, n=20)[18] * 1000
    rows.append(["all", len(everything), total_p95])
    print(table("Requests", ["kind", "served", "p95 ms"], rows))
    print(
        f"Requests served: {len(everything):,} in {elapsed:.0f} s "
        f"({len(everything) / elapsed:.1f}/s); errors: {len(rec.errors)}"
    )
    for kind, status, body in rec.errors[:5]:
        print(f"  error: {kind}: {status} {body}")
    wait_text = f"within {waited:.1f} s after the run" if waited is not None else "not within 60 s"
    print(
        f"Openings published: {len(rec.published)}; with suggestions: {matched} ({wait_text}). "
        f"Every published opening got its suggestions: {matched == len(rec.published)}"
    )
    print(load_average())


if __name__ == "__main__":
    main()
