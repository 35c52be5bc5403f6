"""Celery tasks for reminders. Thin: they take ids and call a service.

``sweep`` and ``plan_digests`` run from beat across every practice; the others are tenant
tasks (``practice_id=``) that run inside that practice's scope.
"""

from celery import shared_task

from core.tasks import TenantTask


@shared_task(name="reminders.sweep")
def sweep() -> int:
    """Every minute (CELERY_BEAT_SCHEDULE): enqueue what is due, recover lost claims."""
    from reminders.services.engine import reminders_sweep

    return reminders_sweep()


@shared_task(name="reminders.deliver", base=TenantTask, acks_late=True, reject_on_worker_lost=True)
def deliver_reminders(*, reminder_ids: list[str], practice_id: str) -> dict:
    from reminders.services.engine import reminders_deliver

    return dict(reminders_deliver(reminder_ids=reminder_ids))


@shared_task(name="reminders.plan_digests")
def plan_digests() -> int:
    """Hourly: every therapist who wants one has their next daily digest planned."""
    from reminders.services.schedule import reminders_plan_digests

    return reminders_plan_digests()


@shared_task(name="reminders.alert_flag", base=TenantTask)
def alert_flag(*, flag_id: str, practice_id: str) -> int:
    from assignments.models import Flag
    from reminders.services.schedule import reminders_alert_flag

    flag = Flag.objects.select_related("client__practice").filter(pk=flag_id).first()
    return 0 if flag is None else reminders_alert_flag(flag=flag)


@shared_task(name="reminders.replan_practice", base=TenantTask)
def replan_practice(*, practice_id: str) -> int:
    from reminders.services.schedule import reminders_replan_practice

    return reminders_replan_practice(practice_id=practice_id)
