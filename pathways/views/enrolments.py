"""A practice pathway's enrolments, and one client's enrolment (staff)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.audit import audit_read, audit_record
from clients.selectors import client_get, clients_visible_to
from core.access import staff_required
from core.forms import apply_validation_error
from pathways import fhir, selectors
from pathways.forms import EnrolForm, EnrolmentStepForm, HoldResumeForm
from pathways.models import StepStatus
from pathways.services import enrolments
from pathways.views.authoring import STAFF, activity_from_choice, pathway_for, step_initial


@audit_read("enrolment")
@staff_required
def pathway_detail(request, pathway_id):
    pathway = pathway_for(request, STAFF, pathway_id)
    context = {
        "area": STAFF,
        "pathway": pathway,
        "steps": selectors.template_steps(pathway),
        "enrolments": selectors.enrolment_progress(request.membership, pathway=pathway),
        "ended": selectors.enrolment_progress(
            request.membership, pathway=pathway, running_only=False
        ).exclude(status__in=("active", "paused"))[:20],
    }
    return render(request, "pathways/pathway_detail.html", context)


@audit_read("client")  # the caseload to enrol from
@staff_required
def enrol(request, pathway_id):
    pathway = pathway_for(request, STAFF, pathway_id)
    clients = clients_visible_to(request.membership).order_by("full_name")
    form = EnrolForm(
        request.POST or None,
        clients=clients,
        initial={"start_date": timezone.localdate(), "client": request.GET.get("client", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            client = client_get(request.membership, form.cleaned_data["client"])
            enrolment = enrolments.enrolment_create(
                pathway=pathway,
                client=client,
                actor=request.membership,
                start_date=form.cleaned_data["start_date"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        except Http404:
            form.add_error("client", "Choose one of your clients.")
        else:
            messages.success(request, f"{client.display_name} is enrolled.")
            return redirect("pathways:enrolment", enrolment_id=enrolment.pk)
    status = 400 if form.errors else 200
    context = {"area": STAFF, "pathway": pathway, "form": form}
    return render(request, "pathways/enrol.html", context, status=status)


def _enrolment_page(request, enrolment, *, hold_form=None, status=200):
    audit_record(
        actor=request.user,
        practice=request.practice,
        action="view",
        obj=enrolment,
        client=enrolment.client,
    )
    steps = selectors.enrolment_steps(enrolment)
    context = {
        "enrolment": enrolment,
        "client": enrolment.client,
        "steps": steps,
        "tz": enrolment.client.tz,
        "template_changed": selectors.template_changed_since(enrolment),
        "has_pending": any(step.is_pending for step in steps),
        "StepStatus": StepStatus,
        "holds": enrolment.holds.select_related("lifted_by", "flag"),
        "hold_form": hold_form or HoldResumeForm(),
    }
    return render(request, "pathways/enrolment_detail.html", context, status=status)


@staff_required
def enrolment_detail(request, enrolment_id):
    enrolment = selectors.enrolment_get(request.membership, enrolment_id)
    return _enrolment_page(request, enrolment)


@require_POST
@staff_required
def enrolment_hold_resume(request, enrolment_id):
    enrolment = selectors.enrolment_get(request.membership, enrolment_id)
    form = HoldResumeForm(request.POST)
    if form.is_valid():
        try:
            enrolments.enrolment_hold_resume(
                enrolment=enrolment,
                actor=request.membership,
                decision=form.cleaned_data["decision"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Resumed. Steps that fell due while held are released now.")
            return redirect("pathways:enrolment", enrolment_id=enrolment.pk)
    return _enrolment_page(request, enrolment, hold_form=form, status=400)


ENROLMENT_ACTIONS = {
    "pause": (enrolments.enrolment_pause, "Paused. Nothing will be released until you resume."),
    "resume": (enrolments.enrolment_resume, "Resumed. Steps still to come moved by the pause."),
    "cancel": (enrolments.enrolment_cancel, "Enrolment ended. Steps not released were cancelled."),
    "apply-template": (
        enrolments.enrolment_apply_template,
        "The steps still to come now follow the pathway as it is.",
    ),
}


def _run_action(request, actions, action: str, **target) -> None:
    """Run the service ``actions`` names for ``action`` on ``target`` and flash what came of
    it: the message of success, or the service's refusal. An unknown action is a 404."""
    if action not in actions:
        raise Http404
    service, done = actions[action]
    try:
        service(actor=request.membership, **target)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)


@require_POST
@staff_required
def enrolment_action(request, enrolment_id, action):
    enrolment = selectors.enrolment_get(request.membership, enrolment_id)
    _run_action(request, ENROLMENT_ACTIONS, action, enrolment=enrolment)
    return redirect("pathways:enrolment", enrolment_id=enrolment.pk)


STEP_ACTIONS = {
    "skip": (enrolments.enrolment_step_skip, "Step skipped for this client."),
    "unlock": (enrolments.enrolment_step_unlock, "Step unlocked: the client gets it now."),
}


@require_POST
@staff_required
def enrolment_step_action(request, enrolment_id, enrolment_step_id, action):
    enrolment = selectors.enrolment_get(request.membership, enrolment_id)
    step = selectors.enrolment_step_get(enrolment, enrolment_step_id)
    _run_action(request, STEP_ACTIONS, action, step=step)
    return redirect(reverse("pathways:enrolment", args=[enrolment.pk]) + f"#step-{step.pk}")


PER_CLIENT_FIELDS = (
    "activity",
    "delivery",
    "delay_days",
    "time_of_day",
    "days_to_complete",
    "completion",
    "completion_entries",
)


@staff_required
def enrolment_step_edit(request, enrolment_id, enrolment_step_id):
    enrolment = selectors.enrolment_get(request.membership, enrolment_id)
    step = selectors.enrolment_step_get(enrolment, enrolment_step_id)
    audit_record(
        actor=request.user,
        practice=request.practice,
        action="view",
        obj=step,
        client=enrolment.client,
    )
    initial = {key: value for key, value in step_initial(step).items() if key in PER_CLIENT_FIELDS}
    form = EnrolmentStepForm(
        request.POST or None,
        initial=initial,
        activity_options=selectors.activity_options(request.membership),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            activity, curated = activity_from_choice(request.membership, data.pop("activity"))
            swapped = (activity is not None and activity.pk != step.activity_id) or (
                curated is not None and curated.pk != step.curated_activity_id
            )
            enrolments.enrolment_step_update(
                step=step,
                actor=request.membership,
                activity=activity if swapped else None,
                curated_activity=curated if swapped else None,
                **data,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Saved for this client. The pathway itself is unchanged.")
            return redirect(reverse("pathways:enrolment", args=[enrolment.pk]) + f"#step-{step.pk}")
    status = 400 if form.errors else 200
    context = {"enrolment": enrolment, "step": step, "form": form, "client": enrolment.client}
    return render(request, "pathways/enrolment_step_form.html", context, status=status)


@staff_required
def enrolment_fhir(request, enrolment_id):
    """The enrolment as a FHIR R4 CarePlan (client data: audited)."""
    enrolment = selectors.enrolment_get(request.membership, enrolment_id)
    audit_record(
        actor=request.user,
        practice=request.practice,
        action="export",
        obj=enrolment,
        client=enrolment.client,
    )
    resource = fhir.care_plan(enrolment, selectors.enrolment_steps(enrolment))
    response = JsonResponse(resource, json_dumps_params={"indent": 2})
    response["Content-Type"] = "application/fhir+json"
    response["Content-Disposition"] = f'attachment; filename="careplan-{enrolment.pk}.json"'
    return response
