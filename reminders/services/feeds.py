"""The client's private calendar feed: made, remade and revoked by the client."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.tenancy import practice_scope
from core.tokens import new_token
from reminders import selectors
from reminders.ical import render_calendar
from reminders.models import CalendarFeed


@transaction.atomic
def calendar_feed_create(*, client) -> str:
    """A new feed address for ``client``; any earlier one stops working. Returns the token
    (shown once: only its hash is kept)."""
    calendar_feed_revoke(client=client)
    token, token_hash = new_token()
    CalendarFeed.objects.create(
        practice_id=client.practice_id, client=client, token_hash=token_hash
    )
    return token


@transaction.atomic
def calendar_feed_revoke(*, client) -> int:
    now = timezone.now()
    return CalendarFeed.objects.filter(client=client, revoked_at=None).update(
        revoked_at=now, updated_at=now
    )


def calendar_feed_serve(*, token: str, now=None) -> str | None:
    """The iCalendar text of the open feed with this token, or None. A calendar app has no
    session: the token decides whose feed it is, and so the practice scope. Each read is
    recorded on the feed and in the audit trail (due times are client data)."""
    from accounts.audit import audit_record

    feed = selectors.calendar_feed_by_token(token)
    if feed is None:
        return None
    now = now or timezone.now()
    with practice_scope(feed.practice_id), transaction.atomic():
        occurrences = selectors.calendar_occurrences(feed.client, now=now)
        CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now, updated_at=now)
        audit_record(
            actor=None,
            practice=feed.practice_id,
            action="calendar_feed",
            obj=feed,
            client=feed.client,
        )
    return render_calendar(
        occurrences=occurrences, link=settings.SITE_URL + reverse("portal:home"), now=now
    )
