"""Reads of pathways and enrolments, already limited to what the caller may see.

Staff see every pathway of their practice; enrolments only of clients they may see
(``clients_visible_to``). Practices see published global pathways; curators see every global
pathway and no practice data. Object getters answer 404 for missing *and* not-yours.
List selectors annotate what the page shows, so a page costs the same few queries for two
rows or two hundred.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from assignments.models import Response
from clients.selectors import clients_visible_to
from library.models import Activity, CuratedActivity, PublicationStatus
from pathways import schedule
from pathways.completion import Completion
from pathways.models import (
    PASSED_OVER_STATUSES,
    RUNNING_STATUSES,
    CuratedPathway,
    CuratedPathwayStep,
    Enrolment,
    EnrolmentStatus,
    EnrolmentStep,
    Pathway,
    PathwayStatus,
    PathwayStep,
    StepStatus,
)

_NOT_COUNTED = [StepStatus.CANCELLED, StepStatus.SKIPPED, StepStatus.NOT_NEEDED]


def _not_found(exc_types=()):
    return (ValueError, TypeError, *exc_types)


# --- Practice pathways ----------------------------------------------------------------------


def pathways_for_practice(membership, *, status: str = "") -> QuerySet:
    """The practice's pathways with their step count and how many clients are on each."""
    pathways = Pathway.objects.filter(practice=membership.practice).annotate(
        step_count=Count("steps", distinct=True),
        running_count=Count(
            "enrolments",
            filter=Q(enrolments__status__in=RUNNING_STATUSES),
            distinct=True,
        ),
    )
    if status in PathwayStatus.values:
        pathways = pathways.filter(status=status)
    else:
        pathways = pathways.exclude(status=PathwayStatus.ARCHIVED)
    return pathways.select_related("origin").order_by("name", "pk")


def pathway_get(membership, pathway_id) -> Pathway:
    try:
        return Pathway.objects.select_related("origin", "created_by").get(
            practice=membership.practice, pk=pathway_id
        )
    except (Pathway.DoesNotExist, *_not_found()):
        raise Http404 from None


def pathway_step_get(pathway, step_id):
    """A step of ``pathway`` (practice or global): 404 for any other."""
    try:
        return pathway.steps.select_related("pathway").get(pk=step_id)
    except (PathwayStep.DoesNotExist, CuratedPathwayStep.DoesNotExist, *_not_found()):
        raise Http404 from None


# --- Activities a step can use ----------------------------------------------------------------


@dataclass(frozen=True)
class ActivityOption:
    value: str  # "a:<id>" for a practice activity, "c:<id>" for a global one
    title: str
    is_measure: bool


def activity_options(membership) -> tuple[list[ActivityOption], list[ActivityOption]]:
    """What a practice step may deliver: the practice's published activities the member may
    see, and the published global ones. ``membership`` None: global only (curators)."""
    own = []
    if membership is not None:
        activities = (
            Activity.objects.filter(
                practice=membership.practice, status=PublicationStatus.PUBLISHED
            )
            .filter(Q(shared=True) | Q(created_by=membership.user))
            .exclude(origin__isnull=False, is_customised=False)
            .select_related("current_version")
            .order_by("current_version__title", "pk")
        )
        own = [
            ActivityOption(f"a:{a.pk}", a.current_version.title, a.current_version.is_measure)
            for a in activities
            if a.current_version is not None  # loaded by select_related: no query
        ]
    curated = (
        CuratedActivity.objects.filter(status=PublicationStatus.PUBLISHED)
        .select_related("current_version")
        .order_by("current_version__title", "pk")
    )
    shared = [
        ActivityOption(f"c:{c.pk}", c.current_version.title, c.current_version.is_measure)
        for c in curated
        if c.current_version is not None  # loaded by select_related: no query
    ]
    return own, shared


def activity_from_choice(membership, value: str):
    """Parse an activity choice into (practice activity, global activity); one is None.
    Raises LookupError for anything the member may not use."""
    kind, _, pk = (value or "").partition(":")
    try:
        if kind == "a" and membership is not None:
            activity = (
                Activity.objects.filter(practice=membership.practice)
                .filter(Q(shared=True) | Q(created_by=membership.user))
                .get(pk=pk)
            )
            return activity, None
        if kind == "c":
            return None, CuratedActivity.objects.get(pk=pk)
    except (Activity.DoesNotExist, CuratedActivity.DoesNotExist, *_not_found()):
        pass
    raise LookupError(value)


# --- Previews -----------------------------------------------------------------------------


def pathway_preview(steps, *, tz, now: datetime | None = None) -> list[schedule.PreviewRow]:
    """The timeline of ``steps`` for a client starting today in ``tz``."""
    now = now or timezone.now()
    return schedule.timeline(
        steps,
        start_date=timezone.localdate(now, tz),
        tz=tz,
        now=now,
        title_of=lambda step: step.title,
    )


# --- The global library -----------------------------------------------------------------------


def global_pathways() -> QuerySet:
    """Published global pathways, for practices to copy."""
    return (
        CuratedPathway.objects.filter(status=PathwayStatus.PUBLISHED)
        .annotate(step_count=Count("steps"))
        .order_by("name", "pk")
    )


def practice_copy_of(practice, curated_pathway) -> Pathway | None:
    """The practice's newest published copy of a global pathway, if it has one."""
    return (
        Pathway.objects.filter(
            practice=practice, origin=curated_pathway, status=PathwayStatus.PUBLISHED
        )
        .order_by("-created_at", "pk")
        .first()
    )


def global_pathway_get(pathway_id) -> CuratedPathway:
    """A published global pathway (drafts are the curators' own): 404 otherwise."""
    try:
        return CuratedPathway.objects.get(status=PathwayStatus.PUBLISHED, pk=pathway_id)
    except (CuratedPathway.DoesNotExist, *_not_found()):
        raise Http404 from None


def curated_pathways_for_curator() -> QuerySet:
    """Every global pathway with how many practices copied it (a count, nothing else)."""
    return CuratedPathway.objects.annotate(
        step_count=Count("steps", distinct=True),
        copy_count=Count("copies__practice", distinct=True),
    ).order_by("name", "pk")


def curated_pathway_get_for_curator(user, pathway_id) -> CuratedPathway:
    if not getattr(user, "is_curator", False):
        raise Http404
    try:
        return CuratedPathway.objects.get(pk=pathway_id)
    except (CuratedPathway.DoesNotExist, *_not_found()):
        raise Http404 from None


# --- Enrolments ------------------------------------------------------------------------------


def enrolments_visible_to(membership) -> QuerySet:
    return Enrolment.objects.filter(
        practice=membership.practice, client__in=clients_visible_to(membership)
    )


def _title_of_step(step_filter: Q) -> Subquery:
    """The title of an enrolment's first step matching ``step_filter``, as a subquery."""
    steps = (
        EnrolmentStep.objects.filter(step_filter, enrolment=OuterRef("pk"))
        .order_by("position")
        .annotate(
            step_title=Coalesce(
                "activity__current_version__title", "curated_activity__current_version__title"
            )
        )
        .values("step_title")[:1]
    )
    return Subquery(steps)


def enrolment_progress(membership, *, pathway=None, client=None, running_only=True) -> QuerySet:
    """Enrolments with progress at a glance: steps done of steps counted, the step the client
    has open, the next one and when it arrives. One query whatever the number of rows."""
    enrolments = enrolments_visible_to(membership)
    if pathway is not None:
        enrolments = enrolments.filter(pathway=pathway)
    if client is not None:
        enrolments = enrolments.filter(client=client)
    if running_only:
        enrolments = enrolments.filter(status__in=RUNNING_STATUSES)
    return (
        enrolments.select_related("client", "pathway")
        .annotate(
            steps_total=Count("steps", filter=~Q(steps__status__in=_NOT_COUNTED)),
            steps_done=Count("steps", filter=Q(steps__status=StepStatus.COMPLETED)),
            steps_held=Count("steps", filter=Q(steps__status=StepStatus.HELD)),
            next_release_at=Min("steps__release_at", filter=Q(steps__status=StepStatus.SCHEDULED)),
            open_title=_title_of_step(Q(status=StepStatus.RELEASED)),
            next_title=_title_of_step(Q(status__in=[StepStatus.SCHEDULED, StepStatus.WAITING])),
        )
        .order_by(F("next_release_at").asc(nulls_last=True), "client__full_name", "pk")
    )


def enrolment_get(membership, enrolment_id) -> Enrolment:
    try:
        return (
            enrolments_visible_to(membership)
            .select_related("client", "pathway", "enrolled_by", "practice")
            .get(pk=enrolment_id)
        )
    except (Enrolment.DoesNotExist, *_not_found()):
        raise Http404 from None


def enrolment_step_get(enrolment, step_id) -> EnrolmentStep:
    try:
        return EnrolmentStep.objects.select_related(
            "enrolment", "activity__current_version", "curated_activity__current_version"
        ).get(enrolment=enrolment, pk=step_id)
    except (EnrolmentStep.DoesNotExist, *_not_found()):
        raise Http404 from None


def template_steps(pathway) -> list:
    """A template's steps (practice or global) in order, with what previews and checks need."""
    related = ["curated_activity__current_version"]
    if isinstance(pathway, Pathway):
        related.append("activity__current_version")
    return list(pathway.steps.select_related(*related).order_by("position", "created_at"))


def enrolment_steps(enrolment) -> list:
    return list(
        EnrolmentStep.objects.filter(enrolment=enrolment)
        .select_related(
            "activity__current_version",
            "curated_activity__current_version",
            "assignment__activity_version",
            "condition_step__activity__current_version",
            "condition_step__curated_activity__current_version",
        )
        .order_by("position", "created_at")
    )


def template_changed_since(enrolment) -> bool:
    """Whether the pathway was edited after this client was enrolled."""
    return enrolment.pathway.updated_at > enrolment.created_at


# --- The client's journey ------------------------------------------------------------------


@dataclass
class JourneyStep:
    title: str
    state: str  # "done", "open", "next" or "later"
    at: datetime | None = None  # done at, or arrives at (None: not known yet)
    after: str = ""  # the step it waits for, when its time is not known yet
    delay_days: int = 0
    assignment_id: object | None = None
    # When an open step is done (``pathways.completion``): the entries it asks for and those
    # sent, and the end of its period for the rules that wait for it.
    rule: str = ""
    entries: int = 0
    target: int = 1
    until: datetime | None = None


@dataclass
class Journey:
    enrolment: Enrolment
    title: str
    steps: list[JourneyStep]
    done: int
    total: int

    @property
    def is_paused(self) -> bool:
        return self.enrolment.status == EnrolmentStatus.PAUSED


def journeys_for_client(client) -> list[Journey]:
    """The client's running pathways (and those finished in the last 30 days) as journeys:
    what is done, what is open, what comes next and when. Never the therapist's notes, never
    the condition a step depends on: a step whose condition is not settled yet is not shown."""
    recent = timezone.now() - timedelta(days=30)
    enrolments = list(
        Enrolment.objects.filter(practice=client.practice, client=client)
        .filter(
            Q(status__in=RUNNING_STATUSES)
            | Q(status=EnrolmentStatus.COMPLETED, ended_at__gte=recent)
        )
        .select_related("pathway")
        .order_by("-created_at")
    )
    steps_by_enrolment: dict = {enrolment.pk: [] for enrolment in enrolments}
    released = EnrolmentStep.objects.filter(
        enrolment__in=enrolments, status=StepStatus.RELEASED, assignment__isnull=False
    ).values("assignment_id")
    entries = dict(
        Response.objects.filter(assignment_id__in=released)
        .values("assignment_id")
        .annotate(count=Count("pk"))
        .values_list("assignment_id", "count")
        .order_by()
    )
    for step in (
        EnrolmentStep.objects.filter(enrolment__in=enrolments)
        .exclude(status=StepStatus.CANCELLED)
        .select_related(
            "activity__current_version",
            "curated_activity__current_version",
            "assignment__activity_version",
        )
        .order_by("position", "created_at")
    ):
        steps_by_enrolment[step.enrolment_id].append(step)
    return [
        _journey(enrolment, steps_by_enrolment[enrolment.pk], entries) for enrolment in enrolments
    ]


def _unsettled(step, status_of) -> bool:
    """A conditional step whose condition is not known yet: the client must not learn that it
    exists (nor, by its name, what it depends on)."""
    return (
        step.is_conditional
        and step.status not in (StepStatus.RELEASED, StepStatus.COMPLETED)
        and status_of.get(step.condition_step_id) != StepStatus.COMPLETED
    )


def _journey(enrolment, steps, entries) -> Journey:
    shown = []
    status_of = {step.pk: step.status for step in steps}
    hidden = {step.pk for step in steps if _unsettled(step, status_of)}
    now = timezone.now()
    for index, step in enumerate(steps):
        if step.status in (StepStatus.SKIPPED, StepStatus.NOT_NEEDED):
            continue
        if step.pk in hidden:
            continue
        # The client's journey: each step by the name the client knows it by.
        title = (
            step.assignment.activity_version.title_for_client
            if step.assignment_id
            else step.title_for_client
        )
        if step.status == StepStatus.COMPLETED:
            shown.append(JourneyStep(title, "done", at=step.finished_at))
        elif step.status == StepStatus.RELEASED:
            shown.append(
                JourneyStep(
                    title,
                    "open",
                    assignment_id=step.assignment_id,
                    rule="" if step.completion == Completion.FIRST_ENTRY else step.completion,
                    entries=entries.get(step.assignment_id, 0),
                    target=step.assignment.entries_target,
                    until=step.completes_at,
                )
            )
        else:
            state = "later" if any(s.state in ("next", "later") for s in shown) else "next"
            shown.append(_upcoming(steps, index, step, title, state, hidden=hidden, now=now))
    counted = [s for s in steps if s.status not in _NOT_COUNTED]
    done = sum(1 for s in counted if s.status == StepStatus.COMPLETED)
    return Journey(
        enrolment=enrolment,
        title=enrolment.pathway.title_for_client,
        steps=shown,
        done=done,
        total=len(counted),
    )


def _upcoming(steps, index, step, title, state, *, hidden, now) -> JourneyStep:
    if step.status == StepStatus.SCHEDULED:
        # A time already past (the release is on its way) is not shown as a promise: "Coming
        # soon", not "Arrives … at 23:55" when 23:55 has gone.
        return JourneyStep(title, state, at=step.release_at if step.release_at > now else None)
    previous = schedule.previous_required(steps, index, ignore=PASSED_OVER_STATUSES)
    if step.status == StepStatus.WAITING and previous is not None and previous.pk not in hidden:
        previous_title = (
            previous.assignment.activity_version.title_for_client
            if previous.assignment_id
            else previous.title_for_client
        )
        return JourneyStep(title, state, after=previous_title, delay_days=step.delay_days)
    return JourneyStep(title, state)
