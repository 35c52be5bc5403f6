"""Every write about pathways, their steps and enrolments, and the release engine.

Keyword-only and atomic; bad input raises ``ValidationError`` naming the field. Template
services work on practice pathways and on global ones alike (``Pathway``/``CuratedPathway``);
access (may this person touch this object?) is decided by the selectors before they are called.

The release engine (DESIGN.md, Jobs):

- ``due_steps_claim`` is the beat sweeper's body: it locks due scheduled rows across
  practices with ``SELECT … FOR UPDATE SKIP LOCKED``, stamps ``enqueued_at`` and enqueues one
  tenant task per row after commit. Two sweepers at once get disjoint rows.
- ``enrolment_step_release`` is the worker's body: it locks the enrolment (so a pause cannot
  interleave), claims the row with a conditional ``UPDATE … WHERE status='scheduled'`` and
  creates the assignment only if it won, in the same transaction. A worker killed before
  commit leaves the row scheduled, with nothing created; a second worker finds it claimed.
- A row queued but still scheduled ``REQUEUE_AFTER`` later lost its message (worker killed,
  broker restarted) and is queued again by the next sweep.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django_scopes import scopes_disabled

from assignments.models import Visibility
from library.models import PublicationStatus
from pathways import clock, release_rules, rules, schedule
from pathways.assigning import assign_step
from pathways.models import (
    AUDIENCES,
    FUNCTIONS,
    PENDING_STEP_STATUSES,
    PHASES,
    RUNNING_STATUSES,
    Comparison,
    CuratedPathway,
    Enrolment,
    EnrolmentStatus,
    EnrolmentStep,
    Pathway,
    PathwayStatus,
    PathwayStep,
    StepStatus,
)
from pathways.selectors import enrolment_steps, template_steps

PATHWAY_FIELDS = (
    "name",
    "client_title",
    "description",
    "functions",
    "audiences",
    "phases",
    "response_visibility",
)
STEP_FIELDS = (
    "delivery",
    "delay_days",
    "time_of_day",
    "days_to_complete",
    "required",
    "therapist_notes",
    "condition_step",
    "condition_operator",
    "condition_value",
)
# Copied from a template step into an enrolment step (and by "apply template changes").
COPIED_FIELDS = (
    "position",
    "curated_activity_id",
    "delivery",
    "delay_days",
    "time_of_day",
    "days_to_complete",
    "required",
    "therapist_notes",
    "condition_operator",
    "condition_value",
)
REQUEUE_AFTER = timedelta(minutes=5)
SWEEP_BATCH = 200
MAX_START_DAYS_AHEAD = 365


def _user(actor):
    """Staff services get a Membership, curator services a User."""
    return getattr(actor, "user", actor)


def _is_global(pathway) -> bool:
    return isinstance(pathway, CuratedPathway)


# --- Pathway templates ---------------------------------------------------------------------


def _clean_pathway_fields(fields: dict) -> dict:
    unknown = set(fields) - set(PATHWAY_FIELDS)
    if unknown:
        raise ValueError(f"Cannot set {', '.join(sorted(unknown))}.")
    cleaned = dict(fields)
    for key in ("name", "client_title", "description"):
        if key in cleaned:
            cleaned[key] = (cleaned[key] or "").strip()
    if "name" in cleaned and not cleaned["name"]:
        raise ValidationError({"name": "Give the pathway a name."})
    for key, vocabulary in (("functions", FUNCTIONS), ("audiences", AUDIENCES), ("phases", PHASES)):
        if key in cleaned:
            values = list(dict.fromkeys(cleaned[key] or []))
            if any(value not in vocabulary for value in values):
                raise ValidationError({key: f"Choose from: {', '.join(vocabulary)}."})
            cleaned[key] = values
    if "response_visibility" in cleaned and cleaned["response_visibility"] not in Visibility.values:
        raise ValidationError({"response_visibility": "Choose who sees the client's responses."})
    return cleaned


@transaction.atomic
def pathway_create(*, practice, actor, name: str, **fields) -> Pathway:
    cleaned = _clean_pathway_fields({"name": name, **fields})
    return Pathway.objects.create(practice=practice, created_by=_user(actor), **cleaned)


@transaction.atomic
def curated_pathway_create(*, actor, name: str, slug: str = "", **fields) -> CuratedPathway:
    cleaned = _clean_pathway_fields({"name": name, **fields})
    base = slugify(slug or cleaned["name"])[:70] or "pathway"
    candidate, number = base, 1
    while CuratedPathway.objects.filter(slug=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return CuratedPathway.objects.create(slug=candidate, created_by=_user(actor), **cleaned)


@transaction.atomic
def pathway_update(*, pathway, actor, **fields):
    """Change a template's details. Running enrolments keep their own copy of the steps."""
    for key, value in _clean_pathway_fields(fields).items():
        setattr(pathway, key, value)
    pathway.save()
    return pathway


@transaction.atomic
def pathway_publish(*, pathway, actor):
    steps = template_steps(pathway)
    if not steps:
        raise ValidationError({"steps": "Add at least one step before publishing."})
    _check(steps)
    pathway.status = PathwayStatus.PUBLISHED
    pathway.save(update_fields=["status", "updated_at"])
    return pathway


@transaction.atomic
def pathway_set_status(*, pathway, actor, status: str):
    """Back to draft, or archived (no new enrolments; running ones carry on)."""
    if status == PathwayStatus.PUBLISHED:
        return pathway_publish(pathway=pathway, actor=actor)
    if status not in PathwayStatus.values:
        raise ValidationError({"status": "Unknown status."})
    pathway.status = status
    pathway.save(update_fields=["status", "updated_at"])
    return pathway


def _check(steps) -> None:
    rules.check_steps(steps, title_of=lambda step: step.title, is_measure=lambda s: s.is_measure)


def _renumber(steps) -> None:
    for position, step in enumerate(steps, start=1):
        if step.position != position:
            step.position = position
            step.save(update_fields=["position", "updated_at"])


def _check_activity(pathway, activity, curated_activity) -> None:
    if _is_global(pathway) and activity is not None:
        raise ValidationError({"activity": "A global pathway uses global activities only."})
    if (activity is None) == (curated_activity is None):
        raise ValidationError({"activity": "Choose one activity from the library."})
    if curated_activity is not None and curated_activity.status != PublicationStatus.PUBLISHED:
        raise ValidationError({"activity": "This global activity is not available."})
    if activity is not None:
        if activity.practice_id != pathway.practice_id:
            raise ValidationError({"activity": "Choose an activity from your practice's library."})
        if activity.status != PublicationStatus.PUBLISHED:
            raise ValidationError({"activity": "Publish this activity before using it in a step."})


def _step_values(fields: dict) -> dict:
    unknown = set(fields) - set(STEP_FIELDS)
    if unknown:
        raise ValueError(f"Cannot set {', '.join(sorted(unknown))}.")
    values = dict(fields)
    if "delivery" in values:
        rules.check_delay(values["delivery"], values.get("delay_days"))
        if not release_rules.rule_for(values["delivery"]).has_days:
            values["delay_days"] = 0
    if "days_to_complete" in values:
        rules.check_days_to_complete(values["days_to_complete"])
    if "therapist_notes" in values:
        values["therapist_notes"] = (values["therapist_notes"] or "").strip()
    if "condition_step" in values and values["condition_step"] is None:
        values["condition_operator"] = ""
        values["condition_value"] = None
    elif values.get("condition_step") is not None and not values.get("condition_operator"):
        values["condition_operator"] = Comparison.AT_LEAST
    return values


@transaction.atomic
def pathway_step_add(
    *, pathway, actor, activity=None, curated_activity=None, delivery: str, **fields
):
    _check_activity(pathway, activity, curated_activity)
    values = _step_values({"delivery": delivery, **fields})
    existing = template_steps(pathway)
    step_model = pathway.steps.model
    step = step_model(
        pathway=pathway,
        position=len(existing) + 1,
        curated_activity=curated_activity,
        **values,
    )
    if not _is_global(pathway):
        step.practice_id = pathway.practice_id
        step.activity = activity
    step.save()
    _check(template_steps(pathway))
    _touch(pathway)
    return step


@transaction.atomic
def pathway_step_update(*, step, actor, activity=None, curated_activity=None, **fields):
    """Change a step. Pass an activity (or a global one) to swap what the step delivers."""
    pathway = step.pathway
    if activity is not None or curated_activity is not None:
        _check_activity(pathway, activity, curated_activity)
        step.curated_activity = curated_activity
        if not _is_global(pathway):
            step.activity = activity
    # A partial change keeps the rule and delay it does not mention.
    values = _step_values({"delivery": step.delivery, "delay_days": step.delay_days, **fields})
    for key, value in values.items():
        setattr(step, key, value)
    step.save()
    _check(template_steps(pathway))
    _touch(pathway)
    return step


@transaction.atomic
def pathway_step_remove(*, step, actor) -> None:
    pathway = step.pathway
    steps = template_steps(pathway)
    dependants = [other for other in steps if other.condition_step_id == step.pk]
    if dependants:
        names = ", ".join(f"step {steps.index(other) + 1} ({other.title})" for other in dependants)
        raise ValidationError(
            {"step": f"{names} depends on this measure's score. Change that first."}
        )
    step.delete()
    remaining = [other for other in steps if other.pk != step.pk]
    _renumber(remaining)
    _check(remaining)
    _touch(pathway)


@transaction.atomic
def pathway_steps_reorder(*, pathway, actor, step_ids: list) -> list:
    """Put the steps in the order given (every step, each once)."""
    steps = template_steps(pathway)
    by_id = {str(step.pk): step for step in steps}
    wanted = [str(step_id) for step_id in step_ids]
    if sorted(wanted) != sorted(by_id):
        raise ValidationError({"steps": "The new order must list every step of the pathway once."})
    ordered = [by_id[step_id] for step_id in wanted]
    _renumber(ordered)
    _check(ordered)
    _touch(pathway)
    return ordered


@transaction.atomic
def pathway_step_move(*, step, actor, offset: int) -> list:
    """Move a step one place up (-1) or down (+1): the keyboard way to reorder."""
    steps = template_steps(step.pathway)
    ids = [str(other.pk) for other in steps]
    index = ids.index(str(step.pk))
    target = max(0, min(len(ids) - 1, index + offset))
    ids.insert(target, ids.pop(index))
    return pathway_steps_reorder(pathway=step.pathway, actor=actor, step_ids=ids)


def _touch(pathway) -> None:
    pathway.save(update_fields=["updated_at"])


@transaction.atomic
def pathway_copy_from_global(*, practice, actor, curated_pathway: CuratedPathway) -> Pathway:
    """A practice copy of a global pathway to use or customise (a draft until published)."""
    if curated_pathway.status != PathwayStatus.PUBLISHED:
        raise ValidationError("This global pathway is not available.")
    pathway = Pathway.objects.create(
        practice=practice,
        origin=curated_pathway,
        created_by=_user(actor),
        **{field: getattr(curated_pathway, field) for field in PATHWAY_FIELDS},
    )
    copies = {}
    for source in template_steps(curated_pathway):
        copies[source.pk] = PathwayStep.objects.create(
            practice=practice,
            pathway=pathway,
            **{field: getattr(source, field) for field in COPIED_FIELDS},
        )
    for source in template_steps(curated_pathway):
        if source.condition_step_id:
            copy = copies[source.pk]
            copy.condition_step = copies[source.condition_step_id]
            copy.save(update_fields=["condition_step"])
    return pathway


# --- Enrolments -------------------------------------------------------------------------------


def _locked(enrolment: Enrolment) -> Enrolment:
    """Re-read the enrolment with a row lock: every change to an enrolment and every release
    of one of its steps goes through this lock, one at a time."""
    return (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("client", "pathway", "practice")
        .get(pk=enrolment.pk)
    )


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


def _advance(enrolment: Enrolment, *, now) -> None:
    """Schedule what can now be scheduled, finish the enrolment when nothing is left, and
    queue at once the steps already due (the sweeper would find them within a minute)."""
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
    if enrolment.status == EnrolmentStatus.ACTIVE:
        for step in steps:
            if step.status == StepStatus.SCHEDULED and step.release_at <= now:
                _enqueue_release(step, now=now)


def _enqueue_release(step: EnrolmentStep, *, now) -> None:
    from pathways.tasks import release_pathway_step

    EnrolmentStep.objects.filter(pk=step.pk).update(enqueued_at=now)
    release_pathway_step.delay_on_commit(step_id=str(step.pk), practice_id=str(step.practice_id))


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
                enrolled_by=_user(actor),
            )
    except IntegrityError:
        # Two therapists enrolled the same client at the same moment: the constraint won.
        raise _already_enrolled(client) from None
    _copy_steps(enrolment, sources, first_position=1, known={})
    # Steps "at once on enrolment" count from the enrolment row's own timestamp.
    _advance(enrolment, now=enrolment.created_at)
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
    enrolment = _locked(enrolment)
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
    nothing; a step that fell due during it arrives on resuming."""
    now = now or timezone.now()
    enrolment = _locked(enrolment)
    if enrolment.status != EnrolmentStatus.PAUSED:
        raise ValidationError({"status": "Only a paused enrolment can be resumed."})
    tz = enrolment.client.tz
    resumed_on = clock.local_date(now, tz)
    paused_on = clock.local_date(enrolment.paused_at, tz)
    for step in EnrolmentStep.objects.filter(enrolment=enrolment, status=StepStatus.SCHEDULED):
        started_on = max(paused_on, clock.local_date(step.anchor_at or enrolment.paused_at, tz))
        days = (resumed_on - started_on).days
        if days > 0:
            step.release_at = clock.shift_days(step.release_at, days, tz)
            step.save(update_fields=["release_at", "updated_at"])
    enrolment.shift_days += max(0, (resumed_on - paused_on).days)
    enrolment.status = EnrolmentStatus.ACTIVE
    enrolment.paused_at = None
    enrolment.save(update_fields=["status", "paused_at", "shift_days", "updated_at"])
    _advance(enrolment, now=now)
    return enrolment


@transaction.atomic
def enrolment_cancel(*, enrolment: Enrolment, actor, now=None) -> Enrolment:
    """End the enrolment. Steps not released yet are cancelled; assignments already given
    stay with the client (cancel them on their own page if needed)."""
    now = now or timezone.now()
    enrolment = _locked(enrolment)
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
    enrolment = _locked(enrolment)
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
    _renumber(kept)
    known = {step.source_step_id: step for step in kept if step.source_step_id}
    sources = [source for source in template_steps(enrolment.pathway) if source.pk not in known]
    _copy_steps(enrolment, sources, first_position=len(kept) + 1, known=known)
    _advance(enrolment, now=now)
    return enrolment


# --- Per-client changes to one enrolment step ----------------------------------------------


def _pending_step(step: EnrolmentStep, *, or_released=False) -> tuple[Enrolment, EnrolmentStep]:
    enrolment = _locked(step.enrolment)
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
    step.note = f"Skipped by {_user(actor).get_full_name()}."
    step.save(update_fields=["status", "finished_at", "note", "updated_at"])
    _advance(enrolment, now=now)
    return step


@transaction.atomic
def enrolment_step_unlock(*, step: EnrolmentStep, actor, now=None) -> EnrolmentStep:
    """Release a step now, whatever it was waiting for."""
    now = now or timezone.now()
    enrolment, step = _pending_step(step)
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise ValidationError({"status": "Resume the enrolment before unlocking a step."})
    step.status = StepStatus.SCHEDULED
    step.anchor_at = now
    step.release_at = now
    step.note = f"Unlocked early by {_user(actor).get_full_name()}."
    step.save(update_fields=["status", "anchor_at", "release_at", "note", "updated_at"])
    _enqueue_release(step, now=now)
    return step


@transaction.atomic
def enrolment_step_update(
    *, step: EnrolmentStep, actor, activity=None, curated_activity=None, now=None, **fields
) -> EnrolmentStep:
    """Change this client's copy of a step: its rule, delay, time, or activity (a swap).
    The pathway template is not touched."""
    now = now or timezone.now()
    enrolment, step = _pending_step(step)
    allowed = {"delivery", "delay_days", "time_of_day", "days_to_complete"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Cannot set {', '.join(sorted(unknown))} on an enrolment step.")
    if activity is not None or curated_activity is not None:
        _check_activity(enrolment.pathway, activity, curated_activity)
        step.activity = activity
        step.curated_activity = curated_activity
    # A partial change keeps the rule and delay it does not mention.
    values = _step_values({"delivery": step.delivery, "delay_days": step.delay_days, **fields})
    for key, value in values.items():
        setattr(step, key, value)
    steps = enrolment_steps(enrolment)
    steps = [step if other.pk == step.pk else other for other in steps]
    _check(steps)
    # Plan it again from its rule (a held step gets another try).
    step.status = StepStatus.WAITING
    step.release_at = None
    step.anchor_at = None
    step.note = ""
    step.save()
    _advance(enrolment, now=now)
    return step


# --- The release engine ------------------------------------------------------------------------


@transaction.atomic
def due_steps_claim(*, now=None, batch_size: int = SWEEP_BATCH) -> list[tuple[str, str]]:
    """One batch of the sweeper: lock due rows nobody else holds, mark them queued, and queue
    a release task for each after commit. Returns (step id, practice id) pairs."""
    from pathways.tasks import release_pathway_step

    now = now or timezone.now()
    # The sweeper works across practices on purpose: it only picks ids to hand to tenant
    # tasks, each of which runs inside its own practice's scope.
    with scopes_disabled():
        rows = list(
            EnrolmentStep.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                status=StepStatus.SCHEDULED,
                release_at__lte=now,
                enrolment__status=EnrolmentStatus.ACTIVE,
            )
            .exclude(enqueued_at__gt=now - REQUEUE_AFTER)
            .order_by("release_at")
            .values_list("pk", "practice_id")[:batch_size]
        )
        EnrolmentStep.objects.filter(pk__in=[pk for pk, _ in rows]).update(enqueued_at=now)
    claimed = [(str(pk), str(practice_id)) for pk, practice_id in rows]
    for step_id, practice_id in claimed:
        release_pathway_step.delay_on_commit(step_id=step_id, practice_id=practice_id)
    return claimed


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
    enrolment = _locked(step.enrolment)
    if enrolment.status != EnrolmentStatus.ACTIVE:
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
    EnrolmentStep.objects.filter(pk=step.pk).update(assignment=assignment)
    return True


@transaction.atomic
def enrolment_step_complete(*, assignment, completed_at=None, score=None) -> EnrolmentStep | None:
    """The client submitted the assignment a step released: the step is done, its score (for
    a measure) recorded, and the steps that waited for it are scheduled. Idempotent: a second
    submission for the same assignment changes nothing. None when not from a pathway."""
    completed_at = completed_at or timezone.now()
    step = EnrolmentStep.objects.filter(assignment=assignment).first()
    if step is None:
        return None
    enrolment = _locked(step.enrolment)
    done = EnrolmentStep.objects.filter(pk=step.pk, status=StepStatus.RELEASED).update(
        status=StepStatus.COMPLETED, finished_at=completed_at, score=score, updated_at=completed_at
    )
    if done:
        _advance(enrolment, now=completed_at)
    step.refresh_from_db()
    return step
