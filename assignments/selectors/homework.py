"""What the client page shows about one client's homework: assignments with their state
counts, what waits for review, flags, questions, and adherence per activity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Avg, Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from assignments import adherence
from assignments.adherence import CREDIT_UNIT as UNIT
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
        entries_sent: int
        entries_asked: int
        partly: int
        completion: int | None
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
        .prefetch_related(
            Prefetch(
                "occurrences",
                # Entries counted in the same query, for "3 of 7 entries" and partial credit.
                queryset=occurrences.annotate(entries=Count("responses")).order_by("due_at"),
            )
        )
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
    """Counts and the next due occurrence, from the prefetched occurrences (each with its
    ``entries`` counted). Entries and credit as ``assignments.adherence`` defines them: an
    occurrence is done once every entry asked for is in, and counts in part before that."""
    occurrences = list(assignment.occurrences.all())
    states = [o.state(now) for o in occurrences]
    target = max(assignment.entries_target, 1)
    # Entries that count: only once sent, at least one, at most the target (as the reference).
    sent = [min(max(getattr(o, "entries", 0), 1), target) if o.is_done else 0 for o in occurrences]
    due = [o.due_at <= now or o.is_done for o in occurrences]
    assignment.total = len(occurrences)
    assignment.done = sum(entries >= target for entries in sent)
    assignment.partly = sum(0 < entries < target for entries in sent)
    assignment.entries_sent = sum(sent)
    assignment.entries_asked = assignment.total * target
    assignment.completion = adherence.rate(
        sum(adherence.credit(e, target) for e, d in zip(sent, due, strict=True) if d),
        sum(due) * adherence.CREDIT_UNIT,
    )
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
    """Completion and on-time rates per activity over all time, with due, done, partly, credit
    and on time as ``assignments.adherence`` defines them (what has come due or was already
    sent; a log asking for 7 entries with 3 in is 3/7 done), and the quality ratings: the
    client's check-in (helpful, difficulty, minutes) and the therapist's rating. Three
    queries; the occurrences are summed here with the reference's own ``credit``."""
    now = now or timezone.now()
    key = "assignment__activity_version__activity_id"
    rows = (
        Occurrence.objects.filter(client=client)
        .exclude(status=OccurrenceStatus.CANCELLED)
        .filter(Q(due_at__lte=now) | Q(submitted_at__isnull=False))
        .annotate(entries=Count("responses"))
        .values_list(
            key,
            "assignment__activity_version__title",
            "due_at",
            "submitted_at",
            "entries",
            "assignment__entries_target",
            "assignment__is_measure",
        )
        .order_by()
    )
    by_activity: dict = {}
    for activity_id, title, due_at, submitted_at, entries, target, is_measure in rows:
        row = by_activity.setdefault(
            activity_id,
            {"title": title, "due": 0, "done": 0, "partly": 0, "credit": 0, "on_time": 0},
        )
        row["title"] = max(row["title"], title)
        row["measure"] = row.get("measure", False) or is_measure
        row["due"] += 1
        if submitted_at is None:
            continue
        target = max(target, 1)
        entries = min(max(entries, 1), target)
        row["done"] += entries >= target
        row["partly"] += entries < target
        row["credit"] += adherence.credit(entries, target)
        row["on_time"] += submitted_at <= due_at
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
    for activity_id, row in sorted(by_activity.items(), key=lambda item: item[1]["title"]):
        quality = checkins.get(activity_id, {})
        stats.append(
            {
                "activity_id": activity_id,
                "title": row["title"],
                "is_measure": row["measure"],
                "due": row["due"],
                "done": row["done"],
                "partly": row["partly"],
                "credit": row["credit"],
                "on_time": row["on_time"],
                "completion_rate": adherence.rate(row["credit"], row["due"] * UNIT),
                "on_time_rate": adherence.rate(row["on_time"], row["due"]),
                "helpful": quality.get("helpful"),
                "difficulty": quality.get("difficulty"),
                "minutes": quality.get("minutes"),
                "therapist_rating": ratings.get(activity_id),
            }
        )
    return stats


def overall_adherence(stats: list[dict]) -> dict:
    """Homework only: measures are counted apart (``assignments.adherence``)."""
    homework = [s for s in stats if not s.get("is_measure")]
    measures = [s for s in stats if s.get("is_measure")]
    due = sum(s["due"] for s in homework)
    done = sum(s["done"] for s in homework)
    on_time = sum(s["on_time"] for s in homework)
    points = sum(s.get("credit", s["done"] * adherence.CREDIT_UNIT) for s in homework)
    return {
        "due": due,
        "done": done,
        "on_time": on_time,
        "completion_rate": adherence.rate(points, due * adherence.CREDIT_UNIT),
        "on_time_rate": adherence.rate(on_time, due),
        "measures_due": sum(s["due"] for s in measures),
        "measures_done": sum(s["done"] for s in measures),
    }


def adherence_log(client) -> QuerySet:
    return (
        AdherenceEvent.objects.filter(client=client)
        .select_related("actor", "assignment__activity_version", "occurrence")
        .defer(*_light("assignment__activity_version"))
        .order_by("-at", "-created_at")
    )
