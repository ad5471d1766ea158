"""Celery tasks. Thin: primary keys in, a service call, done."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="worker.ping")
def ping() -> str:
    """Answers ``pong``: proves a worker is up and reading the broker."""
    return "pong"
