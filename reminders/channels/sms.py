"""Text messages, through the provider named by ``REMINDERS_SMS_BACKEND`` (development: the
log). Only to clients who turned them on, gave a number and agreed to the practice's SMS
consent in force (``privacy``), when the practice offers them."""

import logging
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from privacy.selectors import has_sms_consent
from reminders.channels import ReminderChannel
from reminders.messages import PREHEADER

logger = logging.getLogger("reminders.sms")


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
    path = getattr(settings, "REMINDERS_SMS_BACKEND", "reminders.channels.sms.LogSmsBackend")
    return import_string(path)()


def sms_text(message) -> str:
    return f"{message.title}. {PREHEADER} {message.absolute_link}"


class SmsChannel(ReminderChannel):
    name = "sms"
    label = "Text message"
    order = 30

    def client_address(self, *, client, policy, preference):
        wanted = policy.sms and preference is not None and preference.sms and preference.phone
        # Consent is asked last, so only clients who would be texted cost the query. A
        # withdrawal or a new version of the consent stops texts from the next send on.
        if wanted and has_sms_consent(client):
            return preference.phone
        return None

    def send(self, *, message, address: str, idempotency_key: str, preferences_url: str) -> None:
        sms_backend().send(to=address, text=sms_text(message), idempotency_key=idempotency_key)
