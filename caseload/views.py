from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from accounts.audit import audit_read, audit_record
from assignments.adherence import DEFINITIONS
from assignments.selectors import CASELOAD_SORTS, caseload_rows, client_homework
from caseload import services
from caseload.forms import DischargeForm
from clients import selectors
from clients.forms import ClientStatusForm
from clients.models import ClientStatus
from conversations import selectors as conversation_selectors
from core.access import staff_required
from core.forms import apply_validation_error
from pathways.selectors import enrolment_progress


@audit_read("client")
@staff_required
def caseload(request):
    search = request.GET.get("q", "")
    status = request.GET.get("status", "")
    sort = request.GET.get("sort", "name")
    sort = sort if sort in CASELOAD_SORTS else "name"
    mine_only = request.GET.get("mine") == "1"
    clients = caseload_rows(
        selectors.caseload(request.membership, search=search, status=status, mine_only=mine_only),
        practice_id=request.practice.pk,
        sort=sort,
    )
    context = {
        "clients": clients,
        "search": search,
        "status": status,
        "sort": sort,
        "mine_only": mine_only,
        "statuses": ClientStatus.choices,
        "definitions": DEFINITIONS,
    }
    partial = request.headers.get("HX-Request")
    template = "caseload/_caseload_rows.html" if partial else "caseload/caseload.html"
    return render(request, template, context)


@staff_required
def client_detail(request, client_id):
    client = selectors.client_get(request.membership, client_id)
    audit_record(actor=request.user, practice=request.practice, action="view", obj=client)
    context = {
        "client": client,
        "care_team": [m.user for m in client.care_team.select_related("user")],
        "status_form": ClientStatusForm(initial={"status": client.status}),
        "homework": client_homework(client),
        "discharges": selectors.client_discharges(client),
        "conversation": conversation_selectors.client_panel(client),
        "enrolments": enrolment_progress(request.membership, client=client),
    }
    return render(request, "caseload/client_detail.html", context)


@audit_read("client")
@staff_required
def client_discharge(request, client_id):
    client = selectors.client_get(request.membership, client_id)
    if client.is_discharged:
        messages.info(request, f"{client.display_name} is already discharged.")
        return redirect("clients:detail", client_id=client.pk)
    flags = selectors.client_open_flags(client)
    form = DischargeForm(request.POST or None, flags=flags)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_discharge(
                client=client,
                actor=request.membership,
                flag_decisions=form.flag_decisions(),
                close_assignments=form.cleaned_data["close_assignments"],
                close_enrolments=form.cleaned_data["close_enrolments"],
                final_measure=form.cleaned_data["final_measure"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"{client.display_name} is discharged.")
            return redirect("clients:detail", client_id=client.pk)
    status = 400 if form.errors else 200
    context = {"client": client, "form": form, "flags": flags}
    return render(request, "caseload/discharge.html", context, status=status)
