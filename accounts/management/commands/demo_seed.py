from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, demo_accounts_create


class Command(BaseCommand):
    help = "Create the demo organisations and logins (idempotent) and print the logins."

    def handle(self, *args: object, **options: object) -> None:
        logins = demo_accounts_create()
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {DEMO_PASSWORD}):"))
        for email, what in logins:
            self.stdout.write(f"  {email:34} {what}")
