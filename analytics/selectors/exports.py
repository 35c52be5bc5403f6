"""The CSV exports: the occurrences a caller may export and their rows, made safe for
spreadsheets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from assignments.measures import plain
from assignments.models import CheckIn, Occurrence, Response, State
from clients.selectors import clients_visible_to

EXPORT_COLUMNS = (
    "client",
    "activity",
    "due_date_local",
    "status",
    "submitted_at_utc",
    "on_time",
    "minutes",
    "helpfulness",
    "score_total",
    "severity_band",
)


def _scored_entries() -> QuerySet:
    """Entries with a score the therapist may see (the client shared them)."""
    return Response.objects.filter(
        shared_with_therapist=True, current_revision__score_total__isnull=False
    )


def export_occurrences(membership, *, client=None, now=None) -> QuerySet:
    """One row per occurrence that is due by now (or already done) for the clients
    ``membership`` may see (or one ``client`` already fetched with ``client_get``). The entry
    figures come only from entries the client shared: minutes summed over the occurrence's
    check-ins, helpfulness averaged, the score and band of the latest scored entry."""
    now = now or timezone.now()
    if client is not None:
        occurrences = Occurrence.objects.filter(client=client)
    else:
        occurrences = Occurrence.objects.filter(
            client__in=clients_visible_to(membership).values("pk")
        )
    shared_checkins = CheckIn.objects.filter(
        occurrence=OuterRef("pk"), response__shared_with_therapist=True
    ).values("occurrence")
    scored = _scored_entries().filter(occurrence=OuterRef("pk")).order_by("-entry_number")
    return (
        occurrences.filter(Q(due_at__lte=now) | Q(submitted_at__isnull=False))
        .annotate(
            client_name=F("client__full_name"),
            activity_title=F("assignment__activity_version__title"),
            minutes=Subquery(shared_checkins.annotate(total=Sum("minutes_spent")).values("total")),
            helpful_sum=Subquery(shared_checkins.annotate(total=Sum("helpful")).values("total")),
            helpful_n=Subquery(shared_checkins.annotate(n=Count("helpful")).values("n")),
            score_total=Subquery(scored.values("current_revision__score_total")[:1]),
            score_band=Subquery(
                scored.annotate(band=F("current_revision__score__band__label")).values("band")[:1]
            ),
        )
        .only("pk", "status", "local_date", "due_at", "submitted_at")
        .order_by("client__full_name", "client_id", "due_at", "sequence")
    )


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str | int | float:
    """A cell a spreadsheet will not run: text starting with = + - @ (or a tab or carriage
    return) gets a leading apostrophe (OWASP "CSV injection")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return plain(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_row(occurrence, now) -> list:
    submitted = occurrence.submitted_at
    helpful = (
        round(occurrence.helpful_sum / occurrence.helpful_n, 1) if occurrence.helpful_n else None
    )
    return [
        csv_safe(value)
        for value in (
            occurrence.client_name,
            occurrence.activity_title,
            occurrence.local_date.isoformat(),
            State(occurrence.state(now)).label,
            submitted.astimezone(UTC).isoformat() if submitted else None,
            None if submitted is None else submitted <= occurrence.due_at,
            occurrence.minutes,
            plain(helpful),
            occurrence.score_total,
            occurrence.score_band,
        )
    ]


def export_rows(occurrences: QuerySet, *, now=None) -> Iterator[list]:
    now = now or timezone.now()
    yield list(EXPORT_COLUMNS)
    for occurrence in occurrences.iterator(chunk_size=1000):
        yield export_row(occurrence, now)
