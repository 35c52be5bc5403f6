"""Email, through Django's mail backend: a mail-merged message with one-click unsubscribe."""

from contextlib import contextmanager
from dataclasses import replace
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import get_connection

from reminders.channels import ReminderChannel
from reminders.mailmerge import send_merged_email
from reminders.messages import PREHEADER
from reminders.models import EmailBounce


class EmailChannel(ReminderChannel):
    name = "email"
    label = "Email"
    order = 10

    def client_address(self, *, client, policy, preference):
        wanted = policy.email and (preference is None or preference.email)
        return client.email if wanted and client.email else None

    def staff_address(self, *, user, preference, urgent=False):
        return user.email if (urgent or preference.email) and user.email else None

    def held_addresses(self, reminders) -> dict[str, str]:
        addresses = {r.client.email.lower() for r in reminders if r.client_id and r.client.email}
        addresses |= {r.recipient_user.email.lower() for r in reminders if r.for_staff}
        bouncing = EmailBounce.objects.filter(email__in=addresses, cleared_at=None)
        return {
            email.lower(): "Email address is bouncing: shown in the app only."
            for email in bouncing.values_list("email", flat=True)
        }

    @contextmanager
    def session(self):
        """Every message of a task over one session with the mail server, not one each."""
        connection = get_connection()
        try:
            yield EmailSender(connection)
        finally:
            connection.close()


class EmailSender:
    """Sends over ``connection``. Each send asks the backend to open the session, which it
    does only when none is open (the first send, or the one after a failure closed a broken
    session)."""

    def __init__(self, connection):
        self.connection = connection

    def send(self, *, message, address: str, idempotency_key: str, preferences_url: str) -> None:
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
