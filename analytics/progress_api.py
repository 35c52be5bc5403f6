"""``GET /api/v1/analytics/clients/<id>/progress/``: the progress page's numbers as JSON
(read-only). Measure series have the shape ``analytics.measure_chart.measure_chart`` draws."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import audit_record
from analytics import progress
from assignments.measures import MeasureHistory
from clients.selectors import client_get
from core.api import TenantAPIMixin
from core.permissions import IsPracticeMember


class BandSerializer(serializers.Serializer):
    min = serializers.FloatField()
    max = serializers.FloatField()
    label = serializers.CharField()
    severity = serializers.CharField()


class PointSerializer(serializers.Serializer):
    date = serializers.DateField()
    total = serializers.FloatField()
    band = serializers.CharField(allow_blank=True)


class ChangeSerializer(serializers.Serializer):
    baseline = serializers.FloatField(allow_null=True)
    latest = serializers.FloatField(allow_null=True)
    delta = serializers.FloatField(allow_null=True)
    direction = serializers.ChoiceField(
        choices=["improved", "deteriorated", "no_reliable_change", "unknown"]
    )
    label = serializers.CharField(allow_blank=True)
    clinically_significant = serializers.BooleanField()
    reliable_recovery = serializers.BooleanField()
    reliable_change_threshold = serializers.FloatField(allow_null=True)
    clinical_cutoff = serializers.FloatField(allow_null=True)


class MeasureSerializer(serializers.Serializer):
    activity = serializers.UUIDField()
    title = serializers.CharField()
    min_total = serializers.FloatField()
    max_total = serializers.FloatField()
    bands = BandSerializer(many=True)
    points = PointSerializer(many=True)
    incomplete = serializers.ListField(child=serializers.DateField())
    change = ChangeSerializer()


class RatingSerializer(serializers.Serializer):
    activity = serializers.UUIDField()
    activity_title = serializers.CharField()
    field = serializers.CharField(help_text='A field id, or "table.column" (rows averaged).')
    label = serializers.CharField()
    min = serializers.FloatField()
    max = serializers.FloatField()
    averaged = serializers.BooleanField()
    points = PointSerializer(many=True)


class WeekSerializer(serializers.Serializer):
    week_start = serializers.DateField()
    due = serializers.IntegerField()
    done = serializers.IntegerField()
    completion_rate = serializers.IntegerField(allow_null=True)


class ProgressSerializer(serializers.Serializer):
    client = serializers.UUIDField()
    timezone = serializers.CharField()
    as_of = serializers.DateField()
    measures = MeasureSerializer(many=True)
    ratings = RatingSerializer(many=True)
    weekly_adherence = WeekSerializer(many=True)


def progress_data(client) -> dict:
    data = progress.client_progress(client)
    return {
        "client": str(client.pk),
        "timezone": str(client.tz),
        "as_of": data.today.isoformat(),
        "measures": [_measure(m) for m in data.measures],
        "ratings": [
            {
                "activity": str(r.activity_id),
                "activity_title": r.activity_title,
                "field": r.path,
                "label": r.label,
                "min": r.series["min_total"],
                "max": r.series["max_total"],
                "averaged": r.averaged,
                "points": [{k: p[k] for k in ("date", "total")} for p in r.series["points"]],
            }
            for r in data.ratings
        ],
        "weekly_adherence": [
            {
                "week_start": w.week_start.isoformat(),
                "due": w.due,
                "done": w.done,
                "completion_rate": w.rate,
            }
            for w in data.weeks
        ],
    }


def _measure(measure: MeasureHistory) -> dict:
    change, thresholds = measure.change, measure.change.thresholds
    series = measure.series
    return {
        "activity": str(measure.activity_id),
        "title": measure.title,
        "min_total": series["min_total"],
        "max_total": series["max_total"],
        "bands": series["bands"],
        "points": series["points"],
        "incomplete": [day.isoformat() for day in measure.incomplete],
        "change": {
            "baseline": change.baseline,
            "latest": change.latest,
            "delta": change.delta,
            "direction": change.direction,
            "label": change.label,
            "clinically_significant": change.clinically_significant,
            "reliable_recovery": change.reliable_recovery,
            "reliable_change_threshold": thresholds.reliable_change if thresholds else None,
            "clinical_cutoff": thresholds.clinical_cutoff if thresholds else None,
        },
    }


class ClientProgressView(TenantAPIMixin, APIView):
    """A client's measure totals (with severity bands and change since baseline: reliable
    improvement or deterioration, clinically significant change), ratings from log-type
    worksheets, and completion per ISO week in the client's time zone (last 12 weeks)."""

    audit_as = "client"

    permission_classes = [IsPracticeMember]

    @extend_schema(responses=ProgressSerializer, operation_id="analytics_client_progress")
    def get(self, request, client_id):
        client = client_get(request.membership, client_id)
        audit_record(
            actor=request.user, practice=request.practice, action="api_view_progress", obj=client
        )
        return Response(progress_data(client))
