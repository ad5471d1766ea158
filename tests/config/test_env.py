"""The settings helpers reject bad values, and settings refuse to load with them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value", ["maybe", "2", "ja", "tru"])
def test_env_bool_rejects_non_booleans(value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env.env_bool("DEBUG", False, environ={"DEBUG": value})


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("Off", False), ("yes", True)])
def test_env_bool_reads_booleans(value: str, expected: bool) -> None:
    assert env.env_bool("DEBUG", not expected, environ={"DEBUG": value}) is expected


def test_env_bool_uses_the_default_when_unset() -> None:
    assert env.env_bool("DEBUG", True, environ={}) is True


@pytest.mark.parametrize("value", ["abc", "1.5", "ten"])
def test_env_int_rejects_non_integers(value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="N"):
        env.env_int("N", 3, environ={"N": value})


def test_env_int_enforces_a_minimum() -> None:
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.env_int("N", 3, minimum=1, environ={"N": "0"})
    assert env.env_int("N", 3, minimum=1, environ={"N": " 7 "}) == 7


def test_env_list_splits_and_trims() -> None:
    assert env.env_list("H", [], environ={"H": " a.nl, b.nl ,,"}) == ["a.nl", "b.nl"]
    assert env.env_list("H", ["x"], environ={}) == ["x"]


def test_env_choice_rejects_unknown_values() -> None:
    with pytest.raises(ImproperlyConfigured, match="LOG_LEVEL"):
        env.env_choice("LOG_LEVEL", "INFO", {"INFO", "DEBUG"}, environ={"LOG_LEVEL": "LOUD"})


@pytest.mark.parametrize(
    "url", ["mysql://root@localhost/db", "nonsense", "redis://localhost:6379/0"]
)
def test_env_database_rejects_unsupported_urls(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env.env_database("DATABASE_URL", Path("/tmp/x.sqlite3"), environ={"DATABASE_URL": url})


def test_env_database_rejects_a_url_without_a_database_name() -> None:
    with pytest.raises(ImproperlyConfigured, match="names no database"):
        env.env_database(
            "DATABASE_URL", Path("/x"), environ={"DATABASE_URL": "postgres://root@localhost:5432"}
        )


def test_env_database_parses_postgres_and_defaults_to_sqlite() -> None:
    parsed = env.env_database(
        "DATABASE_URL",
        Path("/x.sqlite3"),
        environ={"DATABASE_URL": "postgres://u:p@db.example:6543/maakmatch"},
    )
    assert parsed["ENGINE"] == "django.db.backends.postgresql"
    assert (parsed["HOST"], parsed["PORT"], parsed["NAME"]) == ("db.example", 6543, "maakmatch")
    default = env.env_database("DATABASE_URL", Path("/x.sqlite3"), environ={})
    assert default == {"ENGINE": "django.db.backends.sqlite3", "NAME": "/x.sqlite3"}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("pigeon://coop", "scheme"),
        ("smtp://", "no SMTP host"),
        ("smtp://mail.example:notaport", "invalid port"),
        ("file://", "no folder"),
    ],
)
def test_env_email_rejects_bad_urls(url: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        env.env_email("EMAIL_URL", "console://", environ={"EMAIL_URL": url})


def test_env_email_parses_smtp_with_tls() -> None:
    parsed = env.env_email(
        "EMAIL_URL", "console://", environ={"EMAIL_URL": "smtp+tls://me%40x.nl:s3cr%3At@mail.x.nl"}
    )
    assert parsed["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert parsed["EMAIL_HOST"] == "mail.x.nl"
    assert parsed["EMAIL_PORT"] == 587
    assert parsed["EMAIL_HOST_USER"] == "me@x.nl"
    assert parsed["EMAIL_HOST_PASSWORD"] == "s3cr:t"
    assert parsed["EMAIL_USE_TLS"] is True


def _import_settings(**overrides: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DEBUG"))}
    environ.pop("SECRET_KEY", None)
    environ.update(overrides)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_settings_refuse_to_load_without_secret_key_when_debug_is_off() -> None:
    result = _import_settings()
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "perhaps"),
        ("DATABASE_URL", "mysql://x/y"),
        ("EMAIL_URL", "pigeon://coop"),
        ("CELERY_TASK_TIME_LIMIT", "soon"),
        ("LOG_LEVEL", "CHATTY"),
    ],
)
def test_settings_refuse_to_load_with_a_bad_value(variable: str, value: str) -> None:
    result = _import_settings(SECRET_KEY="x", **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


def test_settings_load_with_only_debug_set() -> None:
    result = _import_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
