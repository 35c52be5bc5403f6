"""Responding to a flag: the clinician records what was done about it.

A response names one or more actions (``FlagAction``) and a note (required with "other", so
the record always says what "other" was). It is appended to the flag's history, the first
response closes the flag, and an audit row records who wrote it. A response to a flag that is
already closed (say, a colleague answered it first) is kept as a follow-up: what a clinician
did about a risk is never turned away.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from assignments.models import Flag, FlagAction, FlagEvent

MAX_NOTE_LENGTH = 4000


def _clean_actions(actions) -> list[str]:
    known = set(FlagAction.values)
    chosen = [str(action) for action in actions or ()]
    if not chosen:
        raise ValidationError({"actions": "Choose what you did (one or more)."})
    unknown = [action for action in chosen if action not in known]
    if unknown:
        raise ValidationError({"actions": f"Not an action: {', '.join(unknown)}."})
    # In the order of the choices, each once, whatever order the form sent them in.
    return [action for action in FlagAction.values if action in chosen]


@transaction.atomic
def flag_respond(*, flag: Flag, actor, actions, note: str = "") -> FlagEvent:
    """Record what ``actor`` (a staff membership) did about ``flag``; closes it if open."""
    actions = _clean_actions(actions)
    note = (note or "").strip()
    if FlagAction.OTHER in actions and not note:
        raise ValidationError({"note": "Say what you did: a note is needed with “Other”."})
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationError({"note": f"Use at most {MAX_NOTE_LENGTH} characters."})
    # Locked, so that two clinicians answering at once both land in the history and the flag
    # is closed once, by the first.
    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    user = actor.user
    now = timezone.now()
    event = FlagEvent.objects.create(
        practice_id=flag.practice_id,
        flag=flag,
        client_id=flag.client_id,
        actor=user,
        actor_name=user.get_full_name(),
        actions=actions,
        note=note,
        at=now,
    )
    if flag.acknowledged_at is None:
        flag.acknowledged_at, flag.acknowledged_by = now, user
        flag.save(update_fields=["acknowledged_at", "acknowledged_by", "updated_at"])
    audit_record(
        actor=user, practice=flag.practice_id, action="flag_respond", obj=flag, client=flag.client
    )
    return event
