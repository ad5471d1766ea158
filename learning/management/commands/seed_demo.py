from __future__ import annotations

from argparse import ArgumentParser

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_PASSWORD, demo_accounts_create
from accounts.models import User
from learning.demo import demo_courses_create, demo_guest_lessons_create
from learning.services import course_suggestions_refresh
from marketplace.demo import demo_region_create
from marketplace.services import coordinator_group_ensure
from matching.demo import demo_suggestions_walk


class Command(BaseCommand):
    help = (
        "Build the demo region: partner schools, learning locations, fictional companies, "
        "openings and students, and one login per role; then compute the suggestions and "
        "walk a share of them through the workflow, so every role's pages have content. "
        "Safe to run again."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--students", type=int, default=400, help="student profiles")
        parser.add_argument("--openings", type=int, default=150, help="openings")
        parser.add_argument(
            "--without-suggestions",
            action="store_true",
            help="skip computing suggestions and walking them through the workflow",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="seed even with DEBUG off (the demo logins share a printed password)",
        )

    def handle(
        self,
        *args: object,
        students: int,
        openings: int,
        force: bool,
        without_suggestions: bool,
        **options: object,
    ) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to create demo logins with DEBUG off: they share a printed password "
                "and include an admin. Use --force for a throwaway database."
            )
        if students < 0 or openings < 0:
            raise CommandError("--students and --openings cannot be negative.")
        call_command("load_reference_data", stdout=self.stdout)
        logins = demo_accounts_create()
        coordinator = User.objects.get(email="coordinator@demo.maakmatch.nl")
        coordinator.is_staff = True
        coordinator.save(update_fields=["is_staff"])
        coordinator.groups.add(coordinator_group_ensure())
        counts = demo_region_create(students=students, openings=openings)
        self.stdout.write(
            f"Demo region: {counts.companies} companies, {counts.openings} openings, "
            f"{counts.students} students."
        )
        courses = demo_courses_create()
        if courses:
            self.stdout.write(f"Demo courses: {courses} added at the learning locations.")
        guests = demo_guest_lessons_create()
        if guests:
            self.stdout.write(f"Demo guest lessons: {guests} offers from companies, 3 requests.")
        if not without_suggestions:
            walk = demo_suggestions_walk()
            steps = ", ".join(f"{n} {step}" for step, n in sorted(walk.steps.items()))
            self.stdout.write(
                f"Suggestions: {walk.computed} computed; workflow steps: {steps or 'none new'}."
            )
            self.stdout.write(f"Course suggestions: {course_suggestions_refresh()} stored.")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {DEMO_PASSWORD}):"))
        for email, what in logins:
            self.stdout.write(f"  {email:34} {what}")
