"""Staff pages: the practice's consent documents, retention and erasure approvals; asking to
erase one client. Owners write; admins read; therapists ask for erasure of their clients."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.audit import audit_read
from accounts.models import Role
from core.access import manager_required, staff_required
from core.forms import apply_validation_error
from privacy import selectors, services
from privacy.forms import PublishForm, RetentionForm
from privacy.models import ConsentKind, ErasureStatus


def _is_owner(request) -> bool:
    return request.membership.role == Role.OWNER


def _page(request, *, publish_form=None, retention_form=None, status=200):
    practice = request.practice
    settings = selectors.privacy_settings(practice)
    current = selectors.current_documents(practice)
    versions = list(selectors.document_versions(practice))
    erasures = list(selectors.erasure_requests(practice)[:100])
    context = {
        "is_owner": _is_owner(request),
        "current": [(kind, label, current.get(kind)) for kind, label in ConsentKind.choices],
        "versions": versions,
        "publish_form": publish_form
        or PublishForm(initial={"effective_date": timezone.localdate()}),
        "retention_form": retention_form
        or RetentionForm(initial={"retention_years": settings.retention_years}),
        "retention_years": settings.retention_years,
        "pending": [e for e in erasures if e.status == ErasureStatus.PENDING],
        "history": [e for e in erasures if e.status != ErasureStatus.PENDING],
    }
    return render(request, "privacy/practice_privacy.html", context, status=status)


@audit_read("erasurerequest")
@manager_required
def practice_privacy(request):
    form = PublishForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.consent_document_publish(
                    membership=request.membership, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, "Published. Clients will be asked to accept it.")
                return redirect("privacy:practice_privacy")
        return _page(request, publish_form=form, status=400)
    return _page(request)


@staff_required
def document_detail(request, document_id):
    # Any member may read what clients are asked to agree to; only owners publish.
    document = selectors.document_get(request.practice, document_id)
    return render(request, "privacy/document.html", {"document": document, "staff": True})


@require_POST
@manager_required
def retention_update(request):
    form = RetentionForm(request.POST)
    if form.is_valid():
        try:
            services.retention_set(membership=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Retention period saved.")
            return redirect("privacy:practice_privacy")
    return _page(request, retention_form=form, status=400)


def _decide(request, erasure_id, decide, success: str):
    """An owner's decision on an erasure request; a refusal is shown, not raised."""
    erasure = selectors.erasure_request_get(request.practice, erasure_id)
    try:
        decide(erasure=erasure, membership=request.membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect("privacy:practice_privacy")


@require_POST
@manager_required
def erasure_approve(request, erasure_id):
    return _decide(
        request,
        erasure_id,
        services.erasure_request_approve,
        "Approved. The client's records are being erased.",
    )


@require_POST
@manager_required
def erasure_decline(request, erasure_id):
    return _decide(
        request, erasure_id, services.erasure_request_decline, "Declined. Nothing was erased."
    )


@require_POST
@staff_required
def client_erasure_request(request, client_id):
    client = selectors.client_for_staff(request.membership, client_id)
    try:
        services.erasure_request_create(client=client, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Erasure requested. An owner of the practice must approve it.")
    return redirect("clients:detail", client_id=client.pk)
