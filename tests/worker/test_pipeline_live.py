"""The pipeline with a real worker process on real Redis and PostgreSQL.

Data is committed (transactional tests), so the worker, a separate process, sees
it in the test database. Nothing here stops the machine's shared Redis: the
broker-down test starts and stops a private instance.
"""

from __future__ import annotations

import datetime as dt
import email
import email.header
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from marketplace import services as market
from marketplace.models import Opening, OpeningSkill, ProfileSkill
from matching.models import Match, MatchState
from tests import factories
from tests.private_services import PrivateRedis, wait_for
from tests.worker.test_worker import running_worker
from worker.celery import app
from worker.tasks import match_opening, matching_sweep

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def _database_url() -> str:
    db = connection.settings_dict
    user, host, port = db["USER"] or "root", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


def _environ(**extra: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MAAKMATCH_")}
    environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="test-only",
        DATABASE_URL=_database_url(),
        **extra,
    )
    return environ


@pytest.fixture
def live_worker() -> Iterator[subprocess.Popen]:
    app.control.purge()  # messages left by other tests would only slow this one
    with running_worker(_environ()) as worker:
        assert ping_within(worker, 60)
        yield worker


def ping_within(worker: subprocess.Popen, seconds: float) -> bool:
    from worker.tasks import ping

    return ping.delay().get(timeout=seconds) == "pong"


_wait_for = wait_for


@pytest.fixture
def region() -> dict:
    cnc = factories.SkillFactory(slug="cnc-draaien", label_nl="CNC-draaien", label_en="CNC")
    woerden = factories.PlaceFactory()
    company = factories.CompanyFactory(
        verified_at=timezone.now(), sbb_recognised=True, sbb_recognised_on=dt.date(2024, 1, 1)
    )
    for i in range(5):
        p = factories.ProfileFactory(place=woerden, headline=f"CNC-draaier {i}")
        ProfileSkill.objects.create(profile=p, skill=cnc, level=2)
    draft = factories.OpeningFactory(
        company=company, place=woerden, status="draft", published_at=None, title="Stage CNC-draaier"
    )
    OpeningSkill.objects.create(opening=draft, skill=cnc)
    return {"draft": draft}


def test_a_published_opening_gets_suggestions_on_its_own(region: dict, live_worker) -> None:
    opening = region["draft"]
    started = time.monotonic()
    market.opening_publish(opening=opening)  # no test code calls the engine
    assert _wait_for(lambda: Match.objects.filter(opening=opening).count() == 5)
    took = time.monotonic() - started
    assert _wait_for(
        lambda: (
            not Opening.objects.filter(pk=opening.pk, needs_matching_since__isnull=False).exists()
        )
    )
    assert all(m.state == MatchState.SUGGESTED for m in Match.objects.filter(opening=opening))
    assert took < 30


def test_a_duplicated_task_message_changes_nothing(region: dict, live_worker) -> None:
    opening = region["draft"]
    market.opening_publish(opening=opening)
    assert _wait_for(lambda: Match.objects.filter(opening=opening).count() == 5)
    before = sorted(Match.objects.values_list("pk", "profile_id", "opening_id", "score", "state"))
    first, second = match_opening.delay(opening.pk), match_opening.delay(opening.pk)
    assert {first.get(timeout=30), second.get(timeout=30)} <= {"stored", "superseded"}
    after = sorted(Match.objects.values_list("pk", "profile_id", "opening_id", "score", "state"))
    assert after == before


def _wait_until_still(read, seconds: float, limit: float = 60.0) -> None:
    """Wait until ``read()`` has not changed for ``seconds`` (at most ``limit``)."""
    deadline = time.monotonic() + limit
    last, since = read(), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < seconds:
        time.sleep(0.2)
        now = read()
        if now != last:
            last, since = now, time.monotonic()


def test_with_redis_down_a_save_succeeds_and_the_sweep_catches_up(
    region: dict, live_worker, tmp_path: Path
) -> None:
    # A private Redis, started and then stopped: "the broker is down".
    assert shutil.which("redis-server"), "redis-server is needed for this test"
    redis = PrivateRedis(tmp_path)
    redis.start()
    redis.stop()
    down = redis.url
    script = (
        "import django; django.setup();"
        "from marketplace.models import Opening; from marketplace.services import opening_publish;"
        f"o = Opening.objects.get(pk={region['draft'].pk}); opening_publish(opening=o);"
        "print('saved')"
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=_environ(REDIS_URL=down),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("saved")
    assert "the sweep will pick it up" in result.stderr
    assert time.monotonic() - started < 30
    opening = Opening.objects.get(pk=region["draft"].pk)
    assert opening.status == "open"
    assert opening.needs_matching_since is not None
    assert not Match.objects.filter(opening=opening).exists()
    # The broker is back (the shared one): the sweep finds the flagged row.
    Opening.objects.filter(pk=opening.pk).update(
        needs_matching_since=timezone.now() - settings.MAAKMATCH_SWEEP_GRACE * 2
    )
    assert matching_sweep.delay().get(timeout=30) >= 1
    assert _wait_for(lambda: Match.objects.filter(opening=opening).count() == 5)


def test_a_killed_worker_mid_run_leaves_every_suggestion_exactly_once(region: dict) -> None:
    from marketplace.models import Profile
    from matching import services
    from matching.models import MatchRun, MatchRunStatus
    from worker.tasks import match_full_recompute

    base = Profile.objects.select_related("place").first()
    cnc = OpeningSkill.objects.first().skill
    users = factories.UserFactory.build_batch(1500)
    from accounts.models import User

    User.objects.bulk_create(users)
    users = list(User.objects.filter(email__in=[u.email for u in users]))
    profiles = Profile.objects.bulk_create(
        Profile(
            user=u,
            place=base.place,
            headline=f"Draaier {i}",
            wanted_types=["bol"],
            education_level="mbo3",
        )
        for i, u in enumerate(users)
    )
    ProfileSkill.objects.bulk_create(ProfileSkill(profile=p, skill=cnc, level=2) for p in profiles)
    market.opening_publish(opening=region["draft"])  # no worker yet: the message waits
    app.control.purge()
    quick = {
        "CELERY_VISIBILITY_TIMEOUT": "12",
        "CELERY_TASK_SOFT_TIME_LIMIT": "8",
        "CELERY_TASK_TIME_LIMIT": "10",
        # Many small chunks: the worker is surely killed with some still to do.
        "MAAKMATCH_RUN_CHUNK_PROFILES": "100",
        "MAAKMATCH_RUN_STALL_SECONDS": "3",
    }
    environ = _environ(**quick)
    with running_worker(environ) as first:
        run_id = match_full_recompute.delay().get(timeout=60)
        # Kill it as soon as its first chunk is stored, mid-run.
        assert _wait_for(lambda: MatchRun.objects.get(pk=run_id).chunks_done >= 1, 30)
        first.kill()
        first.wait()
    run = MatchRun.objects.get(pk=run_id)
    assert run.status == MatchRunStatus.RUNNING
    assert run.chunks_done < run.chunks_total == 16
    with running_worker(environ):
        # The queued chunks run; the killed one is re-sent by the minute sweep (run
        # here by hand) once the run stalls, or redelivered by the broker later.
        # Usually three chunks finish first; on a loaded machine the broker may
        # still hold a second one back as unacknowledged, so wait for progress to
        # stop rather than for an exact count.
        assert _wait_for(lambda: MatchRun.objects.get(pk=run_id).chunks_done >= 3, 60)
        _wait_until_still(lambda: MatchRun.objects.get(pk=run_id).chunks_done, 5)
        if MatchRun.objects.get(pk=run_id).status != MatchRunStatus.FINISHED:
            assert matching_sweep.delay().get(timeout=30) >= 1  # it re-sends the lost
        assert _wait_for(
            lambda: MatchRun.objects.get(pk=run_id).status == MatchRunStatus.FINISHED, 90
        )
    run.refresh_from_db()
    assert (run.chunks_done, run.error) == (16, "")
    # The worker's finish vacuumed the suggestions (dead rows reclaimed, the
    # visibility map set for index-only counts), not only analysed them.
    assert _wait_for(_vacuumed, 10), "the finished run did not vacuum matching_match"
    stored = sorted(Match.objects.values_list("profile_id", "opening_id", "profile_rank"))
    assert len(stored) == len({(p, o) for p, o, _r in stored}) == 1505
    # The same as one uninterrupted run with the same fit.
    Match.objects.all().delete()
    services.matches_store_full(index=services.match_index_build(text_state=run.text_state))
    again = sorted(Match.objects.values_list("profile_id", "opening_id", "profile_rank"))
    assert again == stored


def _vacuumed() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = %s",
            ["matching_match"],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def test_a_students_yes_reaches_the_company_by_email_through_the_worker(
    tmp_path: Path,
) -> None:
    """The step commits, the email task goes to Redis's default queue, a real
    worker renders it in the member's language and sends it (file backend)."""
    from matching import workflow

    mail_dir = tmp_path / "mail"
    app.control.purge()
    company = factories.CompanyFactory(verified_at=timezone.now())
    member = factories.UserFactory(language="en")
    factories.MembershipFactory(user=member, role="company_member", organisation=company)
    student = factories.UserFactory(full_name="Noor Bakker")
    factories.MembershipFactory(user=student, role="student", organisation=None)
    match = factories.MatchFactory(
        profile=factories.ProfileFactory(user=student),
        opening=factories.OpeningFactory(company=company, title="Stage onderhoud"),
        state=MatchState.APPROVED,
    )
    with running_worker(_environ(EMAIL_URL=f"file://{mail_dir}")) as worker:
        assert ping_within(worker, 60)
        workflow.match_student_answer(match=match, by=student, yes=True)

        def delivered() -> str:
            return "".join(p.read_text() for p in mail_dir.glob("*")) if mail_dir.exists() else ""

        assert _wait_for(lambda: "Stage onderhoud" in delivered(), 60)
    text = delivered()
    message = email.message_from_string(text.split("\n" + "-" * 79)[0])
    assert message["To"] == member.email
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    assert subject == "A candidate for “Stage onderhoud”"
    assert "Candidate " in text
    assert "Noor Bakker" not in text


def test_a_step_reaches_a_webhook_through_the_worker(live_worker, settings) -> None:
    """A counsellor approves; the real worker signs and posts the event to the
    school's endpoint (a local receiver), ids only."""
    from accounts.models import Membership
    from matching import workflow
    from notifications import webhooks
    from tests.receiver import Receiver

    settings.MAAKMATCH_WEBHOOKS_ALLOW_HTTP = True
    school = factories.SchoolFactory()
    counsellor = factories.UserFactory()
    factories.MembershipFactory(user=counsellor, role="counsellor", organisation=school)
    Membership.objects.filter(user=counsellor).update(is_admin=True)
    student = factories.UserFactory(date_of_birth=dt.date(2000, 1, 1))
    factories.MembershipFactory(user=student, role="student", organisation=school)
    match = factories.MatchFactory(profile=factories.ProfileFactory(user=student))
    with Receiver() as receiver:
        _endpoint, secret = webhooks.webhook_create(
            by=counsellor, organisation=school, url=receiver.url, events=["suggestion.approved"]
        )
        workflow.match_approve(match=match, by=counsellor)
        assert _wait_for(lambda: len(receiver.requests) == 1)
    (request,) = receiver.requests
    assert webhooks.signature_valid(
        secret=secret, header=request.headers["MaakMatch-Signature"], body=request.body
    )
    assert json.loads(request.body)["data"] == {"suggestion": match.pk}
