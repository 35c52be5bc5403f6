"""What a client sends (entries, their revisions, drafts, check-ins) and the therapist's review."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from assignments.models.assignment import ZERO_TO_TEN, Assignment, Occurrence
from core.db import TenantModel


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


class RevisionSource(models.TextChoices):
    """Where a revision's answers were entered."""

    PORTAL = "portal", "Client portal"
    FHIR_IMPORT = "fhir_import", "Imported (FHIR)"


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
    source = models.CharField(
        max_length=20, choices=RevisionSource.choices, default=RevisionSource.PORTAL
    )
    # For an import: the QuestionnaireResponse's own id or identifier where it was made.
    source_reference = models.CharField(max_length=300, blank=True)

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
