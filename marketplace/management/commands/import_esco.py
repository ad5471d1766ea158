"""Import ESCO's skills (Dutch and English) into the taxonomy, merged by URI."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.exceptions import DomainError
from marketplace import esco
from marketplace.services import esco_skills_merge

PROGRESS_EVERY = 500


class Command(BaseCommand):
    help = (
        "Import skills from the official ESCO CSV export, in Dutch and English, merged "
        "by ESCO URI; local skills are left alone. With --broader "
        "(broaderRelationsSkillPillar.csv) only the chosen skill groups are imported "
        "(default: manufacturing, installation, maintenance and logistics: S6, S7, S8). "
        "With --relations (occupationSkillRelations_en.csv) only skills that an occupation "
        "needs; add --occupations (occupations_en.csv) to count only occupations in the "
        "--isco groups. Safe to run again."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--skills", type=Path, required=True, help="skills_nl.csv")
        parser.add_argument("--skills-en", type=Path, required=True, help="skills_en.csv")
        parser.add_argument("--broader", type=Path, help="broaderRelationsSkillPillar.csv")
        parser.add_argument("--relations", type=Path, help="occupationSkillRelations_en.csv")
        parser.add_argument(
            "--relation-type",
            choices=["essential", "any"],
            default="any",
            help="which relations count (with --relations)",
        )
        parser.add_argument("--occupations", type=Path, help="occupations_en.csv")
        parser.add_argument(
            "--isco",
            default=",".join(esco.DEFAULT_ISCO),
            help="comma-separated ISCO-08 group prefixes to keep (with --occupations)",
        )
        parser.add_argument(
            "--groups",
            default=",".join(esco.DEFAULT_GROUPS),
            help="comma-separated skill-group URIs to keep (with --broader)",
        )

    def handle(self, *args: object, **options: object) -> None:
        try:
            dutch = esco.skills_read(options["skills"])
            english = esco.skills_read(options["skills_en"])
            parents = esco.broader_read(options["broader"]) if options["broader"] else None
            needed = self._needed(options)
        except (DomainError, OSError) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from None
        groups = {g.strip() for g in str(options["groups"]).split(",") if g.strip()}
        records, skipped = [], 0
        for number, (uri, en) in enumerate(english.items(), start=1):
            found = esco.groups_of(uri, parents) if parents is not None else set()
            outside_groups = parents is not None and not found & groups
            if outside_groups or (needed is not None and uri not in needed):
                skipped += 1
                continue
            nl = dutch.get(uri)
            records.append(
                {
                    "esco_uri": uri,
                    "label_en": en.label,
                    "label_nl": nl.label if nl else en.label,
                    "synonyms": sorted({*(nl.alt_labels if nl else []), *en.alt_labels}),
                    "description": (nl.description if nl else "") or en.description,
                    "category": esco.category_for(found),
                }
            )
            if number % PROGRESS_EVERY == 0:
                self.stdout.write(f"  read {number:,} of {len(english):,} skills")
        try:
            created, updated = esco_skills_merge(records=records)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"ESCO skills: {created} created, {updated} updated, "
                f"{len(records) - created - updated} unchanged, "
                f"{skipped} outside the chosen groups or occupations."
            )
        )

    def _needed(self, options: dict) -> set[str] | None:
        """The skills the chosen occupations need; ``None`` without --relations."""
        if not options["relations"]:
            if options["occupations"]:
                raise DomainError("--occupations needs --relations.")
            return None
        types = ["essential"] if options["relation_type"] == "essential" else esco.RELATION_TYPES
        relations = esco.relations_read(options["relations"], types=types)
        isco = esco.occupations_read(options["occupations"]) if options["occupations"] else None
        prefixes = [p.strip() for p in str(options["isco"]).split(",") if p.strip()]
        return esco.skills_needed(relations, isco, prefixes)
