"""Every write about client records and client sign-in. Keyword-only, atomic."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Membership, User
from clients.models import CareTeamMember, Client, ClientLoginToken, ClientStatus
from core.emails import send_templated_email
from core.tenancy import practice_scope
from core.tokens import hash_secret, new_code, new_token

EDITABLE_FIELDS = {"full_name", "preferred_name", "email", "timezone", "primary_therapist"}
# At most this many sign-in emails per client per hour: limits abuse and brute force on codes.
MAX_LOGIN_EMAILS_PER_HOUR = 5


def _check_therapists(practice, primary_therapist, shared_with) -> None:
    member_ids = set(Membership.objects.filter(practice=practice).values_list("user_id", flat=True))
    if primary_therapist is None or primary_therapist.pk not in member_ids:
        raise ValidationError({"primary_therapist": "Choose a therapist from this practice."})
    if any(user.pk not in member_ids for user in shared_with):
        raise ValidationError({"shared_with": "Choose therapists from this practice."})


def _check_email_free(practice, email: str, exclude=None) -> None:
    if not email:
        return
    others = Client.objects.filter(practice=practice, email__iexact=email)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise ValidationError({"email": "Another client in this practice has this email."})
    # A client's portal user is found by email: a staff address would link this record to a
    # staff account, in this practice or another one. Memberships of every practice are read
    # for that one question, so the check runs outside the practice scope.
    with scopes_disabled():
        staff = Membership.objects.filter(user__email__iexact=email).exists()
    if staff or User.objects.filter(email__iexact=email, is_curator=True).exists():
        raise ValidationError(
            {"email": "This address belongs to a staff account. A client needs their own."}
        )


def _set_care_team(client: Client, shared_with) -> None:
    wanted = {u.pk for u in shared_with if u.pk != client.primary_therapist_id}
    CareTeamMember.objects.filter(client=client).exclude(user_id__in=wanted).delete()
    existing = set(CareTeamMember.objects.filter(client=client).values_list("user_id", flat=True))
    CareTeamMember.objects.bulk_create(
        CareTeamMember(practice=client.practice, client=client, user_id=pk)
        for pk in wanted - existing
    )


@transaction.atomic
def client_create(
    *,
    practice,
    actor: Membership,
    full_name: str,
    primary_therapist: User,
    email: str = "",
    preferred_name: str = "",
    timezone_name: str | None = None,
    shared_with=(),
) -> Client:
    email = email.strip().lower()
    _check_therapists(practice, primary_therapist, shared_with)
    _check_email_free(practice, email)
    client = Client(
        practice=practice,
        full_name=full_name.strip(),
        preferred_name=preferred_name.strip(),
        email=email,
        timezone=timezone_name or practice.default_timezone,
        primary_therapist=primary_therapist,
    )
    client.full_clean()
    client.save()
    _set_care_team(client, shared_with)
    return client


@transaction.atomic
def client_update(*, client: Client, actor: Membership, shared_with=None, **fields) -> Client:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Cannot update {', '.join(sorted(unknown))}.")
    if "email" in fields:
        fields["email"] = fields["email"].strip().lower()
        _check_email_free(client.practice, fields["email"], exclude=client)
    primary = fields.get("primary_therapist", client.primary_therapist)
    _check_therapists(client.practice, primary, shared_with or [])
    for key, value in fields.items():
        setattr(client, key, value)
    client.full_clean()
    client.save()
    if shared_with is not None:
        _set_care_team(client, shared_with)
    if "email" in fields and client.user_id and client.user.email != client.email:
        # The portal login follows the address on the record; a new address needs a new invite.
        client.user = None
        client.portal_invited_at = None
        client.save(update_fields=["user", "portal_invited_at", "updated_at"])
    return client


@transaction.atomic
def client_set_status(*, client: Client, actor: Membership, status: str) -> Client:
    if status not in ClientStatus.values:
        raise ValidationError({"status": "Unknown status."})
    client.status = status
    client.discharged_at = timezone.now() if status == ClientStatus.DISCHARGED else None
    client.save(update_fields=["status", "discharged_at", "updated_at"])
    if status == ClientStatus.DISCHARGED:
        ClientLoginToken.objects.filter(client=client, used_at=None).update(used_at=timezone.now())
    return client


def _portal_user_for(client: Client) -> User:
    if client.user_id:
        return client.user
    user = User.objects.filter(email__iexact=client.email).first()
    if user is None:
        user = User.objects.create_user(email=client.email, full_name=client.full_name)
    client.user = user
    client.save(update_fields=["user", "updated_at"])
    return user


def _issue_login(client: Client, *, template: str) -> None:
    recent = ClientLoginToken.objects.filter(
        client=client, created_at__gte=timezone.now() - timezone.timedelta(hours=1)
    ).count()
    if recent >= MAX_LOGIN_EMAILS_PER_HOUR:
        raise ValidationError(
            "Too many sign-in emails were sent in the last hour. Please wait and try again."
        )
    token, token_hash = new_token()
    code = new_code()
    ClientLoginToken.objects.create(
        practice=client.practice,
        client=client,
        token_hash=token_hash,
        code_hash=hash_secret(code, salt=token_hash),
        expires_at=timezone.now() + settings.CLIENT_LOGIN_TTL,
    )
    context = {
        "client_name": client.display_name,
        "practice_name": client.practice.name,
        "login_url": settings.SITE_URL + reverse("portal:login_link", args=[token]),
        "code": code,
        "minutes": int(settings.CLIENT_LOGIN_TTL.total_seconds() // 60),
    }
    transaction.on_commit(
        lambda: send_templated_email(to=client.email, template=template, context=context)
    )


@transaction.atomic
def client_portal_invite(*, client: Client, actor: Membership) -> Client:
    if client.is_discharged:
        raise ValidationError("This client is discharged. Reactivate them to invite them.")
    if not client.email:
        raise ValidationError({"email": "Add the client's email address first."})
    _portal_user_for(client)
    client.portal_invited_at = timezone.now()
    client.save(update_fields=["portal_invited_at", "updated_at"])
    _issue_login(client, template="client_invitation")
    return client


@transaction.atomic
def client_login_request(*, email: str) -> None:
    """A client asks for a sign-in email. Says nothing about whether the address is known."""
    email = email.strip().lower()
    with scopes_disabled():
        clients = list(
            Client.objects.select_related("practice", "user")
            .filter(user__email__iexact=email)
            .exclude(status=ClientStatus.DISCHARGED)
        )
    for client in clients:
        with practice_scope(client.practice):
            try:
                _issue_login(client, template="client_login")
            except ValidationError:
                continue  # rate limited: stay silent, as for an unknown address


class ClientLoginError(Exception):
    pass


def _redeem(token_row: ClientLoginToken) -> Client:
    client = token_row.client
    if client.is_discharged:
        raise ClientLoginError(
            "Your access to this practice's portal has ended. "
            "If you think this is a mistake, contact your therapist."
        )
    token_row.used_at = timezone.now()
    token_row.save(update_fields=["used_at", "updated_at"])
    # Every other open sign-in for this client dies with this one.
    ClientLoginToken.objects.filter(client=client, used_at=None).update(used_at=timezone.now())
    return client


@transaction.atomic
def client_login_link_redeem(*, token: str) -> Client:
    """Use an emailed link (after the button press). Returns the client to sign in as."""
    with scopes_disabled():
        row = (
            ClientLoginToken.objects.select_for_update(of=("self",))
            .select_related("client__practice", "client__user")
            .filter(token_hash=hash_secret(token))
            .first()
        )
        if row is None:
            raise ClientLoginError("This sign-in link is not valid. Ask for a new one below.")
        if row.used_at is not None:
            raise ClientLoginError("This sign-in link has already been used. Ask for a new one.")
        if row.expires_at <= timezone.now():
            raise ClientLoginError("This sign-in link has expired. Ask for a new one below.")
        return _redeem(row)


def client_login_code_redeem(*, email: str, code: str) -> Client:
    """The fallback: the six-digit code from the same email, typed with the address.

    Failed attempts are counted in their own committed transaction (raising inside it would
    roll the count back), so each code allows only a few guesses.
    """
    code = "".join(ch for ch in code if ch.isdigit())
    with transaction.atomic(), scopes_disabled():
        rows = list(
            ClientLoginToken.objects.select_for_update(of=("self",))
            .select_related("client__practice", "client__user")
            .filter(
                client__user__email__iexact=email.strip(),
                used_at=None,
                expires_at__gt=timezone.now(),
                failed_attempts__lt=settings.CLIENT_LOGIN_MAX_CODE_ATTEMPTS,
            )
        )
        for row in rows:
            if hash_secret(code, salt=row.token_hash) == row.code_hash:
                return _redeem(row)
        for row in rows:
            row.failed_attempts += 1
            row.save(update_fields=["failed_attempts", "updated_at"])
    raise ClientLoginError(
        "That code did not work. Check the latest email from us, or ask for a new code."
    )
