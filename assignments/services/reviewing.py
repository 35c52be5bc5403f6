"""Reviewing (the therapist): mark what was sent as reviewed; and the questions and answers
about an assignment, from either side. Responding to a flag is in ``flags``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assignments.models import (
    Assignment,
    AssignmentMessage,
    EventKind,
    Occurrence,
    OccurrenceStatus,
    Review,
)
from assignments.services.completing import MAX_MESSAGE_LENGTH, _lock_occurrence
from assignments.services.log import _event, _user


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
