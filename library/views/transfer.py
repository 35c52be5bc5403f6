"""Import and export: the library's own JSON format and FHIR R4 Questionnaire; uploaded media."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render

from core.access import curator_required, staff_required
from library import exports, selectors, services
from library.forms import ImportForm
from library.services import ContentError


def _download(document: dict, filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
def activity_export(request, activity_id, fmt):
    activity = selectors.activity_get(request.membership, activity_id)
    if fmt == "fhir":
        document = exports.activity_questionnaire(activity)
        return _download(document, f"{exports.filename(activity.current_version)}.fhir.json")
    document = exports.activity_document(activity)
    return _download(document, f"{exports.filename(activity.current_version)}.json")


@staff_required
def curated_export(request, curated_id, fmt):
    return _curated_download(selectors.curated_get(request.membership, curated_id), fmt)


@curator_required
def curate_export(request, curated_id, fmt):
    return _curated_download(selectors.curated_get_for_curator(request.user, curated_id), fmt)


def _curated_download(curated, fmt: str):
    if fmt == "fhir":
        document = exports.curated_questionnaire(curated)
        return _download(document, f"{curated.slug}.fhir.json")
    return _download(exports.curated_document(curated), f"{curated.slug}.json")


@staff_required
def activity_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        document = form.cleaned_data["document"]
        try:
            activity, skipped = services.activity_import(
                practice=request.practice, actor=request.membership, document=document
            )
        except ContentError as exc:
            for issue in exc.issues:
                form.add_error(None, f"{issue.path or '(document)'}: {issue.message}")
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, "Imported as a draft that only you can see.")
            for item in skipped:
                messages.warning(request, f"Not imported: {item}")
            return redirect("library:activity_edit", activity_id=activity.pk)
    status = 400 if form.errors else 200
    return render(request, "library/import.html", {"form": form}, status=status)


def media_file(request, media_id):
    """An uploaded file, for staff and clients of its practice (global files: anyone signed
    in). Served inline with its checked type; never sniffed by the browser (nosniff)."""
    media = selectors.media_get(
        practice=getattr(request, "practice", None), user=request.user, media_id=media_id
    )
    response = FileResponse(media.file.open("rb"), content_type=media.content_type)
    response["Content-Disposition"] = "inline"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
