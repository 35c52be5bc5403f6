"""Pages of a client's data export and the FHIR Bundle download.

- The client, in the portal: ask for "Your data", watch it being made (the page refreshes
  itself while the worker builds it), download it once.
- An owner, from the client's staff page: the same for a subject-access request, with what the
  portal does not show.
- Staff: "Download FHIR bundle" on the client page (the API's Bundle, as a file).

The download link is signed, works once and for a day (``reports.client_export``); a spent or
expired link answers 410 with a way to make a new export.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from accounts.audit import audit_read
from accounts.models import Role
from clients.selectors import client_get
from core.access import client_required, staff_required
from reports import client_export, fhir
from reports.models import ClientExport, ExportKind

# --- The FHIR Bundle as a file ------------------------------------------------------------


@require_GET
@audit_read("client")
@staff_required
def client_fhir_bundle(request, client_id):
    client = client_get(request.membership, client_id)
    bundle = fhir.client_bundle(
        client,
        responses=fhir.entries_for_staff(client),
        assignments=fhir.assignments_of(client),
        now=timezone.now(),
    )
    response = HttpResponse(json.dumps(bundle, indent=2), content_type=fhir.FHIR_JSON)
    name = f"{client.full_name}-fhir-{timezone.localdate():%Y-%m-%d}.json".replace(" ", "-")
    response["Content-Disposition"] = content_disposition_header(True, name.lower())
    response["Cache-Control"] = "no-store, private, max-age=0"
    return response


# --- The client's own export ---------------------------------------------------------------


@client_required
def portal_exports(request):
    client = request.client
    if request.method == "POST":
        export = client_export.export_request(
            client=client, requested_by=request.user, kind=ExportKind.CLIENT
        )
        return redirect("reports:portal_export", export_id=export.pk)
    recent = client_export.recent_exports(client, ExportKind.CLIENT)
    return render(request, "reports/portal_exports.html", {"recent": _states(recent)})


@require_GET
@client_required
def portal_export_page(request, export_id):
    export = client_export.portal_export_get(request.client, export_id)
    return render(request, "reports/portal_export.html", _export_context(export, portal=True))


@require_GET
@client_required
def portal_export_download(request, export_id):
    export = client_export.portal_export_get(request.client, export_id)
    return _download(request, export, request.GET.get("t", ""), portal=True)


# --- A subject-access export (owners) -------------------------------------------------------


@audit_read("client")
@staff_required
def client_exports(request, client_id):
    client = client_get(request.membership, client_id)
    if request.membership.role != Role.OWNER:
        raise PermissionDenied("Only the practice's owner can run a subject-access export.")
    if request.method == "POST":
        export = client_export.export_request(
            client=client,
            requested_by=request.user,
            kind=ExportKind.SUBJECT_ACCESS,
            membership=request.membership,
        )
        return redirect("reports:export", export_id=export.pk)
    recent = client_export.recent_exports(client, ExportKind.SUBJECT_ACCESS)
    context = {"client": client, "recent": _states(recent)}
    return render(request, "reports/client_exports.html", context)


@require_GET
@audit_read("clientexport")
@staff_required
def export_page(request, export_id):
    export = client_export.staff_export_get(request.membership, export_id)
    return render(request, "reports/export.html", _export_context(export, portal=False))


@require_GET
@staff_required
def export_download(request, export_id):
    export = client_export.staff_export_get(request.membership, export_id)
    return _download(request, export, request.GET.get("t", ""), portal=False)


# --- Shared ---------------------------------------------------------------------------------


def _states(exports) -> list[tuple[ClientExport, str]]:
    return [(export, client_export.link_state(export)) for export in exports]


def _export_context(export: ClientExport, *, portal: bool) -> dict:
    state = client_export.link_state(export)
    download_url = None
    if state == "ready":
        name = "reports:portal_export_download" if portal else "reports:export_download"
        token = client_export.download_token(export)
        # The signed token rides in the query: the path stays an ordinary object URL.
        download_url = f"{reverse(name, args=[export.pk])}?{urlencode({'t': token})}"
    return {"export": export, "client": export.client, "state": state, "download_url": download_url}


def _download(request, export: ClientExport, token: str, *, portal: bool):
    try:
        content, name = client_export.export_download(
            export=export, token=token, actor=request.user
        )
    except client_export.ExportLinkInvalid:
        template = "reports/portal_export.html" if portal else "reports/export.html"
        context = _export_context(export, portal=portal) | {"spent_link": True}
        return render(request, template, context, status=410)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "no-store, private, max-age=0"
    response["X-Content-Type-Options"] = "nosniff"
    return response
