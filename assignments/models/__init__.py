"""Assignments, their occurrences, the client's responses, and the adherence log.

An ``Assignment`` is what a therapist gives a client: one pinned ``library.ActivityVersion``
plus what predicts engagement (rationale, instructions, when and where, obstacles with an
if–then plan, confidence, a personal message) and a schedule. Each due instance of the
schedule is an ``Occurrence`` with the client's local date and a UTC ``due_at``.

What a client sends is a ``Response`` (one entry; log-type activities allow several per
occurrence). Submitted answers are never updated: they live in append-only
``ResponseRevision`` rows, and an edit adds a revision. Every state change is appended to
``AdherenceEvent``.

One module per part: ``assignment`` (assignments and occurrences), ``responses`` (entries,
revisions, drafts, check-ins, reviews), ``flags`` (risk flags and their history),
``sessions`` (messages and therapy sessions) and ``events`` (the adherence log).
"""

from assignments.models.assignment import (
    DONE_STATUSES,
    MAX_ENTRIES_TARGET,
    MISSED_AFTER,
    PENDING_STATUSES,
    ZERO_TO_TEN,
    Assignment,
    AssignmentStatus,
    Occurrence,
    OccurrenceStatus,
    ScheduleKind,
    State,
    Visibility,
)
from assignments.models.events import ActorRole, AdherenceEvent, AdherenceEventQuerySet, EventKind
from assignments.models.flags import Flag, FlagAction, FlagEvent, FlagEventQuerySet, FlagKind
from assignments.models.media import MediaAnswer, MediaKind
from assignments.models.responses import (
    CheckIn,
    Draft,
    Response,
    ResponseRevision,
    Review,
    RevisionSource,
)
from assignments.models.sessions import AssignmentMessage, PlannedSession, TherapySession

__all__ = [
    "DONE_STATUSES",
    "MAX_ENTRIES_TARGET",
    "MISSED_AFTER",
    "PENDING_STATUSES",
    "ZERO_TO_TEN",
    "ActorRole",
    "AdherenceEvent",
    "AdherenceEventQuerySet",
    "Assignment",
    "AssignmentMessage",
    "AssignmentStatus",
    "CheckIn",
    "Draft",
    "EventKind",
    "Flag",
    "FlagAction",
    "FlagEvent",
    "FlagEventQuerySet",
    "FlagKind",
    "MediaAnswer",
    "MediaKind",
    "Occurrence",
    "OccurrenceStatus",
    "PlannedSession",
    "Response",
    "ResponseRevision",
    "Review",
    "RevisionSource",
    "ScheduleKind",
    "State",
    "TherapySession",
    "Visibility",
]
