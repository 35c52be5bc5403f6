"""The one helper that writes the audit trail."""

from accounts.models import AuditEvent


def audit_record(*, actor, practice, action: str, obj, client=None) -> AuditEvent:
    """Append one row: who did ``action`` to ``obj`` (and which client's data it was), when.

    ``obj`` is any model instance with a primary key; ``client`` defaults to ``obj`` when the
    object is itself a client record.
    """
    if client is None and obj._meta.label == "clients.Client":
        client = obj
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        practice_id=getattr(practice, "pk", practice),
        actor=actor if is_person else None,
        actor_email=actor.email if is_person else "",
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        client_id=client.pk if client is not None else None,
    )
