"""Every write about assignments, responses, reviews and the adherence log.

Keyword-only and atomic. Bad input raises ``ValidationError`` naming the field; answers that
do not fit the worksheet raise ``AnswersInvalid``, whose keys are field paths such as
``answers.thoughts[0].belief``. Staff writes take ``actor`` (the staff ``Membership``, or None
when the system acts, e.g. a pathway releasing a step); client writes take the ``client``
record.
Access (may this person touch this object?) is decided by the selectors before a service is
called; services check the rules of the domain.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from assignments.models import (
    MISSED_AFTER,
    PENDING_STATUSES,
    ActorRole,
    AdherenceEvent,
    Assignment,
    AssignmentMessage,
    AssignmentStatus,
    CheckIn,
    Draft,
    EventKind,
    Flag,
    Occurrence,
    OccurrenceStatus,
    PlannedSession,
    Response,
    ResponseRevision,
    Review,
    TherapySession,
    Visibility,
)
from assignments.schedule import (
    BEFORE_SESSIONS,
    DEFAULT_DUE_TIME,
    ONCE,
    Schedule,
    date_before_session,
    due_at,
    first_due_day,
)
from assignments.signals import flag_raised
from library.services import activity_version_for_assignment
from worksheets import (
    InvalidResponse,
    clean_response,
    score_response,
    validate_draft,
)

PLAN_FIELDS = (
    "rationale",
    "instructions",
    "plan_when",
    "plan_where",
    "obstacles",
    "if_then_plan",
    "confidence",
    "personal_message",
    "visibility",
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
MAX_SESSION_DAYS_AHEAD = 366
MAX_MESSAGE_LENGTH = 4000
MAX_CHECKIN_MINUTES = 1440


class AnswersInvalid(ValidationError):
    """The answers do not fit the worksheet. ``issues`` keeps the engine's list (path and
    message) for the form; the error dict is keyed ``answers.<path>`` for the API."""

    def __init__(self, issues):
        self.issues = list(issues)
        by_path: dict[str, list[str]] = {}
        for issue in self.issues:
            key = f"answers.{issue.path}" if issue.path else "answers"
            by_path.setdefault(key, []).append(issue.message)
        super().__init__(by_path)


# --- Assigning --------------------------------------------------------------------------


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
) -> Assignment:
    """Assign one activity version to a client. ``rationale`` and ``instructions`` default
    to the activity's own; ``origin``/``origin_id`` link back to whatever created it (e.g. a
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
        personal_message=personal_message.strip(),
        visibility=visibility,
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
            exc.item_index = index  # which activity's form the error belongs to
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
    rows = []
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


# --- Completing (the client) --------------------------------------------------------------


@transaction.atomic
def occurrence_open(*, occurrence: Occurrence, client) -> bool:
    """The client opened it. Recorded once; True when this call recorded it."""
    now = timezone.now()
    won = Occurrence.objects.filter(pk=occurrence.pk, status=OccurrenceStatus.ASSIGNED).update(
        status=OccurrenceStatus.OPENED, opened_at=now, updated_at=now
    )
    if won:
        occurrence.status, occurrence.opened_at = OccurrenceStatus.OPENED, now
        _event(occurrence.assignment, EventKind.OPENED, client=client, occurrence=occurrence)
    return bool(won)


@transaction.atomic
def draft_save(
    *, occurrence: Occurrence, client, answers, response: Response | None = None
) -> Draft:
    """Autosave what the client has typed so far (a new entry, or an edit of ``response``).

    Nothing is required yet, but every answer given must fit its field: a draft that does not
    raises ``AnswersInvalid`` and is not saved (the browser keeps its own copy meanwhile).
    """
    occurrence = _lock_occurrence(occurrence)
    _check_can_send(occurrence, client)
    definition = occurrence.assignment.activity_version.definition
    issues = validate_draft(definition, answers)
    if issues:
        raise AnswersInvalid(issues)
    cleaned = clean_response(definition, answers, draft=True)
    draft, _ = Draft.objects.update_or_create(
        occurrence=occurrence,
        response=response,
        defaults={"answers": cleaned, "client": client, "practice_id": occurrence.practice_id},
    )
    if response is None and occurrence.status in (
        OccurrenceStatus.ASSIGNED,
        OccurrenceStatus.OPENED,
    ):
        now = timezone.now()
        occurrence.status, occurrence.started_at = OccurrenceStatus.IN_PROGRESS, now
        occurrence.opened_at = occurrence.opened_at or now
        occurrence.save(update_fields=["status", "started_at", "opened_at", "updated_at"])
        _event(occurrence.assignment, EventKind.STARTED, client=client, occurrence=occurrence)
    return draft


@transaction.atomic
def response_submit(
    *,
    occurrence: Occurrence,
    client,
    answers,
    submission_key: UUID,
    share_with_therapist: bool | None = None,
) -> Response:
    """Send an entry. Idempotent: the same ``submission_key`` (a double tap, a retry after a
    dropped connection) returns the entry it already created, marked ``replayed``. Late is
    fine; cancelled is not. Nothing is saved unless every answer fits."""
    occurrence = _lock_occurrence(occurrence)
    assignment = occurrence.assignment
    existing = Response.objects.filter(assignment=assignment, submission_key=submission_key).first()
    if existing is not None:
        existing.replayed = True
        return existing
    _check_can_send(occurrence, client)
    version = assignment.activity_version
    entries = Response.objects.filter(occurrence=occurrence).count()
    if entries and not version.allows_multiple_entries:
        raise ValidationError("You already sent this one. You can open your entry and edit it.")
    try:
        cleaned = clean_response(version.definition, answers)
    except InvalidResponse as exc:
        raise AnswersInvalid(exc.issues) from None
    now = timezone.now()
    try:
        with transaction.atomic():
            response = Response.objects.create(
                practice_id=occurrence.practice_id,
                occurrence=occurrence,
                assignment=assignment,
                client=client,
                activity_version=version,
                entry_number=entries + 1,
                submission_key=submission_key,
                submitted_at=now,
                submitted_by=client.user,
                shared_with_therapist=_shared(assignment.visibility, share_with_therapist),
            )
    except IntegrityError:
        # Two copies of the same submission raced past the check above.
        existing = Response.objects.get(assignment=assignment, submission_key=submission_key)
        existing.replayed = True
        return existing
    revision = _add_revision(
        response, cleaned, submission_key=submission_key, number=1, author=client.user
    )
    Draft.objects.filter(occurrence=occurrence, response=None).delete()
    occurrence.submitted_at = occurrence.submitted_at or now
    occurrence.status = OccurrenceStatus.SUBMITTED
    occurrence.save(update_fields=["submitted_at", "status", "updated_at"])
    _event(
        assignment,
        EventKind.SUBMITTED,
        client=client,
        occurrence=occurrence,
        entry=response.entry_number,
        late=now > occurrence.due_at,
    )
    _raise_flags(response, revision)
    return response


@transaction.atomic
def response_revise(
    *, response: Response, client, answers, submission_key: UUID
) -> ResponseRevision:
    """Edit an entry: a new revision with the new answers; earlier revisions stay as sent."""
    response = (
        Response.objects.select_for_update(of=("self",))
        .select_related("occurrence__assignment__activity_version", "activity_version")
        .get(pk=response.pk)
    )
    existing = ResponseRevision.objects.filter(response=response, submission_key=submission_key)
    if existing.exists():
        return existing.get()
    occurrence = response.occurrence
    _check_can_send(occurrence, client)
    definition = response.activity_version.definition
    try:
        cleaned = clean_response(definition, answers)
    except InvalidResponse as exc:
        raise AnswersInvalid(exc.issues) from None
    revision = _add_revision(
        response,
        cleaned,
        submission_key=submission_key,
        number=response.revision_count + 1,
        author=client.user,
    )
    Draft.objects.filter(response=response).delete()
    if occurrence.status == OccurrenceStatus.REVIEWED:
        # Changed answers need a fresh look.
        occurrence.status = OccurrenceStatus.SUBMITTED
        occurrence.save(update_fields=["status", "updated_at"])
    _event(
        occurrence.assignment,
        EventKind.REVISED,
        client=client,
        occurrence=occurrence,
        entry=response.entry_number,
        revision=revision.number,
    )
    _raise_flags(response, revision)
    return revision


@transaction.atomic
def checkin_record(
    *,
    response: Response,
    client,
    helpful: int | None = None,
    difficulty: int | None = None,
    minutes_spent: int | None = None,
    obstacles: str = "",
) -> CheckIn:
    """The short check-in after an entry. Once per entry: a repeat returns the first."""
    existing = CheckIn.objects.filter(response=response).first()
    if existing is not None:
        return existing
    for name, value in (("helpful", helpful), ("difficulty", difficulty)):
        if value is not None and not 0 <= value <= 10:
            raise ValidationError({name: "Choose a number from 0 to 10."})
    if minutes_spent is not None and not 0 <= minutes_spent <= MAX_CHECKIN_MINUTES:
        raise ValidationError({"minutes_spent": "Enter the minutes, from 0 to 1440."})
    obstacles = obstacles.strip()
    if len(obstacles) > MAX_MESSAGE_LENGTH:
        raise ValidationError({"obstacles": f"Use at most {MAX_MESSAGE_LENGTH} characters."})
    checkin = CheckIn.objects.create(
        practice_id=response.practice_id,
        response=response,
        occurrence_id=response.occurrence_id,
        client=client,
        helpful=helpful,
        difficulty=difficulty,
        minutes_spent=minutes_spent,
        obstacles=obstacles,
    )
    _event(
        response.assignment,
        EventKind.CHECKED_IN,
        client=client,
        occurrence=response.occurrence,
        helpful=helpful,
        difficulty=difficulty,
        minutes_spent=minutes_spent,
    )
    return checkin


def _lock_occurrence(occurrence: Occurrence) -> Occurrence:
    return (
        Occurrence.objects.select_for_update(of=("self",))
        .select_related("assignment__activity_version", "assignment__client")
        .get(pk=occurrence.pk)
    )


def _check_can_send(occurrence: Occurrence, client) -> None:
    if occurrence.client_id != client.pk:
        raise PermissionError("A client can only answer their own assignments.")
    if occurrence.assignment.is_cancelled or occurrence.status == OccurrenceStatus.CANCELLED:
        raise ValidationError(
            "Your therapist cancelled this assignment, so it can no longer be sent. "
            "Nothing you sent before has changed."
        )
    if client.is_discharged:
        raise ValidationError("Your access to this practice's portal has ended.")


def _shared(visibility: str, share_with_therapist: bool | None) -> bool:
    if visibility == Visibility.CLIENT_ONLY:
        return False
    if visibility == Visibility.CLIENT_DECIDES:
        if share_with_therapist is None:
            raise ValidationError(
                {"share_with_therapist": "Choose whether your therapist may see this entry."}
            )
        return share_with_therapist
    return True


def _add_revision(
    response: Response, answers, *, submission_key, number: int, author
) -> ResponseRevision:
    result = score_response(response.activity_version.definition, answers)
    score = result.as_dict() if result else None
    revision = ResponseRevision.objects.create(
        practice_id=response.practice_id,
        response=response,
        number=number,
        submission_key=submission_key,
        answers=answers,
        score=score,
        score_total=result.total if result else None,
        severity=(result.band.severity if result and result.band else ""),
        created_by=author,
    )
    response.current_revision = revision
    response.revision_count = number
    response.save(update_fields=["current_revision", "revision_count", "updated_at"])
    return revision


def _raise_flags(response: Response, revision: ResponseRevision) -> list[Flag]:
    """A critical answer (PHQ-9 item 9 above 0, …) alerts the therapist at once. Flags are
    raised whoever the entry is shared with: the flag says which item, not the answers, and
    the client is told that their therapist was let know."""
    already = set(
        Flag.objects.filter(response=response, acknowledged_at=None).values_list(
            "field_id", flat=True
        )
    )
    flags = []
    for item in (revision.score or {}).get("flags", []):
        if item["field"] in already:
            continue
        flag = Flag.objects.create(
            practice_id=response.practice_id,
            client_id=response.client_id,
            assignment_id=response.assignment_id,
            occurrence_id=response.occurrence_id,
            response=response,
            field_id=item["field"],
            message=item["message"][:300],
        )
        _event(
            response.assignment,
            EventKind.FLAG_RAISED,
            occurrence=response.occurrence,
            field=item["field"],
            message=flag.message,
        )
        flags.append(flag)
        transaction.on_commit(
            lambda flag=flag: flag_raised.send(
                sender=Flag,
                flag_id=flag.pk,
                practice_id=flag.practice_id,
                client_id=flag.client_id,
            )
        )
    return flags


# --- Reviewing (the therapist) -----------------------------------------------------------


@transaction.atomic
def occurrence_review(
    *, occurrence: Occurrence, actor, comment: str = "", rating: int | None = None
) -> Review:
    """Mark what the client sent as reviewed; ``comment`` is shown to the client."""
    occurrence = _lock_occurrence(occurrence)
    if occurrence.submitted_at is None:
        raise ValidationError("There is nothing to review yet: the client has not sent this one.")
    if rating is not None and not 0 <= rating <= 10:
        raise ValidationError({"rating": "Rate from 0 to 10."})
    comment = comment.strip()
    if len(comment) > MAX_MESSAGE_LENGTH:
        raise ValidationError({"comment": f"Use at most {MAX_MESSAGE_LENGTH} characters."})
    now = timezone.now()
    review = Review.objects.create(
        practice_id=occurrence.practice_id,
        occurrence=occurrence,
        client_id=occurrence.client_id,
        reviewer=_user(actor),
        comment=comment,
        rating=rating,
    )
    occurrence.status, occurrence.reviewed_at = OccurrenceStatus.REVIEWED, now
    occurrence.save(update_fields=["status", "reviewed_at", "updated_at"])
    _event(
        occurrence.assignment,
        EventKind.REVIEWED,
        actor=actor,
        occurrence=occurrence,
        rating=rating,
        commented=bool(comment),
    )
    return review


@transaction.atomic
def flag_acknowledge(*, flag: Flag, actor) -> Flag:
    if flag.acknowledged_at is None:
        flag.acknowledged_at, flag.acknowledged_by = timezone.now(), _user(actor)
        flag.save(update_fields=["acknowledged_at", "acknowledged_by", "updated_at"])
    return flag


@transaction.atomic
def message_post(
    *, assignment: Assignment, body: str, actor=None, client=None
) -> AssignmentMessage:
    """A client's question about an assignment (``client``), or the therapist's answer
    (``actor``)."""
    if (actor is None) == (client is None):
        raise ValueError("Pass exactly one of actor and client.")
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write your message first."})
    if len(body) > MAX_MESSAGE_LENGTH:
        raise ValidationError({"body": f"Use at most {MAX_MESSAGE_LENGTH} characters."})
    message = AssignmentMessage.objects.create(
        practice_id=assignment.practice_id,
        assignment=assignment,
        client_id=assignment.client_id,
        author=client.user if client is not None else actor.user,
        from_client=client is not None,
        body=body,
    )
    if client is not None:
        _event(assignment, EventKind.QUESTION_ASKED, client=client)
    else:
        _event(assignment, EventKind.QUESTION_ANSWERED, actor=actor)
    return message


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


# --- The missed sweeper -----------------------------------------------------------------


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


# --- The log -------------------------------------------------------------------------------


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
