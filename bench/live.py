"""Shared set-up for the benchmarks that need the real pipeline: PostgreSQL, Redis,
region-scale demo data and real worker processes."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def django_setup() -> None:
    """Configure Django from the environment; PostgreSQL and Redis are required."""
    url, redis = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not url.startswith("postgres") or not redis.startswith("redis"):
        sys.exit(
            "Set DATABASE_URL (PostgreSQL) and REDIS_URL, e.g.\n"
            "  DATABASE_URL=postgres://root@127.0.0.1:5432/maakmatch_bench "
            "REDIS_URL=redis://127.0.0.1:6379/2 python -m bench.freshness\n"
            "The database is created if missing, filled with demo data and reused."
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    _database_create(url)
    import django

    django.setup()


def _database_create(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def region_data(students: int, openings: int) -> None:
    """Migrate and seed (idempotent: a second run reuses what is there)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command(
        "seed_demo",
        students=students,
        openings=openings,
        force=True,
        without_suggestions=True,
        verbosity=0,
        stdout=io.StringIO(),
    )


@contextmanager
def workers(count: int, *, events: bool = False) -> Iterator[list[subprocess.Popen]]:
    """``count`` real worker processes (solo pool each), stopped afterwards."""
    from worker.celery import app
    from worker.tasks import ping

    app.control.purge()
    procs = []
    for _ in range(count):
        argv = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "worker",
            "worker",
            "-Q",
            "default,matching",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "-n",
            f"bench-{uuid.uuid4().hex[:6]}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
        if events:
            argv.append("-E")
        procs.append(
            subprocess.Popen(
                argv,
                cwd=ROOT,
                env=dict(os.environ),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    try:
        for _ in procs:
            ping.delay().get(timeout=120)
        yield procs
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def wait_for(condition, seconds: float, step: float = 0.005) -> float | None:
    """Seconds until ``condition()`` held, or None after ``seconds``."""
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        if condition():
            return time.perf_counter() - start
        time.sleep(step)
    return None
