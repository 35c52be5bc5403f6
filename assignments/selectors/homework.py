"""What the client page shows about one client's homework: assignments with their state
counts, what waits for review, flags, questions, and adherence per activity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Avg, Count, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from assignments import adherence
from assignments.models import (
    AdherenceEvent,
    Assignment,
    AssignmentMessage,
    CheckIn,
    Flag,
    Occurrence,
    OccurrenceStatus,
    Review,
    State,
)
from assignments.selectors._common import _light, _shared_entries
from assignments.selectors.staff import flag_history

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _Summary(TypedDict):
        """What the client page adds to an assignment: ``last_message_from_client`` (an
        annotation), then the rest (``_summarise``)."""

        last_message_from_client: bool | None
        cancelled_occurrences: int
        total: int
        done: int
        missed: int
        overdue: int
        next_due: Occurrence | None
        state: str
        state_label: str

    SummarisedAssignment = WithAnnotations[Assignment, _Summary]


@dataclass
class ClientHomework:
    """What the client page shows about homework."""

    assignments: list[SummarisedAssignment]
    to_review: list[Occurrence]
    flags: list[Flag]
    questions: list[SummarisedAssignment]
    stats: list[dict]
    overall: dict
    flag_history: list[Flag]


def client_homework(client, *, now=None) -> ClientHomework:
    """Assignments of one client with state counts, what waits for review (with the entries),
    open flags and the history of every flag, unanswered questions and adherence per
    activity."""
    now = now or timezone.now()
    occurrences = Occurrence.objects.exclude(status=OccurrenceStatus.CANCELLED)
    assignments: list[SummarisedAssignment] = list(
        Assignment.objects.filter(client=client)
        .select_related("activity_version")
        .defer(*_light("activity_version"))
        .annotate(
            last_message_from_client=Subquery(
                AssignmentMessage.objects.filter(assignment=OuterRef("pk"))
                .order_by("-created_at")
                .values("from_client")[:1]
            ),
            cancelled_occurrences=Count(
                "occurrences", filter=Q(occurrences__status=OccurrenceStatus.CANCELLED)
            ),
        )
        .prefetch_related(Prefetch("occurrences", queryset=occurrences.order_by("due_at")))
        .order_by("status", "-created_at")
    )
    for assignment in assignments:
        _summarise(assignment, now)
    to_review = list(
        Occurrence.objects.filter(client=client, status=OccurrenceStatus.SUBMITTED)
        .select_related("assignment__activity_version")
        .prefetch_related(
            Prefetch("responses", queryset=_shared_entries().order_by("entry_number"))
        )
        .order_by("submitted_at")
    )
    history = flag_history(client)
    questions = [a for a in assignments if a.last_message_from_client]
    stats = adherence_by_activity(client, now=now)
    return ClientHomework(
        assignments=assignments,
        to_review=to_review,
        flags=[flag for flag in history if flag.is_open],
        questions=questions,
        stats=stats,
        overall=overall_adherence(stats),
        flag_history=history,
    )


def _summarise(assignment: SummarisedAssignment, now) -> None:
    """Counts and the next due occurrence, from the prefetched occurrences."""
    occurrences = list(assignment.occurrences.all())
    states = [o.state(now) for o in occurrences]
    assignment.total = len(occurrences)
    assignment.done = sum(o.is_done for o in occurrences)
    assignment.missed = states.count(State.MISSED)
    assignment.overdue = states.count(State.OVERDUE)
    assignment.next_due = next(
        (o for o, s in zip(occurrences, states, strict=True) if not o.is_done and o.due_at > now),
        None,
    )
    latest = next((o for o in reversed(occurrences) if o.due_at <= now or o.is_done), None)
    finished = (
        bool(occurrences)
        and assignment.done == assignment.total
        and not assignment.cancelled_occurrences
    )
    if assignment.is_cancelled and not finished:
        # Cancelling (or discharging) after every entry was sent takes nothing away: a "1 of
        # 1" done keeps the state of its last entry (submitted, reviewed), not "Cancelled".
        assignment.state = State.CANCELLED
    elif assignment.is_cancelled:
        assignment.state = occurrences[-1].state(now)
    elif latest is not None:
        assignment.state = latest.state(now)
    else:
        assignment.state = occurrences[0].state(now) if occurrences else State.ASSIGNED
    assignment.state_label = State(assignment.state).label


def adherence_by_activity(client, *, now=None) -> list[dict]:
    """Completion and on-time rates per activity over all time, with due, done and on time
    as ``assignments.adherence`` defines them (what has come due or was already sent), and
    the quality ratings: the client's check-in (helpful, difficulty, minutes) and the
    therapist's rating. Three queries."""
    now = now or timezone.now()
    key = "assignment__activity_version__activity_id"
    rows = (
        Occurrence.objects.filter(client=client)
        .exclude(status=OccurrenceStatus.CANCELLED)
        .filter(Q(due_at__lte=now) | Q(submitted_at__isnull=False))
        .values(key)
        .annotate(
            title=Max("assignment__activity_version__title"),
            due=Count("pk"),
            done=Count("pk", filter=Q(submitted_at__isnull=False)),
            on_time=Count("pk", filter=Q(submitted_at__lte=F("due_at"))),
            measure=Count("pk", filter=Q(assignment__is_measure=True)),
        )
        .order_by("title")
    )
    checkins = {
        row["occurrence__" + key]: row
        for row in CheckIn.objects.filter(client=client, response__shared_with_therapist=True)
        .values("occurrence__" + key)
        .annotate(
            helpful=Avg("helpful"), difficulty=Avg("difficulty"), minutes=Avg("minutes_spent")
        )
        .order_by()
    }
    ratings = {
        row["occurrence__" + key]: row["rating"]
        for row in Review.objects.filter(client=client, rating__isnull=False)
        .values("occurrence__" + key)
        .annotate(rating=Avg("rating"))
        .order_by()
    }
    stats = []
    for row in rows:
        quality = checkins.get(row[key], {})
        stats.append(
            {
                "activity_id": row[key],
                "title": row["title"],
                "is_measure": row["measure"] > 0,
                "due": row["due"],
                "done": row["done"],
                "on_time": row["on_time"],
                "completion_rate": adherence.rate(row["done"], row["due"]),
                "on_time_rate": adherence.rate(row["on_time"], row["due"]),
                "helpful": quality.get("helpful"),
                "difficulty": quality.get("difficulty"),
                "minutes": quality.get("minutes"),
                "therapist_rating": ratings.get(row[key]),
            }
        )
    return stats


def overall_adherence(stats: list[dict]) -> dict:
    """Homework only: measures are counted apart (``assignments.adherence``)."""
    homework = [s for s in stats if not s.get("is_measure")]
    due = sum(s["due"] for s in homework)
    done = sum(s["done"] for s in homework)
    on_time = sum(s["on_time"] for s in homework)
    return {
        "due": due,
        "done": done,
        "on_time": on_time,
        "completion_rate": adherence.rate(done, due),
        "on_time_rate": adherence.rate(on_time, due),
    }


def adherence_log(client) -> QuerySet:
    return (
        AdherenceEvent.objects.filter(client=client)
        .select_related("actor", "assignment__activity_version", "occurrence")
        .defer(*_light("assignment__activity_version"))
        .order_by("-at", "-created_at")
    )
