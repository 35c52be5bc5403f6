"""The missed sweeper: writes "missed" into the adherence log once an occurrence is overdue
past the grace period."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from assignments.models import (
    MISSED_AFTER,
    PENDING_STATUSES,
    ActorRole,
    AdherenceEvent,
    EventKind,
    Occurrence,
    OccurrenceStatus,
)


def occurrences_mark_missed(*, now=None, batch_size: int = 500) -> int:
    """Record as missed every pending occurrence whose due time plus the grace period has
    passed, with one adherence event each. Returns how many it marked.

    Display never waits for this (``Occurrence.state`` computes "missed" from ``due_at``);
    this writes the state change into the log. It sweeps every practice, so it runs with
    scopes disabled; rows are claimed with SKIP LOCKED (PostgreSQL) and a conditional
    UPDATE, so two sweepers never mark the same row twice.
    """
    now = now or timezone.now()
    marked = 0
    while True:
        with transaction.atomic(), scopes_disabled():
            claimed = list(
                Occurrence.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status__in=PENDING_STATUSES, due_at__lte=now - MISSED_AFTER)
                .order_by("due_at")
                .values_list("pk", "practice_id", "client_id", "assignment_id", "due_at")[
                    :batch_size
                ]
            )
            if not claimed:
                return marked
            ids = [row[0] for row in claimed]
            Occurrence.objects.filter(pk__in=ids, status__in=PENDING_STATUSES).update(
                status=OccurrenceStatus.MISSED, missed_at=now, updated_at=now
            )
            # Without row locks (SQLite) another sweeper may have got there first: log only
            # the rows this run changed.
            won = set(
                Occurrence.objects.filter(
                    pk__in=ids, status=OccurrenceStatus.MISSED, missed_at=now
                ).values_list("pk", flat=True)
            )
            AdherenceEvent.objects.bulk_create(
                AdherenceEvent(
                    practice_id=practice_id,
                    client_id=client_id,
                    assignment_id=assignment_id,
                    occurrence_id=pk,
                    kind=EventKind.MISSED,
                    actor_role=ActorRole.SYSTEM,
                    at=now,
                    detail={"due_at": due.isoformat()},
                )
                for pk, practice_id, client_id, assignment_id, due in claimed
                if pk in won
            )
            marked += len(won)
            if len(claimed) < batch_size:
                return marked
