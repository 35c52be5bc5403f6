"""Run one reminder sweep now (what beat does every minute): enqueue due reminders and put
back the ones whose worker died. Useful after an outage, and in the chaos tests."""

from django.core.management.base import BaseCommand

from reminders.services.engine import reminders_sweep


class Command(BaseCommand):
    help = "Enqueue due reminders now and recover claims whose worker died."

    def handle(self, *args, **options):
        self.stdout.write(f"{reminders_sweep()} reminder(s) enqueued.")
