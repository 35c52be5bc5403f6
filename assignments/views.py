"""Therapist pages: assigning, an assignment's page, review, the session review and the
adherence log. Parse, call a service or selector, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.audit import audit_read, audit_record
from assignments import selectors
from assignments.forms import (
    AssignmentForm,
    CancelForm,
    FlagResponseForm,
    MessageForm,
    ReviewForm,
    SessionForm,
)
from assignments.models import Visibility
from assignments.schedule import first_due_day
from assignments.services import assigning, flags, reviewing, sessions
from clients.selectors import caseload, client_get
from core.access import staff_required
from core.forms import apply_validation_error
from library.models import PublicationStatus
from library.selectors import activities_visible_to, global_activities, library_for


def _render(request, client, template, context, status=200):
    """Times on these pages are the client's local times (their day is what matters)."""
    with timezone.override(client.tz):
        return render(request, template, context, status=status)


def _back(request, fallback):
    """Where a form posted from several pages returns to (``next``), if it is ours."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


# --- Assigning -----------------------------------------------------------------------------


def _picked(request, membership):
    """The activities chosen so far: ``?activity=<id>`` (the practice's) and ``?curated=<id>``
    (the global library's), in the order given, each once. The choose step carries what was
    ticked through a search as hidden inputs, so searching never drops a choice; ``?remove=<id>``
    (a button beside each chosen activity) takes one out."""
    removed = set(request.GET.getlist("remove"))
    activity_ids = [i for i in dict.fromkeys(request.GET.getlist("activity")) if i not in removed]
    curated_ids = [i for i in dict.fromkeys(request.GET.getlist("curated")) if i not in removed]
    picks = []
    try:
        if activity_ids:
            found = {
                str(a.pk): a
                for a in activities_visible_to(membership)
                .filter(pk__in=activity_ids, status=PublicationStatus.PUBLISHED)
                .select_related("current_version")
            }
            picks += [("activity", found[i]) for i in activity_ids if i in found]
        if curated_ids:
            found = {str(c.pk): c for c in global_activities(membership).filter(pk__in=curated_ids)}
            picks += [("curated_activity", found[i]) for i in curated_ids if i in found]
    except ValidationError:  # a malformed id in the query string
        return []
    return picks


def _initial(version, client) -> dict:
    return {
        "rationale": version.rationale,
        "instructions": "\n".join(version.instructions),
        "starts_on": first_due_day(client.tz),
        "visibility": Visibility.SHARED,
        "entries_target": version.default_entries_target,
    }


@audit_read("client")  # the caseload to pick from, or the client picked
@staff_required
def assign(request):
    """Step 1 picks the client and activities (a GET form); step 2 plans each one."""
    membership = request.membership
    client_id = request.GET.get("client")
    client = client_get(membership, client_id) if client_id else None
    picks = _picked(request, membership)
    choosing = request.GET.get("step") == "choose" or "remove" in request.GET
    if client is None or not picks or choosing:
        q = request.GET.get("q", "")
        library = library_for(membership, q=q)
        context = {
            "client": client,
            "clients": caseload(membership) if client is None else [],
            "activities": library.activities.filter(status=PublicationStatus.PUBLISHED),
            "curated": library.curated,
            "picked": {str(obj.pk) for _, obj in picks},
            "picks": [
                {"field": "activity" if kind == "activity" else "curated", "obj": obj}
                for kind, obj in picks
            ],
            "q": q,
        }
        return render(request, "assignments/assign_choose.html", context)
    forms = [
        AssignmentForm(
            request.POST or None,
            prefix=f"a{index}",
            initial=_initial(obj.current_version, client),
        )
        for index, (_, obj) in enumerate(picks)
    ]
    if request.method == "POST" and all(form.is_valid() for form in forms):
        items = [
            {kind: obj, **form.cleaned_plan()}
            for (kind, obj), form in zip(picks, forms, strict=True)
        ]
        try:
            created = assigning.assignments_create(client=client, actor=membership, items=items)
        except ValidationError as exc:
            apply_validation_error(forms[getattr(exc, "item_index", 0)], exc)
        else:
            names = ", ".join(a.title for a in created)
            messages.success(request, f"Assigned to {client.display_name}: {names}.")
            # From the homework conversation, back to its summary (``next``, if it is ours).
            return _back(request, reverse("clients:detail", kwargs={"client_id": client.pk}))
    context = {
        "client": client,
        "plans": [
            {"kind": kind, "activity": obj, "version": obj.current_version, "form": form}
            for (kind, obj), form in zip(picks, forms, strict=True)
        ],
    }
    status = 400 if any(form.errors for form in forms) else 200
    return render(request, "assignments/assign_plan.html", context, status=status)


# --- One assignment ---------------------------------------------------------------------------


@staff_required
def assignment_detail(request, assignment_id):
    assignment = selectors.assignment_get(request.membership, assignment_id)
    audit_record(
        actor=request.user,
        practice=request.practice,
        action="view",
        obj=assignment,
        client=assignment.client,
    )
    context = {
        "assignment": selectors.assignment_detail(assignment),
        "client": assignment.client,
        "cancel_form": CancelForm(),
    }
    return _render(request, assignment.client, "assignments/assignment_detail.html", context)


@staff_required
def assignment_edit(request, assignment_id):
    assignment = selectors.assignment_get(request.membership, assignment_id)
    if assignment.is_cancelled:
        messages.error(request, "This assignment was cancelled and can no longer be changed.")
        return redirect("assignments:detail", assignment_id=assignment.pk)
    initial = {name: getattr(assignment, name) for name in AssignmentForm.base_fields}
    initial["weekdays"] = [str(day) for day in assignment.weekdays]
    form = AssignmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            assigning.assignment_update(
                assignment=assignment, actor=request.membership, **form.cleaned_plan()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Saved. The client sees the change straight away.")
            return _back(request, reverse("assignments:detail", args=[assignment.pk]))
    audit_record(
        actor=request.user,
        practice=request.practice,
        action="view",
        obj=assignment,
        client=assignment.client,
    )
    context = {"assignment": assignment, "client": assignment.client, "form": form}
    return _render(
        request,
        assignment.client,
        "assignments/assignment_edit.html",
        context,
        status=400 if form.errors else 200,
    )


@require_POST
@staff_required
def assignment_cancel(request, assignment_id):
    assignment = selectors.assignment_get(request.membership, assignment_id)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    assigning.assignment_cancel(assignment=assignment, actor=request.membership, reason=reason)
    messages.success(request, f"{assignment.title} is cancelled. What was sent is kept.")
    return redirect("assignments:detail", assignment_id=assignment.pk)


@require_POST
@staff_required
def assignment_message(request, assignment_id):
    assignment = selectors.assignment_get(request.membership, assignment_id)
    form = MessageForm(request.POST)
    if form.is_valid():
        reviewing.message_post(
            assignment=assignment, actor=request.membership, body=form.cleaned_data["body"]
        )
        messages.success(request, f"Sent. {assignment.client.display_name} sees it in the portal.")
    else:
        messages.error(request, "Write a message first (at most 4000 characters).")
    return redirect(reverse("assignments:detail", args=[assignment.pk]) + "#messages")


@require_POST
@staff_required
def occurrence_review(request, occurrence_id):
    occurrence = selectors.occurrence_get(request.membership, occurrence_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            reviewing.occurrence_review(
                occurrence=occurrence, actor=request.membership, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Marked as reviewed.")
    else:
        messages.error(request, "Choose a rating from 0 to 10, or none.")
    return _back(request, reverse("assignments:detail", args=[occurrence.assignment_id]))


@audit_read("flag")
@staff_required
def flag_respond(request, flag_id):
    """Record what was done about a flag. The form usually opens in place on the client page
    and posts here; this page shows it on its own (and again, with what was typed, when
    something is missing)."""
    flag = selectors.flag_get(request.membership, flag_id)
    form = FlagResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flags.flag_respond(flag=flag, actor=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Your response is recorded in the flag's history.")
            history = reverse("clients:detail", args=[flag.client_id]) + "#flag-history"
            return _back(request, history)
    context = {
        "flag": flag,
        "client": flag.client,
        "form": form,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    status = 400 if form.errors else 200
    return _render(request, flag.client, "assignments/flag_respond.html", context, status=status)


# --- Per client -------------------------------------------------------------------------------


@staff_required
def session_review(request, client_id):
    client = client_get(request.membership, client_id)
    today = timezone.localdate(timezone.now(), client.tz)
    form = SessionForm(request.POST or None, initial={"held_on": today})
    if request.method == "POST" and form.is_valid():
        try:
            sessions.session_record(
                client=client, actor=request.membership, held_on=form.cleaned_data["held_on"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Session recorded. The next review starts from here.")
            return redirect("assignments:session_review", client_id=client.pk)
    audit_record(actor=request.user, practice=request.practice, action="session_review", obj=client)
    context = {
        "client": client,
        "review": selectors.session_review(client),
        "form": form,
    }
    status = 400 if form.errors else 200
    return _render(request, client, "assignments/session_review.html", context, status=status)


@staff_required
def adherence(request, client_id):
    client = client_get(request.membership, client_id)
    audit_record(actor=request.user, practice=request.practice, action="view_adherence", obj=client)
    stats = selectors.adherence_by_activity(client)
    page = Paginator(selectors.adherence_log(client), 50).get_page(request.GET.get("page"))
    context = {
        "client": client,
        "stats": stats,
        "overall": selectors.overall_adherence(stats),
        "page": page,
    }
    return _render(request, client, "assignments/adherence.html", context)
