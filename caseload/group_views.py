"""Client groups, at /clients/groups/: the list, a group's page (members and their adherence),
adding and removing members, and assigning one activity to every member. Parse, call a
service or selector, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.audit import audit_read
from accounts.selectors import therapists_for_practice
from assignments.adherence import NOTHING, adherence_by_client
from assignments.forms import AssignmentForm
from assignments.models import Visibility
from assignments.services import groups as group_assigning
from caseload.group_forms import GroupActivityForm, GroupForm, MemberAddForm
from clients import selectors, services
from core.access import staff_required
from core.forms import apply_validation_error
from library.models import PublicationStatus
from library.selectors import activities_visible_to


def _detail(group):
    return redirect(reverse("clients:group_detail", kwargs={"group_id": group.pk}))


@staff_required
def group_list(request):
    membership = request.membership
    therapists = therapists_for_practice(practice=request.practice)
    form = GroupForm(
        request.POST or None, therapists=therapists, initial={"therapists": [request.user]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(
                practice=request.practice, actor=membership, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"Group “{group.name}” created. Now add its members.")
            return _detail(group)
    groups = (
        selectors.groups_visible_to(membership)
        .annotate(member_count=Count("memberships", distinct=True))
        .order_by("name", "pk")
    )
    status = 400 if form.errors else 200
    return render(
        request, "caseload/groups/list.html", {"groups": groups, "form": form}, status=status
    )


def _member_choices(membership, group):
    return (
        selectors.caseload(membership).exclude(group_memberships__group=group).order_by("full_name")
    )


@audit_read("group")  # its members and their homework
@staff_required
def group_detail(request, group_id, *, add_form=None, status=200):
    membership = request.membership
    group = selectors.group_get(membership, group_id)
    members = list(selectors.group_members(group))
    # One statement for every member's figures, whatever the group's size.
    figures = adherence_by_client(
        selectors.group_members(group), practice_id=group.practice_id, now=timezone.now()
    )
    context = {
        "group": group,
        "therapists": selectors.group_therapists(group),
        "rows": [{"client": c, "adherence": figures.get(c.pk, NOTHING)} for c in members],
        "add_form": add_form or MemberAddForm(clients=_member_choices(membership, group)),
    }
    return render(request, "caseload/groups/detail.html", context, status=status)


@require_POST
@staff_required
def group_member_add(request, group_id):
    membership = request.membership
    group = selectors.group_get(membership, group_id)
    form = MemberAddForm(request.POST, clients=_member_choices(membership, group))
    if form.is_valid():
        client = form.cleaned_data["client"]
        try:
            services.group_member_add(group=group, actor=membership, client=client)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"{client.display_name} added to {group.name}.")
            return _detail(group)
    return group_detail(request, group_id, add_form=form, status=400)


@require_POST
@staff_required
def group_member_remove(request, group_id, client_id):
    membership = request.membership
    group = selectors.group_get(membership, group_id)
    client = selectors.client_get(membership, client_id)
    try:
        services.group_member_remove(group=group, actor=membership, client=client)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{client.display_name} removed from {group.name}.")
    return _detail(group)


@staff_required
def group_assign(request, group_id):
    """One activity, one plan, a copy for every member: all of them or none."""
    membership = request.membership
    group = selectors.group_get(membership, group_id)
    activities = (
        activities_visible_to(membership)
        .filter(status=PublicationStatus.PUBLISHED)
        .select_related("current_version")
        .order_by("current_version__title")
    )
    pick = GroupActivityForm(request.POST or None, activities=activities)
    plan = AssignmentForm(
        request.POST or None,
        initial={"visibility": Visibility.SHARED, "starts_on": timezone.localdate()},
    )
    # The activity is chosen on this same page, so its own words cannot be prefilled: left
    # empty, the reason and the steps are the activity's (the service's default for None).
    for name in ("rationale", "instructions"):
        plan.fields[name].required = False
        plan.fields[name].help_text = "Leave empty to use the activity's own words."
    if request.method == "POST" and pick.is_valid() and plan.is_valid():
        fields = plan.cleaned_plan()
        for name in ("rationale", "instructions"):
            fields[name] = fields.get(name) or None
        try:
            created = group_assigning.group_assign(
                group=group,
                actor=membership,
                activity=pick.cleaned_data["activity"],
                **fields,
            )
        except ValidationError as exc:
            # A member's refusal ("group") shows above the form; plan errors by their field.
            apply_validation_error(plan, exc)
        else:
            title = created[0].title
            messages.success(
                request, f"Assigned “{title}” to {len(created)} members of {group.name}."
            )
            return _detail(group)
    context = {
        "group": group,
        "pick": pick,
        "form": plan,
        "member_count": selectors.group_members(group).count(),
    }
    status = 400 if (pick.errors or plan.errors) else 200
    return render(request, "caseload/groups/assign.html", context, status=status)
