"""The notification centre: marking notifications read."""

from django.db import transaction
from django.utils import timezone

from reminders.models import Notification


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, client=None, membership=None) -> int:
    """Everything in a client's (``client``) or a therapist's (``membership``) centre."""
    if client is not None:
        unread = Notification.objects.filter(client=client, recipient_user=None)
    else:
        unread = Notification.objects.filter(
            practice=membership.practice, recipient_user=membership.user
        )
    now = timezone.now()
    return unread.filter(read_at=None).update(read_at=now, updated_at=now)
