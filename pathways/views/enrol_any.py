"""Enrol a client in any published pathway from one page: reached from the client's page
("Enrol in a pathway") and from a global pathway's page ("Enrol a client"). A global pathway
needs no copying, building or publishing first (``services.from_library``): the page, the
press, the enrolment — three page loads."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.audit import audit_read
from clients.models import ClientStatus
from clients.selectors import client_get, clients_visible_to
from core.access import staff_required
from core.forms import apply_validation_error
from pathways import selectors
from pathways.forms import EnrolAnyForm
from pathways.models import PathwayStatus
from pathways.services import enrolments, from_library
from pathways.views.authoring import STAFF


def _pathway_from_choice(membership, value: str):
    """("practice", Pathway) or ("global", CuratedPathway); Http404 for anything else."""
    kind, _, pk = value.partition(":")
    if kind == "practice":
        pathway = selectors.pathway_get(membership, pk)
        if pathway.status != PathwayStatus.PUBLISHED:
            raise Http404
        return kind, pathway
    if kind == "global":
        return kind, selectors.global_pathway_get(pk)
    raise Http404


@audit_read("client")  # the caseload to enrol from
@staff_required
def enrol_any(request):
    membership = request.membership
    source = request.POST if request.method == "POST" else request.GET
    client_id = source.get("client", "")
    client = client_get(membership, client_id) if client_id else None
    chosen = source.get("pathway", "")
    picked = _pathway_from_choice(membership, chosen) if chosen else None
    today = timezone.localdate(timezone.now(), client.tz) if client else timezone.localdate()
    form = EnrolAnyForm(
        request.POST or None,
        clients=clients_visible_to(membership)
        .exclude(status=ClientStatus.DISCHARGED)
        .order_by("full_name"),
        practice_pathways=selectors.pathways_for_practice(
            membership, status=PathwayStatus.PUBLISHED
        ),
        global_pathways=selectors.global_pathways(),
        initial={"client": client_id, "pathway": chosen, "start_date": today},
    )
    if request.method == "POST" and form.is_valid() and client is not None and picked:
        kind, pathway = picked
        start_date = form.cleaned_data["start_date"]
        try:
            if kind == "global":
                enrolment = from_library.enrolment_create_from_global(
                    curated_pathway=pathway, client=client, actor=membership, start_date=start_date
                )
            else:
                enrolment = enrolments.enrolment_create(
                    pathway=pathway, client=client, actor=membership, start_date=start_date
                )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request, f"{client.display_name} is enrolled in {enrolment.pathway.name}."
            )
            return redirect("pathways:enrolment", enrolment_id=enrolment.pk)
    context = {
        "area": STAFF,
        "form": form,
        "client": client,
        "pathway": picked[1] if picked else None,
        "is_global": bool(picked) and picked[0] == "global",
        "practice_copy": (
            selectors.practice_copy_of(membership.practice, picked[1])
            if picked and picked[0] == "global"
            else None
        ),
    }
    return render(request, "pathways/enrol_any.html", context, status=400 if form.errors else 200)
