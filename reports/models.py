"""Rendered PDFs and the practice's branding on them.

A ``PdfDocument`` is one rendered file, kept and reused until what went into it changes: it is
found again by ``content_hash``, the SHA-256 of the template fingerprint and the data rendered
(see ``reports.pdf.content_hash``). ``source`` holds that data only until the worker has
rendered it, so the worker renders exactly what was hashed and authorised in the request.

A document remembers what it is *about* (``subject_type`` + ``subject_id``) so that its
progress page and download are authorised again, on every request, with the same selectors as
the page it came from.
"""

from django.conf import settings
from django.db import models

from core.db import TenantModel

DEFAULT_CONFIDENTIALITY_LINE = "Confidential: this document contains personal health information."


class PracticeBranding(TenantModel):
    """The practice's logo and the confidentiality line printed on client material."""

    logo = models.ImageField(upload_to="branding/%Y/%m/", blank=True)
    logo_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    logo_content_type = models.CharField(max_length=20, blank=True, editable=False)
    confidentiality_line = models.CharField(
        max_length=200,
        blank=True,
        help_text="Printed at the foot of every page of client material. "
        "Leave empty for the standard wording.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "practice branding"
        constraints = [
            models.UniqueConstraint(fields=["practice"], name="branding_one_per_practice"),
        ]

    def __str__(self):
        return f"Branding of {self.practice_id}"

    @property
    def confidentiality_text(self) -> str:
        return self.confidentiality_line or DEFAULT_CONFIDENTIALITY_LINE


class DocumentKind(models.TextChoices):
    BLANK_WORKSHEET = "blank_worksheet", "Blank worksheet"
    RESPONSE = "response", "Completed worksheet"
    PACKET = "packet", "Homework packet"
    SESSION_SUMMARY = "session_summary", "Session summary"
    PROGRESS_REPORT = "progress_report", "Progress report"
    CONVERSATION_SUMMARY = "conversation_summary", "Homework review summary"


class Audience(models.TextChoices):
    """Which kind of page a document was asked for from; it is only served on such pages."""

    STAFF = "staff", "Practice staff"
    CLIENT = "client", "Client portal"


class SubjectType(models.TextChoices):
    ACTIVITY = "activity", "Practice activity"
    CURATED = "curated", "Global activity"
    ASSIGNMENT = "assignment", "Assignment"
    RESPONSE = "response", "Response"
    CLIENT = "client", "Client"
    CONVERSATION = "conversation", "Homework review in session"


class DocumentStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RENDERING = "rendering", "Rendering"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class PdfDocument(TenantModel):
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    audience = models.CharField(max_length=10, choices=Audience.choices)
    subject_type = models.CharField(max_length=12, choices=SubjectType.choices)
    subject_id = models.UUIDField()
    # What distinguishes documents about one subject that are not versions of each other,
    # e.g. a packet's date range. A new content hash for the same variant replaces the old file.
    variant = models.CharField(max_length=100, blank=True)
    content_hash = models.CharField(max_length=64)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=300)
    filename = models.CharField(max_length=200)
    source = models.JSONField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.PENDING
    )
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "audience", "subject_type", "subject_id", "content_hash"],
                name="pdf_document_content",
            ),
        ]
        indexes = [
            models.Index(
                fields=["practice", "subject_type", "subject_id", "audience", "kind", "variant"],
                name="pdf_document_subject",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def is_ready(self) -> bool:
        return self.status == DocumentStatus.READY and bool(self.file)

    @property
    def is_waiting(self) -> bool:
        return self.status in (DocumentStatus.PENDING, DocumentStatus.RENDERING)


class ExportKind(models.TextChoices):
    CLIENT = "client", "The client's own copy"
    SUBJECT_ACCESS = "subject_access", "Subject access request"


class ClientExport(TenantModel):
    """Everything the practice holds about one client, zipped (a readable PDF and the FHIR
    Bundle): the client's own copy from the portal, or a subject-access export an owner runs,
    which adds what the portal does not show (flags, reviews, the audit of access).

    Built by the worker and stored privately like the PDFs. Its download link is signed, works
    once (``downloaded_at``) and until ``expires_at``; the file is deleted when it is
    downloaded, and with the row."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ExportKind.choices)
    status = models.CharField(
        max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    # Part of the signed download token, so a token cannot be made for another export (or
    # for this one again after it was used: a new request makes a new nonce).
    nonce = models.CharField(max_length=32)
    claimed_at = models.DateTimeField(null=True, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["practice", "client", "-created_at"], name="export_client"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.client_id}"

    @property
    def is_waiting(self) -> bool:
        return self.status in (DocumentStatus.PENDING, DocumentStatus.RENDERING)
