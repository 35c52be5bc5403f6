"""Every write about client records and client sign-in. Keyword-only, atomic."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Membership, User
from clients.models import (
    CareEpisode,
    CareTeamMember,
    Client,
    ClientGroup,
    ClientGroupMember,
    ClientGroupTherapist,
    ClientLoginToken,
    ClientStatus,
    Goal,
    GoalLevel,
    GoalRating,
)
from clients.selectors import client_open_flags
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
    if "email" in fields and client.user is not None and client.user.email != client.email:
        # The portal login follows the address on the record; a new address needs a new invite.
        client.user = None
        client.portal_invited_at = None
        client.save(update_fields=["user", "portal_invited_at", "updated_at"])
    return client


def _flag_label(flag) -> str:
    return f"{flag.message} (raised {timezone.localtime(flag.created_at):%d %b %Y %H:%M})"


@transaction.atomic
def client_set_status(*, client: Client, actor: Membership, status: str) -> Client:
    """Set the status. Discharging is refused while a flag is open: a flagged answer needs a
    clinician's decision first (``client_discharge`` records one for each)."""
    if status not in ClientStatus.values:
        raise ValidationError({"status": "Unknown status."})
    if status == ClientStatus.DISCHARGED and not client.is_discharged:
        flags = client_open_flags(client)
        if flags:
            raise ValidationError(
                {
                    "status": "Record a decision on each open flag before discharging: "
                    + "; ".join(_flag_label(flag) for flag in flags)
                    + "."
                }
            )
    client.status = status
    client.discharged_at = timezone.now() if status == ClientStatus.DISCHARGED else None
    client.save(update_fields=["status", "discharged_at", "updated_at"])
    if status == ClientStatus.DISCHARGED:
        ClientLoginToken.objects.filter(client=client, used_at=None).update(used_at=timezone.now())
    return client


def _portal_user_for(client: Client) -> User:
    if client.user is not None:
        return client.user
    user = User.objects.filter(email__iexact=client.email).first()
    if user is None:
        user = User.objects.create_user(email=client.email, full_name=client.full_name)
    client.user = user
    client.save(update_fields=["user", "updated_at"])
    return user


def _issue_login(client: Client, *, invitation: bool) -> None:
    recent = ClientLoginToken.objects.filter(
        client=client, created_at__gte=timezone.now() - timedelta(hours=1)
    ).count()
    if recent >= MAX_LOGIN_EMAILS_PER_HOUR:
        raise ValidationError(
            "Too many sign-in emails were sent in the last hour. Please wait and try again."
        )
    # The link and code are drawn by the worker that sends them (client_login_email_send), so
    # they never pass through the broker and no email is sent inside a request. Until then the
    # row holds hashes of secrets nobody knows: it cannot be used.
    row = ClientLoginToken.objects.create(
        practice=client.practice,
        client=client,
        token_hash=new_token()[1],
        code_hash=new_token()[1],
        is_invitation=invitation,
        expires_at=timezone.now()
        + (settings.CLIENT_INVITATION_TTL if invitation else settings.CLIENT_LOGIN_TTL),
    )
    from clients.tasks import send_invitation_email, send_login_email  # they import this module

    task = send_invitation_email if invitation else send_login_email
    task.delay_on_commit(token_id=str(row.pk), practice_id=str(client.practice_id))


@transaction.atomic
def client_login_email_send(*, token_id, template: str) -> bool:
    """The worker's half of a sign-in email: draw the link and code, store their hashes, send.

    Idempotent: a token is emailed once (a redelivered task finds ``emailed_at`` set). The
    email goes out while the row is locked and before the commit, so a failed send rolls the
    hashes back and a retry sends a working link. Nothing is sent for a token that is used or
    whose client was discharged meanwhile. Returns whether an email was sent.
    """
    row = (
        ClientLoginToken.objects.select_for_update(of=("self",))
        .select_related("client__practice")
        .filter(pk=token_id, emailed_at=None, used_at=None)
        .first()
    )
    if row is None or row.client.is_discharged or not row.client.email:
        return False
    token, token_hash = new_token()
    code = new_code()
    now = timezone.now()
    row.token_hash = token_hash
    row.code_hash = hash_secret(code, salt=token_hash)
    # The link lasts its full time from when it is sent, however long the queue was.
    row.expires_at = now + row.lifetime
    row.emailed_at = now
    row.save(update_fields=["token_hash", "code_hash", "expires_at", "emailed_at", "updated_at"])
    client = row.client
    context = {
        "client_name": client.display_name,
        "practice_name": client.practice.name,
        "login_url": settings.SITE_URL + reverse("portal:login_link", args=[token]),
        "code": code,
        "minutes": int(row.lifetime.total_seconds() // 60),
        "days": row.lifetime.days,
    }
    send_templated_email(to=client.email, template=template, context=context)
    return True


@transaction.atomic
def client_portal_invite(*, client: Client, actor: Membership) -> Client:
    if client.is_discharged:
        raise ValidationError("This client is discharged. Reactivate them to invite them.")
    if not client.email:
        raise ValidationError({"email": "Add the client's email address first."})
    _portal_user_for(client)
    client.portal_invited_at = timezone.now()
    client.save(update_fields=["portal_invited_at", "updated_at"])
    _issue_login(client, invitation=True)
    return client


class ClientLoginError(Exception):
    pass


class ClientSignInPaused(ClientLoginError):
    """Too many tries for an address or from one place. Counted for every address typed,
    known or not, so being paused says nothing about whether an address has an account."""


SIGN_IN_PAUSED = (
    "There have been too many sign-in tries, so we have paused them for a while to keep "
    "sign-in safe. Please wait, then try again later (within the hour)."
)


def _sign_in_attempt_allowed(action: str, *, email: str, ip: str) -> bool:
    """Count one ``action`` ("request" or "code") against its limits per address typed and per
    client IP address (settings.CLIENT_SIGN_IN_LIMITS); False once any limit is passed.

    The count is taken before the check (one atomic increment), so parallel requests cannot
    all slip under the limit. Counts live in the cache: Redis with REDIS_URL, so they hold
    across web workers. Addresses are hashed: the cache holds no email address."""
    allowed = True
    for scope, value in (("email", email.strip().lower()), ("ip", ip)):
        limit, seconds = settings.CLIENT_SIGN_IN_LIMITS[action][scope]
        key = f"client-sign-in:{action}:{scope}:{hash_secret(value)}"
        if cache.add(key, 1, timeout=seconds):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # the window ended between add and incr: a new one starts
                cache.set(key, 1, timeout=seconds)
                count = 1
        allowed = allowed and count <= limit
    return allowed


@transaction.atomic
def client_login_request(*, email: str, ip: str) -> None:
    """A client asks for a sign-in email. Answers the same for known and unknown addresses:
    the email is sent by the worker, so a known address costs the request only a row and an
    enqueue. Raises ClientSignInPaused past the limits, for any address."""
    email = email.strip().lower()
    if not _sign_in_attempt_allowed("request", email=email, ip=ip):
        raise ClientSignInPaused(SIGN_IN_PAUSED)
    with scopes_disabled():
        clients = list(
            Client.objects.select_related("practice", "user")
            .filter(user__email__iexact=email)
            .exclude(status=ClientStatus.DISCHARGED)
        )
    for client in clients:
        with practice_scope(client.practice):
            try:
                _issue_login(client, invitation=False)
            except ValidationError:
                continue  # this client's hourly email limit: stay silent, as for an unknown one


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


def client_login_code_redeem(*, email: str, code: str, ip: str) -> Client:
    """The fallback: the six-digit code from the same email, typed with the address.

    Failed attempts are counted in their own committed transaction (raising inside it would
    roll the count back), so each code allows only a few guesses. Every attempt also counts
    against the limits per address typed and per client IP address (ClientSignInPaused), so
    asking for new codes does not buy more guesses, nor does trying many addresses.
    """
    if not _sign_in_attempt_allowed("code", email=email, ip=ip):
        raise ClientSignInPaused(SIGN_IN_PAUSED)
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


@transaction.atomic
def care_episode_start(
    *, client: Client, actor: User, started_on: date, note: str = ""
) -> CareEpisode:
    """Start a new episode of care for ``client`` on ``started_on`` (their local date): from
    then on, change on every measure is counted from the first score of the new episode.

    The date may be today or earlier (an episode agreed at last week's session), never in the
    future, and it must come after the start of the current episode: episodes follow one
    another, they do not overlap."""
    note = (note or "").strip()
    if len(note) > 1000:
        raise ValidationError({"note": "Keep the note under 1000 characters."})
    today = timezone.localdate(timezone=client.tz)
    if started_on > today:
        raise ValidationError({"started_on": "An episode cannot start in the future."})
    # Lock the client so two therapists starting an episode at once cannot both pass the check.
    Client.objects.select_for_update().filter(pk=client.pk).first()
    current = client.care_episodes.order_by("-starts_at").first()
    if current is not None and started_on <= current.started_on:
        raise ValidationError(
            {
                "started_on": "Choose a date after "
                f"{current.started_on:%-d %b %Y}, when the current episode started."
            }
        )
    return CareEpisode.objects.create(
        practice_id=client.practice_id,
        client=client,
        started_on=started_on,
        starts_at=datetime.combine(started_on, time.min, tzinfo=client.tz),
        note=note,
        started_by=actor,
    )


# --- Groups ----------------------------------------------------------------------------------


def _check_group(practice, *, name: str, therapists) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the group a name."})
    member_ids = set(Membership.objects.filter(practice=practice).values_list("user_id", flat=True))
    if not therapists:
        raise ValidationError({"therapists": "Choose at least one therapist to run the group."})
    if any(user.pk not in member_ids for user in therapists):
        raise ValidationError({"therapists": "Choose therapists from this practice."})
    return name


def _set_therapists(group: ClientGroup, therapists) -> None:
    wanted = {user.pk for user in therapists}
    group.leads.exclude(user_id__in=wanted).delete()
    have = set(group.leads.values_list("user_id", flat=True))
    ClientGroupTherapist.objects.bulk_create(
        ClientGroupTherapist(practice_id=group.practice_id, group=group, user_id=user_id)
        for user_id in wanted - have
    )


@transaction.atomic
def group_create(
    *, practice, actor, name: str, description: str = "", therapists=None
) -> ClientGroup:
    """A new group, run by ``therapists`` (default: the person creating it)."""
    user = getattr(actor, "user", actor)
    therapists = list(therapists) if therapists else [user]
    name = _check_group(practice, name=name, therapists=therapists)
    group = ClientGroup.objects.create(
        practice=practice, name=name, description=(description or "").strip(), created_by=user
    )
    _set_therapists(group, therapists)
    return group


@transaction.atomic
def group_update(
    *, group: ClientGroup, actor, name: str, description: str = "", therapists=None
) -> ClientGroup:
    therapists = (
        list(therapists)
        if therapists is not None
        else [lead.user for lead in group.leads.select_related("user")]
    )
    group.name = _check_group(group.practice, name=name, therapists=therapists)
    group.description = (description or "").strip()
    group.save(update_fields=["name", "description", "updated_at"])
    _set_therapists(group, therapists)
    return group


@transaction.atomic
def group_delete(*, group: ClientGroup, actor) -> None:
    """Removes the group and its member list; every member keeps the homework they were given."""
    group.delete()


@transaction.atomic
def group_member_add(*, group: ClientGroup, actor, client: Client) -> ClientGroupMember:
    """Add a client the caller may see (``client`` comes from ``client_get``, which is what
    keeps another therapist's client out of the group)."""
    if client.practice_id != group.practice_id:
        raise ValidationError({"client": "Choose a client from this practice."})
    if client.is_discharged:
        raise ValidationError(
            {"client": f"{client.display_name} is discharged. Reactivate them to add them."}
        )
    member, created = ClientGroupMember.objects.get_or_create(
        practice_id=group.practice_id, group=group, client=client
    )
    if not created:
        raise ValidationError({"client": f"{client.display_name} is already in this group."})
    return member


@transaction.atomic
def group_member_remove(*, group: ClientGroup, actor, client: Client) -> None:
    """Take a client out of the group; their homework stays theirs."""
    deleted, _ = ClientGroupMember.objects.filter(group=group, client=client).delete()
    if not deleted:
        raise ValidationError({"client": f"{client.display_name} is not in this group."})


_GOAL_TEXT = {
    "title": 200,
    "level_minus_2": 300,
    "level_minus_1": 300,
    "level_0": 300,
    "level_plus_1": 300,
    "level_plus_2": 300,
}


@transaction.atomic
def goal_create(*, client: Client, actor: User, baseline_level: int = -1, **texts: str) -> Goal:
    """Scale a goal with the client: a title, each of the five levels described in words, and
    the level they start at (-1, or -2 when things could get worse)."""
    unknown = set(texts) - set(_GOAL_TEXT)
    if unknown:
        raise TypeError(f"Unknown goal fields: {sorted(unknown)}")
    errors = {}
    cleaned = {}
    for name, limit in _GOAL_TEXT.items():
        value = (texts.get(name) or "").strip()
        if not value:
            errors[name] = "Describe this level." if name != "title" else "Name the goal."
        elif len(value) > limit:
            errors[name] = f"Keep this under {limit} characters."
        cleaned[name] = value
    if baseline_level not in (-2, -1):
        errors["baseline_level"] = "The baseline is -1, or -2 if things could get worse."
    if client.is_discharged:
        errors["title"] = "This client has been discharged."
    if errors:
        raise ValidationError(errors)
    return Goal.objects.create(
        practice_id=client.practice_id,
        client=client,
        baseline_level=baseline_level,
        created_by=actor,
        **cleaned,
    )


@transaction.atomic
def goal_rate(*, goal: Goal, actor: User, level: int, rated_on: date, note: str = "") -> GoalRating:
    """Record the level ``goal`` has reached at a review, on ``rated_on`` (the client's local
    date: today or earlier, not before the goal was set)."""
    errors = {}
    note = (note or "").strip()
    if level not in GoalLevel.values:
        errors["level"] = "Choose a level from -2 to +2."
    if len(note) > 1000:
        errors["note"] = "Keep the note under 1000 characters."
    today = timezone.localdate(timezone=goal.client.tz)
    if rated_on > today:
        errors["rated_on"] = "A rating cannot be in the future."
    elif rated_on < timezone.localdate(goal.created_at, timezone=goal.client.tz):
        errors["rated_on"] = "A rating cannot come before the goal was set."
    if goal.client.is_discharged:
        errors["level"] = "This client has been discharged."
    if errors:
        raise ValidationError(errors)
    return GoalRating.objects.create(
        practice_id=goal.practice_id,
        goal=goal,
        level=level,
        rated_on=rated_on,
        note=note,
        rated_by=actor,
    )
