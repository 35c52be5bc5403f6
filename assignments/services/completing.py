"""Completing (the client): open, autosave a draft, send an entry, edit it, check in.

Answers that do not fit the worksheet raise ``AnswersInvalid``, whose keys are field paths
such as ``answers.thoughts[0].belief``. Every save (an autosaved draft, a sent entry, an
edit) checks the answers against the worksheet's risk rules and raises a flag for an answer
that meets one (see ``_raise_flags``).
"""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assignments.models import (
    CheckIn,
    Draft,
    EventKind,
    Flag,
    MediaAnswer,
    Occurrence,
    OccurrenceStatus,
    Response,
    ResponseRevision,
    RevisionSource,
    Visibility,
)
from assignments.services import outcomes
from assignments.services.log import _event
from assignments.signals import flag_raised
from library.models import Kind
from worksheets import (
    CriticalAnswer,
    InvalidResponse,
    clean_response,
    risk_answers,
    score_response,
    validate_draft,
)
from worksheets.fields import iter_fields
from worksheets.issues import Issue
from worksheets.types.answer_file import ANSWER_FILE_TYPES

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
    # A client who answers PHQ-9 item 9 and closes the tab has still told us.
    _raise_flags(occurrence, response, definition, cleaned)
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
    source: str = RevisionSource.PORTAL,
    source_reference: str = "",
    author=None,
    sent_at=None,
) -> Response:
    """Send an entry. Idempotent: the same ``submission_key`` (a double tap, a retry after a
    dropped connection) returns the entry it already created, marked ``replayed``. Late is
    fine; cancelled is not. Nothing is saved unless every answer fits.

    An entry made elsewhere and imported (``source``, with the ``author`` who imported it and
    ``sent_at``, when it was made) comes through here too, so it is scored, counted and
    checked for risk like any other."""
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
    _check_files_are_the_clients(version.definition, cleaned, client)
    now = sent_at or timezone.now()
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
                submitted_by=author or client.user,
                shared_with_therapist=_shared(assignment.visibility, share_with_therapist),
            )
    except IntegrityError:
        # Two copies of the same submission raced past the check above.
        existing = Response.objects.get(assignment=assignment, submission_key=submission_key)
        existing.replayed = True
        return existing
    _add_revision(
        response,
        cleaned,
        submission_key=submission_key,
        number=1,
        author=author or client.user,
        source=source,
        source_reference=source_reference,
    )
    Draft.objects.filter(occurrence=occurrence, response=None).delete()
    # Flags raised while this entry was a draft belong to it now.
    Flag.objects.filter(occurrence=occurrence, response=None).update(response=response)
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
    _raise_flags(occurrence, response, version.definition, cleaned)
    _raise_deterioration(response)
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
    # The occurrence too: the entry's flags are written under its lock, as on autosave.
    occurrence = _lock_occurrence(response.occurrence)
    _check_can_send(occurrence, client)
    definition = response.activity_version.definition
    try:
        cleaned = clean_response(definition, answers)
    except InvalidResponse as exc:
        raise AnswersInvalid(exc.issues) from None
    _check_files_are_the_clients(definition, cleaned, client)
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
    _raise_flags(occurrence, response, definition, cleaned)
    _raise_deterioration(response)
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
    """The short check-in after homework. Once per entry: a repeat returns the first.

    A measure gets none: "how helpful was it?" asks about practising a skill, not about
    answering a questionnaire, and the answers would muddy the homework's figures."""
    if response.activity_version.kind == Kind.MEASURE:
        raise ValidationError("A questionnaire has no check-in.")
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
    response: Response,
    answers,
    *,
    submission_key,
    number: int,
    author,
    source: str = RevisionSource.PORTAL,
    source_reference: str = "",
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
        source=source,
        source_reference=source_reference[:300],
    )
    response.current_revision = revision
    response.revision_count = number
    response.save(update_fields=["current_revision", "revision_count", "updated_at"])
    return revision


def _raise_flags(
    occurrence: Occurrence, response: Response | None, definition, answers
) -> list[Flag]:
    """Alert the therapist to every answer that meets a risk rule; the flags raised or raised
    in level. Called with the occurrence locked, on every save: ``response`` is None for the
    draft of a new entry.

    One open flag per item per entry. A later save reuses it: the same or a lower level
    changes nothing (the flag keeps the highest level endorsed); a higher level is recorded
    and alerts again, since "nearly every day" after "several days" is news. Once the
    therapist has acknowledged a flag, the same answer (or a lower level) does not raise
    another, but a higher one does. Flags are raised whoever the entry is shared with: the
    flag says which item, not the other answers, and the client was told beforehand.
    """
    found = risk_answers(definition, answers)
    if not found:
        return []
    existing = list(
        Flag.objects.filter(
            occurrence=occurrence,
            response=response,
            field_id__in=[critical.field for critical in found],
        )
    )
    raised = []
    for critical in found:
        flags = [flag for flag in existing if flag.field_id == critical.field]
        open_flag = next((flag for flag in flags if flag.is_open), None)
        if open_flag is not None:
            if _higher(critical, open_flag):
                previous = open_flag.level
                _record_answer(open_flag, critical)
                open_flag.save(
                    update_fields=["message", "rule", "level", "answer_value", "updated_at"]
                )
                _flag_event(open_flag, previous_level=previous)
                raised.append(open_flag)
            continue
        if any(not _higher(critical, flag) for flag in flags):
            continue  # A clinician has already seen this answer on this entry.
        flag = Flag(
            practice_id=occurrence.practice_id,
            client_id=occurrence.client_id,
            assignment=occurrence.assignment,
            occurrence=occurrence,
            response=response,
            field_id=critical.field,
        )
        _record_answer(flag, critical)
        flag.save()
        _flag_event(flag)
        raised.append(flag)
    return raised


def _raise_deterioration(response: Response) -> None:
    """A reliable deterioration on a measure alerts the therapist as a risk answer does
    (``assignments.services.outcomes``)."""
    flag = outcomes.deterioration_flag(response)
    if flag is not None:
        _flag_event(flag)


def _higher(critical: CriticalAnswer, flag: Flag) -> bool:
    """Whether the answer says more than ``flag`` recorded: a higher level, or (for answers
    without a level) a different answer."""
    if critical.level is not None and flag.level is not None:
        return critical.level > flag.level
    return critical.answer[:300] != flag.answer_value


def _record_answer(flag: Flag, critical: CriticalAnswer) -> None:
    flag.message = critical.message[:300]
    flag.rule = critical.rule.as_dict()
    flag.level = critical.level
    flag.answer_value = critical.answer[:300]


def _flag_event(flag: Flag, **detail) -> None:
    """Log the flag and alert the therapist once the save has committed (the alert path
    listens to ``flag_raised``)."""
    _event(
        flag.assignment,
        EventKind.FLAG_RAISED,
        occurrence=flag.occurrence,
        field=flag.field_id,
        message=flag.message,
        level=flag.level,
        **detail,
    )
    transaction.on_commit(
        lambda: flag_raised.send(
            sender=Flag,
            flag_id=flag.pk,
            practice_id=flag.practice_id,
            client_id=flag.client_id,
        )
    )


def _check_files_are_the_clients(definition, cleaned, client) -> None:
    """A voice memo or photo answer must name a file this client uploaded, unchanged (same
    type, size and hash): an answer sent through the API cannot point at anyone else's."""
    issues = []
    for field in iter_fields(definition):
        value = cleaned.get(field["id"])
        if field.get("type") not in ANSWER_FILE_TYPES or not isinstance(value, dict):
            continue
        stored = MediaAnswer.objects.filter(pk=value["media"], client=client).first()
        if stored is None or stored.as_answer() != value:
            issues.append(Issue(field["id"], "This file was not uploaded by you; add it again."))
    if issues:
        raise AnswersInvalid(issues)
