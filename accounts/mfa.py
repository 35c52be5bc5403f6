"""The one rule about two-factor authentication that the practice enforces."""

from allauth.mfa.models import Authenticator

from accounts.models import Membership


def mfa_setup_required(membership: Membership) -> bool:
    """Whether this member must set up an authenticator app before acting in the practice.

    Called by the tenant resolver for every signed-in request, whatever way the person signed
    in (session, API token, ...); the resolver then gives the request no practice at all, and
    the HTML middleware and the API base only decide how to say so.
    """
    if not membership.practice.require_mfa:
        return False
    return not Authenticator.objects.filter(
        user_id=membership.user_id, type=Authenticator.Type.TOTP
    ).exists()
