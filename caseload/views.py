from django.shortcuts import render

from accounts.audit import audit_record
from assignments.adherence import DEFINITIONS
from assignments.selectors import CASELOAD_SORTS, caseload_rows, client_homework
from clients import selectors
from clients.forms import ClientStatusForm
from clients.models import ClientStatus
from core.access import staff_required


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
    }
    return render(request, "caseload/client_detail.html", context)
