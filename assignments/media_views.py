"""Serving a client's answer file to the client and their care team, audited."""

from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from accounts.audit import audit_record
from assignments.selectors.media import media_answer_for_viewer
from assignments.services.media_answers import media_path


@require_GET
def answer_media(request, answer_file_id):
    if not request.user.is_authenticated:
        raise Http404
    media = media_answer_for_viewer(
        media_id=answer_file_id,
        client=getattr(request, "client", None),
        membership=getattr(request, "membership", None),
    )
    path = media_path(media)
    if not path.exists():
        raise Http404
    audit_record(
        actor=request.user,
        practice=media.practice_id,
        action="media_view",
        obj=media,
        client=media.client_id,
    )
    response = FileResponse(path.open("rb"), content_type=media.content_type)
    # Never cached by a shared proxy; never sniffed into something the browser runs.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
