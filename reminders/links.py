"""Signed links to someone's reminder preferences, for emails: no login needed.

The link is ``/r/<token>/`` where the token is the recipient's id signed with
``django.core.signing`` (HMAC with SECRET_KEY and a salt of its own). It does not expire: an
unsubscribe link in an old email must still work. It grants only what that page does (turn
emails off, pause reminders), never a sign-in.
"""

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "reminders.preferences"


class BadLink(Exception):
    """The token was altered, truncated or signed with another key."""


@dataclass(frozen=True)
class LinkTarget:
    client_id: str | None = None
    user_id: int | None = None
    practice_id: str | None = None


@cache
def _prefix() -> str:
    """Everything before the token (reversing once: every reminder email has a link)."""
    return settings.SITE_URL + reverse("reminders:preferences_link", args=["TOKEN"])[:-6]


def _url(token: str) -> str:
    return f"{_prefix()}{token}/"


def client_preferences_url(client) -> str:
    return _url(signing.Signer(salt=SALT).sign_object({"c": str(client.pk)}))


def staff_preferences_url(*, user_id: int, practice_id) -> str:
    return _url(signing.Signer(salt=SALT).sign_object({"u": user_id, "p": str(practice_id)}))


def read_token(token: str) -> LinkTarget:
    try:
        payload = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise BadLink from exc
    if not isinstance(payload, dict):
        raise BadLink
    if isinstance(payload.get("c"), str):
        return LinkTarget(client_id=payload["c"])
    if isinstance(payload.get("u"), int) and isinstance(payload.get("p"), str):
        return LinkTarget(user_id=payload["u"], practice_id=payload["p"])
    raise BadLink
