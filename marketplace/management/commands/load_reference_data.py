from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.exceptions import DomainError
from marketplace.services import places_load, skills_load

DATA = Path(__file__).resolve().parents[2] / "data"


class Command(BaseCommand):
    help = "Load the shipped skills taxonomy and places (idempotent; all or nothing)."

    def handle(self, *args: object, **options: object) -> None:
        try:
            places = places_load(records=json.loads((DATA / "places.json").read_text("utf-8")))
            skills = skills_load(records=json.loads((DATA / "skills.json").read_text("utf-8")))
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Places: {places[0]} created, {places[1]} updated. "
            f"Skills: {skills[0]} created, {skills[1]} updated."
        )
