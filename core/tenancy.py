"""Where the practice scope is entered.

There are exactly three places: ``TenantMiddleware`` for HTML requests, ``TenantAPIMixin``
(core.api) for DRF after authentication, and ``TenantTask`` (core.tasks)
for Celery tasks. Everything else runs inside one of them.

``practice_scope(None)`` scopes to *no* practice (``practice__in=[]``): django-scopes treats a
``None`` value as "no filter", which would fail open, so we never pass ``None`` through.
"""

from contextlib import contextmanager

from django.core.exceptions import ImproperlyConfigured
from django_scopes import scope


@contextmanager
def practice_scope(practice):
    """Run the body with tenant queries limited to ``practice`` (a Practice, its id, or None)."""
    value = [] if practice is None else getattr(practice, "pk", practice)
    with scope(practice=value):
        yield


PORTAL_SESSION_KEY = "portal_client_id"


def set_tenant_resolver(resolver) -> None:
    """Name the function that decides, for a signed-in request, its practice, membership and
    client record. The clients app registers it when Django starts (``ClientsConfig.ready``):
    it knows memberships and client records, which this base layer does not import."""
    global _resolver
    _resolver = resolver


_resolver = None


def resolve_request_tenant(request) -> None:
    """Attach ``practice``, ``membership`` and ``client`` (each None until decided)."""
    request.practice = None
    request.membership = None
    request.client = None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    if _resolver is None:  # fail closed: no resolver, no tenant
        raise ImproperlyConfigured("No tenant resolver is registered (clients app missing?)")
    _resolver(request, user)


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
