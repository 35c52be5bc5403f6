"""REST shapes of pathways, steps and enrolments. Numbers are checked by the services, so a
bad delay gets the same message here as in the builder."""

from rest_framework import serializers

from assignments.models import Visibility
from clients.selectors import clients_visible_to
from library.models import Activity, CuratedActivity, PublicationStatus
from pathways import release_rules
from pathways.completion import Completion
from pathways.models import (
    AUDIENCES,
    FUNCTIONS,
    PHASES,
    Comparison,
    EnrolmentStep,
    Pathway,
    PathwayStep,
)


class PracticeScoped(serializers.PrimaryKeyRelatedField):
    """A related object of the requesting practice (others do not exist, as far as the API
    is concerned)."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(pk_field=serializers.UUIDField(), **kwargs)

    def get_queryset(self):
        return self.model.objects.filter(practice=self.context["request"].practice)


class PublishedCuratedActivity(serializers.PrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        super().__init__(pk_field=serializers.UUIDField(), **kwargs)

    def get_queryset(self):
        return CuratedActivity.objects.filter(status=PublicationStatus.PUBLISHED)


class StepSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    pathway = PracticeScoped(Pathway)
    position = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    activity = PracticeScoped(Activity, required=False, allow_null=True)
    curated_activity = PublishedCuratedActivity(required=False, allow_null=True)
    delivery = serializers.ChoiceField(choices=release_rules.choices())
    delay_days = serializers.IntegerField(required=False, default=0)
    time_of_day = serializers.TimeField(required=False, allow_null=True, default=None)
    days_to_complete = serializers.IntegerField(required=False, default=7)
    completion = serializers.ChoiceField(
        choices=Completion.choices,
        required=False,
        default=Completion.FIRST_ENTRY,
        help_text="When the released step counts as done: at the first entry, after "
        "completion_entries entries, when its time is up (days_to_complete), or whichever of "
        "the last two comes first.",
    )
    completion_entries = serializers.IntegerField(
        required=False, default=1, help_text="For the rules that count entries."
    )
    required = serializers.BooleanField(required=False, default=True)
    holds_for_review = serializers.BooleanField(
        required=False,
        default=False,
        help_text="When released, hold the enrolment until a therapist resumes it.",
    )
    therapist_notes = serializers.CharField(required=False, allow_blank=True, default="")
    condition_step = PracticeScoped(PathwayStep, required=False, allow_null=True, default=None)
    condition_operator = serializers.ChoiceField(
        choices=Comparison.choices, required=False, allow_blank=True, default=""
    )
    condition_value = serializers.IntegerField(required=False, allow_null=True, default=None)


class StepUpdateSerializer(StepSerializer):
    pathway = PracticeScoped(Pathway, read_only=True)
    delivery = serializers.ChoiceField(choices=release_rules.choices(), required=False)


class PathwaySerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(max_length=200)
    client_title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    functions = serializers.ListField(
        child=serializers.ChoiceField(choices=FUNCTIONS), required=False
    )
    audiences = serializers.ListField(
        child=serializers.ChoiceField(choices=AUDIENCES), required=False
    )
    phases = serializers.ListField(child=serializers.ChoiceField(choices=PHASES), required=False)
    response_visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    status = serializers.CharField(read_only=True)
    origin = serializers.UUIDField(source="origin_id", read_only=True, allow_null=True)
    step_count = serializers.IntegerField(read_only=True)
    running_count = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class PathwayDetailSerializer(PathwaySerializer):
    steps = serializers.SerializerMethodField()

    def get_steps(self, pathway) -> list[dict]:
        return StepSerializer(self.context["steps"], many=True, context=self.context).data


class MoveSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["up", "down"])


class PathwayStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["draft", "published", "archived"])


class EnrolmentStepSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)
    condition_step = serializers.UUIDField(
        source="condition_step_id", read_only=True, allow_null=True
    )
    assignment = serializers.UUIDField(source="assignment_id", read_only=True, allow_null=True)
    # Blank when the step has no condition.
    condition_operator = serializers.ChoiceField(
        choices=Comparison.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = EnrolmentStep
        fields = [
            "id",
            "enrolment",
            "position",
            "title",
            "status",
            "activity",
            "curated_activity",
            "delivery",
            "delay_days",
            "time_of_day",
            "days_to_complete",
            "completion",
            "completion_entries",
            "holds_for_review",
            "required",
            "therapist_notes",
            "condition_step",
            "condition_operator",
            "condition_value",
            "release_at",
            "released_at",
            "completes_at",
            "finished_at",
            "assignment",
            "score",
            "note",
        ]
        read_only_fields = fields


class EnrolmentStepUpdateSerializer(serializers.Serializer):
    """A per-client change to a step not released yet (the pathway is not touched)."""

    activity = PracticeScoped(Activity, required=False, allow_null=True)
    curated_activity = PublishedCuratedActivity(required=False, allow_null=True)
    delivery = serializers.ChoiceField(choices=release_rules.choices(), required=False)
    delay_days = serializers.IntegerField(required=False)
    time_of_day = serializers.TimeField(required=False, allow_null=True)
    days_to_complete = serializers.IntegerField(required=False)
    completion = serializers.ChoiceField(choices=Completion.choices, required=False)
    completion_entries = serializers.IntegerField(required=False)


class VisibleClient(serializers.PrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        super().__init__(pk_field=serializers.UUIDField(), **kwargs)

    def get_queryset(self):
        return clients_visible_to(self.context["request"].membership)


class EnrolmentSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    pathway = PracticeScoped(Pathway)
    client = VisibleClient()
    start_date = serializers.DateField()
    status = serializers.CharField(read_only=True)
    paused_at = serializers.DateTimeField(read_only=True, allow_null=True)
    ended_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    steps_done = serializers.IntegerField(read_only=True)
    steps_total = serializers.IntegerField(read_only=True)
    next_release_at = serializers.DateTimeField(read_only=True, allow_null=True)


class EnrolmentDetailSerializer(EnrolmentSerializer):
    steps = serializers.SerializerMethodField()

    def get_steps(self, enrolment) -> list[dict]:
        return EnrolmentStepSerializer(self.context["steps"], many=True).data
