"""Typed readers for environment variables.

Each helper returns a value of one type or raises ``ImproperlyConfigured`` naming the
variable, so a bad setting stops the process when ``config.settings`` is imported
rather than surfacing later as a confusing runtime error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    source = os.environ if environ is None else environ
    value = source.get(name)
    return None if value is None else value.strip()


def env_str(
    name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None
) -> str | None:
    value = _raw(name, environ)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
    return number


def env_list(
    name: str, default: list[str], *, environ: Mapping[str, str] | None = None
) -> list[str]:
    value = _raw(name, environ)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(
    name: str, default: str, choices: set[str], *, environ: Mapping[str, str] | None = None
) -> str:
    value = env_str(name, environ=environ) or default
    if value not in choices:
        allowed = ", ".join(sorted(choices))
        raise ImproperlyConfigured(f"{name}={value!r} is not one of: {allowed}.")
    return value


_DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql", "postgis"}


def env_database(
    name: str, default_sqlite_path: Path, *, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Parse a database URL; only SQLite and PostgreSQL are supported."""
    url = env_str(name, environ=environ)
    if url is None:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(default_sqlite_path)}
    scheme = urlsplit(url).scheme
    if scheme not in _DATABASE_SCHEMES:
        raise ImproperlyConfigured(
            f"{name} has scheme {scheme!r}; use postgres://user@host:port/name or "
            "sqlite:///path/to/file.sqlite3."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} could not be parsed: {exc}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} names no database.")
    return dict(config)


_EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+ssl": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}


def env_email(
    name: str, default: str, *, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Parse an email URL into Django's EMAIL_* settings.

    ``smtp://user:password@host:587``, ``smtp+tls://…``, ``smtp+ssl://…``,
    ``console://``, ``file:///var/mail``, ``locmem://``, ``dummy://``.
    """
    url = env_str(name, environ=environ) or default
    parts = urlsplit(url)
    if parts.scheme not in _EMAIL_BACKENDS:
        allowed = ", ".join(sorted(_EMAIL_BACKENDS))
        raise ImproperlyConfigured(f"{name} has scheme {parts.scheme!r}; use one of: {allowed}.")
    settings: dict[str, Any] = {"EMAIL_BACKEND": _EMAIL_BACKENDS[parts.scheme]}
    if parts.scheme.startswith("smtp"):
        if not parts.hostname:
            raise ImproperlyConfigured(f"{name} names no SMTP host.")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name} has an invalid port.") from None
        settings.update(
            EMAIL_HOST=parts.hostname,
            EMAIL_PORT=port or (465 if parts.scheme == "smtp+ssl" else 587),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_TLS=parts.scheme == "smtp+tls",
            EMAIL_USE_SSL=parts.scheme == "smtp+ssl",
        )
        timeout = parse_qs(parts.query).get("timeout")
        if timeout:
            settings["EMAIL_TIMEOUT"] = env_int(
                f"{name} timeout", 10, minimum=1, environ={f"{name} timeout": timeout[0]}
            )
    elif parts.scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured(f"{name} names no folder for file mail.")
        settings["EMAIL_FILE_PATH"] = parts.path
    return settings
