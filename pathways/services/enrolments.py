"""Enrolling a client on a pathway, and every change to a running enrolment: pause, resume,
hold (a flag on the client's answer) and resume from it, cancel, apply template changes, and
per-client changes to one of its steps."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from pathways import clock
from pathways.models import (
    PENDING_STEP_STATUSES,
    RUNNING_STATUSES,
    Enrolment,
    EnrolmentHold,
    EnrolmentStatus,
    EnrolmentStep,
    Pathway,
    PathwayStatus,
    StepStatus,
)
from pathways.selectors import enrolment_steps, template_steps
from pathways.services.release import advance, enqueue_release, enrolment_locked
from pathways.services.steps import (
    COPIED_FIELDS,
    actor_user,
    check_activity,
    check_model_steps,
    renumber,
    step_values,
)

MAX_START_DAYS_AHEAD = 365


def _copy_steps(enrolment: Enrolment, sources, *, first_position: int, known: dict) -> list:
    """Enrolment-step copies of template steps; ``known`` maps template step ids to enrolment
    steps already there (for conditions that point at them)."""
    copies = []
    mapping = dict(known)
    for offset, source in enumerate(sources):
        copy = EnrolmentStep(
            practice_id=enrolment.practice_id,
            enrolment=enrolment,
            source_step=source,
            activity_id=source.activity_id,
            **{field: getattr(source, field) for field in COPIED_FIELDS},
        )
        copy.position = first_position + offset
        copy.save()
        mapping[source.pk] = copy
        copies.append(copy)
    for source, copy in zip(sources, copies, strict=True):
        if source.condition_step_id:
            target = mapping.get(source.condition_step_id)
            copy.condition_step = target
            copy.save(update_fields=["condition_step"])
    return copies


def _client_today(client, now):
    return timezone.localdate(now, client.tz)


@transaction.atomic
def enrolment_create(*, pathway: Pathway, client, actor, start_date) -> Enrolment:
    """Enrol a client: the template's steps are copied, and from now on the enrolment runs
    on its copy."""
    now = timezone.now()
    if client.practice_id != pathway.practice_id:
        raise ValidationError({"client": "Choose a client of this practice."})
    if client.is_discharged:
        raise ValidationError(
            {"client": f"{client.display_name} is discharged. Reactivate them before enrolling."}
        )
    if pathway.status != PathwayStatus.PUBLISHED:
        raise ValidationError({"pathway": "Publish this pathway before enrolling clients."})
    if start_date is None:
        raise ValidationError({"start_date": "Choose a start date."})
    today = _client_today(client, now)
    if start_date < today:
        raise ValidationError({"start_date": "Choose today or a later date."})
    if start_date > today + timedelta(days=MAX_START_DAYS_AHEAD):
        raise ValidationError({"start_date": "Choose a date within the next year."})
    sources = template_steps(pathway)
    if not sources:
        raise ValidationError({"pathway": "This pathway has no steps yet."})
    running = Enrolment.objects.filter(pathway=pathway, client=client, status__in=RUNNING_STATUSES)
    if running.exists():
        raise _already_enrolled(client)
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                practice_id=pathway.practice_id,
                pathway=pathway,
                client=client,
                start_date=start_date,
                enrolled_by=actor_user(actor),
            )
    except IntegrityError:
        # Two therapists enrolled the same client at the same moment: the constraint won.
        raise _already_enrolled(client) from None
    _copy_steps(enrolment, sources, first_position=1, known={})
    # Steps "at once on enrolment" count from the enrolment row's own timestamp.
    advance(enrolment, now=enrolment.created_at)
    return enrolment


def _already_enrolled(client) -> ValidationError:
    return ValidationError(
        {
            "client": f"{client.display_name} is already on this pathway. Finish or cancel "
            "that enrolment before starting another."
        }
    )


@transaction.atomic
def enrolment_pause(*, enrolment: Enrolment, actor, now=None) -> Enrolment:
    """Nothing is released while paused (the sweeper and the worker both check)."""
    now = now or timezone.now()
    enrolment = enrolment_locked(enrolment)
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise ValidationError({"status": "Only an active enrolment can be paused."})
    enrolment.status = EnrolmentStatus.PAUSED
    enrolment.paused_at = now
    enrolment.save(update_fields=["status", "paused_at", "updated_at"])
    return enrolment


@transaction.atomic
def enrolment_resume(*, enrolment: Enrolment, actor, now=None) -> Enrolment:
    """Resume where the client left off: every step not released yet moves later by the
    whole days the pause lasted (in the client's time zone), counted from when its own clock
    started if that was during the pause. The spacing between steps stays as planned and what
    fell due during the pause does not arrive all at once. A pause shorter than a day moves
    nothing; a step that fell due during it arrives on resuming. A released step that ends
    with its period ends that many days later too."""
    now = now or timezone.now()
    enrolment = enrolment_locked(enrolment)
    if enrolment.status != EnrolmentStatus.PAUSED:
        raise ValidationError({"status": "Only a paused enrolment can be resumed."})
    assert enrolment.paused_at is not None  # set whenever the status is paused
    tz = enrolment.client.tz
    resumed_on = clock.local_date(now, tz)
    paused_on = clock.local_date(enrolment.paused_at, tz)
    for step in EnrolmentStep.objects.filter(enrolment=enrolment, status=StepStatus.SCHEDULED):
        started_on = max(paused_on, clock.local_date(step.anchor_at or enrolment.paused_at, tz))
        days = (resumed_on - started_on).days
        if days > 0:
            assert step.release_at is not None  # a scheduled step has its release_at
            step.release_at = clock.shift_days(step.release_at, days, tz)
            step.save(update_fields=["release_at", "updated_at"])
    # A released step that ends with its period (``pathways.completion``) gets the days of
    # the pause back too: the client's week of monitoring stays a week of days they had.
    days = (resumed_on - paused_on).days
    if days > 0:
        for step in EnrolmentStep.objects.filter(
            enrolment=enrolment, status=StepStatus.RELEASED, completes_at__isnull=False
        ):
            assert step.completes_at is not None  # filtered above
            step.completes_at = clock.shift_days(step.completes_at, days, tz)
            step.save(update_fields=["completes_at", "updated_at"])
    enrolment.shift_days += max(0, (resumed_on - paused_on).days)
    enrolment.status = EnrolmentStatus.ACTIVE
    enrolment.paused_at = None
    enrolment.save(update_fields=["status", "paused_at", "shift_days", "updated_at"])
    advance(enrolment, now=now)
    return enrolment


@transaction.atomic
def enrolment_hold_for_flag(*, flag, now=None) -> list[Enrolment]:
    """A flag on the client's answer holds every running enrolment of theirs: no later step
    is released until a therapist has looked and resumes it with a decision. Runs in the
    transaction that raises the flag, so no step slips out in between. An enrolment already
    held stays held by its first flag. Returns the enrolments it held."""
    now = now or timezone.now()
    held = []
    for enrolment in Enrolment.objects.filter(
        client_id=flag.client_id, status__in=RUNNING_STATUSES, held_at=None
    ):
        enrolment = enrolment_locked(enrolment)
        if enrolment.held_at is not None:
            continue
        enrolment.held_at = now
        enrolment.save(update_fields=["held_at", "updated_at"])
        EnrolmentHold.objects.create(
            practice_id=enrolment.practice_id, enrolment=enrolment, flag=flag
        )
        held.append(enrolment)
    return held


@transaction.atomic
def enrolment_hold_resume(*, enrolment: Enrolment, actor, decision: str, now=None) -> Enrolment:
    """A therapist lifts the hold a flag put on the enrolment, recording their decision. What
    fell due while it was held is released now; the schedule does not move (unlike a pause,
    the client did nothing to wait for)."""
    now = now or timezone.now()
    decision = decision.strip()
    if not decision:
        raise ValidationError(
            {"decision": "Say what you decided about the flagged answer before resuming."}
        )
    enrolment = enrolment_locked(enrolment)
    if enrolment.held_at is None:
        raise ValidationError({"decision": "This enrolment is not held."})
    EnrolmentHold.objects.filter(enrolment=enrolment, lifted_at=None).update(
        lifted_at=now, lifted_by=actor_user(actor), decision=decision, updated_at=now
    )
    enrolment.held_at = None
    enrolment.save(update_fields=["held_at", "updated_at"])
    advance(enrolment, now=now)
    return enrolment


@transaction.atomic
def enrolment_cancel(*, enrolment: Enrolment, actor, now=None) -> Enrolment:
    """End the enrolment. Steps not released yet are cancelled; assignments already given
    stay with the client (cancel them on their own page if needed)."""
    now = now or timezone.now()
    enrolment = enrolment_locked(enrolment)
    if not enrolment.is_running:
        raise ValidationError({"status": "This enrolment has already ended."})
    EnrolmentStep.objects.filter(enrolment=enrolment, status__in=PENDING_STEP_STATUSES).update(
        status=StepStatus.CANCELLED, updated_at=now
    )
    enrolment.status = EnrolmentStatus.CANCELLED
    enrolment.ended_at = now
    enrolment.paused_at = None
    enrolment.save(update_fields=["status", "ended_at", "paused_at", "updated_at"])
    return enrolment


@transaction.atomic
def enrolment_apply_template(*, enrolment: Enrolment, actor, now=None) -> Enrolment:
    """Bring the steps not released yet in line with the pathway as it is now. Steps already
    released, done or skipped stay as they are; per-client changes to the others are replaced.
    """
    now = now or timezone.now()
    enrolment = enrolment_locked(enrolment)
    if not enrolment.is_running:
        raise ValidationError({"status": "This enrolment has ended."})
    steps = enrolment_steps(enrolment)
    kept = [step for step in steps if not step.is_pending]
    pending_ids = {step.pk for step in steps if step.is_pending}
    for step in kept:
        if step.condition_step_id in pending_ids:
            # A settled step's condition no longer matters; let its measure be replaced.
            step.condition_step = None
            step.save(update_fields=["condition_step", "updated_at"])
    EnrolmentStep.objects.filter(pk__in=pending_ids).delete()
    renumber(kept)
    known = {step.source_step_id: step for step in kept if step.source_step_id}
    sources = [source for source in template_steps(enrolment.pathway) if source.pk not in known]
    _copy_steps(enrolment, sources, first_position=len(kept) + 1, known=known)
    advance(enrolment, now=now)
    return enrolment


# --- Per-client changes to one enrolment step ----------------------------------------------


def _pending_step(step: EnrolmentStep, *, or_released=False) -> tuple[Enrolment, EnrolmentStep]:
    enrolment = enrolment_locked(step.enrolment)
    step = EnrolmentStep.objects.select_related(
        "activity__current_version", "curated_activity__current_version"
    ).get(pk=step.pk)
    if not enrolment.is_running:
        raise ValidationError({"status": "This enrolment has ended."})
    if not (step.is_pending or (or_released and step.status == StepStatus.RELEASED)):
        raise ValidationError({"status": "This step has already been released, done or skipped."})
    return enrolment, step


@transaction.atomic
def enrolment_step_skip(*, step: EnrolmentStep, actor, now=None) -> EnrolmentStep:
    """Skip a step for this client; what waits for it moves on as if it were done. A step
    already released can be skipped too (its assignment stays with the client)."""
    now = now or timezone.now()
    enrolment, step = _pending_step(step, or_released=True)
    step.status = StepStatus.SKIPPED
    step.finished_at = now
    step.note = f"Skipped by {actor_user(actor).get_full_name()}."
    step.save(update_fields=["status", "finished_at", "note", "updated_at"])
    advance(enrolment, now=now)
    return step


@transaction.atomic
def enrolment_step_unlock(*, step: EnrolmentStep, actor, now=None) -> EnrolmentStep:
    """Release a step now, whatever it was waiting for."""
    now = now or timezone.now()
    enrolment, step = _pending_step(step)
    if enrolment.status != EnrolmentStatus.ACTIVE or enrolment.held_at is not None:
        raise ValidationError({"status": "Resume the enrolment before unlocking a step."})
    step.status = StepStatus.SCHEDULED
    step.anchor_at = now
    step.release_at = now
    step.note = f"Unlocked early by {actor_user(actor).get_full_name()}."
    step.save(update_fields=["status", "anchor_at", "release_at", "note", "updated_at"])
    enqueue_release(step, now=now)
    return step


@transaction.atomic
def enrolment_step_update(
    *, step: EnrolmentStep, actor, activity=None, curated_activity=None, now=None, **fields
) -> EnrolmentStep:
    """Change this client's copy of a step: its rule, delay, time, or activity (a swap).
    The pathway template is not touched."""
    now = now or timezone.now()
    enrolment, step = _pending_step(step)
    allowed = {
        "delivery",
        "delay_days",
        "time_of_day",
        "days_to_complete",
        "completion",
        "completion_entries",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Cannot set {', '.join(sorted(unknown))} on an enrolment step.")
    if activity is not None or curated_activity is not None:
        check_activity(enrolment.pathway, activity, curated_activity)
        step.activity = activity
        step.curated_activity = curated_activity
    # A partial change keeps the rule and delay it does not mention.
    values = step_values(
        {
            "delivery": step.delivery,
            "delay_days": step.delay_days,
            "completion": step.completion,
            "completion_entries": step.completion_entries,
            **fields,
        }
    )
    for key, value in values.items():
        setattr(step, key, value)
    steps = enrolment_steps(enrolment)
    steps = [step if other.pk == step.pk else other for other in steps]
    check_model_steps(steps)
    # Plan it again from its rule (a held step gets another try).
    step.status = StepStatus.WAITING
    step.release_at = None
    step.anchor_at = None
    step.note = ""
    step.save()
    advance(enrolment, now=now)
    return step
