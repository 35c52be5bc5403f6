"""The append-only adherence log: every state change of an assignment or occurrence."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from assignments.models.assignment import Assignment, Occurrence
from core.db import TenantModel


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
