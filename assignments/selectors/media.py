"""Answer files: who may open one. Missing and not-yours are the same 404."""

from __future__ import annotations

from django.http import Http404

from assignments.models import MediaAnswer
from clients.selectors import clients_visible_to


def media_answer_for_viewer(*, media_id, client=None, membership=None) -> MediaAnswer:
    """The file for the signed-in client it belongs to, or a staff member who may see that
    client (their care team; managers see the practice); ``Http404`` for anyone else."""
    if client is not None:
        found = MediaAnswer.objects.filter(pk=media_id, client=client, practice=client.practice)
    elif membership is not None:
        found = MediaAnswer.objects.filter(
            pk=media_id,
            practice=membership.practice,
            client__in=clients_visible_to(membership),
        )
    else:
        raise Http404
    media = found.first()
    if media is None:
        raise Http404
    return media


def client_media_answer(*, client, media_id) -> MediaAnswer | None:
    """One of the client's own files (an answer kept when a form is sent again)."""
    return MediaAnswer.objects.filter(pk=media_id, client=client).first()
