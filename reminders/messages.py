"""What a reminder says. Discreet by design: no message names the homework, the measure, a
score or a diagnosis. A subject or a preview is read on lock screens, in shared inboxes and
over shoulders, so it says only that there is something in Bridgework.

Inside the app (a signed-in therapist's notification centre) a message may name the client
it is about; emails to therapists do not.
"""

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.urls import reverse

from reminders.models import FLAG_KINDS, Kind, Wording

# (title, body) in the notification centre and the email's headline and first line.
CLIENT_TEXT = {
    Kind.NEW_HOMEWORK: ("New homework is ready", "Your therapist shared something new with you."),
    Kind.STEP_RELEASED: ("A new step is ready", "The next part of your programme is ready."),
    Kind.DUE_SOON: ("Something is due soon", "There is something on your to-do list for today."),
    Kind.MEASURE_DUE: ("A check-in is due", "A short check-in is waiting on your to-do list."),
    Kind.NOT_DONE: (
        "Still time to do it",
        "Something on your to-do list is still open. A few minutes is enough to start.",
    ),
}
STAFF_TEXT = {
    Kind.FLAGGED_SCORE: (
        "An answer needs your attention",
        "A client's answer was flagged. Please look at it as soon as you can.",
    ),
    Kind.FLAG_UNSEEN: (
        "A flagged answer has not been seen",
        "A client's answer was flagged and nobody has looked at it yet. Please look at it "
        "as soon as you can.",
    ),
    Kind.FLAG_UNSEEN_OWNERS: (
        "A flagged answer is still not seen",
        "A client's answer was flagged hours ago and nobody has looked at it yet. Please "
        "make sure someone does now.",
    ),
    Kind.COMPLETION: ("Homework sent", "A client sent homework."),
    Kind.DAILY_DIGEST: ("Your daily summary", "Your summary of the last day is ready."),
}
# Read on lock screens: says that an answer needs attention, never whose, which or why.
FLAG_SUBJECT = "A client’s answer needs your attention"
STAFF_SUBJECTS = {
    Kind.FLAGGED_SCORE: FLAG_SUBJECT,
    Kind.FLAG_UNSEEN: FLAG_SUBJECT,
    Kind.FLAG_UNSEEN_OWNERS: FLAG_SUBJECT,
    Kind.COMPLETION: "You have something new in Bridgework",
    Kind.DAILY_DIGEST: "Your Bridgework summary",
}
PREHEADER = "Open Bridgework to see it."
# The subject of each wording a practice can choose; anything else reads as the default.
SUBJECTS = dict(Wording.choices)


@dataclass(frozen=True)
class Message:
    """One reminder, as every channel renders it."""

    subject: str
    title: str
    body: str
    link: str  # path inside the site
    greeting_name: str = ""
    # The text for a reader signed in to Bridgework, when it may say more (name the client).
    signed_in_body: str = ""

    @property
    def absolute_link(self) -> str:
        return settings.SITE_URL + self.link


@cache
def _portal_home() -> str:
    """Where every client reminder leads (reversed once: each reminder sent needs it)."""
    return reverse("portal:home")


def client_message(*, kind: str, wording: str, client) -> Message:
    title, body = CLIENT_TEXT[kind]
    return Message(
        subject=SUBJECTS.get(wording, Wording.SOMETHING_NEW.label),
        title=title,
        body=body,
        link=_portal_home(),
        greeting_name=client.preferred_name or client.full_name.split(" ")[0],
    )


def staff_message(*, kind: str, user, client=None, digest=None) -> Message:
    title, body = STAFF_TEXT[kind]
    link = reverse("reminders:staff_notifications")
    signed_in_body = ""
    if kind in (*FLAG_KINDS, Kind.COMPLETION) and client is not None:
        link = reverse("clients:detail", args=[client.pk])
        verb = "has an answer that was flagged" if kind in FLAG_KINDS else "sent homework"
        signed_in_body = f"{client.display_name} {verb}."
    elif kind == Kind.DAILY_DIGEST and digest is not None:
        body = digest.email_line
        signed_in_body = digest.app_line
    return Message(
        subject=STAFF_SUBJECTS[kind],
        title=title,
        body=body,
        link=link,
        greeting_name=user.get_short_name(),
        signed_in_body=signed_in_body,
    )
