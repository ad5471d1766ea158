"""Handing work to the worker, one way for every app.

A task is asked for only once the transaction that made its work commits, so a
worker never looks for a row that is not there yet. The row itself (a flag, a
queued job, a stored report) is the truth, and the worker's minute sweep picks up
whatever a lost message left behind: a broker that is down costs a delay, never
the request that asked.

``TRANSIENT`` names the errors that pass by themselves (the database or the broker
restarting), which tasks retry and jobs go back to the queue for.
"""

from __future__ import annotations

import logging

import kombu.exceptions
import redis.exceptions
from celery import current_app
from django.db import InterfaceError, OperationalError, transaction

logger = logging.getLogger(__name__)

# The database cannot be reached (web pages answer 503 for these).
DATABASE_DOWN = (OperationalError, InterfaceError)
TRANSIENT = (
    *DATABASE_DOWN,
    kombu.exceptions.OperationalError,
    redis.exceptions.ConnectionError,
    ConnectionError,
)


def task_send(name: str, *args: object) -> bool:
    """Ask a worker for ``name(*args)`` now; ``False`` (logged) if the broker is away."""
    try:
        current_app.send_task(name, args=list(args), retry=False)
    except Exception:
        logger.warning("Could not enqueue %s%s; the sweep will pick it up.", name, args)
        return False
    return True


def task_send_on_commit(name: str, *args: object) -> None:
    """Ask for ``name(*args)`` once the current transaction commits."""
    transaction.on_commit(lambda: task_send(name, *args))
