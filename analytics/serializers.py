"""Read-only shapes of the dashboard and insights figures for the REST API."""

from rest_framework import serializers

from assignments.adherence import DEFINITIONS


class OutcomeFieldsMixin(serializers.Serializer):
    """The outcome categories of a change (``assignments.measures.CATEGORIES``), within the
    current episode of care."""

    category = serializers.CharField(
        allow_blank=True,
        help_text="The one category that sums the change up: reliable_deterioration, "
        "reliable_recovery, recovery, reliable_improvement or no_reliable_change; blank when "
        "the measure has no thresholds.",
    )
    categories = serializers.ListField(
        child=serializers.CharField(),
        source="category_keys",
        help_text="Every category met, the summing-up one first (also response, remission).",
    )
    recovery = serializers.BooleanField(
        help_text="From at or above the caseness cut-off to below it."
    )
    reliable_recovery = serializers.BooleanField(
        help_text="Recovery and reliable improvement together."
    )
    response = serializers.BooleanField(help_text="A fall of 50 % or more from baseline.")
    remission = serializers.BooleanField(
        help_text="Below the measure's remission threshold, from a baseline at or above it."
    )
    clinically_significant = serializers.BooleanField(
        help_text="Clinically significant change (Jacobson & Truax): the same as "
        "reliable_recovery; recovery alone is not."
    )


class DashboardChangeSerializer(OutcomeFieldsMixin):
    delta = serializers.FloatField(allow_null=True)
    direction = serializers.CharField()
    label = serializers.CharField(allow_blank=True)


class DashboardMeasureSerializer(serializers.Serializer):
    activity_id = serializers.UUIDField()
    title = serializers.CharField()
    latest = serializers.FloatField(allow_null=True)
    latest_at = serializers.DateTimeField(allow_null=True)
    band = serializers.CharField(allow_blank=True)
    severity = serializers.CharField(allow_blank=True)
    baseline = serializers.FloatField(
        allow_null=True, help_text="The first score of the current episode of care."
    )
    baseline_at = serializers.DateTimeField(
        allow_null=True, help_text="Null when nothing was scored since a new episode started."
    )
    change = DashboardChangeSerializer(
        allow_null=True, help_text="Null with a single score in the current episode."
    )


class DashboardRowSerializer(serializers.Serializer):
    client_id = serializers.UUIDField()
    name = serializers.CharField()
    full_name = serializers.CharField()
    status = serializers.CharField()
    therapist = serializers.CharField()
    due = serializers.IntegerField(help_text=DEFINITIONS["completion"])
    done = serializers.IntegerField(help_text="Of those, sent with every entry asked for.")
    partly = serializers.IntegerField(help_text="Of those, sent with some entries but not all.")
    on_time = serializers.IntegerField(help_text=DEFINITIONS["on_time"])
    completion = serializers.IntegerField(allow_null=True, help_text="Percent; null: none due.")
    adherence_level = serializers.CharField(allow_blank=True, help_text=DEFINITIONS["level"])
    streak = serializers.IntegerField(help_text=DEFINITIONS["streak"])
    overdue = serializers.IntegerField(help_text=DEFINITIONS["overdue"])
    measures_due = serializers.IntegerField(help_text=DEFINITIONS["measures"])
    measures_done = serializers.IntegerField(help_text="Of those, completed.")
    open_flags = serializers.IntegerField()
    last_activity = serializers.DateTimeField(allow_null=True)
    slipping = serializers.BooleanField(help_text=DEFINITIONS["slipping"])
    flagged = serializers.BooleanField()
    improving = serializers.BooleanField()
    measures = DashboardMeasureSerializer(many=True, help_text="Most recently scored first.")


class InsightsActivitySerializer(serializers.Serializer):
    activity_id = serializers.UUIDField()
    title = serializers.CharField()
    assignments = serializers.IntegerField()
    clients = serializers.IntegerField()
    due = serializers.IntegerField()
    done = serializers.IntegerField()
    completion = serializers.IntegerField(allow_null=True)
    median_minutes = serializers.FloatField(allow_null=True)
    helpful = serializers.FloatField(allow_null=True)
    ratings = serializers.IntegerField()
    is_measure = serializers.BooleanField(
        help_text="A measure (PHQ-9 …): done is completed of due, and it is left out of every "
        "homework figure."
    )


class InsightsTherapistSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    name = serializers.CharField()
    clients = serializers.IntegerField()
    due = serializers.IntegerField()
    done = serializers.IntegerField()
    completion = serializers.IntegerField(allow_null=True)


class InsightsMonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    due = serializers.IntegerField()
    done = serializers.IntegerField()
    completion = serializers.IntegerField(allow_null=True)


class InsightsSerializer(serializers.Serializer):
    months = serializers.IntegerField()
    since = serializers.DateField()
    due = serializers.IntegerField(help_text="Homework due (measures apart).")
    done = serializers.IntegerField(help_text="Homework with every entry asked for sent.")
    completion = serializers.IntegerField(
        allow_null=True, help_text="Percent, with partial credit: " + DEFINITIONS["completion"]
    )
    measures_due = serializers.IntegerField()
    measures_done = serializers.IntegerField(help_text=DEFINITIONS["measures"])
    clients = serializers.IntegerField()
    checkins = serializers.IntegerField()
    median_minutes = serializers.FloatField(allow_null=True)
    helpful = serializers.FloatField(allow_null=True)
    helpful_counts = serializers.ListField(child=serializers.IntegerField())
    activities = InsightsActivitySerializer(many=True)
    therapists = InsightsTherapistSerializer(many=True, allow_null=True, help_text="Owners only.")
    trend = InsightsMonthSerializer(many=True)
