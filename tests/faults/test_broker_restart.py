"""Redis restarts while tasks wait in it: nothing a person did is lost.

A private Redis (no persistence) is the broker. A company publishes an opening and
a student says yes to a suggestion; both queue tasks. Redis restarts and forgets
them. The people's actions are rows in PostgreSQL, and the opening still carries
its "needs matching" flag, so a worker on the restarted broker, sent the minute
sweep, computes its suggestions anyway. The machine's shared Redis is not touched.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from marketplace.models import Opening
from matching.models import Match, MatchState
from tests import factories
from tests.private_services import PrivateRedis
from tests.worker.test_pipeline_live import (  # noqa: F401 - fixtures and helpers
    ROOT,
    _environ,
    _wait_for,
    region,
)
from tests.worker.test_worker import running_worker

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def _run(script: str, broker: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + script],
        cwd=ROOT,
        env=_environ(REDIS_URL=broker),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_nothing_a_person_did_is_lost_when_redis_restarts(
    region: dict,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    redis = PrivateRedis(tmp_path)
    redis.start()
    try:
        opening = region["draft"]
        profile = factories.ProfileFactory()
        answered = factories.MatchFactory(
            profile=profile,
            opening=factories.OpeningFactory(company=opening.company),
            state=MatchState.APPROVED,
        )
        # The people act; their tasks wait in the broker (no worker is running).
        _run(
            "from marketplace.models import Opening; from marketplace.services import "
            f"opening_publish; opening_publish(opening=Opening.objects.get(pk={opening.pk}));"
            "from matching.models import Match; from matching import workflow;"
            f"m = Match.objects.select_related('profile__user').get(pk={answered.pk});"
            "workflow.match_student_answer(match=m, by=m.profile.user, yes=True)",
            redis.url,
        )
        assert redis.queued() >= 2  # the matching task and the email task
        redis.stop()
        redis.start()
        assert redis.queued() == 0  # the broker forgot them

        # What the people did is in the database.
        assert Opening.objects.get(pk=opening.pk).status == "open"
        assert Match.objects.get(pk=answered.pk).state == MatchState.STUDENT_YES
        assert Opening.objects.get(pk=opening.pk).needs_matching_since is not None

        Opening.objects.filter(pk=opening.pk).update(
            needs_matching_since=timezone.now() - settings.MAAKMATCH_SWEEP_GRACE * 2
        )
        with running_worker(_environ(REDIS_URL=redis.url)) as worker:
            started = time.monotonic()
            _run(
                "from worker.tasks import matching_sweep; "
                "print(matching_sweep.delay().get(timeout=60))",
                redis.url,
            )
            ok = _wait_for(lambda: Match.objects.filter(opening=opening).count() >= 5, 60)
            worker.terminate()
            log = worker.communicate(timeout=30)[0]
        assert ok, log[-4000:]
        assert time.monotonic() - started < 60
        assert Match.objects.get(pk=answered.pk).state == MatchState.STUDENT_YES
    finally:
        redis.stop()
