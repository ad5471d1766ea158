from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from matching.services import match_index_build, matches_store_full


class Command(BaseCommand):
    help = "Run the full match recompute now, in this process (the worker does it nightly)."

    def handle(self, *args: object, **options: object) -> None:
        started = time.monotonic()
        index = match_index_build()
        if index is None:
            self.stdout.write("Nothing to match: no profiles or no open openings.")
            return
        built = time.monotonic()
        result = matches_store_full(index=index)
        stored = time.monotonic() - built
        self.stdout.write(
            f"{len(index.profiles)} profiles x {len(index.openings)} openings: "
            f"{result.stored} suggestions stored, {result.retired} retired "
            f"(index {built - started:.1f} s, scoring and storing {stored:.1f} s)."
        )
