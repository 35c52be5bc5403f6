"""Reads: the current consent documents, a client's consent state, erasure requests."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clients.models import Client
from privacy.models import (
    REQUIRED_KINDS,
    ConsentAction,
    ConsentDocument,
    ConsentKind,
    ConsentRecord,
    ErasureRequest,
    ErasureStatus,
    PrivacySettings,
)


def _today(practice):
    return timezone.localdate(timezone.now(), practice_tz(practice))


def practice_tz(practice):
    import zoneinfo

    return zoneinfo.ZoneInfo(practice.default_timezone)


def current_documents(practice) -> dict[str, ConsentDocument]:
    """The version in force of each kind the practice has published: kind → document. One
    query."""
    today = _today(practice)
    rows = ConsentDocument.objects.filter(practice=practice, effective_date__lte=today).order_by(
        "kind", "-effective_date", "-version"
    )
    current: dict[str, ConsentDocument] = {}
    for doc in rows.only("id", "kind", "version", "effective_date", "sha256", "practice_id"):
        current.setdefault(doc.kind, doc)
    return current


def document_versions(practice):
    return ConsentDocument.objects.filter(practice=practice).select_related("published_by")


def document_get(practice, document_id) -> ConsentDocument:
    return get_object_or_404(ConsentDocument, practice=practice, pk=document_id)


def _latest_action(client, document_field="pk"):
    return Subquery(
        ConsentRecord.objects.filter(client=client, document=OuterRef(document_field))
        .order_by("-at")
        .values("action")[:1]
    )


def documents_to_accept(client) -> list[ConsentDocument]:
    """The required documents in force that the client has not accepted (in that version).
    One query; empty when the practice has published none."""
    today = _today(client.practice)
    newer = ConsentDocument.objects.filter(
        practice_id=client.practice_id,
        kind=OuterRef("kind"),
        effective_date__lte=today,
        version__gt=OuterRef("version"),
    )
    rows = (
        ConsentDocument.objects.filter(
            practice_id=client.practice_id, kind__in=REQUIRED_KINDS, effective_date__lte=today
        )
        .annotate(superseded=Exists(newer), latest=_latest_action(client))
        .filter(superseded=False)
    )
    waiting = [doc for doc in rows if doc.latest != ConsentAction.ACCEPTED]
    # In reading order: what therapy is, then the privacy notice, then the portal's terms.
    return sorted(waiting, key=lambda doc: REQUIRED_KINDS.index(doc.kind))


def needs_consent(client) -> bool:
    return bool(documents_to_accept(client))


def has_sms_consent(client) -> bool:
    """Whether the client's newest answer to the SMS consent in force is an acceptance. One
    query."""
    today = _today(client.practice)
    doc = (
        ConsentDocument.objects.filter(
            practice_id=client.practice_id, kind=ConsentKind.SMS, effective_date__lte=today
        )
        .order_by("-effective_date", "-version")
        .annotate(latest=_latest_action(client))
        .values("latest")[:1]
    )
    rows = list(doc)
    return bool(rows) and rows[0]["latest"] == ConsentAction.ACCEPTED


@dataclass(frozen=True)
class ConsentLine:
    kind: str
    label: str
    required: bool
    document: ConsentDocument | None
    state: str  # "accepted", "withdrawn", "not_accepted", "not_published"
    at: object  # datetime of the newest answer to this version, or None


def consent_state(client) -> list[ConsentLine]:
    """Each kind, the version in force and the client's answer to it. Two queries."""
    current = current_documents(client.practice)
    records = ConsentRecord.objects.filter(
        client=client, document_id__in=[d.pk for d in current.values()]
    ).order_by("-at")
    latest: dict = {}
    for row in records:
        latest.setdefault(row.document_id, row)
    lines = []
    for kind, label in ConsentKind.choices:
        doc = current.get(kind)
        record: ConsentRecord | None = latest.get(doc.pk) if doc else None
        if doc is None:
            state = "not_published"
        elif record is None:
            state = "not_accepted"
        else:
            state = record.action
        lines.append(
            ConsentLine(
                kind=kind,
                label=label,
                required=kind in REQUIRED_KINDS,
                document=doc,
                state=state,
                at=record.at if record else None,
            )
        )
    return lines


def privacy_settings(practice) -> PrivacySettings:
    found = PrivacySettings.objects.filter(practice=practice).first()
    return found or PrivacySettings(practice=practice)


def erasure_requests(practice):
    return ErasureRequest.objects.filter(practice=practice).select_related(
        "client", "requested_by", "approved_by"
    )


def open_erasure_request(client) -> ErasureRequest | None:
    """The client's request still waiting for an owner or still running, if any."""
    return (
        ErasureRequest.objects.filter(
            client=client, status__in=[ErasureStatus.PENDING, ErasureStatus.APPROVED]
        )
        .order_by("-created_at")
        .first()
    )


def erasure_request_get(practice, request_id) -> ErasureRequest:
    return get_object_or_404(erasure_requests(practice), pk=request_id)


def client_for_staff(membership, client_id) -> Client:
    """A client the member may see; 404 for missing and not-yours alike."""
    from clients.selectors import client_get

    return client_get(membership, client_id)
