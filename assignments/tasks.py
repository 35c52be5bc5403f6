"""Celery tasks of assignments. Thin: the work is in assignments.services."""

from celery import shared_task

from assignments.services import missed


@shared_task(name="assignments.mark_missed", acks_late=True, reject_on_worker_lost=True)
def mark_missed() -> int:
    """Every ten minutes (CELERY_BEAT_SCHEDULE): record occurrences that are now missed.

    Pages never wait for this (they compute "missed" from due_at); it writes the state change
    into the adherence log, once per occurrence, across practices.
    """
    return missed.occurrences_mark_missed()
