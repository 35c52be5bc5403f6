"""Assigning: create, change and cancel assignments, and lay out their occurrences.

The plan (why, when, where, if-then) and the schedule are checked here; an assignment is
created with every occurrence still ahead of it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assignments.models import (
    MAX_ENTRIES_TARGET,
    PENDING_STATUSES,
    Assignment,
    AssignmentStatus,
    Draft,
    EventKind,
    Occurrence,
    OccurrenceStatus,
    PlannedSession,
    Visibility,
)
from assignments.schedule import (
    BEFORE_SESSIONS,
    DEFAULT_DUE_TIME,
    ONCE,
    Schedule,
    due_at,
    first_due_day,
)
from assignments.services.log import _event, _user
from library.services import activity_version_for_assignment

PLAN_FIELDS = (
    "rationale",
    "instructions",
    "plan_when",
    "plan_where",
    "obstacles",
    "if_then_plan",
    "confidence",
    "practised_in_session",
    "understanding_checked",
    "personal_message",
    "visibility",
    "entries_target",
)
SCHEDULE_FIELDS = (
    "schedule_kind",
    "starts_on",
    "due_time",
    "repeat_days",
    "times_per_week",
    "weekdays",
    "weeks",
    "interval_weeks",
)


@transaction.atomic
def assignment_create(
    *,
    client,
    actor,
    activity_version,
    rationale: str | None = None,
    instructions: str | None = None,
    plan_when: str = "",
    plan_where: str = "",
    obstacles: str = "",
    if_then_plan: str = "",
    confidence: int | None = None,
    practised_in_session: bool = False,
    understanding_checked: bool = False,
    personal_message: str = "",
    visibility: str = Visibility.SHARED,
    schedule_kind: str = ONCE,
    starts_on: date | None = None,
    due_time=None,
    repeat_days: int | None = None,
    times_per_week: int | None = None,
    weekdays=(),
    weeks: int | None = None,
    interval_weeks: int | None = None,
    origin: str = "",
    origin_id: UUID | None = None,
    entries_target: int | None = None,
) -> Assignment:
    """Assign one activity version to a client. ``rationale`` and ``instructions`` default
    to the activity's own, ``entries_target`` (entries each occurrence asks for) to the
    version's default (a log's ``entries_target``; else 1);
    ``origin``/``origin_id`` link back to whatever created it (e.g. a
    pathway step) without this app knowing about it."""
    if client.is_discharged:
        raise ValidationError(
            {"client": f"{client.display_name} is discharged. Reactivate them to assign homework."}
        )
    if activity_version.practice_id != client.practice_id:
        raise ValidationError({"activity_version": "Choose an activity from this practice."})
    now = timezone.now()
    today = timezone.localdate(now, client.tz)
    due_time = due_time or DEFAULT_DUE_TIME
    schedule = Schedule(
        kind=schedule_kind,
        starts_on=starts_on or first_due_day(client.tz, due_time, now=now),
        due_time=due_time,
        repeat_days=repeat_days,
        times_per_week=times_per_week,
        weekdays=tuple(weekdays or ()),
        weeks=weeks,
        interval_weeks=interval_weeks,
        session_dates=_upcoming_session_dates(client) if schedule_kind == BEFORE_SESSIONS else (),
    )
    assert schedule.starts_on is not None  # set above
    if schedule.starts_on < today:
        raise ValidationError({"starts_on": "Choose today or a later date."})
    _check_schedule(schedule, client)
    assignment = Assignment(
        practice_id=client.practice_id,
        client=client,
        activity_version=activity_version,
        assigned_by=_user(actor),
        rationale=(activity_version.rationale if rationale is None else rationale).strip(),
        instructions=(
            "\n".join(activity_version.instructions) if instructions is None else instructions
        ).strip(),
        plan_when=plan_when.strip(),
        plan_where=plan_where.strip(),
        obstacles=obstacles.strip(),
        if_then_plan=if_then_plan.strip(),
        confidence=confidence,
        practised_in_session=practised_in_session,
        understanding_checked=understanding_checked,
        personal_message=personal_message.strip(),
        visibility=visibility,
        entries_target=entries_target or activity_version.default_entries_target,
        is_measure=activity_version.is_measure,
        origin=origin,
        origin_id=origin_id,
        **_schedule_columns(schedule),
    )
    _check_plan(assignment)
    assignment.save()
    _add_occurrences(assignment, schedule.local_dates(), first_sequence=1)
    _event(assignment, EventKind.ASSIGNED, actor=actor, schedule=schedule.describe())
    return assignment


@transaction.atomic
def assignments_create(*, client, actor, items: list[dict]) -> list[Assignment]:
    """Several activities for one client at once: all of them or none.

    Each item holds the plan and schedule for ``assignment_create`` and the activity as
    ``activity`` (a practice activity) or ``curated_activity`` (a global one, adopted into
    the practice library the first time); the library decides which version is pinned.
    """
    if not items:
        raise ValidationError({"activities": "Choose at least one activity."})
    created = []
    for index, item in enumerate(items):
        item = dict(item)
        try:
            version = activity_version_for_assignment(
                practice=client.practice,
                actor=actor,
                activity=item.pop("activity", None),
                curated_activity=item.pop("curated_activity", None),
            )
            created.append(
                assignment_create(client=client, actor=actor, activity_version=version, **item)
            )
        except ValidationError as exc:
            # Which activity's form the error belongs to (views read it with getattr).
            exc.item_index = index  # type: ignore[attr-defined]
            raise
    return created


@transaction.atomic
def assignment_update(*, assignment: Assignment, actor, **fields) -> Assignment:
    """Change the plan or the schedule. The client sees the change at once; anything already
    submitted keeps its answers. A new schedule replaces only future occurrences the client
    has not opened; past, opened, started and submitted ones stay as they are."""
    unknown = set(fields) - set(PLAN_FIELDS) - set(SCHEDULE_FIELDS)
    if unknown:
        raise ValueError(f"Cannot update {', '.join(sorted(unknown))}.")
    if fields.get("entries_target", 0) is None:
        del fields["entries_target"]  # left empty: keep what it asks for
    assignment = _lock(assignment)
    if assignment.is_cancelled:
        raise ValidationError("This assignment was cancelled and can no longer be changed.")
    before = {name: getattr(assignment, name) for name in (*PLAN_FIELDS, *SCHEDULE_FIELDS)}
    for name, value in fields.items():
        if name == "weekdays":
            value = sorted(value or ())
        elif isinstance(value, str) and name != "visibility":
            value = value.strip()
        setattr(assignment, name, value)
    changed = [name for name, value in before.items() if getattr(assignment, name) != value]
    if not changed:
        return assignment
    _check_plan(assignment)
    if set(changed) & set(SCHEDULE_FIELDS):
        today = timezone.localdate(timezone.now(), assignment.client.tz)
        if "starts_on" in changed and assignment.starts_on < today:
            raise ValidationError({"starts_on": "Choose today or a later date."})
        _check_schedule(_schedule_of(assignment), assignment.client, future_only=True)
        _reschedule(assignment)
    assignment.save()
    _event(assignment, EventKind.EDITED, actor=actor, changed=changed)
    return assignment


@transaction.atomic
def assignment_cancel(*, assignment: Assignment, actor, reason: str = "") -> Assignment:
    """Stop an assignment. Submitted entries stay; what was still to do is cancelled (and
    unsent drafts of it are dropped, since they can no longer be sent)."""
    assignment = _lock(assignment)
    if assignment.is_cancelled:
        return assignment
    now = timezone.now()
    assignment.status = AssignmentStatus.CANCELLED
    assignment.cancelled_at = now
    assignment.cancel_reason = reason.strip()[:300]
    assignment.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    pending = Occurrence.objects.filter(assignment=assignment, status__in=PENDING_STATUSES)
    Draft.objects.filter(occurrence__in=pending, response=None).delete()
    pending.update(status=OccurrenceStatus.CANCELLED, updated_at=now)
    _event(assignment, EventKind.CANCELLED, actor=actor, reason=assignment.cancel_reason)
    return assignment


def _check_plan(assignment: Assignment) -> None:
    if not assignment.rationale:
        raise ValidationError({"rationale": "Say in a sentence or two why this will help."})
    if assignment.visibility not in Visibility.values:
        raise ValidationError({"visibility": "Choose who sees the responses."})
    confidence = assignment.confidence
    if confidence is not None and not 0 <= confidence <= 10:
        raise ValidationError({"confidence": "Rate confidence from 0 to 10."})
    target = assignment.entries_target
    if target is None or not 1 <= target <= MAX_ENTRIES_TARGET:
        raise ValidationError(
            {"entries_target": f"Ask for 1 to {MAX_ENTRIES_TARGET} entries each time."}
        )
    if target > 1 and not assignment.activity_version.allows_multiple_entries:
        raise ValidationError(
            {"entries_target": "This activity takes one entry each time; a log can take more."}
        )
    assignment.full_clean(
        exclude=["practice", "client", "activity_version", "assigned_by"],
        validate_unique=False,
        validate_constraints=False,
    )


def _check_schedule(schedule: Schedule, client, *, future_only: bool = False) -> None:
    schedule.validate()
    now = timezone.now()
    dates = schedule.local_dates()
    if not any(due_at(day, schedule.due_time, client.tz) > now for day in dates):
        message = "That time has already passed. Choose a later time or date."
        raise ValidationError({"due_time" if not future_only else "starts_on": message})


def _schedule_columns(schedule: Schedule) -> dict:
    return {
        "schedule_kind": schedule.kind,
        "starts_on": schedule.starts_on,
        "due_time": schedule.due_time,
        "repeat_days": schedule.repeat_days,
        "times_per_week": schedule.times_per_week,
        "weekdays": sorted(schedule.weekdays),
        "weeks": schedule.weeks,
        "interval_weeks": schedule.interval_weeks,
    }


def _upcoming_session_dates(client) -> tuple:
    today = timezone.localdate(timezone.now(), client.tz)
    return tuple(
        PlannedSession.objects.filter(client=client, session_on__gt=today).values_list(
            "session_on", flat=True
        )
    )


def _schedule_of(assignment: Assignment) -> Schedule:
    """The assignment's schedule, with the client's upcoming sessions when it needs them."""
    schedule = assignment.schedule
    if schedule.kind == BEFORE_SESSIONS:
        schedule = replace(schedule, session_dates=_upcoming_session_dates(assignment.client))
    return schedule


def _add_occurrences(assignment: Assignment, dates: list[date], *, first_sequence: int) -> None:
    now = timezone.now()
    tz = assignment.client.tz
    rows: list[Occurrence] = []
    for day in dates:
        when = due_at(day, assignment.due_time, tz)
        if when <= now:
            continue  # a recurring schedule that started earlier today
        rows.append(
            Occurrence(
                practice_id=assignment.practice_id,
                assignment=assignment,
                client_id=assignment.client_id,
                sequence=first_sequence + len(rows),
                local_date=day,
                due_at=when,
            )
        )
    Occurrence.objects.bulk_create(rows)


def _reschedule(assignment: Assignment) -> None:
    now = timezone.now()
    untouched = Occurrence.objects.filter(
        assignment=assignment, status=OccurrenceStatus.ASSIGNED, due_at__gt=now
    )
    untouched.delete()
    kept = Occurrence.objects.filter(assignment=assignment).exclude(
        status=OccurrenceStatus.CANCELLED
    )
    kept_dates = set(kept.values_list("local_date", flat=True))
    last = max(
        Occurrence.objects.filter(assignment=assignment).values_list("sequence", flat=True),
        default=0,
    )
    dates = [day for day in _schedule_of(assignment).local_dates() if day not in kept_dates]
    _add_occurrences(assignment, dates, first_sequence=last + 1)


def _lock(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("client", "activity_version")
        .get(pk=assignment.pk)
    )
