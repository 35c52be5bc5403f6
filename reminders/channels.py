"""The ways a reminder reaches someone outside the app: email and text message.

Every channel has the same interface, ``send(message=, address=, idempotency_key=,
preferences_url=)``, raises on failure, and is handed the same ``idempotency_key`` again if a
send is retried after its outcome was lost: providers that deduplicate on it (and mail
clients that drop a repeated Message-ID) then show the message once. In-app notifications
are not a channel here: they are rows written in the same transaction that records the
reminder as sent.
"""

import logging
from contextlib import contextmanager
from dataclasses import replace
from functools import cache
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import get_connection
from django.utils.module_loading import import_string

from reminders.mailmerge import send_merged_email
from reminders.messages import PREHEADER, Message
from reminders.models import Channel

logger = logging.getLogger("reminders.sms")


class EmailChannel:
    """Email through Django's backend, every message over ``connection``: one session with the
    mail server for a whole task's messages, not one per message. Each send asks the backend
    to open the session, which it does only when none is open (the first send, or the one
    after a failure closed a broken session)."""

    name = Channel.EMAIL

    def __init__(self, connection):
        self.connection = connection

    def send(
        self, *, message: Message, address: str, idempotency_key: str, preferences_url: str
    ) -> None:
        domain = urlparse(settings.SITE_URL).hostname or "bridgework.localhost"
        headers = {
            "Message-ID": f"<{idempotency_key}@{domain}>",
            "X-Bridgework-Delivery": idempotency_key,
            # RFC 8058: mail providers show an unsubscribe button that POSTs
            # "List-Unsubscribe=One-Click" to this address, no login and no page in between.
            "List-Unsubscribe": f"<{preferences_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        }
        try:
            self.connection.open()  # if the server is down: this message's error, as any
            send_merged_email(
                to=address,
                template="reminder_message",
                # Only the name and the link differ between two clients' reminders of one
                # kind: the rest is rendered once per wording (a mail merge).
                context={
                    "message": replace(message, greeting_name=""),
                    "greeting_name": message.greeting_name,
                    "preheader": PREHEADER,
                    "preferences_url": preferences_url,
                },
                merge=("greeting_name", "preferences_url"),
                headers=headers,
                connection=self.connection,
            )
        except Exception:
            self.connection.close()
            raise


class SmsBackend:
    """What an SMS provider integration implements."""

    def send(self, *, to: str, text: str, idempotency_key: str) -> None:
        raise NotImplementedError


class LogSmsBackend(SmsBackend):
    """Development backend: writes the text to the log instead of sending it."""

    def send(self, *, to: str, text: str, idempotency_key: str) -> None:
        logger.info("SMS to …%s [%s]: %s", to[-4:], idempotency_key, text)


@cache
def sms_backend() -> SmsBackend:
    path = getattr(settings, "REMINDERS_SMS_BACKEND", "reminders.channels.LogSmsBackend")
    return import_string(path)()


class SmsChannel:
    name = Channel.SMS

    def send(
        self, *, message: Message, address: str, idempotency_key: str, preferences_url: str
    ) -> None:
        sms_backend().send(to=address, text=message.sms_text, idempotency_key=idempotency_key)


@contextmanager
def open_channels():
    """The channels for a run of sends (one worker task), keyed by ``Channel``: email over one
    session with the mail server, closed at the end."""
    connection = get_connection()
    try:
        yield {Channel.EMAIL: EmailChannel(connection), Channel.SMS: SmsChannel()}
    finally:
        connection.close()
