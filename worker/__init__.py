"""Celery: the app, thin tasks and the beat schedule.

Start a worker with ``celery -A worker worker -Q default,matching``. Tasks take
primary keys, call a service and return; nothing here holds business logic.
May import ``accounts``, ``audit``, ``marketplace``, ``matching``, ``learning``,
``notifications``, ``insights`` and ``privacy``; nothing imports this package
except Celery itself.
"""

from worker.celery import app as celery_app

__all__ = ["celery_app"]
