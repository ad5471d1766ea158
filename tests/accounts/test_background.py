"""Handing work to the worker: only after the commit, and a lost message is no error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


def test_a_broker_that_cannot_be_reached_costs_a_warning_not_the_request() -> None:
    """In a process of its own, pointed at a port where no broker listens: the
    request goes on (``False``), the warning names the sweep."""
    script = (
        "import django; django.setup()\n"
        "from accounts.background import task_send\n"
        "print('sent' if task_send('worker.ping') else 'not sent')\n"
    )
    environ = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
        check=True,
    )
    assert result.stdout.strip().endswith("not sent")
    assert "the sweep will pick it up" in result.stderr


def test_one_folding_for_names_in_imports_and_the_skill_finder() -> None:
    assert accents_strip("Curaçao één Ëindhoven") == "Curacao een Eindhoven"
    assert lookup_key("  Oriëntatie-dag ") == lookup_key("orientatie-DAG")
    assert lookup_key("Woerden\t\nHarmelen") == "woerden harmelen"
