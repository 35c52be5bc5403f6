"""Assignments, their occurrences, the client's responses, and the adherence log.

An ``Assignment`` is what a therapist gives a client: one pinned ``library.ActivityVersion``
plus what predicts engagement (rationale, instructions, when and where, obstacles with an
if–then plan, confidence, a personal message) and a schedule. Each due instance of the
schedule is an ``Occurrence`` with the client's local date and a UTC ``due_at``.

What a client sends is a ``Response`` (one entry; log-type activities allow several per
occurrence). Submitted answers are never updated: they live in append-only
``ResponseRevision`` rows, and an edit adds a revision. Every state change is appended to
``AdherenceEvent``.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from assignments.schedule import DEFAULT_DUE_TIME, Schedule
from core.db import TenantModel

# An occurrence not submitted this long after its due time counts as missed. With the
# default due time of 21:00 that is 09:00 the next morning: anything sent before then is
# "late", not "missed".
MISSED_AFTER = timedelta(hours=12)

ZERO_TO_TEN = [MinValueValidator(0), MaxValueValidator(10)]


class ScheduleKind(models.TextChoices):
    ONCE = "once", "Once"
    DAILY = "daily", "Every day for a number of days"
    TIMES_PER_WEEK = "times_per_week", "A number of times a week"
    WEEKDAYS = "weekdays", "On chosen days of the week"
    EVERY_N_WEEKS = "every_n_weeks", "Every week or every few weeks"
    BEFORE_SESSIONS = "before_sessions", "The day before each session"


class Visibility(models.TextChoices):
    SHARED = "shared", "Therapist and client"
    CLIENT_ONLY = "client_only", "Client only"
    CLIENT_DECIDES = "client_decides", "Client decides for each entry"


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CANCELLED = "cancelled", "Cancelled"


class Assignment(TenantModel):
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="assignments"
    )
    activity_version = models.ForeignKey(
        "library.ActivityVersion", on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rationale = models.TextField(help_text="Why this helps, in plain words the client reads.")
    instructions = models.TextField(blank=True, help_text="One step per line.")
    plan_when = models.CharField("when", max_length=200, blank=True)
    plan_where = models.CharField("where", max_length=200, blank=True)
    obstacles = models.TextField(blank=True)
    if_then_plan = models.TextField("if–then plan", blank=True)
    confidence = models.PositiveSmallIntegerField(null=True, blank=True, validators=ZERO_TO_TEN)
    personal_message = models.TextField(blank=True)

    schedule_kind = models.CharField(
        max_length=20, choices=ScheduleKind.choices, default=ScheduleKind.ONCE
    )
    starts_on = models.DateField(help_text="The (first) due date, in the client's time zone.")
    due_time = models.TimeField(default=DEFAULT_DUE_TIME)
    repeat_days = models.PositiveSmallIntegerField(null=True, blank=True)
    times_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    weekdays = models.JSONField(default=list, blank=True, help_text="0 = Monday … 6 = Sunday.")
    weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    interval_weeks = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Every N weeks (schedule kind every_n_weeks)."
    )

    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.SHARED
    )
    status = models.CharField(
        max_length=12, choices=AssignmentStatus.choices, default=AssignmentStatus.ACTIVE
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)

    # A generic link back to whatever created the assignment, without this app depending on
    # it: pathways use origin="pathway_step" and the enrolment step's id. Empty when a
    # therapist assigned it by hand.
    origin = models.CharField(max_length=40, blank=True)
    origin_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["practice", "client", "status"], name="assignment_client_status"),
            models.Index(fields=["practice", "activity_version"], name="assignment_version"),
            models.Index(
                fields=["practice", "origin", "origin_id"],
                condition=~models.Q(origin=""),
                name="assignment_origin",
            ),
        ]

    def __str__(self):
        return f"{self.activity_version.title} for {self.client}"

    @property
    def title(self) -> str:
        return self.activity_version.title

    @property
    def is_cancelled(self) -> bool:
        return self.status == AssignmentStatus.CANCELLED

    @property
    def schedule(self) -> Schedule:
        return Schedule(
            kind=self.schedule_kind,
            starts_on=self.starts_on,
            due_time=self.due_time,
            repeat_days=self.repeat_days,
            times_per_week=self.times_per_week,
            weekdays=tuple(self.weekdays or ()),
            weeks=self.weeks,
            interval_weeks=self.interval_weeks,
        )

    @property
    def instruction_steps(self) -> list[str]:
        return [line.strip() for line in self.instructions.splitlines() if line.strip()]


class OccurrenceStatus(models.TextChoices):
    ASSIGNED = "assigned", "Assigned"
    OPENED = "opened", "Opened"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    REVIEWED = "reviewed", "Reviewed"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


PENDING_STATUSES = (
    OccurrenceStatus.ASSIGNED,
    OccurrenceStatus.OPENED,
    OccurrenceStatus.IN_PROGRESS,
)
DONE_STATUSES = (OccurrenceStatus.SUBMITTED, OccurrenceStatus.REVIEWED)


class State(models.TextChoices):
    """What an occurrence is *now*, for display: the stored status plus the clock (an
    unsubmitted occurrence past its due time is overdue, then missed, whether or not the
    sweeper has recorded it yet; a submission after the due time is late)."""

    ASSIGNED = "assigned", "Assigned"
    OPENED = "opened", "Opened"
    IN_PROGRESS = "in_progress", "In progress"
    OVERDUE = "overdue", "Overdue"
    SUBMITTED = "submitted", "Submitted"
    LATE = "late", "Submitted late"
    REVIEWED = "reviewed", "Reviewed"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


class Occurrence(TenantModel):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="occurrences")
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="occurrences"
    )
    sequence = models.PositiveSmallIntegerField()
    local_date = models.DateField(help_text="The due date in the client's time zone.")
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=OccurrenceStatus.choices, default=OccurrenceStatus.ASSIGNED
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="First entry.")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    missed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "sequence"], name="occurrence_sequence"),
        ]
        indexes = [
            models.Index(fields=["practice", "client", "due_at"], name="occurrence_client_due"),
            models.Index(
                fields=["practice", "assignment", "due_at"], name="occurrence_assignment_due"
            ),
            # What the missed sweeper (and reminders) look through: only what is pending.
            models.Index(
                fields=["status", "due_at"],
                condition=models.Q(status__in=["assigned", "opened", "in_progress"]),
                name="occurrence_pending_due",
            ),
        ]

    def __str__(self):
        return f"{self.assignment_id} #{self.sequence} due {self.local_date}"

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if self.status == OccurrenceStatus.CANCELLED:
            return State.CANCELLED
        if self.status == OccurrenceStatus.REVIEWED:
            return State.REVIEWED
        if self.submitted_at is not None:
            return State.LATE if self.submitted_at > self.due_at else State.SUBMITTED
        if self.status == OccurrenceStatus.MISSED or now >= self.due_at + MISSED_AFTER:
            return State.MISSED
        if now >= self.due_at:
            return State.OVERDUE
        return self.status

    def state_label(self, now=None) -> str:
        return State(self.state(now)).label

    @property
    def is_done(self) -> bool:
        return self.submitted_at is not None

    @property
    def was_late(self) -> bool:
        return self.submitted_at is not None and self.submitted_at > self.due_at


class Response(TenantModel):
    """One entry a client submitted. The answers are in its revisions; the row itself only
    points at the current one."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="responses")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="responses")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="responses")
    activity_version = models.ForeignKey(
        "library.ActivityVersion", on_delete=models.PROTECT, related_name="+"
    )
    entry_number = models.PositiveSmallIntegerField(default=1)
    submission_key = models.UUIDField(help_text="Sent with the form: a retry is not a new entry.")
    submitted_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    shared_with_therapist = models.BooleanField(default=True)
    current_revision = models.ForeignKey(
        "ResponseRevision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revision_count = models.PositiveSmallIntegerField(default=1)
    # Not a column: True on the entry ``response_submit`` returns for a submission key it had
    # seen already (a retry), so the API can answer that nothing new was created.
    replayed = False

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "submission_key"], name="response_submission_key"
            ),
            models.UniqueConstraint(fields=["occurrence", "entry_number"], name="response_entry"),
        ]
        indexes = [
            models.Index(fields=["practice", "client", "-submitted_at"], name="response_client"),
            models.Index(fields=["practice", "occurrence"], name="response_occurrence"),
        ]

    def __str__(self):
        return f"Entry {self.entry_number} of {self.occurrence}"


class ResponseRevision(TenantModel):
    """The answers of one response as sent. Append-only: ``save`` refuses updates, and on
    PostgreSQL a trigger refuses UPDATE outright (see migration 0002)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField()
    submission_key = models.UUIDField()
    answers = models.JSONField()
    score = models.JSONField(null=True, blank=True, help_text="ScoreResult.as_dict() of a measure.")
    score_total = models.FloatField(null=True, blank=True)
    severity = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["response", "number"]
        constraints = [
            models.UniqueConstraint(fields=["response", "number"], name="revision_number"),
            models.UniqueConstraint(
                fields=["response", "submission_key"], name="revision_submission_key"
            ),
        ]
        indexes = [models.Index(fields=["practice", "response"], name="revision_response")]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Submitted answers are never changed: add a revision instead.")
        super().save(*args, **kwargs)

    @property
    def band_label(self) -> str:
        band = (self.score or {}).get("band") or {}
        return band.get("label", "")


class Draft(TenantModel):
    """What a client has typed but not sent, autosaved. One per occurrence for a new entry,
    and one per response for an edit (the next revision)."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="drafts")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, null=True, blank=True, related_name="drafts"
    )
    answers = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence"],
                condition=models.Q(response__isnull=True),
                name="draft_one_new_entry",
            ),
            models.UniqueConstraint(
                fields=["response"],
                condition=models.Q(response__isnull=False),
                name="draft_one_per_response",
            ),
        ]
        indexes = [models.Index(fields=["practice", "occurrence"], name="draft_occurrence")]


class CheckIn(TenantModel):
    """The short questions after submitting: how it went, in the client's own ratings."""

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="checkin")
    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="checkins")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    helpful = models.PositiveSmallIntegerField(null=True, blank=True, validators=ZERO_TO_TEN)
    difficulty = models.PositiveSmallIntegerField(null=True, blank=True, validators=ZERO_TO_TEN)
    minutes_spent = models.PositiveSmallIntegerField(null=True, blank=True)
    obstacles = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["practice", "client", "-created_at"], name="checkin_client")
        ]


class Review(TenantModel):
    """A therapist marked an occurrence reviewed; the comment is shown to the client."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="reviews")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(blank=True)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=ZERO_TO_TEN, help_text="The therapist's quality rating."
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["practice", "occurrence", "-created_at"], name="review_occurrence")
        ]


class FlagKind(models.TextChoices):
    CRITICAL_ITEM = "critical_item", "Critical answer"


class Flag(TenantModel):
    """An answer that met a risk rule of the worksheet (PHQ-9 item 9 ≥ 1, "Did you hurt
    yourself today?" = yes): something the therapist must see at once. Raised on every save,
    autosaved drafts included; raising one (or raising its level) sends
    ``assignments.signals.flag_raised`` after the transaction commits.

    One open flag per item per entry: while it is open, later saves reuse it. A flag raised
    from the draft of a new entry has no ``response`` yet; sending the entry attaches it."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="flags")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="flags")
    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="flags")
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    kind = models.CharField(max_length=20, choices=FlagKind.choices, default=FlagKind.CRITICAL_ITEM)
    field_id = models.CharField(max_length=50, blank=True)
    message = models.CharField(max_length=300)
    rule = models.JSONField(
        default=dict, blank=True, help_text="The rule met: field, op, value and label."
    )
    level = models.FloatField(
        null=True,
        blank=True,
        help_text="The highest level the answer endorsed while the flag was open (e.g. 3 for "
        "item 9 answered “Nearly every day”); empty when the answer has no level.",
    )
    answer_value = models.CharField(
        max_length=300, blank=True, help_text="The answer that met the rule, in words."
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["practice", "client", "-created_at"],
                condition=models.Q(acknowledged_at__isnull=True),
                name="flag_open",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "field_id"],
                condition=models.Q(acknowledged_at__isnull=True, response__isnull=False),
                name="flag_one_open_per_item",
            ),
            models.UniqueConstraint(
                fields=["occurrence", "field_id"],
                condition=models.Q(acknowledged_at__isnull=True, response__isnull=True),
                name="flag_one_open_per_draft_item",
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


# --- What was done about a flag --------------------------------------------------------------


class FlagAction(models.TextChoices):
    ASSESSED_RISK = "assessed_risk", "Assessed risk"
    CONTACTED_CLIENT = "contacted_client", "Contacted the client"
    REVIEWED_SAFETY_PLAN = "reviewed_safety_plan", "Reviewed the safety plan"
    CONTACTED_EMERGENCY = "contacted_emergency", "Contacted emergency services"
    OTHER = "other", "Other"


class FlagEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The flag history is append-only.")

    def delete(self):
        raise PermissionError("The flag history is append-only.")


class FlagEvent(TenantModel):
    """A clinician's response to a flag: what was done (``actions``, values of
    ``FlagAction``), a note, who and when. The first response closes the flag; later ones are
    follow-ups. Append-only: ``save``, ``delete`` and the queryset refuse changes, and on
    PostgreSQL a trigger refuses UPDATE. Rows still go when the client's whole record is
    erased (the cascade), as the adherence log does."""

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="events")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who it was, kept as written at the time: the record must still say so after the
    # account is deleted.
    actor_name = models.CharField(max_length=200)
    actions = models.JSONField(default=list)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(
        practice="practice", _manager_class=models.Manager.from_queryset(FlagEventQuerySet)
    )

    class Meta:
        ordering = ["-at", "-created_at"]
        indexes = [models.Index(fields=["practice", "flag", "-at"], name="flag_event_flag_at")]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The flag history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The flag history is append-only.")

    @property
    def action_labels(self) -> list[str]:
        labels = dict(FlagAction.choices)
        return [labels.get(action, action) for action in self.actions]


class AssignmentMessage(TenantModel):
    """A question from the client about an assignment, or the therapist's answer."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="messages")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_client = models.BooleanField()
    body = models.TextField(max_length=4000)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["practice", "client", "-created_at"], name="message_client"),
            models.Index(fields=["practice", "assignment", "created_at"], name="message_thread"),
        ]


class TherapySession(TenantModel):
    """The therapist recorded that a session was held: the session review then shows what
    happened since."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-created_at"]
        indexes = [models.Index(fields=["practice", "client", "-held_on"], name="session_client")]


class PlannedSession(TenantModel):
    """An upcoming session the therapist entered. Assignments scheduled "before each session"
    get an occurrence due the day before each one, including sessions added later."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="planned_sessions"
    )
    session_on = models.DateField(help_text="The session's date, in the client's time zone.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["session_on"]
        constraints = [
            models.UniqueConstraint(fields=["client", "session_on"], name="planned_session_day"),
        ]
        indexes = [
            models.Index(fields=["practice", "client", "session_on"], name="planned_session_client")
        ]

    def __str__(self):
        return f"Session on {self.session_on}"


class EventKind(models.TextChoices):
    ASSIGNED = "assigned", "Assigned"
    EDITED = "edited", "Changed by the therapist"
    CANCELLED = "cancelled", "Cancelled"
    OPENED = "opened", "Opened"
    STARTED = "started", "Started"
    SUBMITTED = "submitted", "Submitted"
    REVISED = "revised", "Entry edited"
    CHECKED_IN = "checked_in", "Checked in"
    MISSED = "missed", "Missed"
    REVIEWED = "reviewed", "Reviewed"
    QUESTION_ASKED = "question_asked", "Question asked"
    QUESTION_ANSWERED = "question_answered", "Question answered"
    FLAG_RAISED = "flag_raised", "Flag raised"


class ActorRole(models.TextChoices):
    THERAPIST = "therapist", "Therapist"
    CLIENT = "client", "Client"
    SYSTEM = "system", "Bridgework"


class AdherenceEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The adherence log is append-only.")


class AdherenceEvent(TenantModel):
    """Every state change of an assignment, with when and who. Append-only: ``save`` and the
    queryset refuse updates; on PostgreSQL a trigger refuses UPDATE too."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="events")
    occurrence = models.ForeignKey(
        Occurrence, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_role = models.CharField(max_length=10, choices=ActorRole.choices)
    at = models.DateTimeField(default=timezone.now)
    detail = models.JSONField(default=dict, blank=True)

    objects = ScopedManager(
        practice="practice", _manager_class=models.Manager.from_queryset(AdherenceEventQuerySet)
    )

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["practice", "client", "-at"], name="event_client_at"),
            models.Index(fields=["practice", "assignment", "-at"], name="event_assignment_at"),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The adherence log is append-only.")
        super().save(*args, **kwargs)
