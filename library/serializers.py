from django.urls import reverse
from rest_framework import serializers

from library.content import APPROACHES, CONTENT_FIELDS, KINDS, PROBLEMS
from library.models import Activity, ActivityMedia, ActivityVersion, CuratedActivity


class VersionSerializer(serializers.ModelSerializer):
    is_published = serializers.BooleanField(read_only=True)

    class Meta:
        model = ActivityVersion
        fields = [
            "number",
            *CONTENT_FIELDS,
            "is_published",
            "published_at",
            "created_at",
        ]
        read_only_fields = fields


class VersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = ActivityVersion
        fields = ["number", "title", "published_at", "created_at"]
        read_only_fields = fields


class CurrentVersionFieldsMixin(serializers.Serializer):
    """What a library row shows of its current (published) version, for both libraries."""

    title = serializers.CharField(source="current_version.title", read_only=True)
    client_title = serializers.CharField(source="current_version.client_title", read_only=True)
    summary = serializers.CharField(source="current_version.summary", read_only=True)
    kind = serializers.CharField(source="current_version.kind", read_only=True)
    approaches = serializers.ListField(source="current_version.approaches", read_only=True)
    problems = serializers.ListField(source="current_version.problems", read_only=True)
    estimated_minutes = serializers.IntegerField(
        source="current_version.estimated_minutes", read_only=True
    )
    version = serializers.IntegerField(source="current_version.number", read_only=True)


class ActivityListSerializer(CurrentVersionFieldsMixin, serializers.ModelSerializer):
    """One row of the practice library (no worksheet definition)."""

    is_linked_copy = serializers.BooleanField(read_only=True)
    has_draft = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = [
            "id",
            "title",
            "client_title",
            "summary",
            "kind",
            "approaches",
            "problems",
            "estimated_minutes",
            "status",
            "version",
            "shared",
            "is_linked_copy",
            "is_customised",
            "origin",
            "has_draft",
            "updated_at",
        ]
        read_only_fields = fields

    def get_has_draft(self, obj) -> bool:
        return obj.draft_version_id is not None and obj.draft_version_id != obj.current_version_id


class ActivitySerializer(ActivityListSerializer):
    """An activity with its current version (what new assignments use) and its draft."""

    current_version = VersionSerializer(read_only=True, allow_null=True)
    draft_version = VersionSerializer(read_only=True, allow_null=True)

    class Meta(ActivityListSerializer.Meta):
        fields = [*ActivityListSerializer.Meta.fields, "current_version", "draft_version"]
        read_only_fields = fields


class CuratedListSerializer(CurrentVersionFieldsMixin, serializers.ModelSerializer):
    in_practice = serializers.BooleanField(
        read_only=True, help_text="The practice uses it as it is (it has a linked copy)."
    )

    class Meta:
        model = CuratedActivity
        fields = [
            "id",
            "slug",
            "title",
            "client_title",
            "summary",
            "kind",
            "approaches",
            "problems",
            "estimated_minutes",
            "version",
            "in_practice",
        ]
        read_only_fields = fields


class CuratedSerializer(CuratedListSerializer):
    current_version = VersionSerializer(read_only=True)

    class Meta(CuratedListSerializer.Meta):
        fields = [*CuratedListSerializer.Meta.fields, "current_version"]
        read_only_fields = fields


class ContentSerializer(serializers.Serializer):
    """Activity content to create or change. Only the shape is checked here; the service
    checks the worksheet definition and reports problems by path."""

    title = serializers.CharField(max_length=200)
    client_title = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="What the client sees instead of the title; empty shows the title.",
    )
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True)
    rationale = serializers.CharField(required=False, allow_blank=True)
    instructions = serializers.ListField(child=serializers.CharField(), required=False)
    estimated_minutes = serializers.IntegerField(required=False, min_value=1, max_value=240)
    kind = serializers.ChoiceField(choices=KINDS, required=False)
    approaches = serializers.ListField(
        child=serializers.ChoiceField(choices=APPROACHES), required=False
    )
    problems = serializers.ListField(
        child=serializers.ChoiceField(choices=PROBLEMS), required=False
    )
    definition = serializers.JSONField(
        required=False, help_text="A worksheet definition (docs/worksheet-format.md)."
    )


class ContentChangeSerializer(ContentSerializer):
    title = serializers.CharField(max_length=200, required=False)


class ImportSerializer(serializers.Serializer):
    document = serializers.JSONField(
        help_text="A Bridgework activity document or a FHIR R4 Questionnaire (resourceType)."
    )


class ImportResultSerializer(serializers.Serializer):
    activity = ActivitySerializer()
    skipped = serializers.ListField(
        child=serializers.CharField(), help_text="What could not be imported."
    )


class MediaSerializer(serializers.ModelSerializer):
    file = serializers.FileField(write_only=True)
    kind = serializers.ChoiceField(
        choices=["audio", "video", "image"],
        required=False,
        help_text="Refuse the file unless it is of this kind.",
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = ActivityMedia
        fields = ["id", "file", "kind", "content_type", "original_name", "size", "url"]
        read_only_fields = ["id", "content_type", "original_name", "size", "url"]

    def get_url(self, obj) -> str:
        return reverse("library:media", kwargs={"media_id": obj.pk})
