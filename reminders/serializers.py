from rest_framework import serializers

from reminders.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    client = serializers.UUIDField(source="client_id", read_only=True, allow_null=True)
    is_read = serializers.BooleanField(read_only=True)
    # A plain string in the schema: an enum named "Kind" would collide with the library's.
    kind = serializers.CharField(read_only=True, help_text="new_homework, due_soon, … (see README)")

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "link",
            "client",
            "is_read",
            "read_at",
            "created_at",
        ]
        read_only_fields = fields


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(read_only=True)
