"""Where the practice scope is entered.

There are exactly three places: ``TenantMiddleware`` for HTML requests, ``TenantAPIMixin``
(core.api) for DRF after authentication, and ``TenantTask`` (core.tasks)
for Celery tasks. Everything else runs inside one of them.

``practice_scope(None)`` scopes to *no* practice (``practice__in=[]``): django-scopes treats a
``None`` value as "no filter", which would fail open, so we never pass ``None`` through.
"""

from contextlib import contextmanager

from django_scopes import scope, scopes_disabled


@contextmanager
def practice_scope(practice):
    """Run the body with tenant queries limited to ``practice`` (a Practice, its id, or None)."""
    value = [] if practice is None else getattr(practice, "pk", practice)
    with scope(practice=value):
        yield


PORTAL_SESSION_KEY = "portal_client_id"


def resolve_request_tenant(request):
    """Attach ``practice``, ``membership`` and ``client`` for the signed-in user.

    How a person signed in decides what they are: an emailed client link puts the client
    record in the session (portal mode, nothing else); a staff sign-in uses memberships. A
    staff user may belong to several practices; the one in use is kept in the session.
    """
    from accounts.selectors import memberships_for_user
    from clients.selectors import client_for_portal_user

    request.practice = None
    request.membership = None
    request.client = None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    session = getattr(request, "session", {})
    # The memberships and client record are what *decide* the scope, so they are read
    # before one exists; both lookups are filtered by the signed-in user.
    with scopes_disabled():
        client_id = session.get(PORTAL_SESSION_KEY)
        if client_id:
            client = client_for_portal_user(user, client_id)
            if client is not None:
                request.client = client
                request.practice = client.practice
            return
        memberships = memberships_for_user(user)
    if not memberships:
        return
    chosen = session.get("practice_id")
    membership = next((m for m in memberships if str(m.practice_id) == chosen), memberships[0])
    request.membership = membership
    request.practice = membership.practice


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        resolve_request_tenant(request)
        with practice_scope(request.practice):
            return self.get_response(request)


def tenant_context(request):
    return {
        "practice": getattr(request, "practice", None),
        "membership": getattr(request, "membership", None),
        "portal_client": getattr(request, "client", None),
    }
