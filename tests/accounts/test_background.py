"""Handing work to the worker: only after the commit, and a lost message is no error."""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts import background
from matching.engine.words import accents_strip, lookup_key


@pytest.mark.django_db
def test_a_task_is_asked_for_only_once_the_transaction_commits(
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            background.task_send_on_commit("worker.ping")
        with transaction.atomic():
            background.task_send_on_commit("worker.ping")
            transaction.set_rollback(True)  # rolled back: nothing is asked for
    assert len(callbacks) == 1


def test_a_broker_that_cannot_be_reached_costs_a_warning_not_the_request(settings, caplog) -> None:
    from worker.celery import app

    app.conf.broker_url, old = "redis://127.0.0.1:1/0", app.conf.broker_url
    app.pool.force_close_all()
    try:
        assert background.task_send("worker.ping") is False
    finally:
        app.conf.broker_url = old
        app.pool.force_close_all()
    assert "the sweep will pick it up" in caplog.text


def test_one_folding_for_names_in_imports_and_the_skill_finder() -> None:
    assert accents_strip("Curaçao één Ëindhoven") == "Curacao een Eindhoven"
    assert lookup_key("  Oriëntatie-dag ") == lookup_key("orientatie-DAG")
    assert lookup_key("Woerden\t\nHarmelen") == "woerden harmelen"
