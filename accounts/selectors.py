"""Reads for practices, members and the audit log. Each returns only what the caller may see."""

from django.http import Http404
from django.utils import timezone

from accounts.models import AuditEvent, Invitation, Membership, Role


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
