"""Rows for the concurrency and chaos tests: many clients, each with one reminder due now."""

from datetime import timedelta

from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import User
from clients.models import Client
from reminders.models import Kind, Reminder


def clients_with_due_reminders(world, assignment, count: int) -> list[Reminder]:
    """``count`` clients of practice A with portal access, each with a "new homework"
    reminder (about ``assignment``) that came due a minute ago."""
    now = timezone.now()
    with scopes_disabled():
        users = User.objects.bulk_create(
            User(email=f"many{n}@alpha.test", full_name=f"Many {n}") for n in range(count)
        )
        clients = Client.objects.bulk_create(
            Client(
                practice=world.practice_a,
                full_name=f"Many {n}",
                email=f"many{n}@alpha.test",
                user=user,
                primary_therapist=world.therapist_a,
            )
            for n, user in enumerate(users)
        )
        return Reminder.objects.bulk_create(
            Reminder(
                practice=world.practice_a,
                client=client,
                kind=Kind.NEW_HOMEWORK,
                object_type="assignment",
                object_id=assignment.pk,
                local_day=now.date(),
                dedupe_key=f"c:{client.pk}:new_homework:{assignment.pk}:{now.date()}",
                scheduled_for=now - timedelta(minutes=1),
                due_at=now - timedelta(minutes=1),
            )
            for client in clients
        )
