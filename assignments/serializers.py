"""REST shapes of assignments, occurrences, responses and reviews (staff and client API).

Serializers describe and parse; the rules live in ``assignments.services``.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.crisis import crisis_resources_for
from assignments.models import (
    MAX_ENTRIES_TARGET,
    Assignment,
    CheckIn,
    Flag,
    FlagAction,
    FlagEvent,
    Occurrence,
    Response,
    ResponseRevision,
    Review,
    ScheduleKind,
    Visibility,
)
from assignments.risk import raised_risk_flag
from assignments.schedule import MAX_DAYS, MAX_INTERVAL_WEEKS, MAX_WEEKS
from assignments.selectors import client_may_see_score

# --- Assignments -------------------------------------------------------------------------


class PlanFieldsMixin(serializers.Serializer):
    """What predicts engagement, and the schedule (shared by create and update)."""

    rationale = serializers.CharField(required=False, allow_blank=False)
    instructions = serializers.CharField(
        required=False, allow_blank=True, help_text="One step per line."
    )
    plan_when = serializers.CharField(required=False, allow_blank=True, max_length=200)
    plan_where = serializers.CharField(required=False, allow_blank=True, max_length=200)
    obstacles = serializers.CharField(required=False, allow_blank=True)
    if_then_plan = serializers.CharField(required=False, allow_blank=True)
    confidence = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=10
    )
    practised_in_session = serializers.BooleanField(required=False)
    understanding_checked = serializers.BooleanField(required=False)
    personal_message = serializers.CharField(required=False, allow_blank=True)
    entries_target = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ENTRIES_TARGET,
        help_text="Entries each occurrence asks for (a week's diary: 7; default 1; more than 1 "
        "only for an activity that takes several entries). Adherence credits "
        "min(entries / target, 1).",
    )
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    schedule_kind = serializers.ChoiceField(choices=ScheduleKind.choices, required=False)
    starts_on = serializers.DateField(
        required=False,
        help_text="Client's local date; by default the first day whose due time is still ahead.",
    )
    due_time = serializers.TimeField(required=False, help_text="Local time, default 21:00.")
    repeat_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_DAYS
    )
    times_per_week = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=7
    )
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        required=False,
        help_text="0 = Monday … 6 = Sunday.",
    )
    weeks = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_WEEKS
    )
    interval_weeks = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_INTERVAL_WEEKS,
        help_text="For every_n_weeks: 1 = weekly, 2 = every two weeks.",
    )


class ActivityChoiceMixin(PlanFieldsMixin):
    """A plan for one activity, named either from the practice library or the global one."""

    activity = serializers.UUIDField(
        required=False, help_text="A practice activity (give this or curated_activity)."
    )
    curated_activity = serializers.UUIDField(
        required=False, help_text="A global library activity; adopted into the practice."
    )

    def validate(self, attrs):
        if ("activity" in attrs) == ("curated_activity" in attrs):
            raise serializers.ValidationError(
                {"activity": "Give exactly one of activity and curated_activity."}
            )
        return attrs


class AssignmentCreateSerializer(ActivityChoiceMixin):
    client = serializers.UUIDField()


class AssignmentUpdateSerializer(PlanFieldsMixin):
    pass


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class AssignmentSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="activity_version.title", read_only=True)
    title_for_client = serializers.CharField(
        source="activity_version.title_for_client",
        read_only=True,
        help_text="What the client sees it called (the library's client title, else the title).",
    )
    activity = serializers.UUIDField(source="activity_version.activity_id", read_only=True)
    version = serializers.IntegerField(source="activity_version.number", read_only=True)
    estimated_minutes = serializers.IntegerField(
        source="activity_version.estimated_minutes", read_only=True
    )
    instructions = serializers.ListField(
        source="instruction_steps", child=serializers.CharField(), read_only=True
    )
    schedule = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "client",
            "activity",
            "activity_version",
            "version",
            "title",
            "title_for_client",
            "estimated_minutes",
            "rationale",
            "instructions",
            "plan_when",
            "plan_where",
            "obstacles",
            "if_then_plan",
            "confidence",
            "practised_in_session",
            "understanding_checked",
            "personal_message",
            "entries_target",
            "is_measure",
            "schedule_kind",
            "starts_on",
            "due_time",
            "repeat_days",
            "times_per_week",
            "weekdays",
            "weeks",
            "interval_weeks",
            "schedule",
            "visibility",
            "status",
            "cancelled_at",
            "cancel_reason",
            "origin",
            "origin_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_schedule(self, obj) -> str:
        return obj.schedule.describe()


# --- Occurrences -------------------------------------------------------------------------


class OccurrenceSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField(
        help_text="assigned, opened, in_progress, overdue, submitted, late, reviewed, missed "
        "or cancelled: the stored status read against the clock."
    )
    title = serializers.CharField(source="assignment.activity_version.title", read_only=True)

    class Meta:
        model = Occurrence
        fields = [
            "id",
            "assignment",
            "client",
            "title",
            "sequence",
            "local_date",
            "due_at",
            "status",
            "state",
            "opened_at",
            "started_at",
            "submitted_at",
            "reviewed_at",
            "missed_at",
        ]
        read_only_fields = fields

    def get_state(self, obj) -> str:
        return obj.state()


# --- Responses ---------------------------------------------------------------------------


class CheckInSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckIn
        fields = ["helpful", "difficulty", "minutes_spent", "obstacles", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {
            "helpful": {"min_value": 0, "max_value": 10},
            "difficulty": {"min_value": 0, "max_value": 10},
            "minutes_spent": {"min_value": 0, "max_value": 1440},
        }


class RevisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResponseRevision
        fields = ["number", "answers", "score", "created_at", "source"]
        read_only_fields = fields


class ResponseSerializer(serializers.ModelSerializer):
    """An entry as a therapist reads it: current answers and score, every revision, the
    client's check-in."""

    answers = serializers.JSONField(source="current_revision.answers", read_only=True)
    score = serializers.JSONField(source="current_revision.score", read_only=True)
    checkin = CheckInSerializer(read_only=True, allow_null=True)
    revisions = RevisionSerializer(many=True, read_only=True)

    class Meta:
        model = Response
        fields = [
            "id",
            "occurrence",
            "assignment",
            "client",
            "activity_version",
            "entry_number",
            "submitted_at",
            "revision_count",
            "answers",
            "score",
            "checkin",
            "revisions",
        ]
        read_only_fields = fields


class PortalSubscaleSerializer(serializers.Serializer):
    id = serializers.CharField()
    label = serializers.CharField()
    total = serializers.FloatField(allow_null=True)
    band = serializers.CharField(allow_blank=True)


class PortalScoreSerializer(serializers.Serializer):
    total = serializers.FloatField()
    band = serializers.CharField(allow_blank=True)
    subscales = PortalSubscaleSerializer(
        many=True,
        required=False,
        help_text="Only for a measure with subscales (DASS-21, PCL-5): each one's total and band.",
    )


class PortalResponseSerializer(serializers.ModelSerializer):
    """An entry as its client reads it. The score only when the practice shows scores;
    crisis resources when an answer raised a flag."""

    answers = serializers.JSONField(source="current_revision.answers", read_only=True)
    score = serializers.SerializerMethodField()
    crisis_resources = serializers.SerializerMethodField()
    checkin = CheckInSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Response
        fields = [
            "id",
            "occurrence",
            "assignment",
            "entry_number",
            "submitted_at",
            "shared_with_therapist",
            "revision_count",
            "answers",
            "score",
            "crisis_resources",
            "checkin",
        ]
        read_only_fields = fields

    @extend_schema_field(PortalScoreSerializer(allow_null=True))
    def get_score(self, obj):
        practice = self.context["request"].practice
        revision = obj.current_revision
        if client_may_see_score(practice, obj.activity_version.definition, revision):
            score = {"total": revision.score["total"], "band": revision.band_label}
            if subscales := revision.score.get("subscales"):
                score["subscales"] = [
                    {
                        "id": sub["id"],
                        "label": sub["label"],
                        "total": sub["total"],
                        "band": (sub["band"] or {}).get("label", ""),
                    }
                    for sub in subscales
                ]
            return score
        return None

    def get_crisis_resources(self, obj) -> str | None:
        if raised_risk_flag(obj.current_revision):
            return crisis_resources_for(self.context["request"].practice).as_text()
        return None


class SubmitSerializer(serializers.Serializer):
    answers = serializers.JSONField(help_text="Keyed by field id (docs/worksheet-format.md).")
    submission_key = serializers.UUIDField(
        help_text="Made by the client once per entry; a retry with the same key does not "
        "create a second entry."
    )
    share_with_therapist = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Needed when the assignment lets the client decide.",
    )


class RevisionCreateSerializer(serializers.Serializer):
    answers = serializers.JSONField()
    submission_key = serializers.UUIDField()


class DraftSerializer(serializers.Serializer):
    answers = serializers.JSONField()
    saved_at = serializers.DateTimeField(read_only=True, source="updated_at")


class QuestionSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=4000)


# --- Reviews -----------------------------------------------------------------------------


class ReviewSerializer(serializers.ModelSerializer):
    reviewer = serializers.EmailField(source="reviewer.email", read_only=True, default=None)

    class Meta:
        model = Review
        fields = ["id", "occurrence", "client", "reviewer", "comment", "rating", "created_at"]
        read_only_fields = fields


class ReviewCreateSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    rating = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=10)


# --- Flags -------------------------------------------------------------------------------


class FlagEventSerializer(serializers.ModelSerializer):
    """One response to a flag: who (as recorded at the time), what was done, the note."""

    class Meta:
        model = FlagEvent
        fields = ["id", "actor_name", "actions", "note", "at"]
        read_only_fields = fields


class FlagSerializer(serializers.ModelSerializer):
    is_open = serializers.BooleanField(read_only=True)
    acknowledged_by = serializers.EmailField(
        source="acknowledged_by.email", read_only=True, default=None
    )
    events = FlagEventSerializer(many=True, read_only=True)

    class Meta:
        model = Flag
        fields = [
            "id",
            "client",
            "assignment",
            "occurrence",
            "response",
            "kind",
            "field_id",
            "message",
            "created_at",
            "is_open",
            "acknowledged_at",
            "acknowledged_by",
            "events",
        ]
        read_only_fields = fields


class FlagRespondSerializer(serializers.Serializer):
    """Parsed only: which actions exist and when a note is needed is the service's rule, so
    the API answers with the same messages as the page."""

    actions = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="One or more of: " + ", ".join(FlagAction.values) + ".",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


# --- The client's view of an occurrence -------------------------------------------------


class PortalAssignmentSerializer(serializers.ModelSerializer):
    # The client's name for it; the clinical title is for staff.
    title = serializers.CharField(source="activity_version.title_for_client", read_only=True)
    estimated_minutes = serializers.IntegerField(
        source="activity_version.estimated_minutes", read_only=True
    )
    instructions = serializers.ListField(
        source="instruction_steps", child=serializers.CharField(), read_only=True
    )
    schedule = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "title",
            "estimated_minutes",
            "rationale",
            "instructions",
            "plan_when",
            "plan_where",
            "obstacles",
            "if_then_plan",
            "personal_message",
            "schedule",
            "visibility",
            "status",
        ]
        read_only_fields = fields

    def get_schedule(self, obj) -> str:
        return obj.schedule.describe()


class PortalOccurrenceSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()
    assignment = PortalAssignmentSerializer(read_only=True)

    class Meta:
        model = Occurrence
        fields = ["id", "assignment", "local_date", "due_at", "state", "submitted_at"]
        read_only_fields = fields

    def get_state(self, obj) -> str:
        return obj.state()


class PortalOccurrenceDetailSerializer(PortalOccurrenceSerializer):
    definition = serializers.JSONField(
        source="assignment.activity_version.definition", read_only=True
    )
    entries = serializers.PrimaryKeyRelatedField(source="responses", many=True, read_only=True)

    class Meta(PortalOccurrenceSerializer.Meta):
        fields = [*PortalOccurrenceSerializer.Meta.fields, "definition", "entries"]
        read_only_fields = fields
