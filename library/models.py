"""The activity library: curated (global) activities and each practice's own.

Two tables on purpose. The global library is not tenant data, so it has no practice; a
practice's activities are tenant data with a non-null practice like everything else. An
assignment always pins a *practice* ``ActivityVersion``: using a global activity as it is
adopts it into the practice as a linked, uncustomised copy (``origin``), which is also how
curators see which practices use an item.

Versions are immutable once published: editing makes a new version; anything assigned keeps
the version it was made from. ``current_version`` is what the library shows and what new
assignments use: the newest published version (for an item never published, its first draft).
``draft_version`` is the unpublished next version being edited, if any.

Uploaded media (audio, video, images shown in a worksheet's media field) follow the same split:
``CuratedMedia`` for the global library, ``ActivityMedia`` per practice. A definition refers to
an upload by its id (``"upload": "<uuid>"``).
"""

import uuid

from django.conf import settings
from django.db import models

from core.db import TenantModel


class Kind(models.TextChoices):
    WORKSHEET = "worksheet", "Worksheet"
    MEASURE = "measure", "Measure"
    PRACTICE_LOG = "practice log", "Practice log"
    READING = "reading", "Reading"


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


APPROACHES = ["CBT", "DBT", "ACT", "BA", "mindfulness"]
PROBLEMS = [
    "depression",
    "anxiety",
    "OCD",
    "trauma",
    "substance use",
    "sleep",
    "relationships",
    "general",
]


class VersionContent(models.Model):
    """What a client sees and what the worksheet engine validates against."""

    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    # The clinical name ("Thought record (7 columns)") stays what staff search and see; a
    # client sees this calmer title instead when it is set. A validated instrument keeps its
    # name and may only gain a plain-language subtitle ("PHQ-9: how you've been feeling").
    # db_default: rows written through an older data migration's historical model (which
    # has no such column) still get an empty client title.
    client_title = models.CharField(
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text="What the client sees instead of the title; leave empty to show the title.",
    )
    summary = models.CharField(max_length=300, blank=True)
    rationale = models.TextField(help_text="Why this helps, written for the client.")
    instructions = models.JSONField(default=list, help_text="Steps, written for the client.")
    estimated_minutes = models.PositiveSmallIntegerField(default=10)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.WORKSHEET)
    approaches = models.JSONField(default=list)
    problems = models.JSONField(default=list)
    definition = models.JSONField(help_text="The worksheet definition (docs/worksheet-format.md).")
    # Lower-cased title, summary, rationale and tags: what library search looks through.
    search_text = models.TextField(blank=True, editable=False)
    # "|approach:cbt|problem:sleep|kind:worksheet|": tag filters as one substring match, which
    # works the same on SQLite (no JSON containment there) and PostgreSQL.
    tag_index = models.CharField(max_length=500, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.title} (v{self.number})"

    @property
    def title_for_client(self) -> str:
        """The title every client-facing surface shows (portal, reminders, the client's
        PDFs and export); staff pages keep ``title``."""
        return self.client_title.strip() or self.title

    @property
    def is_measure(self) -> bool:
        return bool(self.definition.get("scoring"))

    @property
    def instrument(self) -> dict:
        """Which published instrument this is, or was adapted from, with its credit (the
        definition's ``instrument`` block; empty for the practice's own worksheets)."""
        return self.definition.get("instrument") or {}

    @property
    def is_locked_instrument(self) -> bool:
        """A validated instrument (PHQ-9, GAD-7, …): a practice's copy of it may not change
        its questions, options, scoring or risk alerts (``library.services``)."""
        return self.instrument.get("validated") is True

    @property
    def allows_multiple_entries(self) -> bool:
        return self.definition.get("entry_mode") == "multiple"

    @property
    def default_entries_target(self) -> int:
        """How many entries each time a log asks for unless the therapist says otherwise
        (the definition's ``entries_target``; 1 for everything else)."""
        target = self.definition.get("entries_target", 1)
        return target if self.allows_multiple_entries else 1

    def build_search_text(self) -> str:
        return build_search_text(self)

    def build_tag_index(self) -> str:
        return build_tag_index(self)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


def build_search_text(content) -> str:
    """Plain functions (not only methods) so the data migration can use them on historical
    models, which have no custom methods."""
    parts = [
        content.title,
        content.summary,
        content.rationale,
        content.kind,
        *content.approaches,
        *content.problems,
    ]
    return " ".join(p for p in parts if p).lower()


def build_tag_index(content) -> str:
    tags = [f"approach:{a}" for a in content.approaches]
    tags += [f"problem:{p}" for p in content.problems]
    tags.append(f"kind:{content.kind}")
    return ("|" + "|".join(tags) + "|").lower()


class CuratedActivity(models.Model):
    """An activity of the global library, maintained by platform curators."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=80, unique=True)
    status = models.CharField(
        max_length=12, choices=PublicationStatus.choices, default=PublicationStatus.DRAFT
    )
    current_version = models.ForeignKey(
        "CuratedActivityVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The unpublished next version being edited, if any (at most one at a time).
    draft_version = models.ForeignKey(
        "CuratedActivityVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "curated activities"
        indexes = [models.Index(fields=["status", "slug"], name="curated_status_slug")]

    def __str__(self):
        return self.slug


class CuratedActivityVersion(VersionContent):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    activity = models.ForeignKey(CuratedActivity, on_delete=models.CASCADE, related_name="versions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "number"], name="curated_version_number"),
        ]
        ordering = ["activity", "-number"]


class Activity(TenantModel):
    """An activity in one practice's library: adopted from the global library (``origin``),
    customised from it, or built from scratch."""

    origin = models.ForeignKey(
        CuratedActivity, on_delete=models.PROTECT, null=True, blank=True, related_name="adoptions"
    )
    origin_version = models.ForeignKey(
        CuratedActivityVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_customised = models.BooleanField(
        default=False, help_text="False: a linked copy of the global item, used as it is."
    )
    status = models.CharField(
        max_length=12, choices=PublicationStatus.choices, default=PublicationStatus.DRAFT
    )
    shared = models.BooleanField(
        default=True, help_text="Visible to everyone in the practice (otherwise only its author)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    current_version = models.ForeignKey(
        "ActivityVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The unpublished next version being edited, if any (at most one at a time).
    draft_version = models.ForeignKey(
        "ActivityVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["practice", "status"], name="activity_practice_status"),
            models.Index(fields=["practice", "origin"], name="activity_practice_origin"),
        ]
        constraints = [
            # At most one linked (uncustomised) copy of a global item per practice.
            models.UniqueConstraint(
                fields=["practice", "origin"],
                condition=models.Q(is_customised=False, origin__isnull=False),
                name="activity_one_linked_copy",
            ),
        ]

    def __str__(self):
        return str(self.current_version) if self.current_version_id else str(self.pk)

    @property
    def is_linked_copy(self) -> bool:
        """A global item used as it is: it follows the global item and is not edited here."""
        return self.origin_id is not None and not self.is_customised


class ActivityVersion(VersionContent, TenantModel):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="versions")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "number"], name="activity_version_number"),
        ]
        indexes = [models.Index(fields=["practice", "activity"], name="activity_version_practice")]
        ordering = ["activity", "-number"]


class MediaKind(models.TextChoices):
    AUDIO = "audio", "Audio"
    VIDEO = "video", "Video"
    IMAGE = "image", "Image"


class MediaContent(models.Model):
    file = models.FileField(upload_to="library/%Y/%m/")
    kind = models.CharField(max_length=10, choices=MediaKind.choices)
    content_type = models.CharField(max_length=100)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    def __str__(self):
        return self.original_name


class CuratedMedia(MediaContent):
    """A file uploaded by a curator for the global library."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "curated media"


class ActivityMedia(MediaContent, TenantModel):
    """A file uploaded by a practice for its own activities."""

    class Meta:
        verbose_name_plural = "activity media"
        indexes = [models.Index(fields=["practice", "created_at"], name="activity_media_practice")]
