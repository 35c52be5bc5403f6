"""Risk flags raised by a client's answers, and what the care team did about each."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from assignments.models.assignment import Assignment, Occurrence
from assignments.models.responses import Response
from core.db import TenantModel


class FlagKind(models.TextChoices):
    CRITICAL_ITEM = "critical_item", "Critical answer"
    # A measure's total rose by its reliable-change threshold or more from the baseline of the
    # episode of care (``assignments.services.outcomes``); ``rule`` holds the figures.
    DETERIORATION = "deterioration", "Reliable deterioration"


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
