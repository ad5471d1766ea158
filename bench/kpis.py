"""The coordinators' dashboard on region-scale data, side by side with a plain
per-group implementation, and the skills gap's two ways of reading explanations.

On PostgreSQL with the demo region (20,000 students, 5,000 openings, their
suggestions) plus a year of history made here (placements, counsellor decisions,
level changes, closing times), it times:

- ``kpis.dashboard`` for each breakdown, with its query count, against a plain
  implementation that asks the database one aggregate per figure and group
  (the obvious way to write it), for the municipality breakdown;
- the skills gap, with the missing must-haves unnested by PostgreSQL (jsonb)
  against the same count in Python over every explanation.

Each pair runs in turns (product, plain, product, plain) and prints the ratio.
Target: the dashboard in under a second for every breakdown, under 20 queries.

    DATABASE_URL=postgres://root@127.0.0.1:5432/maakmatch_bench \\
    REDIS_URL=redis://127.0.0.1:6379/2 python -m bench.kpis
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from collections.abc import Callable

from bench import live
from bench.common import load_average, table

TURNS = 3
PERIOD = "2026-Q2"


def _history() -> None:
    """A year of history on the demo region, made once and reused."""
    from django.db import transaction
    from django.utils import timezone

    from audit.models import AuditEntry
    from marketplace.models import EducationLevelChange, Opening, Placement, Profile
    from matching.models import Match

    if Placement.objects.count() >= 1000:
        return
    rng = random.Random(2026)
    tz = timezone.get_current_timezone()
    year_start = dt.datetime(2026, 1, 1, tzinfo=tz)

    def moment() -> dt.datetime:
        return year_start + dt.timedelta(minutes=rng.randrange(0, 330 * 24 * 60))

    with transaction.atomic():
        openings = list(Opening.objects.filter(status="open").only("pk", "capacity"))
        for opening in openings:
            published = moment()
            closed = published + dt.timedelta(days=rng.randrange(20, 200))
            Opening.objects.filter(pk=opening.pk).update(
                published_at=published,
                closed_at=closed if rng.random() < 0.3 else None,
            )
        matches = list(
            Match.objects.order_by("?").values_list(
                "pk", "profile_id", "opening_id", "profile__user_id"
            )[:30_000]
        )
        entries, seen = [], set()
        placements = []
        for i, (pk, profile, opening, student) in enumerate(matches):
            created = moment()
            Match.objects.filter(pk=pk).update(created_at=created)
            to = "approved" if rng.random() < 0.7 else "rejected"
            entries.append(
                AuditEntry(
                    created_at=created + dt.timedelta(hours=rng.randrange(1, 200)),
                    action="transition",
                    match_id=pk,
                    student_id=student,
                    from_state="suggested",
                    to_state=to,
                )
            )
            if i < 1500 and profile not in seen:
                seen.add(profile)
                placements.append((profile, opening, created + dt.timedelta(days=10)))
        AuditEntry.objects.bulk_create(entries, batch_size=5000)
        by_pk = {o.pk: o for o in Opening.objects.filter(pk__in={p[1] for p in placements})}
        rows = []
        for profile, opening_id, when in placements:
            opening = by_pk[opening_id]
            rows.append(
                Placement(
                    profile_id=profile,
                    opening=opening,
                    company_id=opening.company_id,
                    type=opening.type,
                    education_level="mbo3",
                    start_date=when.date(),
                )
            )
        created = Placement.objects.bulk_create(rows, batch_size=2000)
        for placement, (_p, _o, when) in zip(created, placements, strict=True):
            Placement.objects.filter(pk=placement.pk).update(confirmed_at=when)
        levels = ["mbo2", "mbo3", "mbo4", "hbo"]
        changes = []
        for profile in Profile.objects.order_by("?").values_list("pk", flat=True)[:3000]:
            step = rng.randrange(0, 3)
            changes.append(
                EducationLevelChange(
                    profile_id=profile,
                    from_level=levels[step],
                    to_level=levels[step + 1] if rng.random() < 0.8 else levels[step],
                    changed_at=moment(),
                )
            )
        EducationLevelChange.objects.bulk_create(changes)


def _plain_by_municipality(period) -> dict:
    """The obvious way: one aggregate query per figure and municipality."""
    from django.db.models import Count, Q, Sum

    from audit.models import AuditEntry
    from marketplace.models import Opening, Place, Placement

    start, end = period.bounds()
    open_in = Q(published_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=start))
    out = {}
    for place in Place.objects.all():
        offered = Opening.objects.filter(open_in, place=place, type__in=["bol", "bbl"]).aggregate(
            n=Sum("capacity")
        )["n"]
        filled = Placement.objects.filter(
            opening__place=place,
            status="confirmed",
            type__in=["bol", "bbl"],
            confirmed_at__gte=start,
            confirmed_at__lt=end,
        ).count()
        jobs = Opening.objects.filter(open_in, place=place, type="job").count()
        decisions = AuditEntry.objects.filter(
            match__opening__place=place,
            from_state="suggested",
            created_at__gte=start,
            created_at__lt=end,
        ).aggregate(n=Count("pk"), approved=Count("pk", filter=Q(to_state="approved")))
        out[place.name] = (offered, filled, jobs, decisions)
    return out


def _timed(fn: Callable[[], object]) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        fn()
        took = time.perf_counter() - started
    return took * 1000, len(queries)


def _pair(product: Callable[[], object], plain: Callable[[], object]) -> tuple:
    times_a, times_b, qa, qb = [], [], 0, 0
    for _ in range(TURNS):
        ms, qa = _timed(product)
        times_a.append(ms)
        ms, qb = _timed(plain)
        times_b.append(ms)
    a, b = statistics.median(times_a), statistics.median(times_b)
    return a, qa, b, qb, b / a if a else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--openings", type=int, default=5_000)
    args = parser.parse_args()
    live.django_setup()
    live.region_data(students=args.students, openings=args.openings)
    print(load_average())
    from django.core.management import call_command

    from audit.models import AuditEntry
    from insights import kpis
    from marketplace.models import Opening, Placement, Profile
    from matching.models import Match

    if not Match.objects.exists():
        call_command("match_all", verbosity=0)
    _history()
    period = kpis.Period.parse(PERIOD)
    print(
        f"Data: {Profile.objects.count():,} profiles, {Opening.objects.count():,} openings, "
        f"{Match.objects.count():,} suggestions, {Placement.objects.count():,} placements, "
        f"{AuditEntry.objects.count():,} audit entries. Period {PERIOD}, median of {TURNS}."
    )
    rows = []
    for breakdown in kpis.BREAKDOWNS:
        times = []
        for _ in range(TURNS):
            ms, queries = _timed(lambda b=breakdown: kpis.dashboard(period=period, breakdown=b))
            times.append(ms)
        rows.append([breakdown, statistics.median(times), queries])
    print(table("kpis.dashboard per breakdown", ["breakdown", "ms", "queries"], rows))
    a, qa, b, qb, ratio = _pair(
        lambda: kpis.dashboard(period=period, breakdown="municipality"),
        lambda: _plain_by_municipality(period),
    )
    print(
        table(
            "Municipality breakdown: dashboard (all 15 figures, charts) vs plain (4 figures)",
            ["", "ms", "queries"],
            [
                ["dashboard", a, qa],
                ["plain per-group aggregates", b, qb],
                ["plain / dashboard", ratio, ""],
            ],
        )
    )
    openings = Opening.objects.all()
    rows = []
    for label in (PERIOD, PERIOD[:4]):
        span = kpis.Period.parse(label)
        counted = Match.objects.filter(
            created_at__gte=span.bounds()[0], created_at__lt=span.bounds()[1]
        ).count()
        a, _qa, b, _qb, ratio = _pair(
            lambda s=span: kpis._missing_must_haves(period=s, openings=openings, in_database=True),
            lambda s=span: kpis._missing_must_haves(period=s, openings=openings, in_database=False),
        )
        rows.append([f"{label} ({counted:,} suggestions)", a, b, ratio])
    print(
        table(
            "Missing must-haves from explanations",
            ["period", "PostgreSQL jsonb ms", "Python ms", "Python / jsonb"],
            rows,
        )
    )
    ms, queries = _timed(lambda: kpis.skills_gap(period=period))
    print(table("Skills gap page", ["", "ms", "queries"], [["kpis.skills_gap", ms, queries]]))
    print(load_average())


if __name__ == "__main__":
    main()
