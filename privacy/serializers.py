from rest_framework import serializers

from privacy.models import ConsentDocument, ConsentKind, ErasureRequest


class ConsentDocumentSerializer(serializers.ModelSerializer):
    required = serializers.BooleanField(source="is_required", read_only=True)

    class Meta:
        model = ConsentDocument
        fields = [
            "id",
            "kind",
            "version",
            "text",
            "effective_date",
            "sha256",
            "required",
            "created_at",
        ]
        read_only_fields = ["id", "version", "sha256", "required", "created_at"]


class ConsentLineSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ConsentKind.choices)
    label = serializers.CharField()
    required = serializers.BooleanField()
    state = serializers.ChoiceField(
        choices=["accepted", "withdrawn", "not_accepted", "not_published"],
        help_text="The client's answer to the version in force.",
    )
    document = serializers.UUIDField(source="document.pk", allow_null=True, default=None)
    version = serializers.IntegerField(source="document.version", allow_null=True, default=None)
    sha256 = serializers.CharField(source="document.sha256", allow_null=True, default=None)
    at = serializers.DateTimeField(allow_null=True)


class ClientConsentSerializer(serializers.Serializer):
    client = serializers.UUIDField()
    complete = serializers.BooleanField(
        help_text="Whether the client has accepted every required document in force."
    )
    documents = ConsentLineSerializer(many=True)


class ErasureRequestSerializer(serializers.ModelSerializer):
    client = serializers.UUIDField(source="client_id", allow_null=True, read_only=True)
    requested_by = serializers.EmailField(
        source="requested_by.email", read_only=True, allow_null=True
    )
    approved_by = serializers.EmailField(
        source="approved_by.email", read_only=True, allow_null=True
    )

    class Meta:
        model = ErasureRequest
        fields = [
            "id",
            "client",
            "pseudonym",
            "source",
            "status",
            "requested_by",
            "approved_by",
            "approved_at",
            "completed_at",
            "created_at",
        ]
        read_only_fields = fields


class ErasureRequestCreateSerializer(serializers.Serializer):
    client = serializers.UUIDField(help_text="The discharged client to erase.")
