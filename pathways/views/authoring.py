"""The pathway lists and the builder, for practice pathways (staff) and global ones
(curators, under /curate/pathways/)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.audit import audit_read
from core.access import curator_required, staff_required
from core.forms import apply_validation_error
from core.timezones import known_timezones
from pathways import fhir, selectors
from pathways.forms import PathwayForm, StepForm
from pathways.models import PathwayStatus
from pathways.services import authoring


@dataclass(frozen=True)
class Area:
    namespace: str
    curator: bool


STAFF = Area("pathways", curator=False)
CURATE = Area("curate_pathways", curator=True)


def area_view(view):
    """Staff or curator access, by the ``area`` the URLconf passes."""

    @wraps(view)
    def wrapper(request, *args, area: Area, **kwargs):
        guard = curator_required if area.curator else staff_required
        return guard(view)(request, *args, area=area, **kwargs)

    return wrapper


def pathway_for(request, area: Area, pathway_id):
    if area.curator:
        return selectors.curated_pathway_get_for_curator(request.user, pathway_id)
    return selectors.pathway_get(request.membership, pathway_id)


def _actor(request, area: Area):
    return request.user if area.curator else request.membership


def _preview_tz(request, area: Area):
    wanted = request.GET.get("tz", "")
    if wanted in known_timezones():
        return wanted
    return "Europe/London" if area.curator else request.practice.default_timezone


def _url(area: Area, name: str, *args) -> str:
    return reverse(f"{area.namespace}:{name}", args=args)


def _is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


# --- Lists -----------------------------------------------------------------------------------


@audit_read("enrolment")  # each pathway's enrolled clients
@staff_required
def index(request):
    status = request.GET.get("status", "")
    context = {
        "pathways": selectors.pathways_for_practice(request.membership, status=status),
        "enrolments": selectors.enrolment_progress(request.membership),
        "status": status,
        "statuses": PathwayStatus.choices,
        "area": STAFF,
    }
    return render(request, "pathways/index.html", context)


@curator_required
def curate_index(request):
    context = {"pathways": selectors.curated_pathways_for_curator(), "area": CURATE}
    return render(request, "pathways/curate_index.html", context)


@area_view
def pathway_create(request, *, area: Area):
    form = PathwayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if area.curator:
                pathway = authoring.curated_pathway_create(actor=request.user, **form.cleaned_data)
            else:
                pathway = authoring.pathway_create(
                    practice=request.practice, actor=request.membership, **form.cleaned_data
                )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Pathway created. Add its steps, then publish it.")
            return redirect(f"{area.namespace}:builder", pathway_id=pathway.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "area": area, "creating": True}
    return render(request, "pathways/pathway_form.html", context, status=status)


@area_view
def pathway_edit(request, pathway_id, *, area: Area):
    pathway = pathway_for(request, area, pathway_id)
    initial = {field: getattr(pathway, field) for field in authoring.PATHWAY_FIELDS}
    form = PathwayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            authoring.pathway_update(
                pathway=pathway, actor=_actor(request, area), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Changes saved.")
            return redirect(f"{area.namespace}:builder", pathway_id=pathway.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "area": area, "pathway": pathway, "creating": False}
    return render(request, "pathways/pathway_form.html", context, status=status)


# --- The builder -----------------------------------------------------------------------------


def _activity_options(request, area: Area):
    return selectors.activity_options(None if area.curator else request.membership)


def _step_form(request, area: Area, steps, *, data=None, initial=None, editing=None):
    measures = [
        step
        for step in steps
        if (step.is_measure or step.has_risk_rule) and (editing is None or step.pk != editing.pk)
    ]
    return StepForm(
        data,
        initial=initial,
        activity_options=_activity_options(request, area),
        measure_steps=measures,
    )


def _builder_context(request, area: Area, pathway, *, form=None, moved=None, announcement=""):
    steps = selectors.template_steps(pathway)
    tz_name = _preview_tz(request, area)
    return {
        "area": area,
        "pathway": pathway,
        "steps": steps,
        "preview": selectors.pathway_preview(steps, tz=ZoneInfo(tz_name)),
        "preview_tz": tz_name,
        "form": form or _step_form(request, area, steps, initial={"required": True}),
        "moved": moved,
        "announcement": announcement,
    }


@area_view
def builder(request, pathway_id, *, area: Area):
    pathway = pathway_for(request, area, pathway_id)
    return render(request, "pathways/builder.html", _builder_context(request, area, pathway))


def activity_from_choice(membership, value: str):
    try:
        return selectors.activity_from_choice(membership, value)
    except LookupError:
        raise ValidationError({"activity": "Choose an activity from the library."}) from None


def _step_arguments(request, area: Area, form, steps) -> dict:
    """The service arguments from a valid step form; ValidationError for a bad choice."""
    data = dict(form.cleaned_data)
    membership = None if area.curator else request.membership
    activity, curated = activity_from_choice(membership, data.pop("activity"))
    condition = data.pop("condition_step")
    data["condition_step"] = next((s for s in steps if str(s.pk) == condition), None)
    if condition and data["condition_step"] is None:
        raise ValidationError(
            {"condition_step": "Choose a measure step of this pathway, or one with a risk rule."}
        )
    if data["condition_step"] is None:
        data["condition_operator"] = ""
        data["condition_value"] = None
    return {"activity": activity, "curated_activity": curated, **data}


def _save_step(request, area: Area, form, steps, save, done: str, **target):
    """Run ``save`` (the step add or update service) on ``target`` with the form's values:
    a redirect to the saved step in the builder, or None once the service's refusal is put
    on ``form`` (the caller then shows the form again)."""
    try:
        step = save(
            actor=_actor(request, area), **target, **_step_arguments(request, area, form, steps)
        )
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return None
    messages.success(request, f"Step {step.position} {done}.")
    return redirect(_url(area, "builder", step.pathway_id) + f"#step-{step.pk}")


@require_POST
@area_view
def step_add(request, pathway_id, *, area: Area):
    pathway = pathway_for(request, area, pathway_id)
    steps = selectors.template_steps(pathway)
    form = _step_form(request, area, steps, data=request.POST)
    if form.is_valid():
        saved = _save_step(
            request, area, form, steps, authoring.pathway_step_add, "added", pathway=pathway
        )
        if saved is not None:
            return saved
    context = _builder_context(request, area, pathway, form=form)
    return render(request, "pathways/builder.html", context, status=400)


def step_initial(step) -> dict:
    activity_value = f"a:{step.activity_id}" if getattr(step, "activity_id", None) else ""
    return {
        "activity": activity_value or f"c:{step.curated_activity_id}",
        "delivery": step.delivery,
        "delay_days": step.delay_days,
        "time_of_day": step.time_of_day,
        "days_to_complete": step.days_to_complete,
        "completion": step.completion,
        "completion_entries": step.completion_entries,
        "required": step.required,
        "holds_for_review": step.holds_for_review,
        "therapist_notes": step.therapist_notes,
        "condition_step": str(step.condition_step_id or ""),
        "condition_operator": step.condition_operator,
        "condition_value": step.condition_value,
    }


@area_view
def step_edit(request, pathway_id, pathway_step_id, *, area: Area):
    pathway = pathway_for(request, area, pathway_id)
    step = selectors.pathway_step_get(pathway, pathway_step_id)
    steps = selectors.template_steps(pathway)
    form = _step_form(
        request,
        area,
        steps,
        data=request.POST or None,
        initial=step_initial(step),
        editing=step,
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_step(
            request, area, form, steps, authoring.pathway_step_update, "saved", step=step
        )
        if saved is not None:
            return saved
    status = 400 if form.errors else 200
    context = {"area": area, "pathway": pathway, "step": step, "form": form}
    return render(request, "pathways/step_form.html", context, status=status)


def _after_order_change(request, area: Area, pathway, *, moved=None, announcement=""):
    if _is_htmx(request):
        context = _builder_context(request, area, pathway, moved=moved, announcement=announcement)
        return render(request, "pathways/_builder_steps.html", context)
    if announcement:
        messages.success(request, announcement)
    anchor = f"#step-{moved.pk}" if moved is not None else ""
    return redirect(_url(area, "builder", pathway.pk) + anchor)


def _order_error(request, area: Area, pathway, exc: ValidationError):
    message = " ".join(exc.messages)
    if _is_htmx(request):
        context = _builder_context(request, area, pathway, announcement=message)
        context["order_error"] = message
        return render(request, "pathways/_builder_steps.html", context, status=400)
    messages.error(request, message)
    return redirect(_url(area, "builder", pathway.pk))


@require_POST
@area_view
def step_move(request, pathway_id, pathway_step_id, *, area: Area):
    pathway = pathway_for(request, area, pathway_id)
    step = selectors.pathway_step_get(pathway, pathway_step_id)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        ordered = authoring.pathway_step_move(step=step, actor=_actor(request, area), offset=offset)
    except ValidationError as exc:
        return _order_error(request, area, pathway, exc)
    position = [s.pk for s in ordered].index(step.pk) + 1
    announcement = f"Moved “{step.title}” to position {position} of {len(ordered)}."
    return _after_order_change(request, area, pathway, moved=step, announcement=announcement)


@require_POST
@area_view
def steps_order(request, pathway_id, *, area: Area):
    pathway = pathway_for(request, area, pathway_id)
    try:
        authoring.pathway_steps_reorder(
            pathway=pathway, actor=_actor(request, area), step_ids=request.POST.getlist("step")
        )
    except ValidationError as exc:
        return _order_error(request, area, pathway, exc)
    return _after_order_change(request, area, pathway, announcement="New order saved.")


@require_POST
@area_view
def step_remove(request, pathway_id, pathway_step_id, *, area: Area):
    pathway = pathway_for(request, area, pathway_id)
    step = selectors.pathway_step_get(pathway, pathway_step_id)
    try:
        authoring.pathway_step_remove(step=step, actor=_actor(request, area))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{step.title}” removed.")
    return redirect(_url(area, "builder", pathway.pk))


@require_POST
@area_view
def pathway_status(request, pathway_id, *, area: Area):
    pathway = pathway_for(request, area, pathway_id)
    wanted = request.POST.get("status", "")
    try:
        authoring.pathway_set_status(pathway=pathway, actor=_actor(request, area), status=wanted)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The pathway is now {pathway.get_status_display().lower()}.")
    return redirect(_url(area, "builder", pathway.pk))


@area_view
def pathway_fhir(request, pathway_id, *, area: Area):
    """The pathway as a FHIR R4 PlanDefinition (a template: no client data)."""
    pathway = pathway_for(request, area, pathway_id)
    resource = fhir.plan_definition(pathway, selectors.template_steps(pathway))
    response = JsonResponse(resource, json_dumps_params={"indent": 2})
    response["Content-Type"] = "application/fhir+json"
    response["Content-Disposition"] = f'attachment; filename="pathway-{pathway.pk}.json"'
    return response
