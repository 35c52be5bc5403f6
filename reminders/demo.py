"""Demo data: the practice's reminder policy and a few notifications in the first clients'
and therapist's notification centres. Idempotent (found by recipient, kind and title).

The policy goes through its service. The notifications are written here: in the product only
the delivery worker writes them, as it sends the reminder, and a demo sends no mail.
"""

from datetime import time

from django.urls import reverse

from accounts.models import Membership
from clients.models import ClientStatus
from reminders.messages import CLIENT_TEXT, STAFF_TEXT
from reminders.models import Kind, Notification, ReminderPolicy
from reminders.services.preferences import reminder_policy_update


def seed(practice, people) -> None:
    if not ReminderPolicy.objects.filter(practice=practice).exists():
        owner = Membership.objects.get(practice=practice, user=people.owner)
        reminder_policy_update(practice=practice, actor=owner, reminder_time=time(18, 30))
    active = [c for c in people.clients if c.status == ClientStatus.ACTIVE and c.user_id]
    for client in active[:2]:
        for kind in (Kind.NEW_HOMEWORK, Kind.DUE_SOON):
            title, body = CLIENT_TEXT[kind]
            Notification.objects.get_or_create(
                practice=practice,
                client=client,
                recipient_user=None,
                kind=kind,
                title=title,
                defaults={"body": body, "link": reverse("portal:home")},
            )
    therapist = people.therapists[0]
    client = next((c for c in active if c.primary_therapist_id == therapist.pk), None)
    if client is not None:
        Notification.objects.get_or_create(
            practice=practice,
            client=client,
            recipient_user=therapist,
            kind=Kind.COMPLETION,
            title=STAFF_TEXT[Kind.COMPLETION][0],
            defaults={
                "body": f"{client.display_name} sent homework.",
                "link": reverse("clients:detail", args=[client.pk]),
            },
        )
