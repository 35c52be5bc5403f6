"""Why not: the client's reason for an occurrence they missed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assignments.models import Occurrence, State
from conversations.models import MissedReason, MissedReasonKind

MAX_TEXT = 500


@transaction.atomic
def missed_reason_give(
    *, occurrence: Occurrence, client, reason: str, text: str = ""
) -> MissedReason:
    """Record why the client did not do ``occurrence``. Only for a missed one (not one still
    to do, sent, or cancelled), once: a second answer is refused."""
    if occurrence.client_id != client.pk:
        raise ValidationError({"occurrence": "This is not your homework."})
    if occurrence.state(timezone.now()) != State.MISSED:
        raise ValidationError("Only homework that was missed can be given a reason.")
    if reason not in MissedReasonKind.values:
        raise ValidationError({"reason": "Choose one of the reasons."})
    text = (text or "").strip()
    if reason == MissedReasonKind.OTHER and not text:
        raise ValidationError({"text": "Say in a few words what got in the way."})
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": f"Use at most {MAX_TEXT} characters."})
    if MissedReason.objects.filter(occurrence=occurrence).exists():
        raise ValidationError("You already told us why; thank you.")
    try:
        with transaction.atomic():
            return MissedReason.objects.create(
                practice_id=occurrence.practice_id,
                occurrence=occurrence,
                assignment_id=occurrence.assignment_id,
                client_id=client.pk,
                reason=reason,
                text=text,
            )
    except IntegrityError:
        raise ValidationError("You already told us why; thank you.") from None
