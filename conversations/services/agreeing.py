"""The client's side of the plan: confirm it or propose a change, with their confidence."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from assignments.models import Assignment
from conversations.models import AgreementStatus, PlanAgreement

MAX_CHANGE = 1000


@transaction.atomic
def plan_agreement_give(
    *, assignment: Assignment, client, confirmed: bool, confidence, proposed_change: str = ""
) -> PlanAgreement:
    """The client confirms the plan (or proposes a change: time, place, size, in their own
    words) and rates their confidence 0–10. Answering again replaces the earlier answer:
    after the therapist changed the plan, the client is asked again."""
    if assignment.client_id != client.pk:
        raise ValidationError({"assignment": "This is not your homework."})
    if assignment.is_cancelled:
        raise ValidationError("This homework was stopped; there is no plan to agree to.")
    errors = {}
    if confidence is None or not isinstance(confidence, int) or not 0 <= confidence <= 10:
        errors["confidence"] = "Choose how sure you are, from 0 to 10."
    proposed_change = (proposed_change or "").strip()
    if not confirmed and not proposed_change:
        errors["proposed_change"] = "Say what you would change: the time, the place or the size."
    if len(proposed_change) > MAX_CHANGE:
        errors["proposed_change"] = f"Use at most {MAX_CHANGE} characters."
    if errors:
        raise ValidationError(errors)
    values = {
        "status": AgreementStatus.CONFIRMED if confirmed else AgreementStatus.CHANGE_PROPOSED,
        "proposed_change": "" if confirmed else proposed_change,
        "confidence": confidence,
    }
    try:
        with transaction.atomic():
            agreement, _ = PlanAgreement.objects.update_or_create(
                assignment=assignment,
                defaults=values,
                create_defaults={
                    **values,
                    "practice_id": assignment.practice_id,
                    "client_id": client.pk,
                },
            )
    except IntegrityError:
        # The same answer sent twice at once: the twin's row exists now; this one updates it.
        agreement = PlanAgreement.objects.select_for_update().get(assignment=assignment)
        for name, value in values.items():
            setattr(agreement, name, value)
        agreement.save()
    return agreement
