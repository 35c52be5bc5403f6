"""Reminder policy, the notification outbox, and what clients and therapists see in the app.

Policy comes in three layers: the practice's defaults (``ReminderPolicy``), overrides for one
assignment or one pathway (``ReminderOverride``), and the client's own choices
(``ClientPreference``), which always have the last word on *how* and *when* a client is
reached. Therapists choose their own alerts (``StaffPreference``).

``Reminder`` is the outbox (DESIGN.md, Jobs): one row per message to send, with a UTC
``due_at`` and a status. The beat sweeper reads the partial index of pending rows; a worker
claims a row with a conditional UPDATE and only then sends. ``Delivery`` is the journal of
each external channel's send (``reminders.channels``: email, SMS), written *before* the
send, so a send whose outcome was lost in a crash is known as such. ``Notification`` is the
in-app copy (the notification centre).

Objects a reminder is about (assignments, occurrences, flags) are referred to by type and id,
not by foreign key: reminders outlive edits to homework, and this app's tables do not depend
on the migrations of the apps it reminds about.
"""

from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.db import TenantModel, practice_key
from reminders import channels

MAX_DAILY_CAP = 10
MAX_NUDGES = 3


class Kind(models.TextChoices):
    NEW_HOMEWORK = "new_homework", "New homework available"
    DUE_SOON = "due_soon", "Due soon"
    NOT_DONE = "not_done", "Not done yet"
    STEP_RELEASED = "step_released", "Pathway step released"
    MEASURE_DUE = "measure_due", "Measure due"
    FLAGGED_SCORE = "flagged_score", "Flagged score"
    FLAG_UNSEEN = "flag_unseen", "Flag not yet seen"
    FLAG_UNSEEN_OWNERS = "flag_unseen_owners", "Flag still not seen"
    COMPLETION = "completion", "Homework completed"
    DAILY_DIGEST = "daily_digest", "Daily digest"


CLIENT_KINDS = (
    Kind.NEW_HOMEWORK,
    Kind.DUE_SOON,
    Kind.NOT_DONE,
    Kind.STEP_RELEASED,
    Kind.MEASURE_DUE,
)
STAFF_KINDS = (
    Kind.FLAGGED_SCORE,
    Kind.FLAG_UNSEEN,
    Kind.FLAG_UNSEEN_OWNERS,
    Kind.COMPLETION,
    Kind.DAILY_DIGEST,
)
# About an open flag (a client's answer that may signal risk): they go out by email as well as
# in the app whatever the recipient's "email me a copy", and lapse once the flag is
# acknowledged; a recipient who left the practice is replaced, never dropped.
FLAG_KINDS = (Kind.FLAGGED_SCORE, Kind.FLAG_UNSEEN, Kind.FLAG_UNSEEN_OWNERS)
# Kinds about one occurrence: they lapse once it is done or cancelled.
OCCURRENCE_KINDS = (Kind.DUE_SOON, Kind.MEASURE_DUE, Kind.NOT_DONE)


class Wording(models.TextChoices):
    """The safe subject lines a practice may choose from. None names the practice, the
    therapist or the homework: a subject is read on lock screens and shared inboxes."""

    SOMETHING_NEW = "something_new", "You have something new in Bridgework"
    GENTLE = "gentle", "A gentle reminder from Bridgework"
    TODO = "todo", "Your Bridgework to-do list"
    CHECK_IN = "check_in", "Time for a quick check-in"


class ReminderPolicy(TenantModel):
    """The practice's defaults. One row per practice, made on first use."""

    email = models.BooleanField("send email", default=True)
    sms = models.BooleanField(
        "send text messages", default=False, help_text="Only to clients who add a number."
    )
    reminder_time = models.TimeField(
        default=time(18, 0), help_text="In each client's own time zone."
    )
    quiet_start = models.TimeField("quiet hours start", default=time(21, 0))
    quiet_end = models.TimeField("quiet hours end", default=time(8, 0))
    daily_cap = models.PositiveSmallIntegerField(
        "at most this many emails or texts a day",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DAILY_CAP)],
    )
    new_homework = models.BooleanField("tell clients about new homework", default=True)
    due_soon = models.BooleanField("remind before homework is due", default=True)
    nudge_limit = models.PositiveSmallIntegerField(
        "gentle nudges when not done",
        default=1,
        validators=[MaxValueValidator(MAX_NUDGES)],
        help_text="Sent on the days after the due date, at most this many.",
    )
    wording = models.CharField(
        "subject line", max_length=20, choices=Wording.choices, default=Wording.SOMETHING_NEW
    )
    digest_time = models.TimeField(
        "therapists' daily digest at",
        default=time(8, 0),
        help_text="In the practice's time zone.",
    )

    class Meta:
        verbose_name_plural = "reminder policies"
        constraints = [
            models.UniqueConstraint(fields=["practice"], name="reminder_policy_one_per_practice")
        ]


class OverrideTarget(models.TextChoices):
    ASSIGNMENT = "assignment", "Assignment"
    PATHWAY = "pathway", "Pathway"


class ReminderOverride(TenantModel):
    """Reminder rules for one assignment or one pathway (all its steps). Empty fields fall
    back to the next layer: assignment → pathway → practice."""

    target_type = models.CharField(max_length=12, choices=OverrideTarget.choices)
    target_id = models.UUIDField()
    enabled = models.BooleanField("send reminders for this", default=True)
    due_soon = models.BooleanField("remind before it is due", null=True, blank=True)
    nudge_limit = models.PositiveSmallIntegerField(
        "gentle nudges when not done",
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_NUDGES)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "target_type", "target_id"], name="reminder_override_target"
            )
        ]


class ClientPreference(TenantModel):
    """What the client chose. Empty times and cap mean "the practice's default"."""

    client = models.OneToOneField(
        "clients.Client", on_delete=models.CASCADE, related_name="reminder_preference"
    )
    email = models.BooleanField("email me", default=True)
    in_app = models.BooleanField("show in my notifications", default=True)
    sms = models.BooleanField("text me", default=False)
    phone = models.CharField("mobile number", max_length=20, blank=True)
    reminder_time = models.TimeField(null=True, blank=True)
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    daily_cap = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(MAX_DAILY_CAP)]
    )
    snoozed_until = models.DateTimeField(null=True, blank=True)
    email_opted_out_at = models.DateTimeField(
        null=True, blank=True, help_text="When the client used an unsubscribe link."
    )


class StaffPreference(TenantModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email = models.BooleanField("email me a copy of alerts", default=True)
    completion_alerts = models.BooleanField("tell me when a client sends homework", default=False)
    daily_digest = models.BooleanField("daily digest", default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "user"], name="staff_preference_user")
        ]


class Status(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    SKIPPED = "skipped", "Skipped"


class Reminder(TenantModel):
    """One message to send: the outbox row.

    ``dedupe_key`` is recipient, kind, object and local day. It is unique among rows that are
    not cancelled, so planning the same reminder twice leaves one row, and one send.
    """

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        help_text="The client it is for, or (for a therapist's alert) about.",
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="A therapist to alert. Empty: the client is the recipient.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_type = models.CharField(max_length=20, blank=True)
    object_id = models.UUIDField(null=True, blank=True)
    local_day = models.DateField(help_text="The recipient's calendar day it belongs to.")
    dedupe_key = models.CharField(max_length=160)
    scheduled_for = models.DateTimeField(help_text="When it was first meant to go out.")
    due_at = models.DateTimeField(help_text="When it goes out next (later after a retry).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Written by the claim; every later write of the same attempt checks it, so a worker that
    # lost its claim (stalled past the lease) cannot overwrite the next worker's result.
    claim_token = models.UUIDField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    note = models.CharField(max_length=300, blank=True, help_text="What happened, for owners.")

    class Meta:
        ordering = ["-due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "dedupe_key"],
                condition=~models.Q(status="cancelled"),
                name="reminder_dedupe",
            ),
            models.CheckConstraint(
                condition=models.Q(client__isnull=False) | models.Q(recipient_user__isnull=False),
                name="reminder_has_recipient",
            ),
        ]
        indexes = [
            # The sweeper's work list, across practices (so it cannot lead with practice): only
            # pending rows are in it, so a sweep costs the same however many rows were sent or
            # are planned for later; ``id`` makes the sweep's keyset order an index seek.
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(status="pending"),
                name="reminder_pending_due",
            ),
            # Rows a worker claimed: the sweeper re-queues those whose lease ran out.
            models.Index(
                fields=["claimed_at"],
                condition=models.Q(status="sending"),
                name="reminder_sending_claimed",
            ),
            models.Index(
                fields=["practice", "object_id"],
                condition=models.Q(status="pending"),
                name="reminder_pending_object",
            ),
            # A client's next reminders (and cancelling them): pending ones only, so a row
            # leaves it once claimed and the outbox's history does not weigh on every update.
            models.Index(
                fields=["practice", "client", "due_at"],
                condition=models.Q(status="pending"),
                name="reminder_client_pending",
            ),
            models.Index(
                fields=["practice", "-updated_at"],
                condition=models.Q(status="failed"),
                name="reminder_failed",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} due {self.due_at:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def for_staff(self) -> bool:
        return self.recipient_user_id is not None


class DeliveryStatus(models.TextChoices):
    STARTED = "started", "Started"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Skipped"
    FAILED = "failed", "Failed"


class Delivery(TenantModel):
    """One channel of one reminder (email or text). Written as ``started`` before the send and
    marked ``sent`` right after it returns. A ``started`` row found by a later attempt means a
    worker died mid-send: the outcome is unknown, so it is sent again with the same
    ``idempotency_key`` (the email's Message-ID) and marked ``uncertain``."""

    # No index of their own on the practice or the reminder: a worker writes thousands of rows
    # a minute here, and every query reads them through a narrower index (the primary key, the
    # reminder's channels, a client's pushes). Where autovacuum's statistics lag behind such a
    # burst, PostgreSQL otherwise picks the practice index, which every row of the practice
    # is in, and the worker's lookups grow with the table. ``delivery_one_per_channel`` leads
    # with the reminder, for the foreign key.
    practice = practice_key(db_index=False)
    reminder = models.ForeignKey(
        Reminder, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    # The client reached (empty for a therapist): what the daily cap counts. Indexed by
    # ``delivery_client_push``, which leads with it.
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # A callable: a new channel (``reminders.channels``) needs no migration.
    channel = models.CharField(max_length=10, choices=channels.choices)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices)
    # "<reminder id>.<channel>": unique because (reminder, channel) is.
    idempotency_key = models.CharField(max_length=80)
    address = models.CharField(max_length=254, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    uncertain = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    # Skipped or failed: what an owner's delivery problems list. Kept by the database, and what
    # that list's index is on instead of ``status``: a delivery is marked sent moments after it
    # is written, thousands a minute, and with ``status`` in no index (and room left in each
    # page, migration 0004) that mark is a heap-only update that touches no index.
    problem = models.GeneratedField(
        expression=models.Q(status__in=["skipped", "failed"]),
        output_field=models.BooleanField(),
        db_persist=True,
    )

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "channel"], name="delivery_one_per_channel"
            ),
        ]
        indexes = [
            models.Index(
                fields=["practice", "-created_at"],
                condition=models.Q(problem=True),
                name="delivery_problem",
            ),
            # The pushes the daily cap and the gap count: a client's, newest first (the few
            # skipped or failed ones are filtered out of the rows). It leads with the client
            # (one practice's) so that a batch's lookup is one seek per client whatever the
            # planner believes about the table's size.
            models.Index(fields=["client", "-created_at"], name="delivery_client_push"),
        ]


class Notification(TenantModel):
    """An entry in someone's notification centre. Discreet like every message: it says what
    kind of thing happened, never what the homework or the answers were."""

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        help_text="The client it is for, or (for a therapist) about.",
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reminder = models.OneToOneField(
        Reminder, on_delete=models.SET_NULL, null=True, blank=True, related_name="notification"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=120)
    body = models.CharField(max_length=300, blank=True)
    link = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(client__isnull=False) | models.Q(recipient_user__isnull=False),
                name="notification_has_recipient",
            ),
        ]
        indexes = [
            models.Index(
                fields=["practice", "client", "-created_at"],
                condition=models.Q(recipient_user__isnull=True),
                name="notification_client",
            ),
            models.Index(
                fields=["practice", "recipient_user", "-created_at"],
                condition=models.Q(recipient_user__isnull=False),
                name="notification_staff",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class EmailBounce(TenantModel):
    """An address the mail provider reported as bouncing. While open, reminders to it skip
    email and land in the app only; owners see it under Delivery problems."""

    email = models.EmailField()
    reason = models.CharField(max_length=300, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "email"],
                condition=models.Q(cleared_at__isnull=True),
                name="email_bounce_open",
            )
        ]


class CalendarFeed(TenantModel):
    """A client's private iCal feed. Only the token's hash is kept; revoking or making a new
    one stops the old address at once."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(revoked_at__isnull=True),
                name="calendar_feed_one_open",
            )
        ]
