"""Every read of the homework conversation, already limited to what the caller may see:
staff reads go through ``clients.selectors.client_get`` (another practice's or a colleague's
client is 404), portal reads take the signed-in client."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import cast

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from assignments.models import (
    MISSED_AFTER,
    PENDING_STATUSES,
    Assignment,
    AssignmentStatus,
    Occurrence,
    OccurrenceStatus,
    TherapySession,
)
from assignments.selectors.session_review import review_since
from clients.selectors import client_get, clients_visible_to
from conversations.models import (
    LOW_CONFIDENCE,
    AgreementStatus,
    ItemReview,
    MissedReason,
    MissedReasonKind,
    PlanAgreement,
    SessionConversation,
)
from conversations.quality import ITEMS, MAX_LEVEL, anchor, total

# How far back the portal asks about missed homework, and shows new plans to agree to.
ASK_WHY_DAYS = 14
AGREE_DAYS = 30
# How long a "felt worse" answer stays on the therapist's pages.
FELT_WORSE_DAYS = 30


# --- Staff: the review in session ---------------------------------------------------------


def conversation_get(membership, client_id, conversation_id) -> SessionConversation:
    client = client_get(membership, client_id)
    try:
        return SessionConversation.objects.select_related("session", "therapist").get(
            pk=conversation_id, client=client
        )
    except (SessionConversation.DoesNotExist, ValueError):
        raise Http404 from None


def conversation_for_staff(membership, conversation_id) -> SessionConversation:
    """The API's getter: by id alone, 404 unless the client is visible to ``membership``."""
    visible = clients_visible_to(membership).values("pk")
    try:
        return SessionConversation.objects.select_related("session", "client").get(
            pk=conversation_id, client__in=visible
        )
    except (SessionConversation.DoesNotExist, ValueError):
        raise Http404 from None


def conversations_for_staff(membership, *, client_id=None):
    visible = clients_visible_to(membership).values("pk")
    conversations = SessionConversation.objects.filter(client__in=visible).select_related("session")
    if client_id:
        conversations = conversations.filter(client_id=client_id)
    return conversations.prefetch_related(
        Prefetch("items", queryset=ItemReview.objects.order_by("created_at"))
    ).order_by("-created_at", "pk")


def item_for_staff(membership, item_id) -> ItemReview:
    visible = clients_visible_to(membership).values("pk")
    try:
        return ItemReview.objects.select_related("conversation", "assignment").get(
            pk=item_id, client__in=visible
        )
    except (ItemReview.DoesNotExist, ValueError):
        raise Http404 from None


def previous_session(session: TherapySession) -> TherapySession | None:
    """The session before ``session``: the review looks at what happened since then."""
    return (
        TherapySession.objects.filter(client_id=session.client_id)
        .exclude(pk=session.pk)
        .filter(
            Q(held_on__lt=session.held_on)
            | Q(held_on=session.held_on, created_at__lt=session.created_at)
        )
        .order_by("-held_on", "-created_at")
        .first()
    )


@dataclass
class ReviewRow:
    """One assignment to talk about: what was due since the last session and how it went,
    the client's own reasons for what they missed, and this session's review of it."""

    assignment: Assignment
    done: list[Occurrence] = field(default_factory=list)
    missed: list[Occurrence] = field(default_factory=list)
    pending: list[Occurrence] = field(default_factory=list)
    reasons: list[MissedReason] = field(default_factory=list)
    review: ItemReview | None = None

    @property
    def suggested_outcome(self) -> str:
        if self.review is not None:
            return self.review.outcome
        if self.done and not self.missed:
            return "done"
        if self.done:
            return "partly"
        return "not_done"

    @property
    def client_reason(self) -> MissedReason | None:
        return self.reasons[0] if self.reasons else None

    @property
    def felt_worse(self) -> bool:
        return any(reason.reason == MissedReasonKind.FELT_WORSE for reason in self.reasons)


def review_rows(conversation: SessionConversation, *, now=None) -> tuple[datetime, list[ReviewRow]]:
    """Each assignment with something due or sent since the session before this one (or
    already reviewed in this one), oldest first. Four queries whatever the number."""
    now = now or timezone.now()
    client = conversation.client
    since = review_since(client, previous_session(conversation.session), now=now)
    in_window = Q(due_at__gte=since, due_at__lte=now) | Q(submitted_at__gte=since)
    reviews = {
        item.assignment_id: item for item in ItemReview.objects.filter(conversation=conversation)
    }
    occurrences = (
        Occurrence.objects.filter(client=client)
        .filter(in_window)
        .exclude(status=OccurrenceStatus.CANCELLED)
        .order_by("due_at", "sequence")
    )
    assignment_ids = set(occurrences.values_list("assignment_id", flat=True)) | set(reviews)
    assignments = (
        Assignment.objects.filter(pk__in=assignment_ids)
        .select_related("activity_version")
        .prefetch_related(
            Prefetch("occurrences", queryset=occurrences, to_attr="window"),
            Prefetch(
                "missed_reasons",
                queryset=MissedReason.objects.filter(occurrence__due_at__gte=since).order_by(
                    "-created_at"
                ),
                to_attr="recent_reasons",
            ),
        )
        .order_by("created_at", "pk")
    )
    rows = []
    for assignment in assignments:
        row = ReviewRow(assignment=assignment, review=reviews.get(assignment.pk))
        # Prefetched lists (``to_attr``), typed for the checker.
        window = cast(list[Occurrence], assignment.window)
        row.reasons = list(cast(list[MissedReason], assignment.recent_reasons))
        for occurrence in window:
            if occurrence.submitted_at is not None:
                row.done.append(occurrence)
            elif occurrence.due_at <= now:
                row.missed.append(occurrence)
            else:
                row.pending.append(occurrence)
        rows.append(row)
    return since, rows


# --- Summaries (staff and portal) ---------------------------------------------------------


@dataclass
class Summary:
    conversation: SessionConversation
    items: list[ItemReview]

    @property
    def held_on(self) -> date:
        return self.conversation.session.held_on

    @property
    def learned(self) -> list[ItemReview]:
        return [item for item in self.items if item.learned]


def _summary_items():
    return ItemReview.objects.select_related("assignment__activity_version").order_by("created_at")


def summary_for_staff(membership, client_id, conversation_id) -> Summary:
    conversation = conversation_get(membership, client_id, conversation_id)
    return Summary(conversation, list(_summary_items().filter(conversation=conversation)))


def portal_summaries(client) -> list[Summary]:
    """The client's finished session summaries, newest first (two queries)."""
    conversations = (
        SessionConversation.objects.filter(client=client, finished_at__isnull=False)
        .select_related("session")
        .prefetch_related(Prefetch("items", queryset=_summary_items(), to_attr="summary_items"))
        .order_by("-session__held_on", "-created_at")
    )
    return [Summary(c, list(c.summary_items)) for c in conversations]


def portal_summary_get(client, conversation_id) -> Summary:
    try:
        conversation = SessionConversation.objects.select_related("session").get(
            pk=conversation_id, client=client, finished_at__isnull=False
        )
    except (SessionConversation.DoesNotExist, ValueError):
        raise Http404 from None
    return Summary(conversation, list(_summary_items().filter(conversation=conversation)))


def summary_source(summary: Summary, *, client_name: str) -> dict:
    """The summary as plain data, for the client's PDF (``reports``): no model objects, and
    each homework by the name the client knows it by."""
    return {
        "client_name": client_name,
        "held_on": summary.held_on.isoformat(),
        "items": [
            {
                "title": item.assignment.activity_version.title_for_client,
                "outcome": item.get_outcome_display(),
                "learned": item.learned,
                "obstacles": item.obstacles,
                "decision": item.get_decision_display(),
            }
            for item in summary.items
        ],
        "agreed": summary.conversation.agreed_note,
    }


# --- The portal: what the client is asked -------------------------------------------------


def portal_missed_to_explain(client, *, now=None) -> list[Occurrence]:
    """Missed occurrences of the last two weeks the client has not said why about (the
    sweeper may not have marked them yet: past the missed time is missed)."""
    now = now or timezone.now()
    return list(
        Occurrence.objects.filter(
            client=client,
            submitted_at__isnull=True,
            due_at__gte=now - timedelta(days=ASK_WHY_DAYS),
            assignment__status=AssignmentStatus.ACTIVE,
            missed_reason__isnull=True,
        )
        .filter(
            Q(status=OccurrenceStatus.MISSED)
            | Q(status__in=PENDING_STATUSES, due_at__lte=now - MISSED_AFTER)
        )
        .select_related("assignment__activity_version")
        .order_by("due_at")
    )


def portal_missed_get(client, occurrence_id) -> Occurrence:
    try:
        return Occurrence.objects.select_related("assignment__activity_version").get(
            pk=occurrence_id, client=client
        )
    except (Occurrence.DoesNotExist, ValueError):
        raise Http404 from None


def portal_plans_to_agree(client, *, now=None) -> list[Assignment]:
    """Active assignments of the last month, with something still ahead to do, whose plan
    the client has not answered since it last changed (a plan whose days have all passed is
    for the review in session, not for agreeing). Measures (PHQ-9, GAD-7 …) are not homework
    designed together: the client is not asked to agree to them or how sure they are."""
    now = now or timezone.now()
    ahead = Occurrence.objects.filter(
        assignment=OuterRef("pk"), status__in=PENDING_STATUSES, due_at__gt=now
    )
    return list(
        Assignment.objects.filter(
            Exists(ahead),
            client=client,
            status=AssignmentStatus.ACTIVE,
            is_measure=False,
            created_at__gte=now - timedelta(days=AGREE_DAYS),
        )
        .filter(Q(agreement__isnull=True) | Q(agreement__updated_at__lt=F("updated_at")))
        .select_related("activity_version")
        .order_by("created_at")
    )


def portal_plan_get(client, assignment_id) -> Assignment:
    try:
        return (
            Assignment.objects.select_related("activity_version")
            .prefetch_related(Prefetch("agreement"))
            .get(pk=assignment_id, client=client, status=AssignmentStatus.ACTIVE)
        )
    except (Assignment.DoesNotExist, ValueError):
        raise Http404 from None


def agreement_of(assignment: Assignment) -> PlanAgreement | None:
    try:
        return assignment.agreement
    except PlanAgreement.DoesNotExist:
        return None


def portal_agreement_get(client, agreement_id) -> PlanAgreement:
    try:
        return PlanAgreement.objects.select_related("assignment").get(
            pk=agreement_id, client=client
        )
    except (PlanAgreement.DoesNotExist, ValueError):
        raise Http404 from None


# --- Staff prompts --------------------------------------------------------------------------


@dataclass
class PlanPrompt:
    assignment: Assignment
    confidence: int | None
    whose: str  # "client" or "therapist"
    proposed_change: str = ""

    @property
    def low(self) -> bool:
        return self.confidence is not None and self.confidence < LOW_CONFIDENCE


def plan_prompts(client, *, assignment_id=None) -> list[PlanPrompt]:
    """Plans to look at again: the client's confidence (or, without a current answer of
    theirs, the therapist's) is under 7, or the client proposed a change the therapist has
    not yet made. Editing the plan settles it until the client answers again. One query."""
    assignments = (
        Assignment.objects.filter(client=client, status=AssignmentStatus.ACTIVE)
        .filter(
            Q(agreement__confidence__lt=LOW_CONFIDENCE, agreement__updated_at__gte=F("updated_at"))
            | Q(
                agreement__status=AgreementStatus.CHANGE_PROPOSED,
                agreement__updated_at__gte=F("updated_at"),
            )
            | (
                Q(confidence__lt=LOW_CONFIDENCE)
                & (Q(agreement__isnull=True) | Q(agreement__updated_at__lt=F("updated_at")))
            )
        )
        .select_related("activity_version", "agreement")
        .order_by("created_at")
    )
    if assignment_id is not None:
        assignments = assignments.filter(pk=assignment_id)
    prompts = []
    for assignment in assignments:
        agreement = agreement_of(assignment)
        if agreement is not None and agreement.updated_at >= assignment.updated_at:
            prompts.append(
                PlanPrompt(
                    assignment,
                    agreement.confidence,
                    "client",
                    agreement.proposed_change,
                )
            )
        else:
            prompts.append(PlanPrompt(assignment, assignment.confidence, "therapist"))
    return prompts


def felt_worse(client, *, now=None) -> list[MissedReason]:
    """The client said doing the homework made them feel worse: shown prominently."""
    now = now or timezone.now()
    return list(
        MissedReason.objects.filter(
            client=client,
            reason=MissedReasonKind.FELT_WORSE,
            created_at__gte=now - timedelta(days=FELT_WORSE_DAYS),
        )
        .select_related("assignment__activity_version", "occurrence")
        .order_by("-created_at")
    )


def reasons_for_staff(membership, *, client_id=None):
    visible = clients_visible_to(membership).values("pk")
    reasons = MissedReason.objects.filter(client__in=visible)
    if client_id:
        reasons = reasons.filter(client_id=client_id)
    return reasons.order_by("-created_at", "pk")


def agreements_for_staff(membership, *, client_id=None):
    visible = clients_visible_to(membership).values("pk")
    agreements = PlanAgreement.objects.filter(client__in=visible)
    if client_id:
        agreements = agreements.filter(client_id=client_id)
    return agreements.order_by("-created_at", "pk")


# --- Quality over time ----------------------------------------------------------------------


def quality_history(client, *, limit: int = 20) -> list[dict]:
    """The anchored quality ratings of the client's homework reviewed in session, oldest
    first, with each level's words (one query)."""
    items = list(
        ItemReview.objects.filter(client=client)
        .filter(
            Q(quantity__isnull=False)
            | Q(quality__isnull=False)
            | Q(effort__isnull=False)
            | Q(skill_when_upset__isnull=False)
        )
        .select_related("assignment__activity_version", "session")
        .order_by("-session__held_on", "-created_at")[:limit]
    )
    items.reverse()
    return [
        {
            "held_on": item.session.held_on,
            "title": item.assignment.activity_version.title,
            "total": total(item.levels),
            # Out of what was rated: an item left unrated is not a zero.
            "out_of": MAX_LEVEL * sum(1 for level in item.levels.values() if level is not None),
            "levels": [
                (ITEMS[name][0], level, anchor(name, level))
                for name, level in item.levels.items()
                if level is not None
            ],
        }
        for item in items
    ]


# --- Insights -------------------------------------------------------------------------------


@dataclass
class TherapistReviewRate:
    name: str
    sessions: int
    reviewed: int

    @property
    def rate(self) -> int | None:
        return round(100 * self.reviewed / self.sessions) if self.sessions else None


@dataclass
class ActivityReasons:
    title: str
    counts: dict[str, int]
    total: int


@dataclass
class ConversationInsights:
    therapists: list[TherapistReviewRate]
    reasons: list[ActivityReasons]
    reason_labels: list[tuple[str, str]]


def conversation_insights(membership, *, since: date) -> ConversationInsights:
    """For the insights page: of the sessions each therapist recorded since ``since``, how
    many had homework reviewed in session; and the clients' reasons for missed homework, per
    activity. Two queries."""
    visible = clients_visible_to(membership).values("pk")
    sessions = (
        TherapySession.objects.filter(client__in=visible, held_on__gte=since)
        .values("recorded_by_id", "recorded_by__full_name")
        .annotate(
            sessions=Count("pk", distinct=True),
            reviewed=Count("pk", distinct=True, filter=Q(conversation__items__isnull=False)),
        )
        .order_by("recorded_by__full_name")
    )
    therapists = [
        TherapistReviewRate(
            row["recorded_by__full_name"] or "Unknown", row["sessions"], row["reviewed"]
        )
        for row in sessions
    ]
    counts: dict[str, Counter] = defaultdict(Counter)
    for title, reason, n in (
        MissedReason.objects.filter(client__in=visible, occurrence__local_date__gte=since)
        .values_list("assignment__activity_version__title", "reason")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[title][reason] += n
    reasons = sorted(
        (ActivityReasons(title, dict(c), sum(c.values())) for title, c in counts.items()),
        key=lambda row: (-row.total, row.title),
    )
    return ConversationInsights(therapists, reasons, list(MissedReasonKind.choices))


def conversation_assignment_get(conversation: SessionConversation, assignment_id) -> Assignment:
    """An assignment of the conversation's client (404 for any other)."""
    try:
        return Assignment.objects.select_related("activity_version", "client").get(
            pk=assignment_id, client_id=conversation.client_id
        )
    except (Assignment.DoesNotExist, ValueError):
        raise Http404 from None


def item_in(conversation: SessionConversation, assignment: Assignment) -> ItemReview | None:
    return ItemReview.objects.filter(
        session_id=conversation.session_id, assignment=assignment
    ).first()


def client_panel(client) -> dict:
    """What the client page shows of the conversation: plans to look at again, "felt
    worse" answers, the anchored quality over time and the latest review."""
    return {
        "prompts": plan_prompts(client),
        "felt_worse": felt_worse(client),
        "quality": quality_history(client, limit=8),
        "latest": SessionConversation.objects.filter(client=client)
        .select_related("session")
        .order_by("-session__held_on", "-created_at")
        .first(),
    }


def portal_prompts(client) -> dict:
    """What the portal's to-do asks first: plans to agree to, missed items to say why about,
    and the latest session summary."""
    return {
        "plans": portal_plans_to_agree(client),
        "missed": portal_missed_to_explain(client)[:3],
        "latest": SessionConversation.objects.filter(client=client, finished_at__isnull=False)
        .select_related("session")
        .order_by("-session__held_on", "-created_at")
        .first(),
    }


def assignment_reviews(assignment: Assignment) -> list[ItemReview]:
    return list(
        ItemReview.objects.filter(assignment=assignment)
        .select_related("session")
        .order_by("-session__held_on", "-created_at")
    )


def latest_conversation(client) -> SessionConversation | None:
    return (
        SessionConversation.objects.filter(client=client)
        .select_related("session")
        .order_by("-session__held_on", "-created_at")
        .first()
    )


def conversation_items(conversation: SessionConversation) -> list[ItemReview]:
    return list(_summary_items().filter(conversation=conversation))
