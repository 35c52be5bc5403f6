"""Consent documents and what each client accepted; erasure requests; the retention setting.

A consent document version is immutable once published: its SHA-256 fingerprint is stored with
it and written into every audit row of an acceptance or withdrawal, so what a client agreed to
can be proved from the trail alone.
"""

import hashlib

from django.conf import settings
from django.db import models

from core.db import TenantModel


class ConsentKind(models.TextChoices):
    TREATMENT = "treatment", "Treatment agreement"
    PRIVACY = "privacy", "Privacy notice"
    PORTAL_TERMS = "portal_terms", "Portal terms"
    SMS = "sms", "Consent to text-message reminders"


# What a client must accept before seeing homework. SMS is optional: it only opens the channel.
REQUIRED_KINDS = (ConsentKind.TREATMENT, ConsentKind.PRIVACY, ConsentKind.PORTAL_TERMS)


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ConsentDocument(TenantModel):
    """One published version of one kind of document. Never changed after it is saved: a new
    wording is a new version. The current version of a kind is the newest whose effective date
    has come."""

    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    version = models.PositiveIntegerField()
    text = models.TextField()
    effective_date = models.DateField()
    sha256 = models.CharField(max_length=64)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "kind", "version"], name="consent_document_version"
            ),
        ]
        indexes = [
            models.Index(
                fields=["practice", "kind", "-effective_date"], name="consent_document_current"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} v{self.version}"

    @property
    def is_required(self) -> bool:
        return self.kind in REQUIRED_KINDS

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("A published consent document cannot be changed.")
        self.sha256 = fingerprint(self.text)
        super().save(*args, **kwargs)


class ConsentAction(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ConsentRecord(TenantModel):
    """A client accepting or withdrawing one document version. Append-only; the newest record
    for a version is the client's answer to it."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="consent_records"
    )
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=ConsentAction.choices)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["practice", "client", "document", "-at"], name="consent_record")
        ]


class PrivacySettings(TenantModel):
    """A practice's retention rule: records of clients discharged longer ago are erased."""

    retention_years = models.PositiveSmallIntegerField(
        default=8,
        help_text="Years after discharge after which a client's records are erased for good.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice"], name="privacy_settings_practice")
        ]


class ErasureStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an owner"
    APPROVED = "approved", "Approved, erasing"
    DONE = "done", "Erased"
    DECLINED = "declined", "Declined"


class ErasureSource(models.TextChoices):
    STAFF = "staff", "Practice staff"
    CLIENT = "client", "The client"
    RETENTION = "retention", "Retention period"


class ErasureRequest(TenantModel):
    """A request to erase a client, approved by an owner in a second step. After the erasure
    the client link is gone and only the pseudonym (an HMAC of the client's id) remains."""

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="erasure_requests",
    )
    pseudonym = models.CharField(max_length=64)
    source = models.CharField(max_length=10, choices=ErasureSource.choices)
    status = models.CharField(
        max_length=10, choices=ErasureStatus.choices, default=ErasureStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["practice", "status"], name="erasure_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(status__in=["pending", "approved"]),
                name="erasure_one_open_per_client",
            )
        ]
