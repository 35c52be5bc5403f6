"""A client's data export (issue 21): everything the practice holds about one client that
the audience may see, as a zip of a readable PDF and the FHIR R4 Bundle.

Two audiences. The client's own copy (from the portal) holds what the portal shows them:
their details, their homework and every entry they made (shared or private), the comments
their therapist left, and scores where the practice shows scores to clients. A subject-access
export, which only an owner may run from the client's staff page, adds what the practice
holds but does not show in the portal: risk flags and their handling notes, review ratings,
discharge notes, and the audit of who read or exported the client's data.

Made by the worker (``reports.tasks.build_client_export``). The zip is stored privately
(default storage, never a public URL), downloaded through a signed link that works once and
for ``EXPORT_LIFETIME``, and deleted from storage when it is downloaded. Every request and
download is in the audit trail.
"""

from __future__ import annotations

import io
import json
import logging
import secrets
import zipfile
from datetime import timedelta
from typing import Any, Final

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.utils import dateformat, timezone
from django.utils.text import slugify
from django_scopes import scopes_disabled

from accounts.audit import audit_record
from accounts.models import AuditEvent, Role
from assignments.models import Flag, Review
from clients.models import Client
from clients.selectors import client_discharges, clients_visible_to
from reports import fhir
from reports.models import ClientExport, DocumentStatus, ExportKind
from reports.pdf import render_pdf
from reports.selectors import branding_source, entry_source
from reports.services import claim_for_work

logger = logging.getLogger(__name__)

EXPORT_LIFETIME: Final = timedelta(hours=24)
STALE_AFTER: Final = timedelta(minutes=10)
MAX_AUDIT_ROWS: Final = 5000
_SALT: Final = "reports.client_export.download"


class ExportLinkInvalid(Exception):
    """The link is not (or no longer) good: used, expired, or not this export's."""


# --- Asking ----------------------------------------------------------------------------


@transaction.atomic
def export_request(*, client: Client, requested_by, kind: str, membership=None) -> ClientExport:
    """Queue an export of ``client`` for the worker. A client asks for their own copy; a
    subject-access export needs the practice's owner (``membership``). A request while one is
    still being made returns that one."""
    from reports.tasks import build_client_export  # the task module imports this one

    if kind == ExportKind.SUBJECT_ACCESS and (membership is None or membership.role != Role.OWNER):
        raise PermissionDenied("Only the practice's owner can run a subject-access export.")
    waiting = (
        ClientExport.objects.select_for_update()
        .filter(client=client, kind=kind, requested_by=requested_by)
        .filter(status__in=(DocumentStatus.PENDING, DocumentStatus.RENDERING))
        .first()
    )
    if waiting is not None:
        return waiting
    export = ClientExport.objects.create(
        practice_id=client.practice_id,
        client=client,
        kind=kind,
        requested_by=requested_by,
        nonce=secrets.token_hex(16),
    )
    audit_record(
        actor=requested_by,
        practice=client.practice,
        action=f"export_requested_{kind}"[:40],
        obj=export,
        client=client,
    )
    build_client_export.delay_on_commit(
        export_id=str(export.pk), practice_id=str(client.practice_id)
    )
    return export


# --- Building (the worker) ----------------------------------------------------------------


def export_build(*, export_id) -> ClientExport | None:
    """Build a queued export. Claims it first (a redelivered task does nothing); the zip is
    written, then the row says ready, so a ready export always has its file."""
    if not claim_for_work(ClientExport, export_id, stale_after=STALE_AFTER):
        return None
    export = ClientExport.objects.select_related("client__practice").get(pk=export_id)
    try:
        content = export_zip(export)
    except Exception:
        logger.exception("Client export %s failed", export.pk)
        export.status = DocumentStatus.FAILED
        export.error = "The export could not be made. Please try again."
        export.save(update_fields=["status", "error", "updated_at"])
        return export
    field = ClientExport._meta.get_field("file")
    name = default_storage.save(
        field.generate_filename(export, f"{export.pk}.zip"), ContentFile(content)
    )
    built = timezone.now()
    export.file = name
    export.size_bytes = len(content)
    export.status = DocumentStatus.READY
    export.built_at = built
    export.expires_at = built + EXPORT_LIFETIME
    export.save(
        update_fields=["file", "size_bytes", "status", "built_at", "expires_at", "updated_at"]
    )
    return export


def export_zip(export: ClientExport) -> bytes:
    """The zip: a README, the PDF and the FHIR Bundle (and, for a subject-access export, the
    audit of access as JSON too)."""
    client = export.client
    full = export.kind == ExportKind.SUBJECT_ACCESS
    now = timezone.now()
    responses = list(fhir.entries_for_client(client).select_related("client", "practice"))
    assignments = list(fhir.assignments_of(client))
    bundle = fhir.client_bundle(client, responses=responses, assignments=assignments, now=now)
    source = pdf_source(export, responses=responses, assignments=assignments, now=now)
    pdf = render_pdf("client_export", source).content
    stem = slugify(client.full_name) or "client"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(source))
        archive.writestr(f"{stem}-record.pdf", pdf)
        archive.writestr(f"{stem}-fhir-bundle.json", json.dumps(bundle, indent=2))
        if full:
            archive.writestr(f"{stem}-access-log.json", json.dumps(source["audit"], indent=2))
    return buffer.getvalue()


def pdf_source(export: ClientExport, *, responses, assignments, now) -> dict[str, Any]:
    """What the PDF shows, as plain data (the PDF renderer takes no database access)."""
    client = export.client
    full = export.kind == ExportKind.SUBJECT_ACCESS
    tz = client.tz
    practice = client.practice

    def when(moment) -> str:
        return dateformat.format(timezone.localtime(moment, tz), "j F Y, H:i") if moment else ""

    show_scores = full or practice.show_scores_to_clients
    entries = []
    for response in responses:
        scoring = response.activity_version.definition.get("scoring") or {}
        shown = show_scores and (full or scoring.get("show_score_to_client", True))
        entry = entry_source(response, show_score=shown, for_client=not full)
        entry["private"] = not response.shared_with_therapist
        entries.append(entry)
    reviews = Review.objects.filter(client=client).select_related(
        "occurrence__assignment__activity_version", "reviewer"
    )

    # The client's own export names each activity as the portal does; the subject access
    # export (for the record) keeps the clinical title.
    def name(version) -> str:
        return version.title if full else version.title_for_client

    source: dict[str, Any] = {
        "title": "Subject access export" if full else "Your data",
        "full": full,
        "client_name": client.full_name,
        "branding": {**branding_source(practice), "logo": None},
        "generated": when(now),
        "details": [
            ["Name", client.full_name],
            ["Preferred name", client.preferred_name or "—"],
            ["Email", client.email or "—"],
            ["Time zone", client.timezone],
            [
                "Therapist",
                client.primary_therapist.get_full_name() if client.primary_therapist else "—",
            ],
            ["Client since", when(client.created_at)],
        ],
        "assignments": [
            {
                "title": name(a.activity_version),
                "starts": dateformat.format(a.starts_on, "j F Y"),
                "status": a.get_status_display(),
                "rationale": a.rationale,
                "message": a.personal_message,
                "plan": " · ".join(filter(None, [a.plan_when, a.plan_where, a.if_then_plan])),
            }
            for a in assignments
        ],
        "entries": entries,
        "reviews": [
            {
                "title": name(review.occurrence.assignment.activity_version),
                "at": when(review.created_at),
                "comment": review.comment,
                "rating": review.rating if full else None,
                "by": review.reviewer.get_full_name() if full and review.reviewer else "",
            }
            for review in reviews
            if full or review.comment
        ],
        "flags": [],
        "discharges": [],
        "audit": [],
    }
    if full:
        flags = Flag.objects.filter(client=client).prefetch_related("events").order_by("created_at")
        source["flags"] = [
            {
                "message": flag.message,
                "answer": flag.answer_value,
                "raised": when(flag.created_at),
                "acknowledged": when(flag.acknowledged_at),
                "events": [
                    {
                        "at": when(event.at),
                        "by": event.actor_name,
                        "actions": ", ".join(event.action_labels),
                        "note": event.note,
                    }
                    for event in sorted(flag.events.all(), key=lambda e: e.at)
                ],
            }
            for flag in flags
        ]
        source["discharges"] = [
            {"at": when(d.created_at), "note": d.note, "flag_decisions": d.flag_decisions}
            for d in client_discharges(client)
        ]
        audit = AuditEvent.objects.filter(practice_id=client.practice_id, client_id=client.pk)
        source["audit"] = [
            {
                "at": timezone.localtime(row.at, tz).isoformat(timespec="seconds"),
                "who": row.actor_email or "—",
                "action": row.action,
                "what": row.object_type,
            }
            for row in audit.order_by("-at")[:MAX_AUDIT_ROWS]
        ]
    return source


def _readme(source: dict[str, Any]) -> str:
    lines = [
        f"{source['title']}: {source['client_name']}",
        f"Made by {source['branding']['practice_name']} on {source['generated']}.",
        "",
        "What is in this file:",
        "- the record (PDF): your details, your homework, every entry, and comments;",
        "- the FHIR bundle (JSON): the same entries and scores in FHIR R4, a standard format",
        "  other health systems can read (QuestionnaireResponse and Observation resources).",
    ]
    if source["full"]:
        lines += [
            "- the access log (JSON): who opened or exported this record, and when.",
            "",
            "This is a subject-access export: it also holds what the portal does not show,",
            "such as risk flags and the notes made on them, review ratings and discharge notes.",
        ]
    lines += ["", source["branding"]["confidentiality"], ""]
    return "\n".join(lines)


# --- Downloading ----------------------------------------------------------------------------


def download_token(export: ClientExport) -> str:
    return signing.dumps({"e": str(export.pk), "n": export.nonce}, salt=_SALT)


@transaction.atomic
def export_download(*, export: ClientExport, token: str, actor) -> tuple[bytes, str]:
    """The zip's bytes and file name, once: the link is then spent and the file deleted.
    ``ExportLinkInvalid`` for a used, expired or foreign link."""
    export = ClientExport.objects.select_for_update().select_related("client").get(pk=export.pk)
    try:
        data = signing.loads(token, salt=_SALT, max_age=EXPORT_LIFETIME)
    except signing.BadSignature:
        raise ExportLinkInvalid from None
    now = timezone.now()
    if (
        data != {"e": str(export.pk), "n": export.nonce}
        or export.status != DocumentStatus.READY
        or export.downloaded_at is not None
        or export.expires_at is None
        or export.expires_at <= now
        or not export.file
    ):
        raise ExportLinkInvalid
    with export.file.open("rb") as handle:
        content = handle.read()
    name = str(export.file.name)
    export.downloaded_at = now
    export.file = ""
    export.save(update_fields=["downloaded_at", "file", "updated_at"])
    transaction.on_commit(lambda: default_storage.delete(name))
    audit_record(
        actor=actor,
        practice=export.client.practice,
        action=f"export_downloaded_{export.kind}"[:40],
        obj=export,
        client=export.client,
    )
    stem = slugify(export.client.full_name) or "client"
    label = "subject-access" if export.kind == ExportKind.SUBJECT_ACCESS else "my-data"
    return content, f"{stem}-{label}-{export.built_at:%Y-%m-%d}.zip"


def exports_purge_expired(*, now=None) -> int:
    """Delete the stored zips of exports whose link expired unused (hourly, from beat), so
    no copy of a client's record outlives its 24 hours. Sweeps every practice, so it runs
    with scopes disabled; the rows stay, as the record that an export was made."""
    now = now or timezone.now()
    with transaction.atomic(), scopes_disabled():
        expired = list(
            ClientExport.objects.select_for_update(skip_locked=True)
            .filter(expires_at__lte=now)
            .exclude(file="")
            .values_list("pk", "file")
        )
        ClientExport.objects.filter(pk__in=[pk for pk, _ in expired]).update(
            file="", updated_at=now
        )
    names = [str(name) for _pk, name in expired]

    def delete_files() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(delete_files)
    return len(expired)


# --- Selectors ------------------------------------------------------------------------------


def portal_export_get(client: Client, export_id) -> ClientExport:
    """The client's own export; 404 for anyone else's, and for a subject-access export."""
    try:
        return ClientExport.objects.select_related("client").get(
            pk=export_id, client=client, kind=ExportKind.CLIENT
        )
    except (ClientExport.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None


def staff_export_get(membership, export_id) -> ClientExport:
    """A subject-access export of a client the owner may see; 404 for everyone else."""
    if membership.role != Role.OWNER:
        raise Http404
    try:
        return ClientExport.objects.select_related("client").get(
            pk=export_id,
            kind=ExportKind.SUBJECT_ACCESS,
            client__in=clients_visible_to(membership).values("pk"),
        )
    except (ClientExport.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None


def recent_exports(client: Client, kind: str, *, requested_by=None):
    exports = ClientExport.objects.filter(client=client, kind=kind)
    if requested_by is not None:
        exports = exports.filter(requested_by=requested_by)
    return exports.order_by("-created_at")[:5]


def link_state(export: ClientExport, *, now=None) -> str:
    """``waiting``, ``failed``, ``ready``, ``used`` or ``expired``, for the page."""
    now = now or timezone.now()
    if export.is_waiting:
        return "waiting"
    if export.status == DocumentStatus.FAILED:
        return "failed"
    if export.downloaded_at is not None:
        return "used"
    if export.expires_at is None or export.expires_at <= now:
        return "expired"
    return "ready"
