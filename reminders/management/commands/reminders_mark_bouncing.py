"""Mark an email address as bouncing (what a mail provider's bounce report says).

    python manage.py reminders_mark_bouncing person@example.org --reason "550 mailbox unknown"

Reminders to the address then skip email and appear in the app only; owners see it under
Practice → Delivery problems, where they clear it once the address is fixed.
"""

from django.core.management.base import BaseCommand

from reminders.services.bounces import email_bounce_record


class Command(BaseCommand):
    help = "Mark an email address as bouncing: reminders fall back to the app."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--reason", default="")

    def handle(self, *args, email, reason, **options):
        practices = email_bounce_record(email=email, reason=reason)
        self.stdout.write(f"{email} marked as bouncing in {practices} practice(s).")
