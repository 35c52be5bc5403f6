"""Celery tasks of the release engine. Thin: the work is in pathways.services.release."""

from celery import shared_task
from django.utils import timezone

from core.tasks import TenantTask
from pathways.services.release import (
    SWEEP_BATCH,
    due_steps_claim,
    enrolment_step_period_end,
    enrolment_step_release,
    period_ends_claim,
)

# A sweep stops after this many batches; the next minute's sweep carries on.
MAX_BATCHES_PER_SWEEP = 50


@shared_task(name="pathways.sweep_due_steps", acks_late=True, reject_on_worker_lost=True)
def sweep_due_steps() -> int:
    """Every minute (CELERY_BEAT_SCHEDULE): queue a release for every due step, and the
    completion of every released step whose period has ended."""
    queued = 0
    for claim in (due_steps_claim, period_ends_claim):
        for _ in range(MAX_BATCHES_PER_SWEEP):
            claimed = claim(now=timezone.now())
            queued += len(claimed)
            if len(claimed) < SWEEP_BATCH:
                break
    return queued


@shared_task(
    name="pathways.release_step",
    base=TenantTask,
    acks_late=True,
    reject_on_worker_lost=True,
)
def release_pathway_step(*, step_id: str, practice_id: str) -> bool:
    return enrolment_step_release(step_id=step_id)


@shared_task(
    name="pathways.complete_step",
    base=TenantTask,
    acks_late=True,
    reject_on_worker_lost=True,
)
def complete_pathway_step(*, step_id: str, practice_id: str) -> bool:
    return enrolment_step_period_end(step_id=step_id) is not None
