"""An assignment and each due instance of its schedule (an occurrence)."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from assignments.schedule import DEFAULT_DUE_TIME, Schedule
from core.db import TenantModel

# An occurrence not submitted this long after its due time counts as missed. With the
# default due time of 21:00 that is 09:00 the next morning: anything sent before then is
# "late", not "missed".
MISSED_AFTER = timedelta(hours=12)

# More entries than this per occurrence is a mistake (a diary four times a day for a week).
MAX_ENTRIES_TARGET = 31

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
    # What was done in the session that set the task (Kazantzis: rehearse it, check the
    # client understood the why and the how); the homework conversation reads these.
    practised_in_session = models.BooleanField(default=False)
    understanding_checked = models.BooleanField(default=False)

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
    # How many entries each occurrence asks for (a 7-day diary: 7). Adherence credits an
    # occurrence with min(entries / target, 1) (``assignments.adherence``).
    entries_target = models.PositiveSmallIntegerField(
        "entries each time",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_ENTRIES_TARGET)],
        help_text="How many entries each time it is due (a week's diary: 7).",
    )
    # Copied from the version when assigned, so adherence's SQL can keep measures apart from
    # homework without reading every definition: measures get their own figure.
    is_measure = models.BooleanField(default=False, editable=False)
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
    def title_for_client(self) -> str:
        """What the client calls it (``ActivityVersion.title_for_client``)."""
        return self.activity_version.title_for_client

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
