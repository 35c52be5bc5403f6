"""The client's journey through their pathways, in the portal."""

from __future__ import annotations

from django.shortcuts import render

from accounts.audit import audit_record
from core.access import client_required
from pathways import selectors


@client_required
def journey(request):
    client = request.client
    journeys = selectors.journeys_for_client(client)
    audit_record(actor=request.user, practice=request.practice, action="view", obj=client)
    context = {"client": client, "journeys": journeys, "tz": client.tz}
    return render(request, "pathways/journey.html", context)
