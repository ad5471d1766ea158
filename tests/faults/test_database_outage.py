"""PostgreSQL goes away under a running site, and comes back.

A private PostgreSQL instance is started for this test (the machine's shared one
is never touched), the app runs under gunicorn against it, and then the database
is stopped: pages answer 503 with a friendly Dutch message, the API answers 503
as JSON, the health check says so too. Once the database is started again, the
site answers 200 within 30 seconds, with no restart of the app.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.private_services import free_port

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
RECOVERY_SECONDS = 30

pytestmark = [pytest.mark.postgres]


def _missing(reason: str) -> None:
    if settings.REQUIRE_SERVICES:
        pytest.fail(f"MAAKMATCH_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


class PrivatePostgres:
    """initdb + pg_ctl as the postgres user, on a free port, in a temporary folder."""

    def __init__(self, base: Path) -> None:
        self.port = free_port()
        self.dir = base / "pgdata"
        self.log = base / "pg.log"
        base.mkdir(parents=True, exist_ok=True)
        shutil.chown(base, "postgres", "postgres")
        self._as_postgres(
            str(PG_BIN / "initdb"), "-D", str(self.dir), "-U", "root", "-A", "trust", "-E", "UTF8"
        )

    def _as_postgres(self, *argv: str) -> None:
        prefix = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]
        subprocess.run([*prefix, *argv], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.dir),
            "-o",
            options,
            "-l",
            str(self.log),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.dir), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgres://root@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def database() -> Iterator[PrivatePostgres]:
    if not (PG_BIN / "initdb").exists() or (os.geteuid() == 0 and not shutil.which("runuser")):
        _missing("PostgreSQL's initdb/pg_ctl (or runuser) is not available")
    # Directly under /tmp: pytest's own temporary folders are closed to other users.
    base = Path(tempfile.mkdtemp(prefix="maakmatch-pg-"))
    pg = PrivatePostgres(base)
    pg.start()
    try:
        yield pg
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            pg.stop()
        shutil.rmtree(base, ignore_errors=True)


def _get(port: int, path: str) -> tuple[int, str, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        return response.status, response.read().decode(), dict(response.getheaders())
    finally:
        conn.close()


@pytest.fixture
def site(database: PrivatePostgres, tmp_path: Path) -> Iterator[int]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("MAAKMATCH_", "DJANGO_"))}
    environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY="fault-test-only-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database.url,
        STATIC_ROOT=str(tmp_path / "static"),
        MAAKMATCH_VAR_DIR=str(tmp_path / "var"),
    )
    environ.pop("REDIS_URL", None)
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=environ,
            check=True,
            capture_output=True,
            timeout=300,
        )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if _get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_the_site_answers_503_while_the_database_is_down_and_recovers(
    database: PrivatePostgres, site: int
) -> None:
    assert _get(site, "/")[0] == 200
    assert _get(site, "/api/v1/openings/")[0] == 200

    database.stop()
    status, body, headers = _get(site, "/")
    assert status == 503
    assert "even niet bereikbaar" in body
    assert headers.get("Retry-After") == "30"
    status, body, _h = _get(site, "/api/v1/openings/")
    assert status == 503
    assert '"error": "unavailable"' in body or '"error":"unavailable"' in body
    assert _get(site, "/healthz")[0] == 503

    database.start()
    started = time.monotonic()
    while time.monotonic() - started < RECOVERY_SECONDS:
        if _get(site, "/")[0] == 200:
            break
        time.sleep(0.5)
    took = time.monotonic() - started
    assert _get(site, "/")[0] == 200, "the site did not recover"
    assert _get(site, "/api/v1/openings/")[0] == 200
    assert took < RECOVERY_SECONDS


def _sql(url: str, query: str, params: tuple = ()) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, connect_timeout=3) as conn:
        return conn.execute(query, params).fetchall()


@pytest.mark.redis
@pytest.mark.worker
def test_a_database_restart_during_a_full_recompute(
    database: PrivatePostgres, tmp_path: Path
) -> None:
    """PostgreSQL restarts while a worker runs a full recompute in chunks: the
    chunks cut off are retried, the run finishes, and every suggestion is there
    exactly once, the same as after an uninterrupted run with the same fit."""
    import psycopg

    from tests.worker.test_worker import running_worker

    # A Redis database of its own, emptied first: nothing from other tests.
    base = (settings.REDIS_URL or "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    broker = f"{base}/6"
    subprocess.run(["redis-cli", "-u", broker, "flushdb"], check=True, capture_output=True)
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("MAAKMATCH_", "DJANGO_"))}
    environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="fault-test-only-" + "x" * 40,
        DATABASE_URL=database.url,
        REDIS_URL=broker,
        MAAKMATCH_VAR_DIR=str(tmp_path / "var"),
        MAAKMATCH_RUN_CHUNK_PROFILES="40",
        MAAKMATCH_RUN_STALL_SECONDS="5",
    )

    def run(argv: list[str]) -> str:
        result = subprocess.run(
            [sys.executable, *argv],
            cwd=ROOT,
            env=environ,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout.strip()

    def python(code: str) -> str:
        return run(["-c", "import django; django.setup();" + code])

    run(["manage.py", "migrate", "--noinput"])
    run(
        [
            "manage.py",
            "seed_demo",
            "--students",
            "2000",
            "--openings",
            "200",
            "--force",
            "--without-suggestions",
        ]
    )
    progress = "SELECT chunks_done, chunks_total, status FROM matching_matchrun WHERE id=%s"
    with running_worker(environ) as worker:
        run_id = int(
            python(
                "from worker.tasks import match_full_recompute;"
                "print(match_full_recompute.delay().get(timeout=300))"
            )
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and _sql(database.url, progress, (run_id,))[0][0] < 2:
            time.sleep(0.05)
        done, total, _status = _sql(database.url, progress, (run_id,))[0]
        database.stop()  # mid-run: chunks are being written
        assert done < total, "the run finished before the restart; nothing was tested"
        time.sleep(2)
        database.start()
        deadline, swept = time.monotonic() + 240, time.monotonic()
        while time.monotonic() < deadline:
            with contextlib.suppress(psycopg.OperationalError):  # still coming up
                if _sql(database.url, progress, (run_id,))[0][2] != "running":
                    break
            if time.monotonic() - swept > 15:  # what beat does every minute
                python("from worker.tasks import matching_sweep; matching_sweep.delay()")
                swept = time.monotonic()
            time.sleep(0.5)
        worker.terminate()
        log = worker.communicate(timeout=30)[0]
    done, total, status = _sql(database.url, progress, (run_id,))[0]
    assert (status, done) == ("finished", total), log[-3000:]
    pairs = "SELECT profile_id, opening_id, profile_rank FROM matching_match"
    stored = sorted(_sql(database.url, pairs))
    assert len(stored) == len({(p, o) for p, o, _r in stored})  # each pair once
    python(
        "from matching.models import Match, MatchRun; from matching import services;"
        f"run = MatchRun.objects.get(pk={run_id}); Match.objects.all().delete();"
        "services.matches_store_full(index=services.match_index_build(text_state=run.text_state))"
    )
    assert sorted(_sql(database.url, pairs)) == stored
