"""Every read about assignments, already limited to what the caller may see.

Staff reads take the ``membership`` and reach only clients it may see (through
``clients.selectors.clients_visible_to``); portal reads take the signed-in ``client`` and
reach only that client's rows. Object getters raise ``Http404`` for missing *and* not-yours.
Lists run a fixed number of queries however many rows they return (select_related,
prefetch_related and annotations, never a query per row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from assignments import adherence
from assignments.measures import measure_history, plain
from assignments.models import (
    AdherenceEvent,
    Assignment,
    AssignmentMessage,
    AssignmentStatus,
    CheckIn,
    Draft,
    Flag,
    FlagEvent,
    Occurrence,
    OccurrenceStatus,
    Response,
    ResponseRevision,
    Review,
    State,
    TherapySession,
)
from clients.selectors import clients_visible_to
from worksheets import field_by_id

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _Summary(TypedDict):
        """What the client page adds to an assignment: ``last_message_from_client`` (an
        annotation), then the rest (``_summarise``)."""

        last_message_from_client: bool | None
        total: int
        done: int
        missed: int
        overdue: int
        next_due: Occurrence | None
        state: str
        state_label: str

    SummarisedAssignment = WithAnnotations[Assignment, _Summary]


# Without a recorded session, the session review looks back this far.
DEFAULT_REVIEW_WINDOW = timedelta(days=14)
# The client's to-do shows this far back (still-open items) and ahead (upcoming).
TODO_PAST_DAYS = 7
TODO_AHEAD_DAYS = 14
TODO_DONE_DAYS = 14

_VERSION_HEAVY = ("definition", "search_text")


def _light(prefix: str) -> list[str]:
    """The big JSON/text columns of an activity version, for ``defer`` on list pages."""
    return [f"{prefix}__{name}" for name in _VERSION_HEAVY]


# --- Staff: single objects ------------------------------------------------------------


def _visible_assignments(membership) -> QuerySet:
    return Assignment.objects.filter(client__in=clients_visible_to(membership).values("pk"))


def assignment_get(membership, assignment_id) -> Assignment:
    try:
        return (
            _visible_assignments(membership)
            .select_related("client__primary_therapist", "activity_version", "assigned_by")
            .get(pk=assignment_id)
        )
    except (Assignment.DoesNotExist, ValueError):
        raise Http404 from None


def occurrence_get(membership, occurrence_id) -> Occurrence:
    visible = clients_visible_to(membership).values("pk")
    try:
        return Occurrence.objects.select_related(
            "assignment__activity_version", "assignment__client"
        ).get(pk=occurrence_id, client__in=visible)
    except (Occurrence.DoesNotExist, ValueError):
        raise Http404 from None


def flag_get(membership, flag_id) -> Flag:
    visible = clients_visible_to(membership).values("pk")
    try:
        return Flag.objects.select_related("client").get(pk=flag_id, client__in=visible)
    except (Flag.DoesNotExist, ValueError):
        raise Http404 from None


def flags_for_staff(membership, *, client_id=None) -> QuerySet:
    """Flags of the clients ``membership`` may see, each with its responses (``events``,
    newest first): open flags first, then newest first."""
    visible = clients_visible_to(membership).values("pk")
    flags = Flag.objects.filter(client__in=visible)
    if client_id is not None:
        flags = flags.filter(client_id=client_id)
    return _with_history(flags)


def _with_history(flags: QuerySet) -> QuerySet:
    return (
        flags.select_related("assignment__activity_version")
        .prefetch_related(
            Prefetch("events", queryset=FlagEvent.objects.order_by("-at", "-created_at"))
        )
        .order_by(
            Case(When(acknowledged_at__isnull=True, then=Value(0)), default=Value(1)),
            "-created_at",
        )
    )


def flag_history(client) -> list[Flag]:
    """One client's flags with what was done about each, for the client page: open flags
    first, then newest first. ``item_label`` is the question whose answer raised it."""
    flags = list(_with_history(Flag.objects.filter(client=client)))
    for flag in flags:
        field = field_by_id(flag.assignment.activity_version.definition, flag.field_id)
        flag.item_label = field.get("label", "") if field else ""
    return flags


def response_get(membership, response_id) -> Response:
    """An entry the client shared with their therapist (a private entry is not there)."""
    visible = clients_visible_to(membership).values("pk")
    try:
        return _responses_with_answers().get(
            pk=response_id, client__in=visible, shared_with_therapist=True
        )
    except (Response.DoesNotExist, ValueError):
        raise Http404 from None


def _shared_entries() -> QuerySet:
    """Entries a therapist may read, with their check-in and every revision: the client
    shared them (a private entry shows only as done, never its answers or check-in)."""
    return (
        Response.objects.filter(shared_with_therapist=True)
        .select_related("current_revision", "checkin")
        .prefetch_related(
            Prefetch("revisions", queryset=ResponseRevision.objects.order_by("number"))
        )
    )


def _responses_with_answers() -> QuerySet:
    return Response.objects.select_related(
        "current_revision", "activity_version", "checkin", "occurrence"
    )


# --- Staff: lists ----------------------------------------------------------------------


def assignments_for_staff(membership, *, client_id=None, status: str = "") -> QuerySet:
    """The API's list: assignments of visible clients, newest first."""
    assignments = _visible_assignments(membership).select_related("activity_version", "client")
    if client_id:
        assignments = assignments.filter(client_id=client_id)
    if status in AssignmentStatus.values:
        assignments = assignments.filter(status=status)
    return assignments.defer(*_light("activity_version")).order_by("-created_at", "pk")


def occurrences_for_staff(membership, *, client_id=None, assignment_id=None) -> QuerySet:
    visible = clients_visible_to(membership).values("pk")
    occurrences = Occurrence.objects.filter(client__in=visible).select_related(
        "assignment__activity_version"
    )
    if client_id:
        occurrences = occurrences.filter(client_id=client_id)
    if assignment_id:
        occurrences = occurrences.filter(assignment_id=assignment_id)
    return occurrences.defer(*_light("assignment__activity_version")).order_by("due_at", "pk")


def responses_for_staff(membership, *, client_id=None, assignment_id=None) -> QuerySet:
    """Shared entries of visible clients, newest first."""
    visible = clients_visible_to(membership).values("pk")
    responses = _responses_with_answers().filter(client__in=visible, shared_with_therapist=True)
    if client_id:
        responses = responses.filter(client_id=client_id)
    if assignment_id:
        responses = responses.filter(assignment_id=assignment_id)
    return responses.order_by("-submitted_at", "pk")


def reviews_for_staff(membership, *, client_id=None) -> QuerySet:
    visible = clients_visible_to(membership).values("pk")
    reviews = Review.objects.filter(client__in=visible).select_related("reviewer")
    if client_id:
        reviews = reviews.filter(client_id=client_id)
    return reviews.order_by("-created_at", "pk")


def _occurrences_with_entries(queryset=None) -> Prefetch:
    """Occurrences with their entries, each entry's check-in and revisions, and reviews."""
    responses = _shared_entries()
    return Prefetch(
        "occurrences",
        queryset=(queryset or Occurrence.objects.all())
        .order_by("due_at", "sequence")
        .prefetch_related(
            Prefetch("responses", queryset=responses.order_by("entry_number")),
            Prefetch("reviews", queryset=Review.objects.select_related("reviewer")),
        ),
    )


def assignment_detail(assignment: Assignment) -> Assignment:
    """One assignment with everything its page shows, in a fixed number of queries."""
    return (
        Assignment.objects.select_related("client", "activity_version", "assigned_by")
        .prefetch_related(
            _occurrences_with_entries(),
            Prefetch("messages", queryset=AssignmentMessage.objects.select_related("author")),
            Prefetch("flags", queryset=Flag.objects.order_by("-created_at")),
        )
        .get(pk=assignment.pk)
    )


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
            )
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
    if assignment.is_cancelled:
        assignment.state = State.CANCELLED
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
    due = sum(s["due"] for s in stats)
    done = sum(s["done"] for s in stats)
    on_time = sum(s["on_time"] for s in stats)
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


# --- Caseload ----------------------------------------------------------------------------


def _count(queryset) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.order_by().values("client").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


# The caseload's sorts on adherence: lowest completion first (clients with nothing due last);
# slipping clients first, the most overdue of them first.
_ADHERENCE_SORTS = {
    "adherence": lambda c: (c.adherence.completion is None, c.adherence.completion or 0),
    "-adherence": lambda c: (c.adherence.completion is None, -(c.adherence.completion or 0)),
    "slipping": lambda c: (not c.adherence.slipping, -c.adherence.overdue),
}
CASELOAD_SORTS = ("name", "-name", "updated", *_ADHERENCE_SORTS)


def caseload_rows(clients: QuerySet, *, practice_id, sort: str = "name", now=None) -> list:
    """The caseload's clients (``clients.selectors.caseload``, already scoped) with their
    ``adherence`` (``assignments.adherence``, the dashboard's figures) and what needs
    attention: open flags, entries waiting for review and the last entry. Two queries,
    whatever the number of clients. (Subqueries, not joins: a visibility filter may itself
    join the care team and would multiply joined counts.)"""
    now = now or timezone.now()
    occurrences = Occurrence.objects.filter(client=OuterRef("pk"))
    ordering = {"-name": "-full_name", "updated": "-updated_at"}.get(sort, "full_name")
    rows = list(
        clients.annotate(
            open_flags=_count(Flag.objects.filter(client=OuterRef("pk"), acknowledged_at=None)),
            to_review=_count(occurrences.filter(status=OccurrenceStatus.SUBMITTED)),
            last_entry_at=Subquery(
                Response.objects.filter(client=OuterRef("pk"))
                .order_by("-submitted_at")
                .values("submitted_at")[:1]
            ),
        ).order_by(ordering, "full_name", "pk")
    )
    figures = adherence.adherence_by_client(clients, practice_id=practice_id, now=now)
    for client in rows:
        client.adherence = figures.get(client.pk, adherence.NOTHING)
    if sort in _ADHERENCE_SORTS:
        rows.sort(key=_ADHERENCE_SORTS[sort])  # stable: ties stay by name
    return rows


# --- Session review ----------------------------------------------------------------------


@dataclass
class SessionReview:
    since: datetime
    last_session: TherapySession | None
    done: list[Occurrence]
    missed: list[Occurrence]
    checkins: list[CheckIn]
    measures: list[dict]
    questions: list[AssignmentMessage]
    flags: list[Flag]


def review_since(client, last_session: TherapySession | None, *, now) -> datetime:
    """Where the session review starts: when the last session was recorded, or the end of
    the day it was held on if it was recorded later; without one, two weeks back."""
    if last_session is None:
        return now - DEFAULT_REVIEW_WINDOW
    end_of_day = datetime.combine(
        last_session.held_on + timedelta(days=1), time.min, tzinfo=client.tz
    )
    return min(last_session.created_at, end_of_day)


def session_review(client, *, now=None) -> SessionReview:
    """One page for the start of the next session: what was done and missed since the last
    one, check-ins and obstacles, measure scores and their change, questions and flags."""
    now = now or timezone.now()
    last_session = (
        TherapySession.objects.filter(client=client).order_by("-held_on", "-created_at").first()
    )
    since = review_since(client, last_session, now=now)
    base = Occurrence.objects.filter(client=client).select_related("assignment__activity_version")
    responses = _shared_entries().order_by("entry_number")
    done = list(
        base.filter(submitted_at__gte=since)
        .prefetch_related(
            Prefetch("responses", queryset=responses),
            Prefetch("reviews", queryset=Review.objects.select_related("reviewer")),
        )
        .order_by("submitted_at")
    )
    missed = list(
        base.filter(submitted_at__isnull=True, due_at__gte=since, due_at__lte=now)
        .exclude(status=OccurrenceStatus.CANCELLED)
        .defer(*_light("assignment__activity_version"))
        .order_by("due_at")
    )
    checkins = list(
        CheckIn.objects.filter(
            client=client, created_at__gte=since, response__shared_with_therapist=True
        )
        .select_related("occurrence__assignment__activity_version")
        .defer(*_light("occurrence__assignment__activity_version"))
        .order_by("created_at")
    )
    questions = list(
        AssignmentMessage.objects.filter(client=client, from_client=True, created_at__gte=since)
        .select_related("assignment__activity_version")
        .defer(*_light("assignment__activity_version"))
        .order_by("created_at")
    )
    flags = list(
        Flag.objects.filter(client=client)
        .filter(Q(acknowledged_at__isnull=True) | Q(created_at__gte=since))
        .select_related("assignment__activity_version")
        .defer(*_light("assignment__activity_version"))
    )
    return SessionReview(
        since=since,
        last_session=last_session,
        done=done,
        missed=missed,
        checkins=checkins,
        measures=_measure_changes(client, since),
        questions=questions,
        flags=flags,
    )


def _measure_changes(client, since) -> list[dict]:
    """Each scored entry since ``since`` with the score before it on the same measure, from
    the one measure history (``assignments.measures``), oldest first."""
    changes = [
        {
            "title": measure.title,
            "submitted_at": score.submitted_at,
            "total": plain(score.total),
            "band": score.band,
            "severity": score.severity,
            "previous": plain(before),
            "change": None if before is None else plain(score.total - before),
        }
        for measure in measure_history(client)
        for score, before in measure.since(since)
    ]
    return sorted(changes, key=lambda change: change["submitted_at"])


# --- Portal (the signed-in client) -----------------------------------------------------


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
    shows the next one of each assignment in the next two weeks."""
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
        .select_related("assignment__activity_version")
        .defer(*_light("assignment__activity_version"))
        .prefetch_related(Prefetch("reviews", queryset=Review.objects.order_by("-created_at")))
        .order_by("due_at", "sequence")
    )
    todo = Todo(today=[], overdue=[], upcoming=[], done=[])
    seen_overdue, seen_upcoming = set(), set()
    for occurrence in reversed(occurrences):
        overdue = not occurrence.is_done and occurrence.due_at <= now
        if overdue and occurrence.assignment_id not in seen_overdue:
            seen_overdue.add(occurrence.assignment_id)
            todo.overdue.insert(0, occurrence)
    for occurrence in occurrences:
        if occurrence.is_done:
            if occurrence.submitted_at >= now - timedelta(days=TODO_DONE_DAYS):
                todo.done.insert(0, occurrence)
        elif occurrence.due_at > now and occurrence.local_date == today:
            todo.today.append(occurrence)
        elif occurrence.due_at > now and occurrence.assignment_id not in seen_upcoming:
            seen_upcoming.add(occurrence.assignment_id)
            todo.upcoming.append(occurrence)
    return todo


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


DEFAULT_CRISIS_RESOURCES = (
    "If you are in danger now, or think you might act on thoughts of hurting yourself, call "
    "your local emergency number (999 or 112 in the UK, 112 across Europe, 911 in the US and "
    "Canada, 000 in Australia) or go to the nearest emergency department.\n\n"
    "You can also talk to someone at any hour: in the UK and Ireland call Samaritans free on "
    "116 123; in the US call or text 988; elsewhere, your local crisis line.\n\n"
    "We have let your therapist know. Bridgework is not watched around the clock, so please "
    "don't wait for a reply here if you need help now."
)


def crisis_resources(practice) -> str:
    """What a client whose answers suggest risk is shown: the practice's own text, or ours."""
    return practice.crisis_resources.strip() or DEFAULT_CRISIS_RESOURCES
