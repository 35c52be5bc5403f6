from rest_framework import serializers

from accounts.models import User
from clients import gas
from clients.models import Client
from core.timezones import known_timezones


class PracticeStaffField(serializers.SlugRelatedField):
    """A therapist of the requesting practice, identified by email."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="email", **kwargs)

    def get_queryset(self):
        request = self.context["request"]
        return User.objects.filter(memberships__practice=request.practice)


class ClientSerializer(serializers.ModelSerializer):
    primary_therapist = PracticeStaffField()
    # Written as emails; read back from the prefetched care team (see to_representation), so
    # a page of clients costs no query per client.
    shared_with = PracticeStaffField(many=True, required=False, write_only=True)
    timezone = serializers.CharField(max_length=64, required=False)
    has_portal_access = serializers.SerializerMethodField()

    class Meta:
        model = Client
        fields = [
            "id",
            "full_name",
            "preferred_name",
            "email",
            "timezone",
            "status",
            "primary_therapist",
            "shared_with",
            "has_portal_access",
            "portal_invited_at",
            "discharged_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "portal_invited_at", "discharged_at"]

    def get_has_portal_access(self, obj) -> bool:
        return obj.user_id is not None

    def validate_timezone(self, value):
        if value not in known_timezones():
            raise serializers.ValidationError(f"“{value}” is not a time zone we know.")
        return value

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["shared_with"] = [m.user.email for m in instance.care_team.all()]
        return data


class ClientStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["active", "paused", "discharged"])


class CareEpisodeSerializer(serializers.Serializer):
    """An episode of care after the first (the first starts implicitly at the first score)."""

    id = serializers.UUIDField(read_only=True)
    started_on = serializers.DateField(
        help_text="The client's local date; today or earlier, after the current episode's."
    )
    note = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default="", trim_whitespace=True
    )
    started_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    def get_started_by(self, episode) -> str | None:
        user = episode.started_by
        return user.email if user is not None else None


class GoalRatingSerializer(serializers.Serializer):
    """The level a goal reached at a review."""

    id = serializers.UUIDField(read_only=True)
    level = serializers.ChoiceField(choices=[-2, -1, 0, 1, 2], help_text="-2 to +2.")
    rated_on = serializers.DateField(
        help_text="The client's local date; today or earlier, not before the goal was set."
    )
    note = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default="", trim_whitespace=True
    )
    created_at = serializers.DateTimeField(read_only=True)


class GoalSerializer(serializers.Serializer):
    """A goal scaled for goal attainment scaling: five levels described in words, a baseline
    (-1, or -2 if things could get worse), and its ratings (oldest first)."""

    id = serializers.UUIDField(read_only=True)
    title = serializers.CharField(max_length=200)
    level_minus_2 = serializers.CharField(max_length=300, help_text="Much less than expected.")
    level_minus_1 = serializers.CharField(max_length=300, help_text="Somewhat less than expected.")
    level_0 = serializers.CharField(max_length=300, help_text="The expected outcome.")
    level_plus_1 = serializers.CharField(max_length=300, help_text="Somewhat more than expected.")
    level_plus_2 = serializers.CharField(max_length=300, help_text="Much more than expected.")
    baseline_level = serializers.ChoiceField(choices=[-2, -1], default=-1)
    current_level = serializers.SerializerMethodField()
    ratings = GoalRatingSerializer(many=True, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)

    def get_current_level(self, goal) -> int:
        return gas.current_level(goal)


class GoalListSerializer(serializers.Serializer):
    """A client's goals and, with two or more, the GAS T-score at their latest ratings."""

    t_score = serializers.FloatField(allow_null=True)
    goals = GoalSerializer(many=True)
