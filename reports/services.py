"""Every write for PDFs: asking for a document, rendering it (in the worker), branding.

A document is found again by its content hash, so asking twice for the same content gives the
same file without rendering it again; when the content changes, the new document replaces the
older one about the same subject (and variant), and its file is deleted.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from typing import Final

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from reports.models import DocumentStatus, PdfDocument, PracticeBranding
from reports.pdf import content_hash, render_pdf
from reports.selectors import DocumentSpec

logger = logging.getLogger(__name__)

# A render that has not finished after this long is presumed lost (a killed worker, a
# restarted broker) and may be claimed again.
STALE_AFTER: Final = timedelta(minutes=5)
MAX_LOGO_BYTES: Final = 1024 * 1024
MAX_LOGO_PIXELS: Final = 4000
LOGO_FORMATS: Final = {"PNG": "image/png", "JPEG": "image/jpeg"}


# --- Documents --------------------------------------------------------------------------


@transaction.atomic
def pdf_request(*, practice, requested_by, audience: str, spec: DocumentSpec) -> PdfDocument:
    """The document for ``spec``: the kept one if its content is unchanged, else a new one
    queued for the worker. Access was checked by the selector that built ``spec``."""
    from reports.tasks import render_pdf_document  # the task module imports this one

    key = content_hash(spec.kind, spec.source)
    subject = {
        "practice": practice,
        "audience": audience,
        "subject_type": spec.subject_type,
        "subject_id": spec.subject_id,
    }
    document = PdfDocument.objects.select_for_update().filter(**subject, content_hash=key).first()
    if document is not None and not _needs_render(document):
        return document
    if document is None:
        try:
            with transaction.atomic():
                document = PdfDocument.objects.create(
                    **subject,
                    content_hash=key,
                    kind=spec.kind,
                    variant=spec.variant,
                    client=spec.client,
                    title=spec.title[:300],
                    filename=spec.filename[:200],
                    source=spec.source,
                    requested_by=requested_by,
                )
        except IntegrityError:
            # Someone asked for the same content a moment ago: use theirs.
            return PdfDocument.objects.get(**subject, content_hash=key)
        _delete_superseded(document)
    else:
        _delete_file(document)
        document.file = ""
        document.source = spec.source
        document.status = DocumentStatus.PENDING
        document.error = ""
        document.claimed_at = None
        document.requested_by = requested_by
        document.save(
            update_fields=[
                "file",
                "source",
                "status",
                "error",
                "claimed_at",
                "requested_by",
                "updated_at",
            ]
        )
    render_pdf_document.delay_on_commit(document_id=str(document.pk), practice_id=str(practice.pk))
    return document


def claim_for_work(model, pk, *, stale_after: timedelta) -> bool:
    """Claim a queued row (a document or an export) for the worker with one conditional
    UPDATE: pending, or left rendering by a worker that died more than ``stale_after`` ago.
    False when another worker has it or it is done, so a redelivered task does nothing."""
    now = timezone.now()
    with transaction.atomic():
        return bool(
            model.objects.filter(pk=pk)
            .filter(
                Q(status=DocumentStatus.PENDING)
                | Q(status=DocumentStatus.RENDERING, claimed_at__lt=now - stale_after)
            )
            .update(status=DocumentStatus.RENDERING, claimed_at=now, updated_at=now)
        )


def _needs_render(document: PdfDocument) -> bool:
    if document.status == DocumentStatus.READY:
        return not (document.file.name and default_storage.exists(document.file.name))
    if document.status == DocumentStatus.FAILED:
        return True
    return document.updated_at < timezone.now() - STALE_AFTER


def _delete_superseded(document: PdfDocument) -> None:
    """Older content about the same subject and variant is replaced."""
    older = PdfDocument.objects.filter(
        practice_id=document.practice_id,
        audience=document.audience,
        subject_type=document.subject_type,
        subject_id=document.subject_id,
        kind=document.kind,
        variant=document.variant,
    ).exclude(pk=document.pk)
    older.delete()  # their files go too (reports.receivers)


def _delete_file(document: PdfDocument) -> None:
    if document.file.name:  # the same test as ``if document.file``
        name = document.file.name
        transaction.on_commit(lambda: default_storage.delete(name))


def pdf_document_render(*, document_id) -> PdfDocument | None:
    """Render a queued document (the worker calls this). Claims it first with a conditional
    UPDATE, so a redelivered task or a second worker does nothing; returns None then.

    Not one transaction on purpose: rendering takes a while and must not hold the row lock
    (a page polling the status would wait on it). The claim and the result are each atomic.
    """
    if not claim_for_work(PdfDocument, document_id, stale_after=STALE_AFTER):
        return None
    document = PdfDocument.objects.get(pk=document_id)
    try:
        assert document.source is not None  # kept until the document is ready
        rendered = render_pdf(document.kind, document.source, resources=_resources(document))
    except Exception:
        logger.exception("Rendering PDF document %s failed", document.pk)
        with transaction.atomic():
            PdfDocument.objects.filter(pk=document.pk, status=DocumentStatus.RENDERING).update(
                status=DocumentStatus.FAILED,
                error="The PDF could not be made.",
                updated_at=timezone.now(),
            )
        return None
    field = PdfDocument._meta.get_field("file")
    name = default_storage.save(
        field.generate_filename(document, f"{document.pk}.pdf"), ContentFile(rendered.content)
    )
    now = timezone.now()
    with transaction.atomic():
        # Conditional, like the claim: the row may have been replaced or asked for again
        # while it rendered, and then this file is nobody's.
        stored = PdfDocument.objects.filter(
            pk=document.pk, status=DocumentStatus.RENDERING, claimed_at=document.claimed_at
        ).update(
            file=name,
            status=DocumentStatus.READY,
            page_count=rendered.page_count,
            size_bytes=len(rendered.content),
            rendered_at=now,
            # The data is in the file now; a second copy of client answers helps nobody.
            source=None,
            updated_at=now,
        )
    if not stored:
        default_storage.delete(name)
        return None
    document.refresh_from_db()
    return document


def _resources(document: PdfDocument) -> dict[str, tuple[bytes, str]]:
    """The logo named in the source, read from storage, for the fetcher to hand out."""
    logo = ((document.source or {}).get("branding") or {}).get("logo")
    if not logo or not default_storage.exists(logo["name"]):
        return {}
    with default_storage.open(logo["name"], "rb") as handle:
        return {"logo": (handle.read(), logo["content_type"])}


# --- Branding ---------------------------------------------------------------------------


@transaction.atomic
def branding_update(
    *, practice, actor, confidentiality_line: str = "", logo=None, remove_logo: bool = False
) -> PracticeBranding:
    """Set the confidentiality line and replace or remove the logo (PNG or JPEG, at most
    1 MB and 4000 pixels a side, checked from the bytes, not the name)."""
    branding, _ = PracticeBranding.objects.select_for_update().get_or_create(practice=practice)
    line = " ".join(confidentiality_line.split())
    if len(line) > 200:
        raise ValidationError({"confidentiality_line": "Use at most 200 characters."})
    branding.confidentiality_line = line
    branding.updated_by = actor.user
    if logo is not None:
        data, content_type, extension = _checked_logo(logo)
        _delete_logo(branding)
        branding.logo.save(f"logo.{extension}", ContentFile(data), save=False)
        branding.logo_sha256 = hashlib.sha256(data).hexdigest()
        branding.logo_content_type = content_type
    elif remove_logo:
        _delete_logo(branding)
        branding.logo = ""
        branding.logo_sha256 = ""
        branding.logo_content_type = ""
    branding.save()
    return branding


def _delete_logo(branding: PracticeBranding) -> None:
    if branding.logo.name:  # the same test as ``if branding.logo``
        name = branding.logo.name
        transaction.on_commit(lambda: default_storage.delete(name))


def _checked_logo(upload) -> tuple[bytes, str, str]:
    if upload.size > MAX_LOGO_BYTES:
        raise ValidationError({"logo": "The logo must be at most 1 MB."})
    data = upload.read()
    try:
        with Image.open(ContentFile(data)) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError({"logo": "Upload a PNG or JPEG image."}) from None
    if image_format not in LOGO_FORMATS:
        raise ValidationError({"logo": "Upload a PNG or JPEG image."})
    if max(width, height) > MAX_LOGO_PIXELS:
        raise ValidationError(
            {"logo": f"The logo must be at most {MAX_LOGO_PIXELS} pixels wide and high."}
        )
    extension = "png" if image_format == "PNG" else "jpg"
    return data, LOGO_FORMATS[image_format], extension
