"""Staff reads of single objects (assignment, occurrence, flag, entry) and the API's lists,
limited to the clients the ``membership`` may see; getters raise ``Http404`` for missing
*and* not-yours."""

from __future__ import annotations

from django.db.models import Case, Prefetch, QuerySet, Value, When
from django.http import Http404

from assignments.models import (
    Assignment,
    AssignmentMessage,
    AssignmentStatus,
    Flag,
    FlagEvent,
    Occurrence,
    Response,
    Review,
)
from assignments.selectors._common import _light, _shared_entries
from clients.selectors import clients_visible_to
from worksheets import field_by_id


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
