"""The benches that need PostgreSQL, Redis, real workers and gunicorn run at a
tiny size in CI, so a change that breaks one fails here. They run against their
own database (``maakmatch_bench_tiny``, dropped and created afresh for each
run, then seeded by the first bench) and their own Redis database (flushed),
never the tests' ones: what an earlier run left behind cannot change a figure.
The figures mean nothing at this size; that each bench runs to the end and
prints what it promises does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
TINY = ("--students", "300", "--openings", "100")
DATABASE = "maakmatch_bench_tiny"
REDIS_DB = 13
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker]


def _server() -> str:
    db = connection.settings_dict
    user, host, port = db["USER"] or "root", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}"


def _redis_url() -> str:
    return f"{settings.REDIS_URL.rsplit('/', 1)[0]}/{REDIS_DB}"


@pytest.fixture(scope="module", autouse=True)
def _fresh_bench_database() -> None:
    """A new, empty bench database and Redis database for this run."""
    with psycopg.connect(f"{_server()}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    redis.Redis.from_url(_redis_url()).flushdb()


def _environ() -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MAAKMATCH_")}
    environ.update(
        DATABASE_URL=f"{_server()}/{DATABASE}", REDIS_URL=_redis_url(), SECRET_KEY="bench-only"
    )
    environ.pop("DJANGO_SETTINGS_MODULE", None)
    return environ


def _run(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=_environ(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, (result.stdout[-2000:], result.stderr[-3000:])
    return result.stdout


def test_the_recompute_bench_times_engine_store_and_fan_out() -> None:
    out = _run("bench.recompute", *TINY, "--workers", "1,2")
    assert "store: COPY + merge" in out
    assert "bare COPY" in out
    assert "1 worker process(es)" in out
    assert "2 worker process(es)" in out
    assert "end to end / engine:" in out
    assert "2 workers / 1 worker:" in out


def test_the_api_bench_compares_with_plain_views_and_times_the_server() -> None:
    out = _run("bench.api", *TINY, "--seconds", "1", "--turns", "1", "--requests", "5")
    for name in ("student suggestions", "counsellor's queue", "public opening search"):
        assert out.count(name) == 2, out  # the throughput table and the server-time table
    assert "Server time per request" in out


def test_the_load_bench_serves_every_request() -> None:
    out = _run("bench.load", *TINY, "--seconds", "6")
    assert "errors: 0" in out, out


def test_the_freshness_bench_publishes_and_reads_back() -> None:
    out = _run("bench.freshness", *TINY, "--publish", "3")
    assert "p95" in out, out


def test_the_kpis_bench_times_every_breakdown() -> None:
    out = _run("bench.kpis", *TINY)
    assert "kpis.dashboard per breakdown" in out
    assert "Skills gap page" in out
