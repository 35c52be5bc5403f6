"""Files a client answers with (a voice memo, a photo), stored privately per practice."""

import uuid

from django.db import models
from django.utils import timezone

from assignments.models.assignment import Occurrence
from core.db import TenantModel


class MediaKind(models.TextChoices):
    AUDIO = "audio", "Voice memo"
    PHOTO = "photo", "Photo"


class MediaAnswer(TenantModel):
    """One uploaded answer file. The bytes live under ``PRIVATE_MEDIA_ROOT`` (never a publicly
    served directory) and are read only through the access-checked, audited view; the answer
    in the revision names this row by id with its type, size and hash."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="media_answers"
    )
    occurrence = models.ForeignKey(
        Occurrence, on_delete=models.CASCADE, related_name="media_answers"
    )
    field_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=MediaKind.choices)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_path = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["practice", "client"], name="media_answer_client"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.occurrence}"

    def as_answer(self) -> dict:
        """What the revision stores: a reference, never the bytes."""
        return {
            "media": str(self.pk),
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }
