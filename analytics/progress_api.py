"""``GET /api/v1/analytics/clients/<id>/progress/``: the progress page's numbers as JSON
(read-only). Measure series have the shape ``analytics.measure_chart.measure_chart`` draws."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import audit_record
from analytics import progress
from analytics.serializers import OutcomeFieldsMixin
from assignments.measures import Change, MeasureHistory, plain
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


class ChangeSerializer(OutcomeFieldsMixin):
    baseline = serializers.FloatField(
        allow_null=True, help_text="The first score of the episode of care."
    )
    latest = serializers.FloatField(allow_null=True)
    delta = serializers.FloatField(allow_null=True)
    direction = serializers.ChoiceField(
        choices=["improved", "deteriorated", "no_reliable_change", "unknown"]
    )
    label = serializers.CharField(allow_blank=True)
    reliable_change_threshold = serializers.FloatField(allow_null=True)
    clinical_cutoff = serializers.FloatField(
        allow_null=True, help_text="Caseness: a score at or above it is in the clinical range."
    )
    remission_below = serializers.FloatField(allow_null=True)


class EpisodeSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="1 is the first episode (from the first score).")
    started_on = serializers.DateField(allow_null=True, help_text="Null for the first episode.")
    points = PointSerializer(many=True)
    change = ChangeSerializer()


class MeasureSerializer(serializers.Serializer):
    activity = serializers.UUIDField()
    title = serializers.CharField()
    min_total = serializers.FloatField()
    max_total = serializers.FloatField()
    bands = BandSerializer(many=True)
    points = PointSerializer(many=True)
    incomplete = serializers.ListField(child=serializers.DateField())
    change = ChangeSerializer(help_text="Within the current episode of care.")
    episodes = EpisodeSerializer(many=True, help_text="Newest first; the current one first.")


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
        "measures": [_measure(client, m) for m in data.measures],
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


def change_data(change: Change) -> dict:
    """A change as the API shows it (``ChangeSerializer``)."""
    thresholds = change.thresholds
    return {
        "baseline": change.baseline,
        "latest": change.latest,
        "delta": change.delta,
        "direction": change.direction,
        "label": change.label,
        "category": change.category,
        "categories": change.category_keys,
        "recovery": change.recovery,
        "reliable_recovery": change.reliable_recovery,
        "response": change.response,
        "remission": change.remission,
        "clinically_significant": change.clinically_significant,
        "reliable_change_threshold": thresholds.reliable_change if thresholds else None,
        "clinical_cutoff": thresholds.clinical_cutoff if thresholds else None,
        "remission_below": thresholds.remission_below if thresholds else None,
    }


def _measure(client, measure: MeasureHistory) -> dict:
    series = measure.series
    return {
        "activity": str(measure.activity_id),
        "title": measure.title,
        "min_total": series["min_total"],
        "max_total": series["max_total"],
        "bands": series["bands"],
        "points": series["points"],
        "incomplete": [day.isoformat() for day in measure.incomplete],
        "change": change_data(measure.change),
        "episodes": [
            {
                "number": e.number,
                "started_on": e.episode.started_on.isoformat() if e.episode.started_on else None,
                "points": [
                    {
                        "date": timezone.localtime(s.submitted_at, client.tz).date().isoformat(),
                        "total": plain(s.total),
                        "band": s.band,
                    }
                    for s in e.scores
                ],
                "change": change_data(e.change),
            }
            for e in measure.episodes
        ],
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
