"""In the app: an entry in the recipient's notification centre, written in the transaction
that records the reminder as sent (exactly once). The fallback: a push that may not go out
now, and every reminder that failed, is shown here."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from reminders.channels import ReminderChannel
from reminders.models import Notification
from reminders.rows import insert_records


@dataclass(slots=True)
class NewNotification:
    """A notification about to be written: a model instance for each cost more to build than
    the row costs to insert."""

    practice_id: uuid.UUID
    client_id: uuid.UUID | None
    recipient_user_id: uuid.UUID | None
    reminder_id: uuid.UUID
    kind: str
    title: str
    body: str
    link: str
    read_at: datetime | None = None
    pk: uuid.UUID = field(default_factory=uuid.uuid4)


class InAppChannel(ReminderChannel):
    name = "in_app"
    label = "In the app"
    order = 20
    external = False
    interrupts = False
    fallback = True

    def client_address(self, *, client, policy, preference):
        return "" if preference is None or preference.in_app else None

    def staff_address(self, *, user, preference, urgent=False):
        return ""  # a therapist's alerts are always in their notification centre

    def record(self, plans) -> None:
        insert_records(
            Notification,
            [
                NewNotification(
                    practice_id=plan.reminder.practice_id,
                    client_id=plan.reminder.client_id,
                    recipient_user_id=plan.reminder.recipient_user_id,
                    reminder_id=plan.reminder.pk,
                    kind=plan.reminder.kind,
                    title=plan.message.title,
                    # Read signed in: it may say more than an email.
                    body=plan.message.signed_in_body or plan.message.body,
                    link=plan.message.link,
                )
                for plan in plans
            ],
            ignore_conflicts=True,  # one per reminder: written already by an earlier attempt
        )
