"""Sessions: a session held (the next session review starts there) and upcoming sessions,
which "before each session" assignments follow.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assignments.models import (
    Assignment,
    AssignmentStatus,
    EventKind,
    Occurrence,
    OccurrenceStatus,
    PlannedSession,
    TherapySession,
)
from assignments.schedule import BEFORE_SESSIONS, date_before_session, due_at
from assignments.services.assigning import _add_occurrences
from assignments.services.log import _event, _user

MAX_SESSION_DAYS_AHEAD = 366


@transaction.atomic
def session_record(*, client, actor, held_on: date) -> TherapySession:
    """A session was held: the next session review starts from here."""
    if held_on > timezone.localdate(timezone.now(), client.tz):
        raise ValidationError({"held_on": "A session cannot be recorded before it happens."})
    return TherapySession.objects.create(
        practice_id=client.practice_id, client=client, held_on=held_on, recorded_by=_user(actor)
    )


@transaction.atomic
def planned_session_add(*, client, actor, session_on: date) -> PlannedSession:
    """The therapist entered an upcoming session. Every active "before each session"
    assignment of the client gets an occurrence due the day before it (unless that day has
    already passed or already has one)."""
    today = timezone.localdate(timezone.now(), client.tz)
    if session_on <= today:
        raise ValidationError({"session_on": "Choose a date after today."})
    if session_on > today + timedelta(days=MAX_SESSION_DAYS_AHEAD):
        raise ValidationError({"session_on": "Choose a date within the next year."})
    if PlannedSession.objects.filter(client=client, session_on=session_on).exists():
        raise ValidationError({"session_on": "A session on that day is already planned."})
    session = PlannedSession.objects.create(
        practice_id=client.practice_id,
        client=client,
        session_on=session_on,
        created_by=_user(actor),
    )
    day = date_before_session(session_on)
    for assignment in _before_session_assignments(client):
        taken = Occurrence.objects.filter(assignment=assignment, local_date=day).exclude(
            status=OccurrenceStatus.CANCELLED
        )
        if (
            day < assignment.starts_on
            or due_at(day, assignment.due_time, client.tz) <= timezone.now()
            or taken.exists()
        ):
            continue
        last = max(
            Occurrence.objects.filter(assignment=assignment).values_list("sequence", flat=True),
            default=0,
        )
        _add_occurrences(assignment, [day], first_sequence=last + 1)
        _event(assignment, EventKind.EDITED, actor=actor, session_added=session_on.isoformat())
    return session


@transaction.atomic
def planned_session_remove(*, session: PlannedSession, actor) -> None:
    """The session will not happen: forget it, and drop the "before each session"
    occurrences due the day before it that the client has not opened yet."""
    client = session.client
    day = date_before_session(session.session_on)
    for assignment in _before_session_assignments(client):
        dropped, _ = Occurrence.objects.filter(
            assignment=assignment,
            local_date=day,
            status=OccurrenceStatus.ASSIGNED,
            due_at__gt=timezone.now(),
        ).delete()
        if dropped:
            _event(
                assignment,
                EventKind.EDITED,
                actor=actor,
                session_removed=session.session_on.isoformat(),
            )
    session.delete()


def _before_session_assignments(client) -> list[Assignment]:
    return list(
        Assignment.objects.select_for_update(of=("self",))
        .select_related("client")
        .filter(client=client, schedule_kind=BEFORE_SESSIONS, status=AssignmentStatus.ACTIVE)
        .order_by("created_at", "pk")
    )
