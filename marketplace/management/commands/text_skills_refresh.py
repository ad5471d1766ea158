from __future__ import annotations

from django.core.management.base import BaseCommand

from marketplace.services import text_skills_refresh


class Command(BaseCommand):
    help = (
        "Find again the taxonomy skills every opening's and profile's texts name (run "
        "after the taxonomy changed, e.g. an ESCO import); changed rows get fresh "
        "suggestions from the worker's sweep."
    )

    def handle(self, *args: object, **options: object) -> None:
        changed = text_skills_refresh()
        self.stdout.write(f"{changed} openings and profiles name other skills now.")
