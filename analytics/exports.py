"""CSV exports of adherence and scores: the whole practice (owners and admins) and one
client (any member of staff who may see the client).

The file is streamed: rows are read in chunks and written as they come, so a large practice
does not sit in memory. Streaming runs after the view (and the tenancy middleware) returned,
so the generator enters the practice scope again itself — the same scope the request had,
for the same practice; nothing here widens it.
"""

import csv

from django.http import StreamingHttpResponse
from django.utils import timezone

from accounts.audit import audit_record
from analytics import selectors
from clients.selectors import client_get
from core.access import manager_required, staff_required
from core.tenancy import practice_scope


class _Echo:
    """A file-like object whose ``write`` hands back what it was given (csv docs' recipe)."""

    def write(self, value):
        return value


def _stream(practice, occurrences, now):
    writer = csv.writer(_Echo())
    with practice_scope(practice):
        for row in selectors.export_rows(occurrences, now=now):
            yield writer.writerow(row)


def _csv_response(request, occurrences, filename: str) -> StreamingHttpResponse:
    now = timezone.now()
    response = StreamingHttpResponse(
        _stream(request.practice, occurrences, now), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private, max-age=0"
    return response


@manager_required
def practice_export(request):
    audit_record(
        actor=request.user, practice=request.practice, action="export_csv", obj=request.practice
    )
    occurrences = selectors.export_occurrences(request.membership)
    stamp = timezone.localdate().isoformat()
    return _csv_response(request, occurrences, f"bridgework-adherence-{stamp}.csv")


@staff_required
def client_export(request, client_id):
    client = client_get(request.membership, client_id)
    audit_record(actor=request.user, practice=request.practice, action="export_csv", obj=client)
    occurrences = selectors.export_occurrences(request.membership, client=client)
    stamp = timezone.localdate().isoformat()
    return _csv_response(request, occurrences, f"bridgework-client-{client.pk}-{stamp}.csv")
