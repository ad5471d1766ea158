"""Reachability checks for the services the test suite can use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ServiceStatus:
    available: bool
    reason: str


def postgres_status(url: str | None, database: dict[str, Any]) -> ServiceStatus:
    if not url:
        return ServiceStatus(False, "DATABASE_URL is not set")
    if "postgresql" not in database["ENGINE"]:
        return ServiceStatus(False, "DATABASE_URL does not point at PostgreSQL")
    import psycopg

    try:
        with psycopg.connect(
            dbname=database["NAME"],
            user=database.get("USER") or None,
            password=database.get("PASSWORD") or None,
            host=database.get("HOST") or None,
            port=database.get("PORT") or None,
            connect_timeout=3,
        ):
            pass
    except psycopg.Error as exc:
        return ServiceStatus(False, f"PostgreSQL is unreachable: {exc}".strip())
    return ServiceStatus(True, "reachable")


def redis_status(url: str | None) -> ServiceStatus:
    if not url:
        return ServiceStatus(False, "REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except (redis.RedisError, OSError) as exc:
        return ServiceStatus(False, f"Redis is unreachable: {exc}")
    return ServiceStatus(True, "reachable")
