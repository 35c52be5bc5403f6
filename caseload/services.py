"""Discharge: the one write that closes a client's care across apps (flags, homework,
pathway enrolments, a final measure, the client record), so it lives above them all."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Membership
from assignments.models import Assignment, AssignmentStatus, FlagAction
from assignments.schedule import ONCE, first_due_day
from assignments.services.assigning import assignment_cancel, assignment_create
from assignments.services.flags import flag_respond
from clients import services as clients_services
from clients.models import Client, ClientStatus, Discharge
from clients.selectors import client_open_flags
from library.models import CuratedActivity
from library.services import activity_version_for_assignment
from pathways.models import RUNNING_STATUSES, Enrolment
from pathways.services.enrolments import enrolment_cancel

# The closing measures a discharge can assign (global library slugs), as therapists read them.
FINAL_MEASURES = {"phq-9": "PHQ-9", "gad-7": "GAD-7"}


DECISION_NEEDED = "Record your decision on this flagged answer before discharging."


def flag_field(flag) -> str:
    """The name a flag's decision goes by, in ``client_discharge``'s errors and in the form."""
    return f"flag_{flag.pk}"


def _assign_final_measure(client: Client, actor: Membership, slug: str):
    curated = CuratedActivity.objects.filter(slug=slug).first()
    if curated is None:
        raise ValidationError({"final_measure": "This measure is not in the library."})
    version = activity_version_for_assignment(
        practice=client.practice, actor=actor, curated_activity=curated
    )
    return assignment_create(
        client=client,
        actor=actor,
        activity_version=version,
        schedule_kind=ONCE,
        # Today once its due time has passed is no longer offered (late at night: tomorrow).
        starts_on=first_due_day(client.tz),
    )


@transaction.atomic
def client_discharge(
    *,
    client: Client,
    actor: Membership,
    flag_decisions: dict,
    close_assignments: bool = True,
    close_enrolments: bool = True,
    final_measure: str = "",
    note: str = "",
):
    """Discharge ``client`` with a summary (``Discharge``). Every open flag needs a decision
    (``flag_decisions``: ``flag_field(flag)`` → text), recorded as the flag's response;
    optionally the active assignments and running pathway enrolments are closed, and a final
    PHQ-9 or GAD-7 is assigned. All or nothing: any refusal leaves everything as it was.
    Errors name the field (``flag_<id>``, ``final_measure``, ``status``)."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.is_discharged:
        raise ValidationError({"status": f"{client.display_name} is already discharged."})
    if final_measure and final_measure not in FINAL_MEASURES:
        raise ValidationError({"final_measure": "Choose PHQ-9, GAD-7 or none."})
    flags = client_open_flags(client)
    decisions = {
        flag_field(flag): (flag_decisions.get(flag_field(flag)) or "").strip() for flag in flags
    }
    missing = {field: DECISION_NEEDED for field, text in decisions.items() if not text}
    if missing:
        raise ValidationError(missing)
    recorded = []
    for flag in flags:
        # The decision goes into the flag's own history, as any response to a flag does.
        flag_respond(
            flag=flag,
            actor=actor,
            actions=[FlagAction.OTHER],
            note=f"Discharge decision: {decisions[flag_field(flag)][:2000]}",
        )
        recorded.append(
            {
                "flag": str(flag.pk),
                "raised_at": flag.created_at.isoformat(),
                "message": flag.message,
                "decision": decisions[flag_field(flag)][:2000],
            }
        )
    closed_assignments = closed_enrolments = 0
    if close_assignments:
        for assignment in Assignment.objects.filter(client=client, status=AssignmentStatus.ACTIVE):
            assignment_cancel(assignment=assignment, actor=actor, reason="Client discharged.")
            closed_assignments += 1
    if close_enrolments:
        for enrolment in Enrolment.objects.filter(client=client, status__in=RUNNING_STATUSES):
            enrolment_cancel(enrolment=enrolment, actor=actor)
            closed_enrolments += 1
    # Assigned while the client is still active (a discharged client cannot be given homework).
    measure = _assign_final_measure(client, actor, final_measure) if final_measure else None
    clients_services.client_set_status(client=client, actor=actor, status=ClientStatus.DISCHARGED)
    return Discharge.objects.create(
        practice=client.practice,
        client=client,
        discharged_by=getattr(actor, "user", actor),
        closed_assignments=closed_assignments,
        closed_enrolments=closed_enrolments,
        final_measure=measure,
        flag_decisions=recorded,
        note=note.strip()[:2000],
    )
