"""Coordinators see full recomputes with their progress and start one; nobody else."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from marketplace.models import Opening
from matching.models import MatchRun, MatchRunStatus
from tests import factories
from tests.conftest import World, login_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs() -> list[MatchRun]:
    return [
        MatchRun.objects.create(engine_version="1.0.0", chunks_total=4, chunks_done=1),
        MatchRun.objects.create(
            engine_version="1.0.0",
            chunks_total=2,
            chunks_done=2,
            status=MatchRunStatus.FINISHED,
            stored=40,
            retired=3,
        ),
    ]


def test_the_coordinator_sees_progress_and_the_backlog(
    client: Client, world: World, runs: list
) -> None:
    Opening.objects.filter(pk=factories.OpeningFactory().pk).update(
        needs_matching_since=timezone.now()
    )
    login_with_second_factor(client, world.carla)
    html = client.get(reverse("web:match_runs")).content.decode()
    assert '<progress max="4" value="1"' in html
    assert "1/4" in html
    assert "Suggesties worden bijgewerkt voor 1 vacatures en 0 profielen." in html


def test_a_running_run_refuses_a_second_start(client: Client, world: World, runs: list) -> None:
    login_with_second_factor(client, world.carla)
    response = client.post(reverse("web:match_runs"), follow=True)
    assert "loopt al" in response.content.decode()
    assert MatchRun.objects.count() == 2


def test_the_coordinator_queues_a_full_recompute(client: Client, world: World) -> None:
    login_with_second_factor(client, world.carla)
    response = client.post(reverse("web:match_runs"), follow=True)
    assert "ingepland" in response.content.decode()


@pytest.mark.parametrize("persona", ["dirk", "bram", "sam", "stranger"])
def test_nobody_else_sees_or_starts_runs(client: Client, world: World, persona: str) -> None:
    client.force_login(getattr(world, persona))
    assert client.get(reverse("web:match_runs")).status_code == 403
    assert client.post(reverse("web:match_runs")).status_code == 403
    assert client.get("/api/v1/runs/").status_code == 403
    assert client.post("/api/v1/runs/start/").status_code == 403


def test_the_api_lists_runs_with_a_percentage(client: Client, world: World, runs: list) -> None:
    login_with_second_factor(client, world.carla)
    body = client.get("/api/v1/runs/").json()
    assert [r["progress_percent"] for r in body["results"]] == [100.0, 25.0]
    assert client.post("/api/v1/runs/start/").status_code == 409  # one is running
    MatchRun.objects.filter(status=MatchRunStatus.RUNNING).update(status=MatchRunStatus.FAILED)
    assert client.post("/api/v1/runs/start/").status_code == 202


def test_anonymous_visitors_get_no_runs(client: Client) -> None:
    assert client.get("/api/v1/runs/").status_code == 401


def test_the_page_says_one_state_and_follows_a_queued_run(
    client: Client, world: World, settings
) -> None:
    """Asked for, a run is queued until a worker starts it: the page says so
    (not "up to date" and "no runs yet" at the same time) and refreshes itself
    until the run has finished."""
    from django.core.cache import cache

    from matching.services import RUN_REQUESTED

    cache.delete(RUN_REQUESTED)
    login_with_second_factor(client, world.carla)
    url = reverse("web:match_runs")
    html = client.get(url).content.decode()
    assert "Alle suggesties zijn bijgewerkt." in html
    assert 'hx-trigger="every 2s"' not in html
    cache.set(RUN_REQUESTED, timezone.now())  # what match_run_request records
    html = client.get(url).content.decode()
    assert "ingepland" in html
    assert "Alle suggesties zijn bijgewerkt." not in html
    assert "Nog geen rondes" not in html
    assert 'hx-trigger="every 2s"' in html
    run = MatchRun.objects.create(engine_version="1.0.0", chunks_total=2)
    html = client.get(url).content.decode()
    assert "ingepland" not in html
    assert "loopt" in html
    assert 'hx-trigger="every 2s"' in html
    MatchRun.objects.filter(pk=run.pk).update(status=MatchRunStatus.FINISHED, chunks_done=2)
    html = client.get(url).content.decode()
    assert "Alle suggesties zijn bijgewerkt." in html
    assert 'hx-trigger="every 2s"' not in html
    cache.delete(RUN_REQUESTED)
