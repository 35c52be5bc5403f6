"""The client's pages: the consent gate's page, reading a document, text-message consent and
asking for erasure. Open before consent (privacy.middleware)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.access import client_required
from core.forms import apply_validation_error
from privacy import selectors, services
from privacy.forms import ConsentForm
from privacy.models import ConsentKind, ErasureSource


@client_required
def consent(request):
    client = request.client
    documents = selectors.documents_to_accept(client)
    if not documents:
        return redirect("portal:home")
    form = ConsentForm(request.POST or None, documents=documents)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_accept(
                client=client, actor=request.user, document_ids=form.accepted_ids()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Thank you. You're all set.")
            return redirect("portal:home")
    first_time = not client.consent_records.exists()
    status = 400 if form.errors else 200
    return render(
        request,
        "privacy/portal_consent.html",
        # consent_gate: the portal's navigation is hidden, every link in it would lead back here
        {"form": form, "first_time": first_time, "consent_gate": True},
        status=status,
    )


@client_required
def document(request, document_id):
    doc = selectors.document_get(request.practice, document_id)
    return render(request, "privacy/document.html", {"document": doc, "staff": False})


@client_required
def privacy_home(request):
    client = request.client
    lines = selectors.consent_state(client)
    context = {
        "lines": lines,
        "sms": next(line for line in lines if line.kind == ConsentKind.SMS),
        "erasure": selectors.open_erasure_request(client),
    }
    return render(request, "privacy/portal_privacy.html", context)


def _back(request, default: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


@require_POST
@client_required
def sms_consent(request):
    client = request.client
    try:
        if request.POST.get("action") == "give":
            services.sms_consent_give(client=client, actor=request.user)
            messages.success(request, "Thank you. We may now send you text-message reminders.")
        else:
            services.sms_consent_withdraw(client=client, actor=request.user)
            messages.success(request, "Done. We will not send you text messages.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(request, "privacy:portal_privacy")


@require_POST
@client_required
def erasure_request(request):
    client = request.client
    services.erasure_request_create(client=client, actor=request.user, source=ErasureSource.CLIENT)
    messages.success(
        request,
        "We have your request. Your practice will contact you; records are erased once "
        "therapy has ended and an owner of the practice approves.",
    )
    return redirect("privacy:portal_privacy")
