"""The audit trail: the one helper that writes a row, and the read audit of every page and API
view that shows client data.

Views declare what they show instead of remembering to write: an API view sets ``audit_as``
(``TenantAPIMixin`` refuses to serve one that declares nothing), a page is decorated with
``@audit_read(...)``. After a successful GET the hook (``TenantAPIMixin`` for the API,
``core.middleware.ReadAuditMiddleware`` for pages) writes one row naming what was shown,
unless the view wrote its own, richer row with ``audit_record`` while serving the request.
``tests/platform/test_read_audit.py`` opens every route and fails for any that shows client
data without leaving a row.
"""

import uuid
from contextlib import contextmanager
from contextvars import ContextVar

from accounts.models import AuditEvent
from core.tenancy import practice_scope

# Whether the request being served has written a row. A ContextVar rather than a request
# attribute because ``audit_record`` is called from services and views that are handed an
# actor and a practice, not the request.
_request_written: ContextVar[list[bool] | None] = ContextVar("audit_request_written", default=None)


def audit_record(
    *, actor, practice, action: str, obj, client=None, object_id: str | None = None
) -> AuditEvent:
    """Append one row: who did ``action`` to ``obj`` (and which client's data it was), when.

    ``obj`` is any model instance with a primary key; ``client`` (a client record or its id)
    defaults to ``obj`` when the object is itself a client record. ``object_id`` names the
    object by something other than its key (a consent document by its text's fingerprint).
    """
    if client is None and obj._meta.label == "clients.Client":
        client = obj
    return _write(
        actor=actor,
        practice=practice,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk) if object_id is None else object_id,
        client_id=getattr(client, "pk", client),
    )


def _write(*, actor, practice, action, object_type, object_id, client_id) -> AuditEvent:
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    # A client acting in their portal is named by the row's client id, never by email: the
    # trail is append-only, so an address written here could not be erased with the client.
    # (The tenant resolver marks a portal sign-in's user ``is_portal_client``.)
    named = is_person and not getattr(actor, "is_portal_client", False)
    event = AuditEvent.objects.create(
        practice_id=getattr(practice, "pk", practice),
        actor=actor if is_person else None,
        actor_email=actor.email if named else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        client_id=client_id,
    )
    written = _request_written.get()
    if written is not None:
        written[0] = True
    return event


def audit_read(object_type: str):
    """Declare that a page shows client data of ``object_type`` (a model name): after a
    successful GET, ``ReadAuditMiddleware`` writes the row. Works above or below the access
    decorators (``functools.wraps`` carries the attribute)."""

    def declare(view):
        view.audit_as = object_type
        return view

    return declare


@contextmanager
def request_audit():
    """Serve one request: rows written inside count as its audit (the hooks' ``read_audited``
    then writes none)."""
    token = _request_written.set([False])
    try:
        yield
    finally:
        _request_written.reset(token)


def read_audited(request, *, object_type: str, kwargs: dict, detail: str, listing: str) -> None:
    """The row for a successful GET of a view declared as showing ``object_type``.

    A detail read (the URL names an object: ``<object_type>_id`` or ``pk``) is ``detail`` on
    that object; anything else is ``listing`` with an empty object id. The client is the one
    the URL names (``client_id``) or the list is filtered to (``?client=``). Nothing is read:
    everything comes from the request, so this costs one INSERT.
    """
    written = _request_written.get()
    practice = getattr(request, "practice", None)
    if (written is not None and written[0]) or practice is None:
        return
    object_id = kwargs.get(f"{object_type}_id") or kwargs.get("pk")
    client_id = kwargs.get("client_id") or _uuid(request.GET.get("client"))
    if object_type == "client" and object_id is not None:
        client_id = object_id
    with practice_scope(practice):
        _write(
            actor=request.user,
            practice=practice,
            action=listing if object_id is None else detail,
            object_type=object_type,
            object_id="" if object_id is None else str(object_id),
            client_id=client_id,
        )


def _uuid(value):
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None
