"""The homework conversation: reviewing homework together in session, the plan the client
agreed to (and their confidence), and why an occurrence was not done."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from conversations.quality import MAX_LEVEL
from core.db import TenantModel

LEVEL = [MinValueValidator(0), MaxValueValidator(MAX_LEVEL)]
ZERO_TO_TEN = [MinValueValidator(0), MaxValueValidator(10)]

# A confidence below this (the client's or the therapist's) prompts the therapist to make
# the task smaller: the plan should feel 100 % doable (Beck: "how likely, 0–10?").
LOW_CONFIDENCE = 7


class MissedReasonKind(models.TextChoices):
    FORGOT = "forgot", "I forgot"
    NO_TIME = "no_time", "I didn't have time"
    TOO_HARD = "too_hard", "It was too hard"
    NO_POINT = "no_point", "I didn't see the point"
    FELT_WORSE = "felt_worse", "It made me feel worse"
    OTHER = "other", "Something else"


class Outcome(models.TextChoices):
    DONE = "done", "Done"
    PARTLY = "partly", "Partly done"
    NOT_DONE = "not_done", "Not done"


class Decision(models.TextChoices):
    KEEP = "keep", "Keep as it is"
    CHANGE = "change", "Change it"
    STOP = "stop", "Stop it"


class SessionConversation(TenantModel):
    """The review of homework held in one session: which of the Conklin review items
    happened, and when the therapist finished it (the client sees the summary from then)."""

    session = models.OneToOneField(
        "assignments.TherapySession", on_delete=models.CASCADE, related_name="conversation"
    )
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    client_involved = models.BooleanField("The client reviewed the homework with me", default=False)
    praise_given = models.BooleanField("I praised what was done", default=False)
    difficulties_discussed = models.BooleanField("We discussed the difficulties", default=False)
    plan_adjusted = models.BooleanField("We adjusted the plan together", default=False)
    agreed_note = models.TextField(
        blank=True, help_text="What was agreed for the coming week, in words the client reads."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["practice", "client", "-created_at"], name="conversation_client")
        ]


class ItemReview(TenantModel):
    """One assignment reviewed in one session: how it went, what was learned, what got in
    the way, and what happens to it next; with the anchored quality rating."""

    conversation = models.ForeignKey(
        SessionConversation, on_delete=models.CASCADE, related_name="items"
    )
    session = models.ForeignKey(
        "assignments.TherapySession", on_delete=models.CASCADE, related_name="+"
    )
    assignment = models.ForeignKey(
        "assignments.Assignment", on_delete=models.CASCADE, related_name="session_reviews"
    )
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    learned = models.TextField("What the client learned", blank=True)
    obstacles = models.TextField("What got in the way", blank=True)
    reason = models.CharField(
        "Why it was not done", max_length=12, choices=MissedReasonKind.choices, blank=True
    )
    reason_text = models.CharField(max_length=500, blank=True)
    decision = models.CharField(max_length=8, choices=Decision.choices, default=Decision.KEEP)
    quantity = models.PositiveSmallIntegerField(null=True, blank=True, validators=LEVEL)
    quality = models.PositiveSmallIntegerField(null=True, blank=True, validators=LEVEL)
    effort = models.PositiveSmallIntegerField(null=True, blank=True, validators=LEVEL)
    skill_when_upset = models.PositiveSmallIntegerField(null=True, blank=True, validators=LEVEL)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            # One review per session and assignment: a double submit is an error, not a
            # second row that would count twice in the "reviewed in session" rate.
            models.UniqueConstraint(
                fields=["session", "assignment"], name="item_review_session_assignment"
            ),
        ]
        indexes = [
            models.Index(fields=["practice", "client", "created_at"], name="item_review_client"),
            models.Index(fields=["practice", "assignment"], name="item_review_assignment"),
        ]

    @property
    def levels(self) -> dict[str, int | None]:
        return {
            "quantity": self.quantity,
            "quality": self.quality,
            "effort": self.effort,
            "skill_when_upset": self.skill_when_upset,
        }


class AgreementStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    CHANGE_PROPOSED = "change_proposed", "Change proposed"


class PlanAgreement(TenantModel):
    """The client's answer to a new assignment's plan: they confirm it or propose a change,
    and rate their own confidence they will do it."""

    assignment = models.OneToOneField(
        "assignments.Assignment", on_delete=models.CASCADE, related_name="agreement"
    )
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=AgreementStatus.choices)
    proposed_change = models.TextField(blank=True)
    confidence = models.PositiveSmallIntegerField(validators=ZERO_TO_TEN)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["practice", "client"], name="agreement_client")]


class MissedReason(TenantModel):
    """Why the client did not do a missed occurrence, in their words (one tap)."""

    occurrence = models.OneToOneField(
        "assignments.Occurrence", on_delete=models.CASCADE, related_name="missed_reason"
    )
    assignment = models.ForeignKey(
        "assignments.Assignment", on_delete=models.CASCADE, related_name="missed_reasons"
    )
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=12, choices=MissedReasonKind.choices)
    text = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["practice", "client", "-created_at"], name="missed_reason_client"),
            models.Index(fields=["practice", "assignment"], name="missed_reason_assignment"),
        ]
