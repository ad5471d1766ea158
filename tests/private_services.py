"""Private service instances for tests that stop and start them: the machine's
shared PostgreSQL and Redis are never touched."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition: Callable[[], bool], seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


class PrivateRedis:
    """A redis-server without persistence on a free port: a restart forgets all."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True
        )

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--dir",
                str(self.folder),
            ],
            check=True,
        )
        assert wait_for(lambda: self.cli("ping").stdout.strip() == "PONG", 10)

    def stop(self) -> None:
        self.cli("shutdown", "nosave")
        assert wait_for(lambda: self.cli("ping").returncode != 0, 10)

    def queued(self) -> int:
        return sum(int(self.cli("llen", q).stdout.strip() or 0) for q in ("matching", "default"))
