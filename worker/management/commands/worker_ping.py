from __future__ import annotations

import time
from argparse import ArgumentParser

from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.core.management.base import BaseCommand, CommandError

from worker.tasks import ping


class Command(BaseCommand):
    help = "Send the ping task through the broker and wait for a worker's answer."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--timeout", type=float, default=30.0)

    def handle(self, *args: object, timeout: float, **options: object) -> None:
        started = time.monotonic()
        try:
            answer = ping.delay().get(timeout=timeout)
        except CeleryTimeoutError:
            raise CommandError(f"No worker answered within {timeout:g} s.") from None
        took = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"{answer} ({took:.2f} s)"))
