"""Who a signed-in request is: the resolver ``core.tenancy`` calls for every request."""

from django_scopes import scopes_disabled

from accounts.mfa import mfa_setup_required
from accounts.models import ApiToken
from accounts.selectors import memberships_for_user
from clients.selectors import client_for_portal_user
from core.tenancy import PORTAL_SESSION_KEY


def resolve_signed_in_tenant(request, user) -> None:
    """Attach ``practice``, ``membership`` and ``client`` for the signed-in user, and
    ``mfa_setup_required``.

    How a person signed in decides what they are: an API token acts as the member it was made
    for, in that practice only; an emailed client link puts the client record in the session
    (portal mode, nothing else); a staff sign-in uses memberships. A staff user may belong to
    several practices; the one in use is kept in the session.

    A member whose practice requires two-factor authentication they have not set up gets no
    practice at all, whichever way they came in: nothing can be read in an empty scope, and
    the HTML middleware and the API base tell them why.
    """
    request.mfa_setup_required = False
    token = getattr(request, "auth", None)  # set by DRF's authentication, never on HTML
    if isinstance(token, ApiToken):
        _use_membership(request, token.membership)
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
                user.is_portal_client = True  # the audit trail names clients by id only
            return
        memberships = memberships_for_user(user)
    if not memberships:
        return
    chosen = session.get("practice_id")
    membership = next((m for m in memberships if str(m.practice_id) == chosen), memberships[0])
    _use_membership(request, membership)


def _use_membership(request, membership) -> None:
    if mfa_setup_required(membership):
        request.mfa_setup_required = True
        return
    request.membership = membership
    request.practice = membership.practice
