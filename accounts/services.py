"""Every write about practices, members and invitations. Keyword-only, atomic."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.audit import audit_record
from accounts.models import ApiToken, Invitation, Membership, Practice, Role, User
from accounts.selectors import owners_count
from core.emails import send_templated_email
from core.tenancy import practice_scope
from core.tokens import hash_secret, new_token


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "practice"
    slug, n = base, 1
    while Practice.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def practice_create(*, owner: User, name: str) -> Practice:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give your practice a name."})
    practice = Practice.objects.create(name=name, slug=_unique_slug(name))
    with practice_scope(practice):
        Membership.objects.create(practice=practice, user=owner, role=Role.OWNER)
    return practice


@transaction.atomic
def practice_update(*, practice: Practice, actor: Membership, **fields) -> Practice:
    _require_manager(actor)
    allowed = {
        "name",
        "require_mfa",
        "show_scores_to_clients",
        "crisis_country",
        "crisis_resources",
        "default_timezone",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Cannot update {', '.join(sorted(unknown))}.")
    for key, value in fields.items():
        setattr(practice, key, value)
    practice.full_clean()
    practice.save()
    return practice


def _require_manager(actor: Membership) -> None:
    if not actor.is_manager:
        raise PermissionError("Only owners and admins can do that.")


@transaction.atomic
def invitation_create(
    *, practice: Practice, actor: Membership, email: str, role: str = Role.THERAPIST
) -> Invitation:
    _require_manager(actor)
    email = User.objects.normalize_email(email).lower()
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise ValidationError({"role": "Only an owner can invite another owner."})
    if Membership.objects.filter(practice=practice, user__email__iexact=email).exists():
        raise ValidationError({"email": "This person is already a member of the practice."})
    # A fresh invitation replaces any earlier open one for the same address.
    Invitation.objects.filter(
        practice=practice, email__iexact=email, accepted_at=None, revoked_at=None
    ).update(revoked_at=timezone.now())
    token, token_hash = new_token()
    invitation = Invitation.objects.create(
        practice=practice,
        email=email,
        role=role,
        token_hash=token_hash,
        invited_by=actor.user,
        expires_at=timezone.now() + settings.INVITATION_TTL,
    )
    accept_url = settings.SITE_URL + reverse("accounts:invitation_accept", args=[token])
    transaction.on_commit(
        lambda: send_templated_email(
            to=email,
            template="staff_invitation",
            context={"practice": practice, "inviter": actor.user, "accept_url": accept_url},
        )
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: Membership) -> None:
    _require_manager(actor)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])


class InvitationError(Exception):
    pass


def invitation_for_token(token: str) -> Invitation:
    """Find an invitation by its secret, across practices (the token decides the practice)."""
    from django_scopes import scopes_disabled

    with scopes_disabled():
        invitation = (
            Invitation.objects.select_related("practice")
            .filter(token_hash=hash_secret(token))
            .first()
        )
    if invitation is None or invitation.revoked_at is not None:
        raise InvitationError("This invitation link is not valid. Ask for a new one.")
    if invitation.accepted_at is not None:
        raise InvitationError("This invitation has already been used. Sign in instead.")
    if invitation.expires_at <= timezone.now():
        raise InvitationError("This invitation has expired. Ask the practice for a new one.")
    return invitation


@transaction.atomic
def invitation_accept(
    *, token: str, user: User | None = None, full_name: str = "", password: str = ""
) -> Membership:
    """Accept as the signed-in ``user``, or create the account when there is none yet."""
    invitation = invitation_for_token(token)
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationError("You already have an account: sign in, then open the link.")
        user = User.objects.create_user(
            email=invitation.email, password=password, full_name=full_name.strip()
        )
        _mark_email_verified(user)
    elif user.email.lower() != invitation.email.lower():
        raise InvitationError(
            f"This invitation is for {invitation.email}. Sign in with that address."
        )
    with practice_scope(invitation.practice):
        membership, _ = Membership.objects.get_or_create(
            practice=invitation.practice, user=user, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at", "updated_at"])
    return membership


def _mark_email_verified(user: User) -> None:
    """The person proved they own the address by opening the emailed link."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


@transaction.atomic
def membership_set_role(*, membership: Membership, actor: Membership, role: str) -> Membership:
    _require_manager(actor)
    if role not in Role.values:
        raise ValidationError({"role": "Choose owner, admin or therapist."})
    if Role.OWNER in (role, membership.role) and actor.role != Role.OWNER:
        raise ValidationError({"role": "Only an owner can make or unmake owners."})
    if (
        membership.role == Role.OWNER
        and role != Role.OWNER
        and owners_count(practice=membership.practice) == 1
    ):
        raise ValidationError({"role": "A practice needs at least one owner."})
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: Membership) -> None:
    _require_manager(actor)
    if membership.role == Role.OWNER and actor.role != Role.OWNER:
        raise ValidationError("Only an owner can remove an owner.")
    if membership.role == Role.OWNER and owners_count(practice=membership.practice) == 1:
        raise ValidationError("A practice needs at least one owner.")
    # The reverse accessor of clients.Client.primary_therapist: accounts sits below clients
    # and does not import it.
    if membership.user.primary_clients.filter(practice=membership.practice).exists():
        raise ValidationError(
            "Move this person's clients to another therapist before removing them."
        )
    membership.delete()


# --- API tokens ------------------------------------------------------------------------------

# How long a new token lasts, in days: the choices offered, and the one preselected.
API_TOKEN_LIFETIMES = (7, 30, 90, 180, 365)
API_TOKEN_DEFAULT_DAYS = 90
# ``last_used_at`` is for people judging whether a token is still in use; a minute's precision
# is plenty, and it spares a busy script one write per request.
API_TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


@transaction.atomic
def api_token_create(
    *, membership: Membership, name: str, days: int = API_TOKEN_DEFAULT_DAYS
) -> tuple[ApiToken, str]:
    """Make a token for ``membership`` and return it with its secret, which exists only in
    this return value: the database keeps its hash."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the token after the script or tool that uses it."})
    if days not in API_TOKEN_LIFETIMES:
        raise ValidationError({"days": "Choose one of the offered lifetimes."})
    prefix = secrets.token_hex(ApiToken.PREFIX_LENGTH // 2)
    raw = f"{ApiToken.LEAD}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        practice=membership.practice,
        membership=membership,
        name=name,
        prefix=prefix,
        secret_hash=ApiToken.hash_of(raw),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(
        actor=membership.user, practice=membership.practice, action="api_token_create", obj=token
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Membership) -> None:
    """Stop ``token`` working now. Its person or an owner of its practice may do this; doing it
    twice changes nothing."""
    mine = token.membership_id == actor.pk
    if token.practice_id != actor.practice_id or not (mine or actor.role == Role.OWNER):
        raise PermissionError("Only the token's owner or an owner of the practice can revoke it.")
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.revoked_by = actor.user
    token.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    audit_record(actor=actor.user, practice=token.practice_id, action="api_token_revoke", obj=token)


def api_token_touch(*, token: ApiToken) -> None:
    """Note that ``token`` was just used, unless that was noted less than a minute ago. One
    UPDATE, atomic as it stands: no transaction (and its savepoint) on every API request."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < API_TOKEN_TOUCH_INTERVAL:
        return
    # Authentication runs before the request's scope is entered; the token's own practice is
    # the one this row belongs to.
    with practice_scope(token.practice_id):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
