"""Portal reads for the signed-in client: the to-do, their own assignments, occurrences,
entries and reviews (only that client's rows; getters raise ``Http404`` otherwise), and
what a client may be shown (scores, crisis resources)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from assignments.models import (
    Assignment,
    AssignmentMessage,
    AssignmentStatus,
    Draft,
    Occurrence,
    OccurrenceStatus,
    Response,
    ResponseRevision,
    Review,
)
from assignments.selectors._common import _light

# The client's to-do shows this far back (still-open items) and ahead (upcoming).
TODO_PAST_DAYS = 7
TODO_AHEAD_DAYS = 14
TODO_DONE_DAYS = 14


@dataclass
class Todo:
    today: list[Occurrence]
    overdue: list[Occurrence]
    upcoming: list[Occurrence]
    done: list[Occurrence]

    @property
    def is_empty(self) -> bool:
        return not (self.today or self.overdue or self.upcoming or self.done)


def todo_for(client, *, now=None) -> Todo:
    """The client's to-do in two queries. Overdue shows the latest open occurrence of each
    assignment from the last week (a string of missed days is not a wall of red); upcoming
    shows the next one of each assignment in the next two weeks. An occurrence that asks for
    several entries (a week's diary) stays to do until they are all in; each carries
    ``entries``, the number sent ("3 of 7 entries")."""
    now = now or timezone.now()
    today = timezone.localdate(now, client.tz)
    occurrences = list(
        Occurrence.objects.filter(
            client=client,
            assignment__status=AssignmentStatus.ACTIVE,
            local_date__gte=today - timedelta(days=TODO_PAST_DAYS),
            local_date__lte=today + timedelta(days=TODO_AHEAD_DAYS),
        )
        .exclude(status=OccurrenceStatus.CANCELLED)
        # The client and the assigning therapist name the rationale ({client_name}...).
        .select_related(
            "assignment__activity_version", "assignment__client", "assignment__assigned_by"
        )
        .defer(*_light("assignment__activity_version"))
        .annotate(entries=Count("responses"))
        .prefetch_related(Prefetch("reviews", queryset=Review.objects.order_by("-created_at")))
        .order_by("due_at", "sequence")
    )
    todo = Todo(today=[], overdue=[], upcoming=[], done=[])
    seen_overdue, seen_upcoming = set(), set()
    for occurrence in reversed(occurrences):
        overdue = not _all_in(occurrence) and occurrence.due_at <= now
        if overdue and occurrence.assignment_id not in seen_overdue:
            seen_overdue.add(occurrence.assignment_id)
            todo.overdue.insert(0, occurrence)
    for occurrence in occurrences:
        if _all_in(occurrence):
            if occurrence.submitted_at >= now - timedelta(days=TODO_DONE_DAYS):
                todo.done.insert(0, occurrence)
        elif occurrence.due_at > now and occurrence.local_date == today:
            todo.today.append(occurrence)
        elif occurrence.due_at > now and occurrence.assignment_id not in seen_upcoming:
            seen_upcoming.add(occurrence.assignment_id)
            todo.upcoming.append(occurrence)
    return todo


def _all_in(occurrence) -> bool:
    """Sent, with every entry it asks for."""
    return occurrence.is_done and occurrence.entries >= occurrence.assignment.entries_target


def portal_occurrence_get(client, occurrence_id) -> Occurrence:
    try:
        return (
            Occurrence.objects.select_related("assignment__activity_version", "assignment__client")
            .prefetch_related(
                Prefetch(
                    "responses",
                    queryset=Response.objects.select_related(
                        "current_revision", "checkin"
                    ).order_by("entry_number"),
                )
            )
            .get(pk=occurrence_id, client=client)
        )
    except (Occurrence.DoesNotExist, ValueError):
        raise Http404 from None


def portal_response_get(client, response_id) -> Response:
    try:
        return (
            Response.objects.select_related(
                "current_revision", "activity_version", "checkin", "occurrence__assignment"
            )
            .prefetch_related(
                Prefetch("revisions", queryset=ResponseRevision.objects.order_by("-number"))
            )
            .get(pk=response_id, client=client)
        )
    except (Response.DoesNotExist, ValueError):
        raise Http404 from None


def portal_assignment_get(client, assignment_id) -> Assignment:
    try:
        return (
            Assignment.objects.select_related("activity_version", "assigned_by")
            .defer(*_light("activity_version"))
            .prefetch_related(
                Prefetch("messages", queryset=AssignmentMessage.objects.select_related("author")),
                Prefetch(
                    "occurrences",
                    queryset=Occurrence.objects.exclude(status=OccurrenceStatus.CANCELLED)
                    .prefetch_related(
                        Prefetch("reviews", queryset=Review.objects.order_by("-created_at"))
                    )
                    .order_by("due_at"),
                ),
            )
            .get(pk=assignment_id, client=client)
        )
    except (Assignment.DoesNotExist, ValueError):
        raise Http404 from None


def portal_assignments(client) -> QuerySet:
    return (
        Assignment.objects.filter(client=client)
        .select_related("activity_version")
        .defer(*_light("activity_version"))
        .order_by("-created_at", "pk")
    )


def portal_history(client) -> QuerySet:
    """The client's past entries, newest first (all of them: their own, shared or not)."""
    return (
        Response.objects.filter(client=client)
        .select_related("current_revision", "activity_version", "occurrence")
        .defer(*_light("activity_version"))
        .order_by("-submitted_at", "pk")
    )


def draft_for(occurrence: Occurrence, *, response: Response | None = None) -> Draft | None:
    return Draft.objects.filter(occurrence=occurrence, response=response).first()


def portal_occurrences(client) -> QuerySet:
    """The client API's list: their occurrences of active assignments."""
    return (
        Occurrence.objects.filter(client=client)
        .select_related("assignment__activity_version")
        .defer(*_light("assignment__activity_version"))
        .order_by("due_at", "pk")
    )


def portal_reviews(occurrence: Occurrence) -> list[Review]:
    """The therapist's reviews of an occurrence, newest first (the client sees comments)."""
    return list(
        Review.objects.filter(occurrence=occurrence)
        .select_related("reviewer")
        .order_by("-created_at")
    )


def client_may_see_score(practice, definition, revision: ResponseRevision) -> bool:
    """Scores are shown to clients only when the practice allows it and the measure does."""
    scoring = definition.get("scoring") or {}
    return bool(
        revision.score
        and revision.score.get("total") is not None
        and practice.show_scores_to_clients
        and scoring.get("show_score_to_client", True)
    )
