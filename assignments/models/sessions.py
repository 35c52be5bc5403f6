"""Messages on an assignment, and the therapy sessions homework is reviewed in."""

from django.conf import settings
from django.db import models

from assignments.models.assignment import Assignment
from core.db import TenantModel


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
