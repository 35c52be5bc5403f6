"""Importing entries made elsewhere: a FHIR R4 QuestionnaireResponse, or a Bundle of them,
into a client's assignment of the same activity.

Each response is checked as a FHIR resource (the R4B models), then its items are read into
answers (unknown questions, repeated ones and answers of the wrong shape are refused), and
then it is sent through the same service as a portal entry (``response_submit``), so it is
validated, scored, counted for adherence and checked against the risk rules exactly as if
the client had sent it: a risk answer imported raises a flag. The revision records that it
was imported, and from where.

A Bundle is all or nothing: one bad response and nothing is saved. Resources other than
QuestionnaireResponses (the Patient, CarePlan and Observations of our own export) are
skipped: scores are computed again here, never taken on trust.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import datetime, time
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from assignments.models import (
    Assignment,
    AssignmentStatus,
    Occurrence,
    OccurrenceStatus,
    Response,
    RevisionSource,
)
from assignments.services.completing import AnswersInvalid, response_submit
from clients.models import Client
from library.exports import questionnaire_url
from worksheets import InvalidResponse, answers_from_items, check_response_resource

MAX_RESPONSES: Final = 500
IMPORTABLE_STATUSES: Final = ("completed", "amended")
_KEYS: Final = uuid.UUID("0b8d3f7e-4a4c-4f0e-9a55-1c3f0e2b7d11")


def fhir_import(
    *, client: Client, actor, resource: Any, assignment_id: uuid.UUID | None = None
) -> list[Response]:
    """Import ``resource`` (a QuestionnaireResponse or a Bundle of them) as entries of
    ``client``; the entries made (or, for a response imported before, found again).

    Bad input raises ``ValidationError`` keyed by where it is: ``answers.<field>`` for an
    answer, ``entry[<n>].…`` inside a Bundle, ``questionnaire`` / ``assignment`` when no
    assignment fits."""
    if not isinstance(resource, Mapping):
        raise ValidationError({"resourceType": "Send a FHIR resource (a JSON object)."})
    if resource.get("resourceType") == "Bundle":
        return _import_bundle(
            client=client, actor=actor, bundle=resource, assignment_id=assignment_id
        )
    with transaction.atomic():
        return [
            _import_one(client=client, actor=actor, resource=resource, assignment_id=assignment_id)
        ]


def _import_bundle(*, client, actor, bundle: Mapping[str, Any], assignment_id) -> list[Response]:
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError as ModelError

    try:
        # Checked here only for the Bundle's own shape: each response is checked on its own
        # below, where its problems can be named.
        Bundle.model_validate({**bundle, "entry": []})
    except ModelError as error:
        first = error.errors()[0]
        raise ValidationError(
            {".".join(map(str, first["loc"])) or "resourceType": first["msg"]}
        ) from None
    entries = bundle.get("entry")
    if not isinstance(entries, list):
        raise ValidationError({"entry": "The Bundle has no entries."})
    found = [
        (index, entry["resource"])
        for index, entry in enumerate(entries)
        if isinstance(entry, Mapping)
        and isinstance(entry.get("resource"), Mapping)
        and entry["resource"].get("resourceType") == "QuestionnaireResponse"
    ]
    if not found:
        raise ValidationError({"entry": "The Bundle holds no QuestionnaireResponse."})
    if len(found) > MAX_RESPONSES:
        raise ValidationError({"entry": f"Send at most {MAX_RESPONSES} responses at a time."})
    imported = []
    with transaction.atomic():
        for index, resource in found:
            try:
                imported.append(
                    _import_one(
                        client=client, actor=actor, resource=resource, assignment_id=assignment_id
                    )
                )
            except ValidationError as error:
                raise ValidationError(
                    {f"entry[{index}].{key}": messages for key, messages in _by_key(error).items()}
                ) from None
    return imported


def _import_one(*, client, actor, resource: Mapping[str, Any], assignment_id) -> Response:
    try:
        check_response_resource(resource)
    except InvalidResponse as exc:
        raise ValidationError({i.path: i.message for i in exc.issues}) from None
    if resource.get("status") not in IMPORTABLE_STATUSES:
        raise ValidationError(
            {"status": "Only a completed (or amended) response can be imported, not a draft."}
        )
    sent_at = _authored(resource, client)
    assignment = _assignment_for(client, str(resource.get("questionnaire") or ""), assignment_id)
    definition = assignment.activity_version.definition
    try:
        answers = answers_from_items(definition, resource.get("item") or [])
    except InvalidResponse as exc:
        raise AnswersInvalid(exc.issues) from None
    reference = _reference(resource)
    key = uuid.uuid5(_KEYS, f"{client.pk}|{reference}")
    occurrence = _occurrence_for(assignment, key)
    return response_submit(
        occurrence=occurrence,
        client=client,
        answers=answers,
        submission_key=key,
        share_with_therapist=True,
        source=RevisionSource.FHIR_IMPORT,
        source_reference=reference,
        author=actor,
        sent_at=sent_at,
    )


def _assignment_for(client: Client, questionnaire: str, assignment_id) -> Assignment:
    assignments = Assignment.objects.filter(client=client).select_related(
        "activity_version__activity"
    )
    if assignment_id is not None:
        assignment = assignments.filter(pk=assignment_id).first()
        if assignment is None:
            raise ValidationError({"assignment": "This client has no such assignment."})
        return assignment
    url = questionnaire.split("|", 1)[0]
    if not url:
        raise ValidationError(
            {"questionnaire": "Say which questionnaire this answers, or name the assignment."}
        )
    matches = [
        a
        for a in assignments.filter(status=AssignmentStatus.ACTIVE)
        if questionnaire_url(a.activity_version.activity) == url
    ]
    if not matches:
        raise ValidationError(
            {
                "questionnaire": "This client has no current assignment of this questionnaire's "
                "activity: assign it first, or name the assignment to import into."
            }
        )
    if len(matches) > 1:
        # An earlier assignment of the same measure, already done, is not where a new
        # entry goes: prefer the one still waiting for an entry.
        waiting = [a for a in matches if _empty_occurrences(a).exists()]
        if len(waiting) != 1:
            raise ValidationError(
                {"assignment": "This client has several assignments of this activity; name one."}
            )
        return waiting[0]
    return matches[0]


def _occurrence_for(assignment: Assignment, key: uuid.UUID) -> Occurrence:
    """Where the entry goes: the earliest occurrence without an entry; for a worksheet that
    takes several entries, else the latest one. An import seen before finds its own."""
    earlier = Response.objects.filter(assignment=assignment, submission_key=key).first()
    if earlier is not None:
        return earlier.occurrence
    empty = _empty_occurrences(assignment).order_by("due_at", "pk").first()
    if empty is not None:
        return empty
    occurrences = Occurrence.objects.filter(assignment=assignment).exclude(
        status=OccurrenceStatus.CANCELLED
    )
    latest = occurrences.order_by("-due_at", "-pk").first()
    if latest is not None and assignment.activity_version.allows_multiple_entries:
        return latest
    raise ValidationError(
        {"assignment": "Every occurrence of this assignment has an entry already."}
    )


def _empty_occurrences(assignment: Assignment):
    return (
        Occurrence.objects.filter(assignment=assignment)
        .exclude(status=OccurrenceStatus.CANCELLED)
        .filter(~Exists(Response.objects.filter(occurrence=OuterRef("pk"))))
    )


def _authored(resource: Mapping[str, Any], client: Client) -> datetime | None:
    """When the answers were given (``authored``), so the entry sits at its own date in the
    client's history and progress; None (now) when the response does not say."""
    text = resource.get("authored")
    if not text:
        return None
    moment = parse_datetime(str(text))
    if moment is None:
        day = parse_date(str(text)[:10])
        if day is None:  # a year or a month only: too vague to place
            raise ValidationError({"authored": "Give the day the answers were given."})
        moment = datetime.combine(day, time(12, 0))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, client.tz)
    if moment > timezone.now():
        raise ValidationError({"authored": "This response is dated in the future."})
    return moment


def _reference(resource: Mapping[str, Any]) -> str:
    """What names the response where it was made: its identifier, else its id, else (for an
    anonymous resource) a hash of its content, so importing it twice makes one entry."""
    identifier = resource.get("identifier") or {}
    if isinstance(identifier, Mapping) and identifier.get("value"):
        return f"{identifier.get('system', '')}|{identifier['value']}"[:300]
    if resource.get("id"):
        return f"QuestionnaireResponse/{resource['id']}"
    digest = hashlib.sha256(json.dumps(resource, sort_keys=True).encode()).hexdigest()
    return f"sha256:{digest}"


def _by_key(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            key: [m for e in errors for m in e.messages] for key, errors in error.error_dict.items()
        }
    return {"resource": list(error.messages)}
