"""The adherence log every write appends to: who did what to which assignment, when.

Shared by the other modules of this package only; nothing outside it writes the log.
"""

from __future__ import annotations

from assignments.models import ActorRole, AdherenceEvent, Assignment, Occurrence


def _user(actor):
    return actor.user if actor is not None else None


def _event(
    assignment: Assignment,
    kind: str,
    *,
    actor=None,
    client=None,
    occurrence: Occurrence | None = None,
    **detail,
) -> AdherenceEvent:
    if client is not None:
        role, user = ActorRole.CLIENT, client.user
    elif actor is not None:
        role, user = ActorRole.THERAPIST, actor.user
    else:
        role, user = ActorRole.SYSTEM, None
    return AdherenceEvent.objects.create(
        practice_id=assignment.practice_id,
        client_id=assignment.client_id,
        assignment=assignment,
        occurrence=occurrence,
        kind=kind,
        actor=user,
        actor_role=role,
        detail=detail,
    )
