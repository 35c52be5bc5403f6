"""The thin adapter between a released pathway step and the library and assignments apps.

``library.services.activity_version_for_assignment`` takes a staff ``actor`` and reads its
``.user`` (who adopted a global item); a release has no signed-in person, so the adoption is
credited to the therapist who enrolled the client. ``assigning.assignment_create``
takes ``actor=None`` when the system acts, which is the case here.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from assignments.schedule import ONCE
from assignments.services.assigning import assignment_create
from library.services import activity_version_for_assignment
from pathways import completion

ORIGIN = "pathway_step"


@dataclass(frozen=True)
class ReleaseActor:
    """What the library needs of an actor when a step is released by the engine."""

    user: User | None


def assign_step(*, step, enrolment, now):
    """Create the assignment for ``step``: the activity's current published version, due
    ``days_to_complete`` days after the release day (client's calendar), visible as the
    pathway says, linked back to the step through ``origin``/``origin_id``."""
    version = activity_version_for_assignment(
        practice=enrolment.practice,
        actor=ReleaseActor(user=enrolment.enrolled_by),
        curated_activity=step.curated_activity if step.activity_id is None else None,
        activity=step.activity,
    )
    client = enrolment.client
    # Due when the step's period ends (``pathways.completion.period_end``: the same day at
    # the default due time), asking for the entries its completion rule counts.
    due_on = timezone.localdate(now, client.tz) + timedelta(days=step.days_to_complete)
    return assignment_create(
        client=client,
        actor=None,
        activity_version=version,
        visibility=enrolment.pathway.response_visibility,
        schedule_kind=ONCE,
        starts_on=due_on,
        origin=ORIGIN,
        origin_id=step.pk,
        entries_target=completion.entries_target(step) if version.allows_multiple_entries else 1,
    )
