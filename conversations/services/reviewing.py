"""Reviewing homework together in session: start (or pick up) the review for today's session,
record each assignment's review, and finish with the review items and what was agreed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assignments.models import Assignment, Occurrence, OccurrenceStatus, TherapySession
from assignments.services import assigning, reviewing, sessions
from clients.models import Client
from conversations.models import (
    Decision,
    ItemReview,
    MissedReasonKind,
    Outcome,
    SessionConversation,
)
from conversations.quality import ITEMS, MAX_LEVEL

MAX_TEXT = 4000
MAX_REASON_TEXT = 500
DUPLICATE = "This homework was already reviewed in this session: change that review instead."


def _user(actor):
    return actor.user if actor is not None else None


@transaction.atomic
def conversation_start(*, client, actor) -> SessionConversation:
    """The review for the session at hand: today's recorded session (recorded now if there
    is none yet) and its conversation, created once however many times this is called."""
    # Two clicks, or two tabs, at once: the second waits here and then finds the first's.
    Client.objects.select_for_update().filter(pk=client.pk).first()
    today = timezone.localdate(timezone.now(), client.tz)
    session = (
        TherapySession.objects.filter(client=client, held_on=today).order_by("created_at").first()
    )
    if session is None:
        session = sessions.session_record(client=client, actor=actor, held_on=today)
    conversation = SessionConversation.objects.filter(session=session).first()
    if conversation is None:
        conversation = SessionConversation.objects.create(
            practice_id=client.practice_id,
            session=session,
            client=client,
            therapist=_user(actor),
        )
    return conversation


def _clean(
    *,
    outcome: str,
    learned: str,
    obstacles: str,
    reason: str,
    reason_text: str,
    decision: str,
    levels: dict[str, int | None],
) -> dict:
    errors: dict[str, str] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = "Choose done, partly or not done."
    if decision not in Decision.values:
        errors["decision"] = "Choose keep, change or stop."
    if reason and reason not in MissedReasonKind.values:
        errors["reason"] = "Choose one of the reasons."
    if reason and outcome == Outcome.DONE:
        errors["reason"] = "A reason is for homework that was not (fully) done."
    for name, value in (("learned", learned), ("obstacles", obstacles)):
        if len(value.strip()) > MAX_TEXT:
            errors[name] = f"Use at most {MAX_TEXT} characters."
    if len(reason_text.strip()) > MAX_REASON_TEXT:
        errors["reason_text"] = f"Use at most {MAX_REASON_TEXT} characters."
    for item, level in levels.items():
        if item not in ITEMS:
            raise ValueError(f"Unknown quality item {item}.")
        if level is not None and not 0 <= level <= MAX_LEVEL:
            errors[item] = f"Choose a level from 0 to {MAX_LEVEL}."
    if errors:
        raise ValidationError(errors)
    return {
        "outcome": outcome,
        "learned": learned.strip(),
        "obstacles": obstacles.strip(),
        "reason": "" if outcome == Outcome.DONE else reason,
        "reason_text": "" if outcome == Outcome.DONE else reason_text.strip(),
        "decision": decision,
        **levels,
    }


@transaction.atomic
def item_review_record(
    *,
    conversation: SessionConversation,
    assignment: Assignment,
    actor,
    outcome: str,
    learned: str = "",
    obstacles: str = "",
    reason: str = "",
    reason_text: str = "",
    decision: str = Decision.KEEP,
    levels: dict[str, int | None] | None = None,
) -> ItemReview:
    """Review one assignment in this session. What the client sent since the last session
    is marked reviewed; "stop" cancels the assignment. Once per session and assignment:
    a second record is refused (change the first with ``item_review_update``)."""
    if assignment.client_id != conversation.client_id:
        raise ValidationError({"assignment": "This homework belongs to another client."})
    values = _clean(
        outcome=outcome,
        learned=learned,
        obstacles=obstacles,
        reason=reason,
        reason_text=reason_text,
        decision=decision,
        levels=levels or {},
    )
    if ItemReview.objects.filter(
        session_id=conversation.session_id, assignment=assignment
    ).exists():
        raise ValidationError(DUPLICATE)
    try:
        # A savepoint: a concurrent twin that passed the check above fails here on the unique
        # constraint, and the error is the same clear one, not a 500.
        with transaction.atomic():
            item = ItemReview.objects.create(
                practice_id=conversation.practice_id,
                conversation=conversation,
                session_id=conversation.session_id,
                assignment=assignment,
                client_id=conversation.client_id,
                reviewed_by=_user(actor),
                **values,
            )
    except IntegrityError:
        raise ValidationError(DUPLICATE) from None
    _apply(item, actor)
    return item


@transaction.atomic
def item_review_update(
    *,
    item: ItemReview,
    actor,
    outcome: str,
    learned: str = "",
    obstacles: str = "",
    reason: str = "",
    reason_text: str = "",
    decision: str = Decision.KEEP,
    levels: dict[str, int | None] | None = None,
) -> ItemReview:
    """Change a review made in this session (the autosave of a form already saved once)."""
    values = _clean(
        outcome=outcome,
        learned=learned,
        obstacles=obstacles,
        reason=reason,
        reason_text=reason_text,
        decision=decision,
        levels=levels or {},
    )
    item = ItemReview.objects.select_for_update().get(pk=item.pk)
    for name, value in values.items():
        setattr(item, name, value)
    item.reviewed_by = _user(actor) or item.reviewed_by
    item.save()
    _apply(item, actor)
    return item


def _apply(item: ItemReview, actor) -> None:
    """What a review does beyond itself: entries sent and not yet reviewed are marked
    reviewed (the client sees it was looked at), and "stop" cancels the assignment through
    the one cancel service (pending occurrences cancelled, unsent drafts dropped)."""
    waiting = Occurrence.objects.filter(
        assignment_id=item.assignment_id,
        status=OccurrenceStatus.SUBMITTED,
        submitted_at__isnull=False,
    ).order_by("due_at")
    for occurrence in waiting:
        reviewing.occurrence_review(occurrence=occurrence, actor=actor)
    if item.decision == Decision.STOP:
        assigning.assignment_cancel(
            assignment=item.assignment, actor=actor, reason="Stopped together in session."
        )


@transaction.atomic
def conversation_finish(
    *,
    conversation: SessionConversation,
    actor,
    client_involved: bool,
    praise_given: bool,
    difficulties_discussed: bool,
    plan_adjusted: bool,
    agreed_note: str = "",
) -> SessionConversation:
    """Record the review items (Conklin, Strunk & Cooper 2018) and what was agreed; the
    client sees the summary in the portal from now on. May be saved again to correct it."""
    if len(agreed_note.strip()) > MAX_TEXT:
        raise ValidationError({"agreed_note": f"Use at most {MAX_TEXT} characters."})
    conversation = SessionConversation.objects.select_for_update().get(pk=conversation.pk)
    conversation.client_involved = client_involved
    conversation.praise_given = praise_given
    conversation.difficulties_discussed = difficulties_discussed
    conversation.plan_adjusted = plan_adjusted
    conversation.agreed_note = agreed_note.strip()
    conversation.therapist = conversation.therapist or _user(actor)
    conversation.finished_at = conversation.finished_at or timezone.now()
    conversation.save()
    return conversation
