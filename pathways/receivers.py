"""When a client sends an entry of an assignment a pathway step released, the step is done
if its completion rule counts that entry (``pathways.completion``: the first entry by
default, or the Nth): the steps waiting for it (or for its score, or its flag) get their
release time. When a flag is raised on a client's answer, the client's running enrolments are
held.

The assignments app sends no submission signal, so this listens for the first revision of
each entry being saved. It runs inside ``response_submit``'s transaction, so the step is
marked done together with the submission, or not at all.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from assignments.models import Flag, Response
from assignments.risk import raised_risk_flag
from pathways.assigning import ORIGIN
from pathways.services.enrolments import enrolment_hold_for_flag
from pathways.services.release import enrolment_step_entry


@receiver(post_save, sender="assignments.ResponseRevision", dispatch_uid="pathways_step_done")
def step_done_on_entry(sender, instance, created, raw=False, **kwargs):
    if raw or not created or instance.number != 1:
        return
    response = instance.response
    if response.assignment.origin != ORIGIN:
        return
    # Entries across the assignment's occurrences (a pathway's is one occurrence), this one
    # included: it is saved before its first revision.
    entries = Response.objects.filter(assignment_id=response.assignment_id).count()
    enrolment_step_entry(
        assignment=response.assignment,
        entries=entries,
        completed_at=response.submitted_at,
        score=instance.score_total,
        flagged=_raised_flag(instance),
    )


def _raised_flag(revision) -> bool:
    """Whether the entry raised a risk flag. Its flags are written after this revision
    (``response_submit`` raises them last), so read what they will be: a flag its drafts
    already raised on the occurrence (they become the entry's), or an answer that meets a
    risk rule (``assignments.risk.raised_risk_flag``, the rule that raises the flag)."""
    occurrence_id = revision.response.occurrence_id
    return raised_risk_flag(revision) or Flag.objects.filter(occurrence_id=occurrence_id).exists()


@receiver(post_save, sender="assignments.Flag", dispatch_uid="pathways_hold_on_flag")
def hold_on_flag(sender, instance, created, raw=False, **kwargs):
    """A flag holds the client's enrolments in the transaction that raises it (see
    ``enrolment_hold_for_flag``)."""
    if raw or not created:
        return
    enrolment_hold_for_flag(flag=instance)
