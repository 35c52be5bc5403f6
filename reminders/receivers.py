"""How reminders hear about homework, without the homework apps calling in.

- Every state change of an assignment is appended to ``assignments.AdherenceEvent`` inside
  the transaction that made it. Reminders listen to that log (``post_save``, created rows
  only) and plan, re-plan or cancel in the same transaction, so a rolled-back assignment
  leaves no reminder behind:
  ``assigned`` → plan (announce "new homework", or "pathway step released" for an assignment
  a pathway step created); ``edited`` → re-plan; ``cancelled`` → cancel what is pending;
  ``submitted`` → the occurrence's pending reminders lapse, completion alert if wanted.
- ``assignments.signals.flag_raised`` (sent after commit) → a tenant task alerts the
  therapists at once.
- A client's time zone or status changing (``Client`` saved) → re-plan that client.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from assignments.signals import flag_raised


@receiver(post_save, sender="assignments.AdherenceEvent", dispatch_uid="reminders.adherence")
def on_adherence_event(sender, instance, created, raw=False, **kwargs):
    from assignments.models import Assignment, EventKind, Occurrence
    from reminders.services import schedule

    if not created or raw:
        return
    kind = instance.kind
    if kind in (EventKind.ASSIGNED, EventKind.EDITED):
        assignment = Assignment.objects.select_related("client__practice", "activity_version").get(
            pk=instance.assignment_id
        )
        schedule.reminders_plan_assignment(
            assignment=assignment, announce=kind == EventKind.ASSIGNED
        )
    elif kind == EventKind.CANCELLED:
        occurrence_ids = Occurrence.objects.filter(
            assignment_id=instance.assignment_id
        ).values_list("pk", flat=True)
        schedule.reminders_cancel_about(
            object_ids=[instance.assignment_id, *occurrence_ids],
            reason="The homework was cancelled.",
        )
    elif kind == EventKind.SUBMITTED and instance.occurrence_id:
        occurrence = Occurrence.objects.select_related("client__practice").get(
            pk=instance.occurrence_id
        )
        schedule.reminders_note_submission(occurrence=occurrence)


@receiver(flag_raised, dispatch_uid="reminders.flag_raised")
def on_flag_raised(sender, flag_id, practice_id, **kwargs):
    from reminders.tasks import alert_flag

    alert_flag.delay_on_commit(flag_id=str(flag_id), practice_id=str(practice_id))


@receiver(post_save, sender="clients.Client", dispatch_uid="reminders.client_saved")
def on_client_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    from reminders.services.schedule import reminders_replan_client

    if created or raw:
        return
    if update_fields is not None and not {"timezone", "status"} & set(update_fields):
        return
    reminders_replan_client(client=instance)
