"""Reads for a client's progress page (and its JSON twin): the timeline of homework, measure
totals with their severity bands and change since baseline, ratings from log-type worksheets,
and adherence by week.

The caller has already checked access (``clients.selectors.client_get``). Everything here runs
a fixed number of queries however many entries the client has. Dates are the client's local
dates. Measures come from ``assignments.measures.measure_history``, as on the progress PDF, so
the page and the PDF never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from django.db.models import Min, Q
from django.utils import timezone

from assignments.adherence import rate
from assignments.measures import (
    Episode,
    MeasureHistory,
    client_episodes,
    measure_history,
    plain,
    shared_versions,
)
from assignments.models import (
    MISSED_AFTER,
    Assignment,
    AssignmentStatus,
    Occurrence,
    OccurrenceStatus,
    PlannedSession,
    Response,
)
from library.models import ActivityVersion
from worksheets.fields import is_number, iter_fields

TIMELINE_DAYS: Final = 90
TIMELINE_STEPS: Final = (90, 180, 365, 730)
ADHERENCE_WEEKS: Final = 12
RATING_TYPES: Final = frozenset({"rating", "number"})
# Columns of the version rows that list queries leave in the database.
_HEAVY: Final = ("definition", "search_text", "rationale", "instructions", "summary")


# --- Data shapes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    kind: str  # assigned, submitted, missed, reviewed
    label: str
    title: str
    detail: str = ""
    assignment_id: Any = None
    tone: str = ""  # a badge modifier: ok, warn, danger, soft


@dataclass
class RatingProgress:
    activity_id: Any
    activity_title: str
    path: str  # "mood", or "table.column" for a column of a repeating table
    label: str
    series: dict  # measure_chart input without bands
    averaged: bool  # a table column: the mean of the entry's rows


@dataclass(frozen=True)
class WeekAdherence:
    week_start: date
    due: int
    done: int
    current: bool

    @property
    def rate(self) -> int | None:
        return rate(self.done, self.due)

    @property
    def bar(self) -> int:
        return min(self.rate or 0, 100)


@dataclass
class Progress:
    client: Any
    today: date
    days: int
    since: datetime
    timeline: list[TimelineItem]
    has_older: bool
    older_days: int | None
    measures: list[MeasureHistory]
    ratings: list[RatingProgress]
    weeks: list[WeekAdherence]
    planned_sessions: list
    scheduled_measures: list
    episodes: list[Episode]  # of care, oldest first; the first is implicit

    @property
    def current_episode(self) -> Episode:
        return self.episodes[-1]

    @property
    def has_data(self) -> bool:
        return bool(
            self.timeline or self.measures or self.ratings or any(w.due for w in self.weeks)
        )

    @property
    def deteriorated(self) -> list[MeasureHistory]:
        return [m for m in self.measures if m.change.direction == "deteriorated"]

    @property
    def ratings_by_activity(self) -> list[tuple[str, list[RatingProgress]]]:
        grouped: dict[Any, list[RatingProgress]] = {}
        for rating in self.ratings:
            grouped.setdefault(rating.activity_id, []).append(rating)
        return [(items[0].activity_title, items) for items in grouped.values()]

    @property
    def adherence_totals(self) -> tuple[int, int]:
        return sum(w.done for w in self.weeks), sum(w.due for w in self.weeks)


# --- The page --------------------------------------------------------------------------------


def timeline_days(value) -> int:
    """The ``days`` query parameter, snapped to one of the offered windows."""
    try:
        wanted = int(value)
    except (TypeError, ValueError):
        return TIMELINE_DAYS
    return next((d for d in TIMELINE_STEPS if wanted <= d), TIMELINE_STEPS[-1])


def client_progress(client, *, days: int = TIMELINE_DAYS, now: datetime | None = None) -> Progress:
    now = now or timezone.now()
    today = timezone.localdate(now, client.tz)
    since = now - timedelta(days=days)
    episodes = client_episodes(client)
    measures, ratings = measure_and_rating_progress(client, episodes=episodes)
    timeline = client_timeline(client, since=since, now=now)
    has_older = Assignment.objects.filter(client=client, created_at__lt=since).exists()
    older = [d for d in TIMELINE_STEPS if d > days]
    return Progress(
        client=client,
        today=today,
        days=days,
        since=since,
        timeline=timeline,
        has_older=has_older,
        older_days=older[0] if has_older and older else None,
        measures=measures,
        ratings=ratings,
        weeks=weekly_adherence(client, now=now),
        planned_sessions=upcoming_sessions(client, today=today),
        scheduled_measures=scheduled_measures(client, now=now),
        episodes=episodes,
    )


def upcoming_sessions(client, *, today: date) -> list[PlannedSession]:
    return list(PlannedSession.objects.filter(client=client, session_on__gt=today))


def scheduled_measures(client, *, now: datetime) -> list[Assignment]:
    """Active measure assignments with something still to come, with ``next_due_at``."""
    return list(
        Assignment.objects.filter(
            client=client, status=AssignmentStatus.ACTIVE, activity_version__kind="measure"
        )
        .annotate(
            next_due_at=Min(
                "occurrences__due_at",
                filter=Q(
                    occurrences__due_at__gt=now,
                    occurrences__submitted_at__isnull=True,
                    occurrences__status__in=[
                        OccurrenceStatus.ASSIGNED,
                        OccurrenceStatus.OPENED,
                        OccurrenceStatus.IN_PROGRESS,
                    ],
                ),
            )
        )
        .filter(next_due_at__isnull=False)
        .select_related("activity_version")
        .defer(*(f"activity_version__{name}" for name in _HEAVY))
        .order_by("next_due_at")
    )


# --- Measures and ratings --------------------------------------------------------------------


def measure_and_rating_progress(
    client, *, episodes: list[Episode] | None = None
) -> tuple[list[MeasureHistory], list[RatingProgress]]:
    """Every shared entry's score (measures: ``assignments.measures``, the one measure
    history) or ratings (other worksheets), in at most three queries: the versions the client
    has shared entries of, then the entries of scored versions and of versions with rating
    fields."""
    versions = shared_versions(client)
    rated = {
        pk: fields
        for pk, v in versions.items()
        if not (v.definition or {}).get("scoring") and (fields := list(rating_fields(v.definition)))
    }
    shared = Response.objects.filter(client=client, shared_with_therapist=True)
    measures = measure_history(client, versions=versions, episodes=episodes)
    ratings = _ratings(client, shared, versions, rated) if rated else []
    return measures, ratings


def _local_day(client, moment: datetime) -> date:
    return timezone.localtime(moment, client.tz).date()


def _newest(versions: Mapping, version_ids) -> ActivityVersion:
    return max((versions[pk] for pk in version_ids), key=lambda v: v.number)


def rating_fields(definition: Mapping[str, Any] | None) -> Iterator[dict]:
    """The numeric answers of a worksheet worth charting over time: rating and number fields,
    and rating and number columns of repeating tables (averaged over the entry's rows)."""
    for item in iter_fields(definition or {}):
        kind = item.get("type")
        if kind in RATING_TYPES:
            yield _rating_field(item["id"], item, table=None)
        elif kind == "table":
            for column in item.get("columns", ()):
                if column.get("type") in RATING_TYPES:
                    yield _rating_field(f"{item['id']}.{column['id']}", column, table=item["id"])


def _rating_field(path: str, item: Mapping[str, Any], *, table: str | None) -> dict:
    return {
        "path": path,
        "label": item.get("label") or path,
        "min": item.get("min"),
        "max": item.get("max"),
        "table": table,
        "column": path.split(".", 1)[1] if table else None,
    }


def rating_value(answers: Mapping[str, Any] | None, spec: Mapping[str, Any]) -> float | None:
    """One entry's value of a rating field: the answer, or the mean of a column's rows."""
    answers = answers or {}
    if spec["table"] is None:
        value = answers.get(spec["path"])
        return float(value) if is_number(value) else None
    rows = answers.get(spec["table"])
    if not isinstance(rows, list):
        return None
    values = [
        row[spec["column"]]
        for row in rows
        if isinstance(row, dict) and is_number(row.get(spec["column"]))
    ]
    return sum(values) / len(values) if values else None


def _ratings(client, shared, versions, rated) -> list[RatingProgress]:
    rows = (
        shared.filter(activity_version_id__in=list(rated))
        .order_by("submitted_at", "pk")
        .values("activity_version_id", "submitted_at", "current_revision__answers")
    )
    values: dict[tuple, list[dict]] = defaultdict(list)
    seen_versions: dict[Any, set] = defaultdict(set)
    for row in rows:
        version_id = row["activity_version_id"]
        activity = versions[version_id].activity_id
        seen_versions[activity].add(version_id)
        day = _local_day(client, row["submitted_at"]).isoformat()
        for spec in rated[version_id]:
            value = rating_value(row["current_revision__answers"], spec)
            if value is not None:
                values[(activity, spec["path"])].append(
                    {"date": day, "total": plain(value), "band": ""}
                )
    ratings = []
    for activity, version_ids in seen_versions.items():
        newest = _newest(versions, version_ids)
        specs = {s["path"]: s for pk in version_ids for s in rated[pk]}
        specs.update({s["path"]: s for s in rated[newest.pk]})  # the newest label wins
        for path, spec in specs.items():
            points = values.get((activity, path))
            if not points:
                continue
            totals = [p["total"] for p in points]
            low = spec["min"] if is_number(spec["min"]) else min(0, *totals)
            high = spec["max"] if is_number(spec["max"]) else max(totals)
            series = {
                "title": spec["label"],
                "min_total": low,
                "max_total": high,
                "bands": [],
                "points": points,
                "caption": f"{spec['label']} over time",
                "noun": "rating",
            }
            ratings.append(
                RatingProgress(
                    activity, newest.title, path, spec["label"], series, spec["table"] is not None
                )
            )
    return sorted(ratings, key=lambda r: (r.activity_title.lower(), r.activity_id.hex))


# --- Timeline --------------------------------------------------------------------------------


def client_timeline(client, *, since: datetime, now: datetime) -> list[TimelineItem]:
    """Assigned, sent, missed and reviewed since ``since``, newest first; three queries."""
    items: list[TimelineItem] = []
    assigned = (
        Assignment.objects.filter(client=client, created_at__gte=since)
        .values("pk", "created_at", "activity_version__title", "schedule_kind")
        .order_by()
    )
    for row in assigned:
        items.append(
            TimelineItem(
                row["created_at"],
                "assigned",
                "Assigned",
                row["activity_version__title"],
                assignment_id=row["pk"],
                tone="soft",
            )
        )
    entries = (
        Response.objects.filter(client=client, submitted_at__gte=since)
        .values(
            "submitted_at",
            "assignment_id",
            "activity_version__title",
            "activity_version__kind",
            "shared_with_therapist",
            "occurrence__due_at",
            "current_revision__score_total",
            "current_revision__score",
        )
        .order_by()
    )
    for row in entries:
        late = row["submitted_at"] > row["occurrence__due_at"]
        items.append(
            TimelineItem(
                row["submitted_at"],
                "submitted",
                "Sent late" if late else "Sent",
                row["activity_version__title"],
                detail=_entry_detail(row),
                assignment_id=row["assignment_id"],
                tone="warn" if late else "ok",
            )
        )
    occurrences = (
        Occurrence.objects.filter(client=client)
        .exclude(status=OccurrenceStatus.CANCELLED)
        .filter(
            Q(reviewed_at__gte=since)
            | Q(submitted_at__isnull=True, due_at__gte=since, due_at__lte=now - MISSED_AFTER)
        )
        .values("assignment_id", "assignment__activity_version__title", "due_at", "reviewed_at")
        .order_by()
    )
    for row in occurrences:
        title = row["assignment__activity_version__title"]
        if row["reviewed_at"] is not None and row["reviewed_at"] >= since:
            items.append(
                TimelineItem(
                    row["reviewed_at"],
                    "reviewed",
                    "Reviewed",
                    title,
                    assignment_id=row["assignment_id"],
                    tone="ok",
                )
            )
        if row["reviewed_at"] is None and row["due_at"] >= since:
            items.append(
                TimelineItem(
                    row["due_at"],
                    "missed",
                    "Missed",
                    title,
                    detail="Not sent by the due time",
                    assignment_id=row["assignment_id"],
                    tone="danger",
                )
            )
    return sorted(items, key=lambda item: item.at, reverse=True)


def _entry_detail(row) -> str:
    if not row["shared_with_therapist"]:
        return "Kept private by the client"
    total = row["current_revision__score_total"]
    if total is not None:
        band = ((row["current_revision__score"] or {}).get("band") or {}).get("label")
        return f"Score {plain(total)}" + (f" · {band}" if band else "")
    if row["current_revision__score"] is not None:
        return "Incomplete, not scored"
    return ""


# --- Adherence by week -----------------------------------------------------------------------


def weekly_adherence(client, *, now: datetime, weeks: int = ADHERENCE_WEEKS) -> list[WeekAdherence]:
    """Due and done per ISO week (Monday to Sunday in the client's time zone), oldest first,
    the current week last. Due and done as everywhere (``assignments.adherence``): what has
    come due so far or was already sent; cancelled occurrences count for nothing. One query."""
    today = timezone.localdate(now, client.tz)
    current = today - timedelta(days=today.weekday())
    first = current - timedelta(weeks=weeks - 1)
    rows = (
        Occurrence.objects.filter(
            client=client, local_date__gte=first, local_date__lt=current + timedelta(weeks=1)
        )
        .exclude(status=OccurrenceStatus.CANCELLED)
        .values_list("local_date", "due_at", "submitted_at")
        .order_by()
    )
    due: dict[date, int] = defaultdict(int)
    done: dict[date, int] = defaultdict(int)
    for local_date, due_at, submitted_at in rows:
        week = local_date - timedelta(days=local_date.weekday())
        if submitted_at is not None or due_at <= now:
            due[week] += 1
        if submitted_at is not None:
            done[week] += 1
    starts = [first + timedelta(weeks=n) for n in range(weeks)]
    return [WeekAdherence(s, due[s], done[s], s == current) for s in starts]
