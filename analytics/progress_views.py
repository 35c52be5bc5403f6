"""A client's progress page: measure charts with severity bands, ratings from logs, adherence
by week, the homework timeline, change since baseline, and scheduling a measure. Parse, call a
selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.audit import audit_record
from analytics import progress
from analytics.forms import CareEpisodeForm, PlannedSessionForm, ScheduleMeasureForm
from assignments.measures import CATEGORIES, known_thresholds
from assignments.models import PlannedSession
from assignments.schedule import first_due_day
from assignments.services import assigning, sessions
from clients import gas
from clients import services as client_services
from clients.selectors import client_get, client_goals, goal_summary
from core.access import staff_required
from core.forms import apply_validation_error
from library.models import Kind, PublicationStatus
from library.selectors import global_activities, practice_activities


def measure_choices(membership) -> list[tuple[str, str]]:
    """The measures the member may assign: the practice's own (and its linked copies of global
    ones), then global measures the practice does not use yet. Two queries."""
    own = practice_activities(membership, kind=Kind.MEASURE, include_linked=True).filter(
        status=PublicationStatus.PUBLISHED
    )
    choices = [(f"activity:{a.pk}", a.current_version.title) for a in own if a.current_version]
    titles = {title for _, title in choices}
    for curated in global_activities(membership, kind=Kind.MEASURE):
        title = curated.current_version.title
        if not curated.in_practice and title not in titles:
            choices.append((f"curated:{curated.pk}", title))
    return sorted(choices, key=lambda choice: choice[1].lower())


def _page(request, client, *, schedule_form=None, session_form=None, episode_form=None, status=200):
    audit_record(actor=request.user, practice=request.practice, action="view_progress", obj=client)
    days = progress.timeline_days(request.GET.get("days"))
    data = progress.client_progress(client, days=days)
    if schedule_form is None:
        schedule_form = ScheduleMeasureForm(
            measures=measure_choices(request.membership),
            initial={"starts_on": first_due_day(client.tz)},
        )
    goals = list(client_goals(client))
    context = {
        "client": client,
        "progress": data,
        "goal_rows": [gas.goal_row(goal) for goal in goals],
        "goal_summary": goal_summary(goals),
        "schedule_form": schedule_form,
        "session_form": session_form or PlannedSessionForm(),
        "episode_form": episode_form
        or CareEpisodeForm(initial={"started_on": timezone.localdate(timezone=client.tz)}),
        "thresholds": known_thresholds(),
        "categories": CATEGORIES.values(),
    }
    with timezone.override(client.tz):  # every date and time on the page is the client's
        return render(request, "analytics/progress.html", context, status=status)


@staff_required
def client_progress(request, client_id):
    client = client_get(request.membership, client_id)
    return _page(request, client)


@require_POST
@staff_required
def schedule_measure(request, client_id):
    """Assign a measure on a cadence through the ordinary assigning service: it arrives in
    the client's to-do like any assignment."""
    client = client_get(request.membership, client_id)
    form = ScheduleMeasureForm(request.POST, measures=measure_choices(request.membership))
    if form.is_valid():
        kind, pk = form.picked()
        chosen = _measure(request.membership, kind, pk)
        try:
            (assignment,) = assigning.assignments_create(
                client=client,
                actor=request.membership,
                items=[{kind: chosen, **form.schedule()}],
            )
        except ValidationError as exc:
            apply_validation_error(form, _for_form(exc))
        else:
            messages.success(
                request,
                f"{assignment.title} scheduled: {assignment.schedule.describe()}. "
                f"{client.display_name} sees it in their to-do.",
            )
            return redirect("analytics:progress", client_id=client.pk)
    return _page(request, client, schedule_form=form, status=400)


def _measure(membership, kind, pk):
    """The chosen measure (already one of the offered choices, so visible to the member)."""
    if kind == "curated_activity":
        return global_activities(membership, kind=Kind.MEASURE).get(pk=pk)
    return practice_activities(membership, kind=Kind.MEASURE, include_linked=True).get(pk=pk)


def _for_form(exc: ValidationError) -> ValidationError:
    """The service names the schedule's fields; this form calls the kind "cadence"."""
    if not hasattr(exc, "error_dict"):
        return exc
    renamed = {"schedule_kind": "cadence", "interval_weeks": "cadence", "activity": "measure"}
    return ValidationError(
        {renamed.get(name, name): errors for name, errors in exc.error_dict.items()}
    )


@require_POST
@staff_required
def planned_sessions(request, client_id):
    """Add an upcoming session (``session_on``) or remove one (``remove=<id>``)."""
    client = client_get(request.membership, client_id)
    back = reverse("analytics:progress", args=[client.pk]) + "#sessions"
    if "remove" in request.POST:
        try:
            session = PlannedSession.objects.get(client=client, pk=request.POST["remove"])
        except (PlannedSession.DoesNotExist, ValidationError, ValueError):
            raise Http404 from None
        sessions.planned_session_remove(session=session, actor=request.membership)
        messages.success(request, f"Session on {session.session_on:%a %-d %b} removed.")
        return redirect(back)
    form = PlannedSessionForm(request.POST)
    if form.is_valid():
        try:
            session = sessions.planned_session_add(
                client=client, actor=request.membership, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                f"Session on {session.session_on:%a %-d %b} added. Measures scheduled before "
                "each session are due the day before.",
            )
            return redirect(back)
    return _page(request, client, session_form=form, status=400)


@require_POST
@staff_required
def care_episode_start(request, client_id):
    """Start a new episode of care: change on every measure restarts at its next score."""
    client = client_get(request.membership, client_id)
    form = CareEpisodeForm(request.POST)
    if form.is_valid():
        try:
            episode = client_services.care_episode_start(
                client=client, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                f"New episode of care from {episode.started_on:%-d %b %Y}. Change on each "
                "measure is now counted from its first score on or after that day.",
            )
            return redirect(reverse("analytics:progress", args=[client.pk]) + "#episodes")
    return _page(request, client, episode_form=form, status=400)
