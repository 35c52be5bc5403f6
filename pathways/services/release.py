"""The release engine (DESIGN.md, Jobs), and the planning every enrolment change ends with.

- ``due_steps_claim`` is the beat sweeper's body: it locks due scheduled rows across
  practices with ``SELECT … FOR UPDATE SKIP LOCKED``, stamps ``enqueued_at`` and enqueues one
  tenant task per row after commit. Two sweepers at once get disjoint rows.
- ``enrolment_step_release`` is the worker's body: it locks the enrolment (so a pause cannot
  interleave), claims the row with a conditional ``UPDATE … WHERE status='scheduled'`` and
  creates the assignment only if it won, in the same transaction. A worker killed before
  commit leaves the row scheduled, with nothing created; a second worker finds it claimed.
- A row queued but still scheduled ``REQUEUE_AFTER`` later lost its message (worker killed,
  broker restarted) and is queued again by the next sweep.
- A released step is done by its completion rule (``pathways.completion``): the entry
  receiver calls ``enrolment_step_entry`` on every entry; a step done at the end of its
  period gets ``completes_at`` at release, and the same sweep claims those that are due
  (``period_ends_claim``) and completes each in a tenant task.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from assignments.models import Flag, ResponseRevision
from pathways import clock, completion, schedule
from pathways.assigning import assign_step
from pathways.models import (
    Enrolment,
    EnrolmentHold,
    EnrolmentStatus,
    EnrolmentStep,
    StepStatus,
)
from pathways.selectors import enrolment_steps

REQUEUE_AFTER = timedelta(minutes=5)
SWEEP_BATCH = 200


def enrolment_locked(enrolment: Enrolment) -> Enrolment:
    """Re-read the enrolment with a row lock: every change to an enrolment and every release
    of one of its steps goes through this lock, one at a time."""
    return (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("client", "pathway", "practice")
        .get(pk=enrolment.pk)
    )


def advance(enrolment: Enrolment, *, now) -> None:
    """Schedule what can now be scheduled, finish the enrolment when nothing is left, and
    queue at once the steps already due (the sweeper would find them within a minute). The
    last part of every change to an enrolment, in its transaction, with the enrolment locked
    (``enrolment_locked``)."""
    steps = enrolment_steps(enrolment)
    tz = enrolment.client.tz
    start = clock.enrolment_anchor(
        start_date=enrolment.start_date + timedelta(days=enrolment.shift_days),
        enrolled_at=enrolment.created_at,
        tz=tz,
    )
    for step in schedule.plan(steps, enrolment_start=start, tz=tz):
        step.save(
            update_fields=["status", "anchor_at", "release_at", "finished_at", "note", "updated_at"]
        )
        # A step that holds for review holds the moment its time is known (its condition
        # met), in this transaction, so no other step can be released before a therapist
        # has looked; it is released itself when they resume.
        if step.status == StepStatus.SCHEDULED and step.holds_for_review:
            _hold_for_review(enrolment, step, now=now, steps=steps)
    outstanding = [
        step
        for step in steps
        if step.is_pending or (step.status == StepStatus.RELEASED and step.required)
    ]
    if enrolment.status == EnrolmentStatus.ACTIVE and not outstanding:
        enrolment.status = EnrolmentStatus.COMPLETED
        enrolment.ended_at = now
        enrolment.save(update_fields=["status", "ended_at", "updated_at"])
        return
    if enrolment.status == EnrolmentStatus.ACTIVE and enrolment.held_at is None:
        for step in steps:
            if step.status == StepStatus.SCHEDULED and step.release_at <= now:
                enqueue_release(step, now=now)


def enqueue_release(step: EnrolmentStep, *, now) -> None:
    from pathways.tasks import release_pathway_step

    EnrolmentStep.objects.filter(pk=step.pk).update(enqueued_at=now)
    release_pathway_step.delay_on_commit(step_id=str(step.pk), practice_id=str(step.practice_id))


def _claim(*, status, due_field: str, task, now, batch_size: int) -> list[tuple[str, str]]:
    """Lock up to ``batch_size`` steps in ``status`` whose ``due_field`` has passed (of running,
    unheld enrolments) that nobody else holds, mark them queued, and queue ``task`` for each
    after commit. Returns (step id, practice id) pairs.

    Across practices on purpose: it only picks ids to hand to tenant tasks, each of which runs
    inside its own practice's scope."""
    with scopes_disabled():
        rows = list(
            EnrolmentStep.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                status=status,
                **{f"{due_field}__lte": now},
                enrolment__status=EnrolmentStatus.ACTIVE,
                enrolment__held_at=None,
            )
            .exclude(enqueued_at__gt=now - REQUEUE_AFTER)
            .order_by(due_field)
            .values_list("pk", "practice_id")[:batch_size]
        )
        EnrolmentStep.objects.filter(pk__in=[pk for pk, _ in rows]).update(enqueued_at=now)
    claimed = [(str(pk), str(practice_id)) for pk, practice_id in rows]
    for step_id, practice_id in claimed:
        task.delay_on_commit(step_id=step_id, practice_id=practice_id)
    return claimed


@transaction.atomic
def due_steps_claim(*, now=None, batch_size: int = SWEEP_BATCH) -> list[tuple[str, str]]:
    """One batch of the sweeper: scheduled steps whose release time has come, one release
    task each. Returns (step id, practice id) pairs."""
    from pathways.tasks import release_pathway_step

    return _claim(
        status=StepStatus.SCHEDULED,
        due_field="release_at",
        task=release_pathway_step,
        now=now or timezone.now(),
        batch_size=batch_size,
    )


@transaction.atomic
def enrolment_step_release(*, step_id, now=None) -> bool:
    """Turn a due step into an assignment, exactly once. Runs in the step's practice scope.
    Returns whether this call released it."""
    now = now or timezone.now()
    step = (
        EnrolmentStep.objects.select_related(
            "activity__current_version", "curated_activity__current_version"
        )
        .filter(pk=step_id)
        .first()
    )
    if step is None:
        return False
    enrolment = enrolment_locked(step.enrolment)
    # Held by a flag: the step stays scheduled, and resuming queues it (``advance``).
    if enrolment.status != EnrolmentStatus.ACTIVE or enrolment.held_at is not None:
        return False
    # The claim: only one transaction can move the row out of "scheduled". A concurrent one
    # waits for this row lock and then matches nothing.
    won = EnrolmentStep.objects.filter(
        pk=step.pk, status=StepStatus.SCHEDULED, release_at__lte=now
    ).update(status=StepStatus.RELEASED, released_at=now, enqueued_at=None, updated_at=now)
    if not won:
        return False
    try:
        with transaction.atomic():
            assignment = assign_step(step=step, enrolment=enrolment, now=now)
    except ValidationError as exc:
        EnrolmentStep.objects.filter(pk=step.pk).update(
            status=StepStatus.HELD,
            released_at=None,
            note=f"Could not be released: {' '.join(exc.messages)}",
            updated_at=now,
        )
        return False
    EnrolmentStep.objects.filter(pk=step.pk).update(
        assignment=assignment,
        completes_at=completion.completes_at(step, released_at=now, tz=enrolment.client.tz),
    )
    return True


def _hold_for_review(enrolment: Enrolment, step: EnrolmentStep, *, now, steps) -> None:
    """Nothing more is released, this step included, until a therapist resumes with a
    decision (``enrolment_hold_resume``), as after a flagged answer."""
    measure = next((other for other in steps if other.pk == step.condition_step_id), None)
    because = ""
    if measure is not None and measure.score is not None:
        because = f": the {measure.title} total was {measure.score:g}"
    if enrolment.held_at is not None:
        return
    enrolment.held_at = now
    enrolment.save(update_fields=["held_at", "updated_at"])
    EnrolmentHold.objects.create(
        practice_id=enrolment.practice_id,
        enrolment=enrolment,
        reason=f"Step {step.position} ({step.title}) waits for your review{because}."[:300],
    )


@transaction.atomic
def enrolment_step_entry(
    *, assignment, entries: int, completed_at=None, score=None, flagged=False
) -> EnrolmentStep | None:
    """The client sent entry number ``entries`` of the assignment a step released: the step
    is done when its completion rule counts that many (``pathways.completion``; a step done
    at the end of its period waits for the sweeper). None when not from a pathway."""
    step = EnrolmentStep.objects.filter(assignment=assignment).first()
    if step is None:
        return None
    needed = completion.entries_needed(step)
    if needed is None or entries < needed:
        return step
    return enrolment_step_complete(
        assignment=assignment, completed_at=completed_at, score=score, flagged=flagged
    )


@transaction.atomic
def period_ends_claim(*, now=None, batch_size: int = SWEEP_BATCH) -> list[tuple[str, str]]:
    """The sweeper's other batch: released steps whose period has ended (done at the end of
    their period, whatever was sent); one tenant task each completes it."""
    from pathways.tasks import complete_pathway_step

    return _claim(
        status=StepStatus.RELEASED,
        due_field="completes_at",
        task=complete_pathway_step,
        now=now or timezone.now(),
        batch_size=batch_size,
    )


@transaction.atomic
def enrolment_step_period_end(*, step_id, now=None) -> EnrolmentStep | None:
    """Complete a step whose period has ended, as of the end of its period (what waits for
    it counts from then, not from when the worker got to it). Its score and flag are those
    of its latest entry, if any. Runs in the step's practice scope."""
    now = now or timezone.now()
    step = EnrolmentStep.objects.filter(pk=step_id).select_related("assignment").first()
    if step is None or step.assignment is None or step.completes_at is None:
        return None
    if step.completes_at > now:
        return step
    latest = _latest_revision(step.assignment)
    return enrolment_step_complete(
        assignment=step.assignment,
        completed_at=step.completes_at,
        score=latest.score_total if latest is not None else None,
        flagged=Flag.objects.filter(occurrence__assignment=step.assignment).exists(),
    )


def _latest_revision(assignment):
    return (
        ResponseRevision.objects.filter(response__assignment=assignment, number=1)
        .order_by("-response__submitted_at")
        .first()
    )


@transaction.atomic
def enrolment_step_complete(
    *, assignment, completed_at=None, score=None, flagged=False
) -> EnrolmentStep | None:
    """The step that released ``assignment`` is done: its score (for a measure) and whether
    its entry raised a risk flag recorded, and the steps that waited for it are scheduled
    (or marked not needed). Idempotent: a second call for the same assignment changes
    nothing. None when not from a pathway."""
    completed_at = completed_at or timezone.now()
    step = EnrolmentStep.objects.filter(assignment=assignment).first()
    if step is None:
        return None
    enrolment = enrolment_locked(step.enrolment)
    done = EnrolmentStep.objects.filter(pk=step.pk, status=StepStatus.RELEASED).update(
        status=StepStatus.COMPLETED,
        finished_at=completed_at,
        score=score,
        flagged=flagged,
        updated_at=completed_at,
    )
    if done:
        advance(enrolment, now=completed_at)
    step.refresh_from_db()
    return step
