"""What the staff and homework reads share: deferring an activity version's heavy columns
and the entries a therapist may read."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from assignments.models import Response, ResponseRevision

_VERSION_HEAVY = ("definition", "search_text")


def _light(prefix: str) -> list[str]:
    """The big JSON/text columns of an activity version, for ``defer`` on list pages."""
    return [f"{prefix}__{name}" for name in _VERSION_HEAVY]


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
