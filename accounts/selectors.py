"""Reads for practices, members and the audit log. Each returns only what the caller may see."""

import hmac

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import ApiToken, AuditEvent, Invitation, Membership, Role


def memberships_for_user(user) -> list[Membership]:
    """A user's memberships across practices. Runs before any scope exists (see tenancy)."""
    return list(
        Membership.objects.filter(user=user).select_related("practice").order_by("created_at")
    )


def practice_members(*, practice):
    return (
        Membership.objects.filter(practice=practice)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def therapists_for_practice(*, practice):
    """Everyone who can carry a caseload (owners and admins are clinicians too)."""
    return [m.user for m in practice_members(practice=practice)]


def membership_get(*, practice, membership_id) -> Membership:
    try:
        return Membership.objects.select_related("user").get(practice=practice, pk=membership_id)
    except (Membership.DoesNotExist, ValueError):
        raise Http404 from None


def open_invitations(*, practice):
    return Invitation.objects.filter(
        practice=practice, accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    )


def invitation_get(*, practice, invitation_id) -> Invitation:
    try:
        return Invitation.objects.get(practice=practice, pk=invitation_id)
    except (Invitation.DoesNotExist, ValueError):
        raise Http404 from None


def owners_count(*, practice) -> int:
    return Membership.objects.filter(practice=practice, role=Role.OWNER).count()


def audit_events(*, practice, client_id=None, actor_email=None):
    events = AuditEvent.objects.filter(practice=practice)
    if client_id:
        events = events.filter(client_id=client_id)
    if actor_email:
        events = events.filter(actor_email__iexact=actor_email)
    return events


# --- API tokens ------------------------------------------------------------------------------


def api_token_for_secret(raw: str) -> ApiToken | None:
    """The usable token whose full secret is ``raw``; None when it is malformed, unknown,
    wrong, revoked, expired, or its person is deactivated. A removed member's tokens are gone
    with the membership.

    Runs before any scope exists (the token is what decides the practice), so it reads with
    scopes disabled and returns only the one row whose hash matches.
    """
    prefix = ApiToken.prefix_of(raw)
    if prefix is None:
        return None
    with scopes_disabled():
        token = (
            ApiToken.objects.select_related("membership__user", "membership__practice")
            .filter(prefix=prefix)
            .first()
        )
    if token is None or not hmac.compare_digest(token.secret_hash, ApiToken.hash_of(raw)):
        return None
    if token.revoked_at is not None or token.is_expired or not token.membership.user.is_active:
        return None
    return token


def api_tokens_of_member(*, membership: Membership):
    """A member's own tokens that are not revoked (expired ones too: they say why a script
    stopped working)."""
    return ApiToken.objects.filter(
        practice=membership.practice, membership=membership, revoked_at=None
    )


def api_tokens_of_practice(*, actor: Membership):
    """Every unrevoked token of the practice, with its person: owners only."""
    if actor.role != Role.OWNER:
        raise PermissionDenied("Only owners of the practice can see everyone's API tokens.")
    return ApiToken.objects.filter(practice=actor.practice, revoked_at=None).select_related(
        "membership__user"
    )


def api_token_get(*, actor: Membership, token_id) -> ApiToken:
    """One token the actor may revoke: their own, or (owners) any of the practice."""
    tokens = ApiToken.objects.filter(practice=actor.practice).select_related("membership__user")
    if actor.role != Role.OWNER:
        tokens = tokens.filter(membership=actor)
    try:
        return tokens.get(pk=token_id)
    except (ApiToken.DoesNotExist, ValueError):
        raise Http404 from None
