"""Addresses the mail provider reports as bouncing."""

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from reminders.models import EmailBounce


@transaction.atomic
def email_bounce_record(*, email: str, reason: str = "") -> int:
    """Mark ``email`` as bouncing in every practice where a client or a member uses it.
    Reminders then skip email for it and show in the app only. Returns how many practices."""
    from accounts.models import Membership
    from clients.models import Client

    email = email.strip().lower()
    # The provider reports an address, not a practice: find every practice that uses it.
    with scopes_disabled():
        practice_ids = set(
            Client.objects.filter(email__iexact=email).values_list("practice_id", flat=True)
        ) | set(
            Membership.objects.filter(user__email__iexact=email).values_list(
                "practice_id", flat=True
            )
        )
        for practice_id in practice_ids:
            EmailBounce.objects.get_or_create(
                practice_id=practice_id,
                email=email,
                cleared_at=None,
                defaults={"reason": reason.strip()[:300]},
            )
    return len(practice_ids)


@transaction.atomic
def email_bounce_clear(*, bounce: EmailBounce, actor) -> EmailBounce:
    """The owner fixed the address (or the mailbox works again): email resumes."""
    if bounce.cleared_at is None:
        bounce.cleared_at, bounce.cleared_by = timezone.now(), actor
        bounce.save(update_fields=["cleared_at", "cleared_by", "updated_at"])
    return bounce
