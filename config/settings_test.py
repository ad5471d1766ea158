"""Test override: a fixed secret (tests run with DEBUG off) and a fast hasher."""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "test-only-insecure-key")

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
