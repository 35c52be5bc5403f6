"""Practice insights for owners and admins: activities, therapists and months over a period."""

from __future__ import annotations

import statistics
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Case, Count, F, IntegerField, Max, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce, Greatest, Least, TruncMonth
from django.utils import timezone

from accounts.models import Role
from assignments import adherence
from assignments.adherence import rate
from assignments.measures import plain
from assignments.models import CheckIn, Occurrence, OccurrenceStatus, Response
from clients.selectors import clients_visible_to

INSIGHT_MONTHS = (3, 6, 12)
DEFAULT_INSIGHT_MONTHS = 6
TOP_ACTIVITIES = 12


@dataclass
class ActivityInsight:
    activity_id: object
    title: str
    assignments: int
    clients: int
    due: int
    done: int
    completion: int | None
    median_minutes: float | None
    helpful: float | None  # mean 0–10
    ratings: int  # how many check-ins rated helpfulness
    # A measure's "done" is completed of due; it is left out of every homework figure.
    is_measure: bool = False

    @property
    def level(self) -> str:
        return adherence.level(self.completion)


@dataclass
class TherapistInsight:
    user_id: object
    name: str
    clients: int
    due: int
    done: int
    completion: int | None


@dataclass
class MonthInsight:
    month: date
    due: int
    done: int
    completion: int | None


@dataclass
class Insights:
    months: int
    since: date
    due: int
    done: int
    completion: int | None
    clients: int
    checkins: int
    median_minutes: float | None
    helpful: float | None
    helpful_counts: list[int]  # how many check-ins rated 0, 1, … 10
    activities: list[ActivityInsight]
    therapists: list[TherapistInsight] | None  # owners only
    trend: list[MonthInsight]
    measures_due: int = 0
    measures_done: int = 0


def _month_start(day: date, months_back: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months_back
    return date(month_index // 12, month_index % 12 + 1, 1)


def _median(values: list) -> float | None:
    return plain(statistics.median(values)) if values else None


def _mean(values: list) -> float | None:
    return round(statistics.fmean(values), 1) if values else None


def practice_insights(membership, *, months: int = DEFAULT_INSIGHT_MONTHS, now=None) -> Insights:
    """What the practice assigns and how it goes, over the last ``months`` calendar months
    (by the clients' local due dates, up to now). Five queries; medians are taken in Python
    over one list of check-in minutes."""
    now = now or timezone.now()
    months = months if months in INSIGHT_MONTHS else DEFAULT_INSIGHT_MONTHS
    today = timezone.localdate(
        now, timezone=zoneinfo.ZoneInfo(membership.practice.default_timezone)
    )
    since = _month_start(today, months - 1)
    visible = clients_visible_to(membership).values("pk")
    occurrences = Occurrence.objects.filter(
        client__in=visible, local_date__gte=since, due_at__lte=now
    ).exclude(status=OccurrenceStatus.CANCELLED)
    occurrences = _with_credit(occurrences)
    homework = occurrences.filter(assignment__is_measure=False)
    activity_key = "assignment__activity_version__activity_id"

    by_activity = list(
        occurrences.values(activity_id=F(activity_key), is_measure=F("assignment__is_measure"))
        .annotate(
            title=Max("assignment__activity_version__title"),
            assignments=Count("assignment", distinct=True),
            clients=Count("client", distinct=True),
            **_FIGURES,
        )
        .order_by("-assignments", "-due", "title")
    )
    checkins = list(
        CheckIn.objects.filter(
            client__in=visible,
            response__shared_with_therapist=True,
            occurrence__local_date__gte=since,
            occurrence__due_at__lte=now,
        ).values_list("occurrence__" + activity_key, "minutes_spent", "helpful")
    )
    trend_rows = {
        row["month"]: row
        for row in homework.annotate(month=TruncMonth("local_date"))
        .values("month")
        .annotate(**_FIGURES)
        .order_by("month")
    }
    measures = Q(assignment__is_measure=True)
    totals = occurrences.aggregate(
        clients=Count("client", distinct=True, filter=~measures),
        measures_due=Count("pk", filter=measures),
        measures_done=Count("pk", filter=Q(submitted_at__isnull=False) & measures),
    )

    # The homework totals are the months' sums (the months cover the whole period).
    for figure in ("due", "done", "credit"):
        totals[figure] = sum(row[figure] for row in trend_rows.values())

    minutes_by, helpful_by = defaultdict(list), defaultdict(list)
    helpful_counts = [0] * 11
    for activity_id, minutes, helpful in checkins:
        if minutes is not None:
            minutes_by[activity_id].append(minutes)
        if helpful is not None:
            helpful_by[activity_id].append(helpful)
            helpful_counts[min(max(helpful, 0), 10)] += 1
    all_minutes = [m for values in minutes_by.values() for m in values]
    all_helpful = [h for values in helpful_by.values() for h in values]

    activities = [
        ActivityInsight(
            activity_id=row["activity_id"],
            title=row["title"],
            assignments=row["assignments"],
            clients=row["clients"],
            due=row["due"],
            done=row["done"],
            completion=_completion(row),
            median_minutes=_median(minutes_by.get(row["activity_id"], [])),
            helpful=_mean(helpful_by.get(row["activity_id"], [])),
            ratings=len(helpful_by.get(row["activity_id"], [])),
            is_measure=row["is_measure"],
        )
        for row in by_activity[:TOP_ACTIVITIES]
    ]

    therapists = None
    if membership.role == Role.OWNER:
        therapists = [
            TherapistInsight(
                user_id=row["therapist_id"],
                name=row["therapist_name"] or row["therapist_email"],
                clients=row["clients"],
                due=row["due"],
                done=row["done"],
                completion=_completion(row),
            )
            for row in homework.values(
                therapist_id=F("client__primary_therapist_id"),
                therapist_name=F("client__primary_therapist__full_name"),
                therapist_email=F("client__primary_therapist__email"),
            )
            .annotate(clients=Count("client", distinct=True), **_FIGURES)
            .order_by("therapist_name", "therapist_email")
        ]

    trend = []
    for back in range(months - 1, -1, -1):
        month = _month_start(today, back)
        row = trend_rows.get(month) or trend_rows.get(_as_datetime_key(month, trend_rows))
        due_n, done_n = (row["due"], row["done"]) if row else (0, 0)
        trend.append(MonthInsight(month, due_n, done_n, _completion(row) if row else None))

    return Insights(
        months=months,
        since=since,
        due=totals["due"],
        done=totals["done"],
        completion=_completion(totals),
        clients=totals["clients"],
        checkins=len(checkins),
        median_minutes=_median(all_minutes),
        helpful=_mean(all_helpful),
        helpful_counts=helpful_counts,
        activities=activities,
        therapists=therapists,
        trend=trend,
        measures_due=totals["measures_due"],
        measures_done=totals["measures_done"],
    )


# Done and credit as ``assignments.adherence`` defines them: an occurrence asking for 7 entries
# is done with all 7 in, and 3 of them earn 3/7 of an item (``credit``, in thousandths).
_DONE = Q(submitted_at__isnull=False) & Q(entries__gte=F("assignment__entries_target"))
_FIGURES = {
    "due": Count("pk"),
    "done": Count("pk", filter=_DONE),
    "credit": Coalesce(Sum("credit"), 0),
}


def _with_credit(occurrences):
    """Each occurrence's entries (a subquery on the responses' occurrence index) and its
    credit, min(entries / target, 1) in thousandths; one entry at least once sent."""
    entries = Subquery(
        Response.objects.filter(occurrence=OuterRef("pk"))
        .order_by()
        .values("occurrence")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )
    target = F("assignment__entries_target")
    return occurrences.annotate(
        entries=Greatest(Coalesce(entries, 0), 1),
    ).annotate(
        credit=Case(
            When(
                submitted_at__isnull=False,
                then=Least(F("entries"), target) * adherence.CREDIT_UNIT / target,
            ),
            default=0,
            output_field=IntegerField(),
        )
    )


def _completion(row) -> int | None:
    return rate(row["credit"], row["due"] * adherence.CREDIT_UNIT)


def _as_datetime_key(month: date, rows: dict):
    """TruncMonth of a DateField is a date on every backend we use; this only guards against
    a backend that hands back a datetime."""
    for key in rows:
        if isinstance(key, datetime) and key.date() == month:
            return key
    return None
