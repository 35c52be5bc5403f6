"""Pathways: multi-step programmes of activities delivered to a client on a schedule.

Two pairs of tables, like the library. ``CuratedPathway``/``CuratedPathwayStep`` are the global
pathway library kept by curators: not tenant data, no practice. ``Pathway``/``PathwayStep`` are
a practice's own (built from scratch or copied from a global one). A global step names a
curated activity; a practice step names either a practice activity (possibly customised for
this pathway) or a curated one, which is adopted into the practice when the step is released.

Enrolling a client copies the template's steps into ``EnrolmentStep`` rows. From then on the
enrolment runs on its own copy: per-client changes (skip, delay, swap) touch only the copy, and
editing the template changes running enrolments only when the therapist applies the changes.

``EnrolmentStep`` is also the release engine's work queue (DESIGN.md, Jobs): ``release_at`` in
UTC and a ``status``; the beat sweeper reads the partial index of scheduled rows.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from assignments.models import Visibility
from core.db import TenantModel
from pathways import completion as completion_rules
from pathways import release_rules
from pathways.completion import MAX_COMPLETION_ENTRIES, Completion
from worksheets import risk_rules

# A delay longer than this is a mistake, not a plan.
MAX_DELAY_DAYS = 365
MAX_DAYS_TO_COMPLETE = 60

FUNCTIONS = [
    "psychoeducation",
    "assessment",
    "self-monitoring",
    "skills practice",
    "exposure",
    "relapse prevention",
]
AUDIENCES = ["adults", "young people", "older adults", "carers"]
PHASES = ["before therapy starts", "early", "middle", "ending", "after therapy"]


# What describes a pathway (not its steps): what its authoring form edits, what a copy of a
# global pathway takes over, and the keys a seed document may set.
PATHWAY_FIELDS = (
    "name",
    "client_title",
    "description",
    "functions",
    "audiences",
    "phases",
    "response_visibility",
)


class PathwayStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Comparison(models.TextChoices):
    AT_LEAST = "gte", "at least"
    AT_MOST = "lte", "at most"
    # Whether the condition step's entry raised a risk flag (no value to compare with).
    FLAGGED = "flagged", "raised a flag"
    NOT_FLAGGED = "not_flagged", "raised no flag"


# The comparisons that read the condition step's risk flag, not its score.
FLAG_COMPARISONS = (Comparison.FLAGGED, Comparison.NOT_FLAGGED)


class PathwayContent(models.Model):
    """What a pathway is, for therapists (name, tags) and for the client (title)."""

    name = models.CharField("internal name", max_length=200)
    client_title = models.CharField(
        "title for the client",
        max_length=200,
        blank=True,
        help_text="What the client sees. Leave empty to show “Your programme”.",
    )
    description = models.TextField(blank=True)
    functions = models.JSONField(default=list, blank=True)
    audiences = models.JSONField(default=list, blank=True)
    phases = models.JSONField("when in therapy", default=list, blank=True)
    response_visibility = models.CharField(
        "who sees responses",
        max_length=20,
        choices=Visibility.choices,
        default=Visibility.SHARED,
    )
    status = models.CharField(
        max_length=12, choices=PathwayStatus.choices, default=PathwayStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def title_for_client(self) -> str:
        return self.client_title or "Your programme"

    @property
    def is_published(self) -> bool:
        return self.status == PathwayStatus.PUBLISHED


class StepContent(models.Model):
    """One step's activity reference and delivery rule (shared by templates and enrolments)."""

    position = models.PositiveIntegerField()
    curated_activity = models.ForeignKey(
        "library.CuratedActivity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Its release rule's ``value`` (``pathways.release_rules``). The choices are a callable: a
    # new rule needs no migration.
    delivery = models.CharField(max_length=24, choices=release_rules.choices)
    delay_days = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(MAX_DELAY_DAYS)]
    )
    time_of_day = models.TimeField(
        null=True, blank=True, help_text="In the client's time zone. Empty: see the rule."
    )
    days_to_complete = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS_TO_COMPLETE)]
    )
    required = models.BooleanField(
        default=True, help_text="Steps that wait for “the previous step” wait for this one."
    )
    # When the released step counts as done (``pathways.completion``).
    completion = models.CharField(
        "done when",
        max_length=24,
        choices=Completion.choices,
        default=Completion.FIRST_ENTRY,
    )
    completion_entries = models.PositiveSmallIntegerField(
        "entries",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_COMPLETION_ENTRIES)],
        help_text="How many entries it asks for (a week's diary: 7); with “after a number of "
        "entries” it is done when they are in.",
    )
    # A step that, once its time is known (its condition met), holds the enrolment until a
    # therapist resumes it with a decision, as a flagged answer does: e.g. the branch of a
    # severe baseline score. It is released itself on resume.
    holds_for_review = models.BooleanField(
        "hold for my review",
        default=False,
        help_text="When its time comes, nothing more is released until a therapist resumes.",
    )
    therapist_notes = models.TextField(blank=True, help_text="Never shown to the client.")
    # Branching: the step is only delivered when a measure step's total meets a threshold, or
    # when an earlier step's entry raised (or did not raise) a risk flag.
    condition_operator = models.CharField(
        max_length=12, choices=Comparison.choices, blank=True, default=""
    )
    condition_value = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def source_activity(self):
        """The practice activity or, failing that, the global one this step delivers."""
        return getattr(self, "activity", None) or self.curated_activity

    @property
    def activity_version(self):
        """The version a preview shows (a release pins the current one at that moment)."""
        source = self.source_activity
        return source.current_version if source is not None else None

    @property
    def title(self) -> str:
        version = self.activity_version
        return version.title if version is not None else "Untitled activity"

    @property
    def title_for_client(self) -> str:
        version = self.activity_version
        return version.title_for_client if version is not None else "Untitled activity"

    @property
    def is_measure(self) -> bool:
        version = self.activity_version
        return version is not None and version.is_measure

    @property
    def has_risk_rule(self) -> bool:
        """Whether an entry of its activity can raise a risk flag (``worksheets.risk_rules``)."""
        version = self.activity_version
        return version is not None and bool(risk_rules(version.definition))

    @property
    def branches_on_flag(self) -> bool:
        return self.condition_operator in FLAG_COMPARISONS

    @property
    def is_conditional(self) -> bool:
        return self.condition_step_id is not None

    @property
    def completion_text(self) -> str:
        return completion_rules.describe(self)

    @property
    def waits_for_previous(self) -> bool:
        rule = release_rules.rule_for(self.delivery)
        return rule is not None and rule.counts_from_previous


# --- The global library ----------------------------------------------------------------------


class CuratedPathway(PathwayContent):
    """A pathway of the global library, maintained by platform curators."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "name"], name="curated_pathway_status")]


class CuratedPathwayStep(StepContent):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pathway = models.ForeignKey(CuratedPathway, on_delete=models.CASCADE, related_name="steps")
    condition_step = models.ForeignKey(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pathway", "position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(curated_activity__isnull=False),
                name="curated_step_has_activity",
            ),
        ]

    def __str__(self):
        return f"Step {self.position} of {self.pathway_id}"


# --- A practice's pathways ---------------------------------------------------------------------


class Pathway(PathwayContent, TenantModel):
    origin = models.ForeignKey(
        CuratedPathway,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        help_text="The global pathway this was copied from.",
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["practice", "status", "name"], name="pathway_status")]


class PathwayStep(StepContent, TenantModel):
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="steps")
    activity = models.ForeignKey(
        "library.Activity", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    condition_step = models.ForeignKey(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["pathway", "position"]
        indexes = [models.Index(fields=["practice", "pathway", "position"], name="step_position")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(activity__isnull=True) ^ models.Q(curated_activity__isnull=True),
                name="pathway_step_one_activity",
            ),
        ]

    def __str__(self):
        return f"Step {self.position} of {self.pathway_id}"


# --- Enrolments ----------------------------------------------------------------------------------


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


RUNNING_STATUSES = (EnrolmentStatus.ACTIVE, EnrolmentStatus.PAUSED)


class Enrolment(TenantModel):
    """A client following a pathway, from ``start_date`` (the client's local calendar)."""

    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="enrolments")
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="pathway_enrolments"
    )
    start_date = models.DateField()
    status = models.CharField(
        max_length=12, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    # Whole days the schedule moved because of pauses: steps counted from enrolment that are
    # not scheduled yet (conditional ones) start counting this much later.
    shift_days = models.PositiveIntegerField(default=0)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Set while a flag on the client's answer holds every release, until a therapist resumes
    # with a recorded decision (``EnrolmentHold``). Separate from a pause: nothing moves.
    held_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "pathway", "client"],
                condition=models.Q(status__in=["active", "paused"]),
                name="enrolment_one_running",
            ),
        ]
        indexes = [
            models.Index(fields=["practice", "status", "-created_at"], name="enrolment_status"),
            models.Index(fields=["practice", "client", "status"], name="enrolment_client"),
            models.Index(fields=["practice", "pathway", "status"], name="enrolment_pathway"),
        ]

    def __str__(self):
        return f"{self.client} on {self.pathway}"

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES


class EnrolmentHold(TenantModel):
    """A flag on the client's answer held the enrolment's releases; a therapist lifted the
    hold with a decision (what they did about it, and why the programme may go on)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="holds")
    flag = models.ForeignKey(
        "assignments.Flag", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision = models.TextField(max_length=2000, blank=True)
    # Why it holds when no flag does: the step that holds for review, and the score that
    # brought it (``holds_for_review``).
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=models.Q(lifted_at__isnull=True),
                name="enrolment_hold_one_open",
            )
        ]


class StepStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"  # its time is not known yet (previous step or a score)
    SCHEDULED = "scheduled", "Scheduled"  # release_at is set
    HELD = "held", "Needs attention"  # its release failed; the note says why
    RELEASED = "released", "Released"  # an assignment exists
    COMPLETED = "completed", "Done"
    SKIPPED = "skipped", "Skipped"  # by the therapist: what waits for it moves on
    NOT_NEEDED = "not_needed", "Not needed"  # its condition was not met: as if not there
    CANCELLED = "cancelled", "Cancelled"


# Not released yet: what per-client changes and "apply template changes" may touch.
PENDING_STEP_STATUSES = (StepStatus.WAITING, StepStatus.SCHEDULED, StepStatus.HELD)
# Steps that do not count as "the previous step" (the one before them does).
PASSED_OVER_STATUSES = (StepStatus.NOT_NEEDED, StepStatus.CANCELLED)


class EnrolmentStep(StepContent, TenantModel):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="steps")
    source_step = models.ForeignKey(
        PathwayStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    activity = models.ForeignKey(
        "library.Activity", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    condition_step = models.ForeignKey(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=StepStatus.choices, default=StepStatus.WAITING)
    # The moment the delivery rule counts from (enrolment, or the previous step being done).
    anchor_at = models.DateTimeField(null=True, blank=True)
    release_at = models.DateTimeField(null=True, blank=True)
    # When the sweeper last queued a release; a row queued long ago and still scheduled lost
    # its message (e.g. Redis restarted) and is queued again.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    # Set at release for steps done at the end of their period: the sweeper completes the
    # step then (``pathways.completion``).
    completes_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    assignment = models.OneToOneField(
        "assignments.Assignment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pathway_step",
    )
    score = models.FloatField(null=True, blank=True, help_text="A measure's total when done.")
    flagged = models.BooleanField(
        default=False, help_text="Whether its entry raised a risk flag, when done."
    )
    note = models.CharField(
        max_length=300, blank=True, help_text="Why it was skipped or held, for the therapist."
    )

    class Meta:
        ordering = ["enrolment", "position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(activity__isnull=True) ^ models.Q(curated_activity__isnull=True),
                name="enrolment_step_one_activity",
            ),
        ]
        indexes = [
            models.Index(
                fields=["practice", "enrolment", "position"], name="enrolment_step_position"
            ),
            # The sweeper's work list, across practices (so it cannot lead with practice):
            # only scheduled rows are in it, so it stays small however long the history.
            models.Index(
                fields=["release_at"],
                condition=models.Q(status="scheduled"),
                name="enrolment_step_due",
            ),
            # The sweeper's other list: released steps whose period ends (small likewise).
            models.Index(
                fields=["completes_at"],
                condition=models.Q(status="released", completes_at__isnull=False),
                name="enrolment_step_period_end",
            ),
        ]

    def __str__(self):
        return f"Step {self.position} of {self.enrolment_id}"

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STEP_STATUSES
