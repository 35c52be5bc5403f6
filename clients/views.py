from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.audit import audit_read
from accounts.selectors import therapists_for_practice
from clients import gas, selectors, services
from clients.forms import ClientForm, ClientStatusForm, GoalForm, GoalRatingForm
from clients.models import ClientStatus
from core.access import staff_required
from core.forms import apply_validation_error


@staff_required
def client_create(request):
    therapists = therapists_for_practice(practice=request.practice)
    form = ClientForm(
        request.POST or None,
        therapists=therapists,
        initial={
            "primary_therapist": request.user.pk,
            "timezone_name": request.practice.default_timezone,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_create(
                practice=request.practice, actor=request.membership, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"{client.display_name} was added to your caseload.")
            return redirect("clients:detail", client_id=client.pk)
    status = 400 if form.errors else 200
    return render(
        request, "clients/client_form.html", {"form": form, "creating": True}, status=status
    )


@audit_read("client")
@staff_required
def client_edit(request, client_id):
    client = selectors.client_get(request.membership, client_id)
    therapists = therapists_for_practice(practice=request.practice)
    initial = {
        "full_name": client.full_name,
        "preferred_name": client.preferred_name,
        "email": client.email,
        "timezone_name": client.timezone,
        "primary_therapist": client.primary_therapist_id,
        "shared_with": [m.user_id for m in client.care_team.all()],
    }
    form = ClientForm(request.POST or None, therapists=therapists, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        shared_with = data.pop("shared_with")
        data["timezone"] = data.pop("timezone_name")
        try:
            services.client_update(
                client=client, actor=request.membership, shared_with=shared_with, **data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Changes saved.")
            return redirect("clients:detail", client_id=client.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "client": client, "creating": False}
    return render(request, "clients/client_form.html", context, status=status)


@require_POST
@staff_required
def client_status(request, client_id):
    client = selectors.client_get(request.membership, client_id)
    form = ClientStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose active, paused or discharged.")
    elif form.cleaned_data["status"] == ClientStatus.DISCHARGED and not client.is_discharged:
        # Discharging has its own page: decisions on open flags, what to close, a summary.
        return redirect("clients:discharge", client_id=client.pk)
    else:
        services.client_set_status(
            client=client, actor=request.membership, status=form.cleaned_data["status"]
        )
        messages.success(
            request, f"{client.display_name} is now {client.get_status_display().lower()}."
        )
    return redirect("clients:detail", client_id=client.pk)


@require_POST
@staff_required
def client_invite(request, client_id):
    client = selectors.client_get(request.membership, client_id)
    try:
        services.client_portal_invite(client=client, actor=request.membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"We emailed {client.email} a sign-in link. It works for "
            "a few minutes; they can ask for a new one from the sign-in page.",
        )
    return redirect("clients:detail", client_id=client.pk)


@audit_read("client")
@staff_required
def goal_list(request, client_id):
    """The client's goals, each with its step chart and ratings, and the GAS T-score."""
    client = selectors.client_get(request.membership, client_id)
    goals = list(selectors.client_goals(client))
    rows = [gas.goal_row(goal) for goal in goals]
    context = {"client": client, "rows": rows, "goal_summary": selectors.goal_summary(goals)}
    return render(request, "clients/goal_list.html", context)


@audit_read("client")
@staff_required
def goal_create(request, client_id):
    client = selectors.client_get(request.membership, client_id)
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_create(client=client, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Goal saved.")
            return redirect("clients:goals", client_id=client.pk)
    status = 400 if form.errors else 200
    return render(
        request, "clients/goal_form.html", {"client": client, "form": form}, status=status
    )


@audit_read("client")
@staff_required
def goal_detail(request, client_id, goal_id):
    """One goal: its levels, chart and ratings, and the form to rate it at a review."""
    client = selectors.client_get(request.membership, client_id)
    goal = selectors.client_goal_get(client, goal_id)
    today = timezone.localdate(timezone=client.tz)
    form = GoalRatingForm(request.POST or None, initial={"rated_on": today})
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_rate(goal=goal, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Rating saved.")
            return redirect("clients:goal", client_id=client.pk, goal_id=goal.pk)
    status = 400 if form.errors else 200
    context = {
        "client": client,
        "goal": goal,
        "form": form,
        "row": gas.goal_row(goal),
    }
    return render(request, "clients/goal_detail.html", context, status=status)
