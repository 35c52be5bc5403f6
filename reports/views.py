"""PDF pages: ask for a document, watch it being made, download it; the practice's branding.

"Download PDF" buttons on other pages post here. When the PDF is already made (unchanged
content) the download starts at once; otherwise the button is replaced by a status that htmx
polls until the worker has finished (without JavaScript: a page that shows the same status).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import audit_read, audit_record
from clients.selectors import client_get
from core.access import client_required, manager_required, staff_required
from core.forms import apply_validation_error
from reports import selectors, services
from reports.forms import BrandingForm, PacketForm
from reports.models import Audience, PdfDocument

# --- Asking for a document ---------------------------------------------------------------


def _respond(request, document: PdfDocument, *, portal: bool = False):
    prefix = "reports:portal_document" if portal else "reports:document"
    # A fast worker (or an eager one) may have finished since the request was committed.
    document.refresh_from_db()
    if document.is_ready:
        url = reverse(f"{prefix}_download", args=[document.pk])
        if request.headers.get("HX-Request"):
            response = _status(request, document, portal=portal)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    if request.headers.get("HX-Request"):
        return _status(request, document, portal=portal)
    return redirect(prefix, document_id=document.pk)


def _staff_request(request, spec):
    document = services.pdf_request(
        practice=request.practice, requested_by=request.user, audience=Audience.STAFF, spec=spec
    )
    return _respond(request, document)


@require_POST
@staff_required
def activity_blank(request, activity_id):
    return _staff_request(request, selectors.blank_for_activity(request.membership, activity_id))


@require_POST
@staff_required
def curated_blank(request, curated_id):
    return _staff_request(request, selectors.blank_for_curated(request.membership, curated_id))


@require_POST
@staff_required
def response_pdf(request, response_id):
    return _staff_request(request, selectors.response_for_staff(request.membership, response_id))


@require_POST
@staff_required
def session_summary(request, client_id):
    spec = selectors.session_summary_for_staff(request.membership, client_id)
    return _staff_request(request, spec)


@require_POST
@staff_required
def progress_report(request, client_id):
    spec = selectors.progress_report_for_staff(request.membership, client_id)
    return _staff_request(request, spec)


@audit_read("pdfdocument")
@staff_required
def client_documents(request, client_id):
    """The client's printables: a packet for a date range, the session summary, progress."""
    client = client_get(request.membership, client_id)
    start, end = selectors.packet_default_range(client)
    form = PacketForm(request.POST or None, initial={"start": start, "end": end})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                spec = selectors.packet_for_staff(
                    request.membership, client.pk, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                return _staff_request(request, spec)
        status = 400
    context = {"client": client, "form": form}
    if request.headers.get("HX-Request"):
        return render(request, "reports/_packet_form.html", context, status=status)
    return render(request, "reports/client_documents.html", context, status=status)


@require_POST
@client_required
def portal_assignment_blank(request, assignment_id):
    spec = selectors.blank_for_portal_assignment(request.client, assignment_id)
    return _portal_request(request, spec)


@require_POST
@client_required
def portal_response_pdf(request, response_id):
    return _portal_request(request, selectors.response_for_portal(request.client, response_id))


@require_POST
@client_required
def portal_conversation_pdf(request, conversation_id):
    spec = selectors.conversation_summary_for_portal(request.client, conversation_id)
    return _portal_request(request, spec)


def _portal_request(request, spec):
    document = services.pdf_request(
        practice=request.practice, requested_by=request.user, audience=Audience.CLIENT, spec=spec
    )
    return _respond(request, document, portal=True)


# --- Progress and download ---------------------------------------------------------------


def _status(request, document: PdfDocument, *, portal: bool = False):
    return render(request, "reports/_status.html", _page_context(document, portal=portal))


@require_GET
@staff_required
def document_page(request, document_id):
    document, _ = selectors.staff_document_get(request.membership, document_id)
    audit_record(
        actor=request.user,
        practice=request.practice,
        action="view",
        obj=document,
        client=document.client_id,
    )
    return render(request, "reports/document.html", _page_context(document, portal=False))


@require_GET
@staff_required
def document_status(request, document_id):
    document, _ = selectors.staff_document_get(request.membership, document_id)
    return _status(request, document)


@require_GET
@staff_required
def document_download(request, document_id):
    document, subject = selectors.staff_document_get(request.membership, document_id)
    return _download(request, document, subject)


@require_GET
@client_required
def portal_document_page(request, document_id):
    document, _ = selectors.portal_document_get(request.client, document_id)
    return render(request, "reports/portal_document.html", _page_context(document, portal=True))


@require_GET
@client_required
def portal_document_status(request, document_id):
    document, _ = selectors.portal_document_get(request.client, document_id)
    return _status(request, document, portal=True)


@require_GET
@client_required
def portal_document_download(request, document_id):
    document, subject = selectors.portal_document_get(request.client, document_id)
    return _download(request, document, subject)


def _page_context(document: PdfDocument, *, portal: bool) -> dict:
    prefix = "reports:portal_document" if portal else "reports:document"
    return {
        "document": document,
        "status_url": reverse(f"{prefix}_status", args=[document.pk]),
        "download_url": reverse(f"{prefix}_download", args=[document.pk]),
        "portal": portal,
    }


def _download(request, document: PdfDocument, subject):
    if not document.is_ready:
        raise Http404
    audit_record(
        actor=request.user,
        practice=request.practice,
        action="pdf",
        obj=subject,
        client=document.client,
    )
    response = FileResponse(document.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, document.filename)
    response["Cache-Control"] = "no-store, private, max-age=0"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Branding ------------------------------------------------------------------------------


@manager_required
def branding(request):
    current = selectors.branding_for(request.practice)
    initial = {"confidentiality_line": current.confidentiality_line if current else ""}
    form = BrandingForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.branding_update(
                practice=request.practice, actor=request.membership, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "PDF branding saved.")
            return redirect("reports:branding")
    context = {"form": form, "branding": current}
    return render(request, "reports/branding.html", context, status=400 if form.errors else 200)


@require_GET
@manager_required
def branding_logo(request):
    current = selectors.branding_for(request.practice)
    if current is None or not current.logo:
        raise Http404
    return FileResponse(current.logo.open("rb"), content_type=current.logo_content_type)
