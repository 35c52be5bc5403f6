"""The client's side of the homework conversation, in the portal: their session summaries,
agreeing to a new plan (with their confidence), and why a missed item was not done. Every
page reads only the signed-in client's own rows: another client's id is a 404."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.audit import audit_read
from conversations import selectors
from conversations.forms import AgreementForm, MissedReasonForm
from conversations.models import MissedReasonKind
from conversations.services import agreeing, reasons
from core.access import client_required
from core.forms import apply_validation_error


def client_view(view):
    @client_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with timezone.override(request.client.tz):
            return view(request, *args, **kwargs)

    return wrapper


@audit_read("client")
@client_view
def summaries(request):
    return render(
        request,
        "conversations/portal_summaries.html",
        {"summaries": selectors.portal_summaries(request.client)},
    )


@audit_read("conversation")
@client_view
def summary(request, conversation_id):
    found = selectors.portal_summary_get(request.client, conversation_id)
    return render(request, "conversations/portal_summary.html", {"summary": found})


@audit_read("assignment")
@client_view
def plan(request, assignment_id):
    """The plan of a new assignment: confirm it or propose a change, and say how sure you
    are you will do it."""
    assignment = selectors.portal_plan_get(request.client, assignment_id)
    agreement = selectors.agreement_of(assignment)
    initial = {}
    if agreement is not None:
        initial = {
            "confirmed": "yes" if agreement.status == "confirmed" else "no",
            "proposed_change": agreement.proposed_change,
            "confidence": str(agreement.confidence),
        }
    form = AgreementForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            agreeing.plan_agreement_give(
                assignment=assignment, client=request.client, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Thank you. Your therapist will see your answer.")
            return redirect("portal:home")
    context = {"assignment": assignment, "form": form, "agreement": agreement}
    return render(
        request, "conversations/portal_plan.html", context, status=400 if form.errors else 200
    )


@audit_read("occurrence")
@client_view
def missed(request, occurrence_id):
    """Why a missed item was not done, in one tap."""
    occurrence = selectors.portal_missed_get(request.client, occurrence_id)
    form = MissedReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            given = reasons.missed_reason_give(
                occurrence=occurrence, client=request.client, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if given.reason == MissedReasonKind.FELT_WORSE:
                messages.info(
                    request,
                    "Thank you for telling us. Your therapist will see this and talk it "
                    "through with you. If you feel unsafe, Help now has people to call.",
                )
            else:
                messages.success(request, "Thank you. That helps plan something that fits.")
            return redirect("portal:home")
    context = {"occurrence": occurrence, "form": form}
    return render(
        request, "conversations/portal_missed.html", context, status=400 if form.errors else 200
    )
