"""Test override of ``config.settings``.

- A fixed secret (tests run with DEBUG off) and a fast password hasher.
- Service detection: tests use PostgreSQL and Redis when ``DATABASE_URL`` and
  ``REDIS_URL`` point at reachable servers. When one is unset or unreachable, the
  suite falls back to SQLite / the filesystem broker and the tests marked
  ``postgres`` / ``redis`` skip with the reason. With ``MAAKMATCH_REQUIRE_SERVICES=1``
  (CI) a missing service is an error instead.
"""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "test-only-insecure-key")

from config.env import env_bool
from config.settings import *  # noqa: F403
from config.settings import (
    CELERY_BROKER_URL,
    DATABASES,
    FILESYSTEM_BROKER_URL,
    REDIS_URL,
    VAR_DIR,
    filesystem_broker_options,
)
from config.test_services import ServiceStatus, postgres_status, redis_status

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

REQUIRE_SERVICES = env_bool("MAAKMATCH_REQUIRE_SERVICES", False)

TEST_SERVICES: dict[str, ServiceStatus] = {
    "postgres": postgres_status(os.environ.get("DATABASE_URL"), DATABASES["default"]),
    "redis": redis_status(REDIS_URL),
}
_missing = {name: s.reason for name, s in TEST_SERVICES.items() if not s.available}
if REQUIRE_SERVICES and _missing:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "MAAKMATCH_REQUIRE_SERVICES=1 but: "
        + "; ".join(f"{name}: {reason}" for name, reason in _missing.items())
    )
if not TEST_SERVICES["postgres"].available:
    DATABASES = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "test.sqlite3")}
    }
if not TEST_SERVICES["redis"].available and CELERY_BROKER_URL == REDIS_URL:
    # Keep tests runnable without a server: the embedded filesystem broker.
    CELERY_BROKER_URL = FILESYSTEM_BROKER_URL
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'celery-results'}"
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(VAR_DIR)

# Serve static files from the app folders; no collectstatic before tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Throttle counters per test process only; tests/conftest.py empties them per test,
# so one test's requests never count against the next (and no Redis db is flushed).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
