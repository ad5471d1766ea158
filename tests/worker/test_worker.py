"""A real ``celery -A worker worker`` process answers the ping task."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from worker.celery import app
from worker.tasks import ping

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.worker


@contextmanager
def running_worker(environ: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [
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
            "INFO",
            "-n",
            f"test-{uuid.uuid4().hex[:8]}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _embedded_environ(var_dir: Path) -> dict[str, str]:
    """The ``make run`` default: no Redis, no DATABASE_URL, the filesystem broker."""
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "DATABASE_URL"}
        and not k.startswith("MAAKMATCH_")
    }
    environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="test-only",
        MAAKMATCH_VAR_DIR=str(var_dir),
    )
    return environ


def test_a_worker_on_the_filesystem_broker_answers_ping(tmp_path: Path) -> None:
    environ = _embedded_environ(tmp_path)
    with running_worker(environ) as worker:
        result = subprocess.run(
            [sys.executable, "manage.py", "worker_ping", "--timeout", "60"],
            cwd=ROOT,
            env=environ,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("pong (")
    assert (tmp_path / "broker" / "queue").is_dir()


@pytest.mark.redis
def test_a_worker_on_redis_answers_ping() -> None:
    assert app.conf.broker_url == settings.REDIS_URL
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "test"}
    with running_worker(environ) as worker:
        answer = ping.delay().get(timeout=60)
        assert worker.poll() is None
    assert answer == "pong"


def test_matching_tasks_are_routed_to_their_own_queue() -> None:
    for name in (
        "worker.match_opening",
        "worker.match_profile",
        "worker.match_run_chunk",
        "worker.match_full_recompute",
    ):
        assert app.amqp.router.route({}, name)["queue"].name == "matching", name
    assert app.amqp.router.route({}, "worker.matching_sweep")["queue"].name == "default"
    assert app.amqp.router.route({}, "worker.openings_expire")["queue"].name == "default"
    assert app.amqp.router.route({}, "worker.ping")["queue"].name == "default"


def test_celery_is_configured_for_safe_delivery() -> None:
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_time_limit > conf.task_soft_time_limit > 0
