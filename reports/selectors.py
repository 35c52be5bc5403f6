"""Every read for PDFs: who may have which document, and the data each one shows.

Access reuses the selectors of the page a PDF comes from (``clients.selectors.client_get``,
``library.selectors.activity_get``, ``assignments.selectors.response_get`` …), both when a
PDF is asked for and on every later look at its progress page or download, so a document is
never reachable by someone who could not open that page.

What a document shows is gathered here as a *source*: plain JSON-compatible data (strings,
numbers, lists, dicts; dates already formatted in the client's time zone). The content hash is
taken over it and the worker renders it without touching the database again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import dateformat, timezone
from django.utils.text import slugify

from assignments import selectors as assignment_selectors
from assignments.measures import measure_history, plain
from assignments.models import Response
from clients.selectors import client_get
from conversations import selectors as conversation_selectors
from library import selectors as library_selectors
from reports.models import (
    DEFAULT_CONFIDENTIALITY_LINE,
    Audience,
    DocumentKind,
    PdfDocument,
    PracticeBranding,
    SubjectType,
)
from reports.pdf import for_paper

MAX_PACKET_ENTRIES: Final = 200
MAX_PACKET_DAYS: Final = 366
DEFAULT_PACKET_DAYS: Final = 28


@dataclass(frozen=True)
class DocumentSpec:
    """Everything ``services.pdf_request`` needs to find or make one document."""

    kind: str
    subject_type: str
    subject_id: Any
    title: str
    filename: str
    source: dict
    client: Any = None
    variant: str = ""


# --- Branding ---------------------------------------------------------------------------


def branding_for(practice) -> PracticeBranding | None:
    return PracticeBranding.objects.filter(practice=practice).first()


def branding_source(practice) -> dict:
    branding = branding_for(practice)
    logo = None
    if branding is not None and branding.logo:
        logo = {
            "name": branding.logo.name,
            "sha256": branding.logo_sha256,
            "content_type": branding.logo_content_type,
        }
    return {
        "practice_name": practice.name,
        "logo": logo,
        "confidentiality": (
            branding.confidentiality_text if branding else DEFAULT_CONFIDENTIALITY_LINE
        ),
    }


# --- Documents: access ------------------------------------------------------------------


def staff_subject(membership, subject_type: str, subject_id):
    """The object a staff document is about, through the page's own selector (404 if the
    member could not open that page)."""
    if subject_type == SubjectType.ACTIVITY:
        return library_selectors.activity_get(membership, subject_id)
    if subject_type == SubjectType.CURATED:
        return library_selectors.curated_get(membership, subject_id)
    if subject_type == SubjectType.RESPONSE:
        return assignment_selectors.response_get(membership, subject_id)
    if subject_type == SubjectType.CLIENT:
        return client_get(membership, subject_id)
    raise Http404


def portal_subject(client, subject_type: str, subject_id):
    if subject_type == SubjectType.ASSIGNMENT:
        return assignment_selectors.portal_assignment_get(client, subject_id)
    if subject_type == SubjectType.RESPONSE:
        return assignment_selectors.portal_response_get(client, subject_id)
    if subject_type == SubjectType.CONVERSATION:
        return conversation_selectors.portal_summary_get(client, subject_id).conversation
    raise Http404


def _document(practice, audience: str, document_id) -> PdfDocument:
    try:
        return PdfDocument.objects.select_related("client").get(
            practice=practice, audience=audience, pk=document_id
        )
    except (PdfDocument.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def staff_document_get(membership, document_id) -> tuple[PdfDocument, Any]:
    """A document asked for from a staff page, and its subject; 404 for anyone who may not
    open the page it came from today (a colleague, another practice, a revoked share)."""
    document = _document(membership.practice, Audience.STAFF, document_id)
    return document, staff_subject(membership, document.subject_type, document.subject_id)


def portal_document_get(client, document_id) -> tuple[PdfDocument, Any]:
    document = _document(client.practice, Audience.CLIENT, document_id)
    if document.client_id != client.pk:
        raise Http404
    return document, portal_subject(client, document.subject_type, document.subject_id)


# --- Blank worksheets -------------------------------------------------------------------


def blank_for_activity(membership, activity_id) -> DocumentSpec:
    activity = library_selectors.activity_get(membership, activity_id)
    if activity.current_version is None:
        raise Http404
    return _blank_spec(
        membership.practice, activity.current_version, SubjectType.ACTIVITY, activity.pk
    )


def blank_for_curated(membership, curated_id) -> DocumentSpec:
    curated = library_selectors.curated_get(membership, curated_id)
    if curated.current_version is None:
        raise Http404
    return _blank_spec(
        membership.practice, curated.current_version, SubjectType.CURATED, curated.pk
    )


def blank_for_portal_assignment(client, assignment_id) -> DocumentSpec:
    """The client's own assignment on paper: the therapist's rationale, steps and plan."""
    assignment = assignment_selectors.portal_assignment_get(client, assignment_id)
    version = assignment.activity_version
    source = _version_source(client.practice, version)
    title = version.title_for_client  # the client's copy: the name the client knows it by
    source.update(
        title=title,
        rationale=assignment.rationale,
        instructions=assignment.instruction_steps,
        personal_message=assignment.personal_message,
        plan=_plan(assignment),
        client_name=client.full_name,
    )
    return DocumentSpec(
        kind=DocumentKind.BLANK_WORKSHEET,
        subject_type=SubjectType.ASSIGNMENT,
        subject_id=assignment.pk,
        title=title,
        filename=f"{slugify(title)}.pdf",
        source=source,
        client=client,
    )


def _blank_spec(practice, version, subject_type: str, subject_id) -> DocumentSpec:
    return DocumentSpec(
        kind=DocumentKind.BLANK_WORKSHEET,
        subject_type=subject_type,
        subject_id=subject_id,
        title=version.title,
        filename=f"{slugify(version.title)}-blank.pdf",
        source=_version_source(practice, version),
    )


def _version_source(practice, version) -> dict:
    return {
        "title": version.title,
        "summary": version.summary,
        "kind_label": version.get_kind_display(),
        "estimated_minutes": version.estimated_minutes,
        "rationale": version.rationale,
        "instructions": list(version.instructions),
        "personal_message": "",
        "plan": None,
        "client_name": "",
        "multiple_entries": version.allows_multiple_entries,
        "definition": for_paper(version.definition),
        "branding": branding_source(practice),
    }


def _plan(assignment) -> dict | None:
    plan = {
        "when": assignment.plan_when,
        "where": assignment.plan_where,
        "obstacles": assignment.obstacles,
        "if_then": assignment.if_then_plan,
    }
    return plan if any(plan.values()) else None


# --- Completed responses ----------------------------------------------------------------


def response_for_staff(membership, response_id) -> DocumentSpec:
    response = assignment_selectors.response_get(membership, response_id)
    return _response_spec(response, show_score=True)


def response_for_portal(client, response_id) -> DocumentSpec:
    response = assignment_selectors.portal_response_get(client, response_id)
    return _response_spec(response, show_score=_client_sees_scores(response), for_client=True)


def _client_sees_scores(response: Response) -> bool:
    scoring = response.activity_version.definition.get("scoring") or {}
    return response.practice.show_scores_to_clients and scoring.get("show_score_to_client", True)


def _response_spec(
    response: Response, *, show_score: bool, for_client: bool = False
) -> DocumentSpec:
    client = response.client
    entry = entry_source(response, show_score=show_score, for_client=for_client)
    source = {
        **entry,
        "client_name": client.full_name,
        "branding": branding_source(response.practice),
    }
    return DocumentSpec(
        kind=DocumentKind.RESPONSE,
        subject_type=SubjectType.RESPONSE,
        subject_id=response.pk,
        title=entry["title"],
        filename=f"{slugify(entry['title'])}-{entry['submitted_date']}.pdf",
        source=source,
        client=client,
    )


def entry_source(response: Response, *, show_score: bool = True, for_client: bool = False) -> dict:
    """One submitted entry as it was sent: the current revision's answers, rendered later by
    the same field renderers as the web page."""
    version = response.activity_version
    revision = response.current_revision
    assert revision is not None  # a submitted entry has its first revision
    local = timezone.localtime(response.submitted_at, response.client.tz)
    score = None
    if show_score and revision.score_total is not None:
        score = {
            "total": plain(revision.score_total),
            "max": (version.definition.get("scoring") or {}).get("max_total"),
            "band": revision.band_label,
            "subscales": (revision.score or {}).get("subscales") or [],
        }
    return {
        "id": str(response.pk),
        "title": version.title_for_client if for_client else version.title,
        "kind_label": version.get_kind_display(),
        "entry_number": response.entry_number,
        "multiple_entries": version.allows_multiple_entries,
        "submitted_date": local.date().isoformat(),
        "submitted": dateformat.format(local, "l j F Y, H:i"),
        "revision": revision.number,
        "revised": dateformat.format(
            timezone.localtime(revision.created_at, response.client.tz), "j F Y, H:i"
        )
        if revision.number > 1
        else "",
        "definition": version.definition,
        "answers": revision.answers,
        "score": score,
    }


# --- Packets ----------------------------------------------------------------------------


def packet_default_range(client) -> tuple[date, date]:
    """The last four weeks, in the client's time zone."""
    today = timezone.localdate(timezone.now(), client.tz)
    return today - timedelta(days=DEFAULT_PACKET_DAYS), today


def packet_for_staff(membership, client_id, *, start: date, end: date) -> DocumentSpec:
    """Every entry the client shared, sent between ``start`` and ``end`` (their local dates,
    both included), oldest first, behind a cover page and contents."""
    client = client_get(membership, client_id)
    if end < start:
        raise ValidationError({"end": "The end date must be on or after the start date."})
    if (end - start).days > MAX_PACKET_DAYS:
        raise ValidationError({"start": "Choose a range of at most a year."})
    responses = list(_packet_responses(membership, client, start, end)[: MAX_PACKET_ENTRIES + 1])
    if len(responses) > MAX_PACKET_ENTRIES:
        raise ValidationError(
            {"start": f"More than {MAX_PACKET_ENTRIES} entries: choose a shorter range."}
        )
    entries = [entry_source(response) for response in responses]
    source = packet_source(
        client_name=client.full_name,
        start=start,
        end=end,
        entries=entries,
        branding=branding_source(client.practice),
    )
    return DocumentSpec(
        kind=DocumentKind.PACKET,
        subject_type=SubjectType.CLIENT,
        subject_id=client.pk,
        title=f"Homework packet, {source['start']} to {source['end']}",
        filename=f"homework-{slugify(client.full_name)}-{start}-to-{end}.pdf",
        source=source,
        client=client,
        variant=f"{start}..{end}",
    )


def packet_source(*, client_name: str, start: date, end: date, entries, branding) -> dict:
    return {
        "title": "Homework packet",
        "client_name": client_name,
        "start": dateformat.format(start, "j F Y"),
        "end": dateformat.format(end, "j F Y"),
        "entries": list(entries),
        "branding": branding,
    }


def _packet_responses(membership, client, start: date, end: date) -> QuerySet:
    begin = datetime.combine(start, time.min, tzinfo=client.tz)
    finish = datetime.combine(end + timedelta(days=1), time.min, tzinfo=client.tz)
    return (
        assignment_selectors.responses_for_staff(membership, client_id=client.pk)
        .filter(submitted_at__gte=begin, submitted_at__lt=finish)
        .select_related("client", "practice")
        .order_by("submitted_at", "pk")
    )


# --- Session summary and progress report ------------------------------------------------


def session_summary_for_staff(membership, client_id) -> DocumentSpec:
    """The session review page on one sheet of paper."""
    client = client_get(membership, client_id)
    review = assignment_selectors.session_review(client)
    tz = client.tz

    def day(moment) -> str:
        return dateformat.format(timezone.localtime(moment, tz), "D j M")

    done = []
    for occurrence in review.done:
        entries = list(occurrence.responses.all())
        done.append(
            {
                "title": occurrence.assignment.activity_version.title,
                "submitted": day(occurrence.submitted_at),
                "late": occurrence.was_late,
                "entries": len(entries),
                "private": not entries,
                "reviewed": occurrence.reviewed_at is not None,
            }
        )
    source = {
        "title": "Session summary",
        "client_name": client.full_name,
        "since": dateformat.format(timezone.localtime(review.since, tz), "l j F Y"),
        "last_session": (
            dateformat.format(review.last_session.held_on, "l j F Y") if review.last_session else ""
        ),
        "done": done,
        "missed": [
            {"title": o.assignment.activity_version.title, "due": day(o.due_at)}
            for o in review.missed
        ],
        "checkins": [
            {
                "title": c.occurrence.assignment.activity_version.title,
                "helpful": c.helpful,
                "difficulty": c.difficulty,
                "minutes": c.minutes_spent,
                "obstacles": c.obstacles,
            }
            for c in review.checkins
        ],
        "measures": [
            {
                "title": m["title"],
                "date": day(m["submitted_at"]),
                "total": m["total"],
                "band": m["band"],
                "previous": m["previous"],
                "change": m["change"],
            }
            for m in review.measures
        ],
        "questions": [
            {
                "title": q.assignment.activity_version.title,
                "asked": day(q.created_at),
                "body": q.body,
            }
            for q in review.questions
        ],
        "flags": [
            {"message": f.message, "raised": day(f.created_at), "open": f.is_open}
            for f in review.flags
        ],
        "branding": branding_source(client.practice),
    }
    return DocumentSpec(
        kind=DocumentKind.SESSION_SUMMARY,
        subject_type=SubjectType.CLIENT,
        subject_id=client.pk,
        title="Session summary",
        filename=f"session-summary-{slugify(client.full_name)}.pdf",
        source=source,
        client=client,
    )


def conversation_summary_for_portal(client, conversation_id) -> DocumentSpec:
    """The client's summary of a session's homework review: what was reviewed, learned and
    agreed (the words of the portal page, on paper)."""
    summary = conversation_selectors.portal_summary_get(client, conversation_id)
    source = conversation_selectors.summary_source(summary, client_name=client.display_name)
    source["held_on"] = dateformat.format(summary.held_on, "l j F Y")
    source["branding"] = branding_source(client.practice)
    source["title"] = "Your session summary"
    return DocumentSpec(
        kind=DocumentKind.CONVERSATION_SUMMARY,
        subject_type=SubjectType.CONVERSATION,
        subject_id=summary.conversation.pk,
        title="Session summary",
        filename=f"session-summary-{summary.held_on.isoformat()}.pdf",
        source=source,
        client=client,
    )


def progress_report_for_staff(membership, client_id) -> DocumentSpec:
    """Measure totals over time (charts with severity bands) and adherence per activity."""
    client = client_get(membership, client_id)
    stats = assignment_selectors.adherence_by_activity(client)
    source = {
        "title": "Progress report",
        "client_name": client.full_name,
        "as_of": dateformat.format(timezone.localdate(timezone.now(), client.tz), "j F Y"),
        "series": measure_series(client),
        "outcomes": measure_outcomes_source(client),
        "adherence": [
            {
                "title": s["title"],
                "due": s["due"],
                "done": s["done"],
                "completion_rate": s["completion_rate"],
                "on_time_rate": s["on_time_rate"],
                "helpful": plain(s["helpful"]),
                "minutes": plain(s["minutes"]),
            }
            for s in stats
        ],
        "branding": branding_source(client.practice),
    }
    return DocumentSpec(
        kind=DocumentKind.PROGRESS_REPORT,
        subject_type=SubjectType.CLIENT,
        subject_id=client.pk,
        title="Progress report",
        filename=f"progress-{slugify(client.full_name)}.pdf",
        source=source,
        client=client,
    )


def measure_series(client) -> list[dict]:
    """One chart series per measure the client has shared scores of (the shape
    ``analytics.measure_chart.measure_chart`` draws), from the one measure history
    (``assignments.measures``) the progress page reads too."""
    return [m.series for m in measure_history(client) if m.scores]


def measure_outcomes_source(client) -> list[dict]:
    """Each measure's change within the current episode of care with its outcome categories
    (``assignments.measures``, as the progress page shows them), as plain data for the
    progress PDF's hashed source."""
    rows = []
    for m in measure_history(client):
        change = m.change
        current = m.current
        rows.append(
            {
                "title": m.title,
                "episode": current.number if current else 1,
                "episode_started_on": (
                    dateformat.format(current.episode.started_on, "j M Y")
                    if current and current.episode.started_on
                    else None
                ),
                "baseline": plain(change.baseline),
                "latest": plain(change.latest),
                "delta": plain(change.delta),
                "category": change.category,
                "categories": [c.label for c in change.categories],
                "latest_note": m.latest_band_note,
            }
        )
    return rows
