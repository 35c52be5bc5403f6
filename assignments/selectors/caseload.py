"""The caseload's rows: each client's adherence and what needs attention, in two queries."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from assignments import adherence
from assignments.models import (
    ActorRole,
    AdherenceEvent,
    Flag,
    Occurrence,
    OccurrenceStatus,
    Response,
)


def _count(queryset) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.order_by().values("client").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


# The caseload's sorts on adherence: lowest completion first (clients with nothing due last);
# slipping clients first, the most overdue of them first.
_ADHERENCE_SORTS = {
    "adherence": lambda c: (c.adherence.completion is None, c.adherence.completion or 0),
    "-adherence": lambda c: (c.adherence.completion is None, -(c.adherence.completion or 0)),
    "slipping": lambda c: (not c.adherence.slipping, -c.adherence.overdue),
}
CASELOAD_SORTS = ("name", "-name", "updated", *_ADHERENCE_SORTS)


def caseload_rows(clients: QuerySet, *, practice_id, sort: str = "name", now=None) -> list:
    """The caseload's clients (``clients.selectors.caseload``, already scoped) with their
    ``adherence`` (``assignments.adherence``, the dashboard's figures) and what needs
    attention: open flags (those clients first), entries waiting for review and the last
    entry. Two queries,
    whatever the number of clients. (Subqueries, not joins: a visibility filter may itself
    join the care team and would multiply joined counts.)"""
    now = now or timezone.now()
    occurrences = Occurrence.objects.filter(client=OuterRef("pk"))
    ordering = {"-name": "-full_name", "updated": "-updated_at"}.get(sort, "full_name")
    rows = list(
        clients.annotate(
            open_flags=_count(Flag.objects.filter(client=OuterRef("pk"), acknowledged_at=None)),
            to_review=_count(occurrences.filter(status=OccurrenceStatus.SUBMITTED)),
            last_entry_at=Subquery(
                Response.objects.filter(client=OuterRef("pk"))
                .order_by("-submitted_at")
                .values("submitted_at")[:1]
            ),
            last_action_at=Subquery(
                AdherenceEvent.objects.filter(client=OuterRef("pk"), actor_role=ActorRole.CLIENT)
                .order_by("-at")
                .values("at")[:1]
            ),
        ).order_by(ordering, "full_name", "pk")
    )
    for client in rows:
        # "Last activity" means one thing everywhere: the latest entry sent or homework opened
        # or started by the client, as the dashboard's column of that name.
        moments = [t for t in (client.last_entry_at, client.last_action_at) if t is not None]
        client.last_activity = max(moments) if moments else None
    figures = adherence.adherence_by_client(clients, practice_id=practice_id, now=now)
    for client in rows:
        client.adherence = figures.get(client.pk, adherence.NOTHING)
    if sort in _ADHERENCE_SORTS:
        rows.sort(key=_ADHERENCE_SORTS[sort])  # stable: ties stay by name
    # Whatever the sort, a client with an open flag comes first until someone responds: an
    # answer that signals risk must not sit below the fold.
    rows.sort(key=lambda client: client.open_flags == 0)
    return rows
