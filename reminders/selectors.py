"""Reads for reminders and notifications, already limited to what the caller may see.

Object getters raise ``Http404`` for missing and not-yours alike. Lists run a fixed number of
queries however many rows they return.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django_scopes import scopes_disabled

from clients.models import Client, ClientStatus
from clients.selectors import clients_visible_to
from core.tenancy import practice_scope
from core.timezones import known_timezones
from core.tokens import hash_secret
from reminders import links
from reminders.models import (
    CalendarFeed,
    ClientPreference,
    Delivery,
    EmailBounce,
    Kind,
    Notification,
    OverrideTarget,
    Reminder,
    ReminderOverride,
    ReminderPolicy,
    StaffPreference,
    Status,
)

if TYPE_CHECKING:
    from accounts.models import Membership, Practice

NOTIFICATIONS_SHOWN = 50
PROBLEMS_SHOWN = 100
PROBLEM_DAYS = 14
CALENDAR_DAYS = 60


def _practice_id(practice):
    return getattr(practice, "pk", practice)


# --- Policy and preferences ------------------------------------------------------------------


def policy_for(practice) -> ReminderPolicy:
    """The practice's defaults (an unsaved row with the built-in defaults until changed)."""
    practice_id = _practice_id(practice)
    return ReminderPolicy.objects.filter(practice_id=practice_id).first() or ReminderPolicy(
        practice_id=practice_id
    )


def policies_for(practice_ids) -> dict:
    saved = {p.practice_id: p for p in ReminderPolicy.objects.filter(practice_id__in=practice_ids)}
    return {pk: saved.get(pk) or ReminderPolicy(practice_id=pk) for pk in practice_ids}


def client_preference_for(client) -> ClientPreference:
    return ClientPreference.objects.filter(client=client).first() or ClientPreference(
        practice_id=client.practice_id, client=client
    )


@dataclass(frozen=True)
class ClientReminderSettings:
    policy: ReminderPolicy
    preference: ClientPreference
    rules: object  # timing.ClientRules


def client_reminder_settings(client) -> ClientReminderSettings:
    """The client's saved choices and what is in force (their choices over the defaults)."""
    from reminders.timing import client_rules

    policy = policy_for(client.practice_id)
    preference = client_preference_for(client)
    return ClientReminderSettings(
        policy=policy,
        preference=preference,
        rules=client_rules(policy=policy, preference=preference, client=client),
    )


def staff_preference_for(*, practice, user) -> StaffPreference:
    """``user``: a User or its id."""
    practice_id, user_id = _practice_id(practice), getattr(user, "pk", user)
    return StaffPreference.objects.filter(
        practice_id=practice_id, user_id=user_id
    ).first() or StaffPreference(practice_id=practice_id, user_id=user_id)


def override_for(*, target_type: str, target_id) -> ReminderOverride | None:
    return ReminderOverride.objects.filter(target_type=target_type, target_id=target_id).first()


def overrides_for_assignment(assignment) -> list[ReminderOverride]:
    """The overrides that apply to ``assignment``, most specific first: its own, then its
    pathway's when a pathway step released it."""
    targets = [(OverrideTarget.ASSIGNMENT, assignment.pk)]
    pathway_id = pathway_id_of(assignment)
    if pathway_id is not None:
        targets.append((OverrideTarget.PATHWAY, pathway_id))
    found = {
        (o.target_type, o.target_id): o
        for o in ReminderOverride.objects.filter(target_id__in=[pk for _, pk in targets])
    }
    return [found[target] for target in targets if target in found]


PATHWAY_ORIGIN = "pathway_step"


def pathway_id_of(assignment):
    """The pathway whose step released ``assignment``, if one did."""
    if assignment.origin != PATHWAY_ORIGIN or assignment.origin_id is None:
        return None
    from pathways.models import EnrolmentStep

    return (
        EnrolmentStep.objects.filter(pk=assignment.origin_id)
        .values_list("enrolment__pathway_id", flat=True)
        .first()
    )


# --- The notification centre -----------------------------------------------------------------


def notifications_for_client(client) -> QuerySet:
    """Newest first; pages show the first ``NOTIFICATIONS_SHOWN``."""
    return Notification.objects.filter(client=client, recipient_user=None).order_by(
        "-created_at", "pk"
    )


def notifications_for_staff(membership) -> QuerySet:
    return (
        Notification.objects.filter(practice=membership.practice, recipient_user=membership.user)
        .select_related("client")
        .order_by("-created_at", "pk")
    )


def unread_count_for_client(client) -> int:
    return Notification.objects.filter(client=client, recipient_user=None, read_at=None).count()


def unread_count_for_staff(membership) -> int:
    return Notification.objects.filter(
        practice=membership.practice, recipient_user=membership.user, read_at=None
    ).count()


def notification_for_client(client, notification_id) -> Notification:
    try:
        return Notification.objects.get(pk=notification_id, client=client, recipient_user=None)
    except (Notification.DoesNotExist, ValueError):
        raise Http404 from None


def notification_for_staff(membership, notification_id) -> Notification:
    try:
        return Notification.objects.get(
            pk=notification_id, practice=membership.practice, recipient_user=membership.user
        )
    except (Notification.DoesNotExist, ValueError):
        raise Http404 from None


# --- Delivery problems (owners) --------------------------------------------------------------


@dataclass
class DeliveryProblems:
    failed: list = field(default_factory=list)
    bounces: list = field(default_factory=list)
    fallbacks: list = field(default_factory=list)
    unknown_zones: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.failed or self.bounces or self.fallbacks or self.unknown_zones)


def delivery_problems(practice, *, now=None) -> DeliveryProblems:
    """What an owner should know about: reminders that failed for good, addresses that
    bounce, messages that fell back to the app (or were held), and clients whose time zone
    tzdata no longer knows. Four queries."""
    now = now or timezone.now()
    practice_id = _practice_id(practice)
    since = now - timedelta(days=PROBLEM_DAYS)
    return DeliveryProblems(
        failed=list(
            Reminder.objects.filter(practice_id=practice_id, status=Status.FAILED)
            .select_related("client", "recipient_user")
            .order_by("-updated_at", "pk")[:PROBLEMS_SHOWN]
        ),
        bounces=list(
            EmailBounce.objects.filter(practice_id=practice_id, cleared_at=None).order_by(
                "-created_at", "pk"
            )
        ),
        fallbacks=list(
            Delivery.objects.filter(practice_id=practice_id, problem=True, created_at__gte=since)
            .select_related("reminder__client", "reminder__recipient_user")
            .order_by("-created_at", "pk")[:PROBLEMS_SHOWN]
        ),
        unknown_zones=list(
            Client.objects.filter(practice_id=practice_id)
            .exclude(timezone__in=known_timezones())
            .order_by("full_name", "pk")
        ),
    )


def failed_reminder_get(practice, reminder_id) -> Reminder:
    try:
        return Reminder.objects.get(
            pk=reminder_id, practice_id=_practice_id(practice), status=Status.FAILED
        )
    except (Reminder.DoesNotExist, ValueError):
        raise Http404 from None


def open_bounce_get(practice, bounce_id) -> EmailBounce:
    try:
        return EmailBounce.objects.get(
            pk=bounce_id, practice_id=_practice_id(practice), cleared_at=None
        )
    except (EmailBounce.DoesNotExist, ValueError):
        raise Http404 from None


# What each upcoming reminder is, in the client's words.
_UPCOMING_LABELS: dict[str, str] = {
    Kind.NEW_HOMEWORK: "Something new",
    Kind.STEP_RELEASED: "The next step",
    Kind.DUE_SOON: "Due today",
    Kind.MEASURE_DUE: "Due today",
    Kind.NOT_DONE: "Not done yet",
}


@dataclass(frozen=True)
class UpcomingReminder:
    due_at: object
    label: str
    title: str  # what it is about ("" for a reminder about nothing in particular)


def upcoming_for_client(client, *, limit: int = 5) -> list[UpcomingReminder]:
    """The client's next reminders, each with what it is about (the activity's title) and
    why (due today, not done yet, new): three reminders at 18:00 are three different things.
    The page is the client's own; the messages themselves still name nothing. At most three
    queries, however many reminders."""
    from assignments.models import Assignment, Occurrence

    rows = list(
        Reminder.objects.filter(client=client, recipient_user=None, status=Status.PENDING).order_by(
            "due_at", "pk"
        )[:limit]
    )
    occurrence_ids = [r.object_id for r in rows if r.object_type == "occurrence" and r.object_id]
    assignment_ids = [r.object_id for r in rows if r.object_type == "assignment" and r.object_id]
    titles: dict = {}
    if occurrence_ids:
        for occurrence in Occurrence.objects.filter(
            pk__in=occurrence_ids, assignment__client=client
        ).select_related("assignment__activity_version"):
            titles[occurrence.pk] = occurrence.assignment.title_for_client
    if assignment_ids:
        for assignment in Assignment.objects.filter(
            pk__in=assignment_ids, client=client
        ).select_related("activity_version"):
            titles[assignment.pk] = assignment.title_for_client
    return [
        UpcomingReminder(
            due_at=row.due_at,
            label=_UPCOMING_LABELS.get(row.kind, "Reminder"),
            title=titles.get(row.object_id, ""),
        )
        for row in rows
    ]


# --- The calendar feed -----------------------------------------------------------------------


def open_calendar_feed(client) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(client=client, revoked_at=None).first()


def calendar_feed_by_token(token: str) -> CalendarFeed | None:
    """The open feed with this token, from any practice: a calendar app has no session, so
    the token is what decides whose feed (and which practice) it is."""
    with scopes_disabled():
        return (
            CalendarFeed.objects.select_related("client__practice")
            .filter(token_hash=hash_secret(token), revoked_at=None)
            .first()
        )


def calendar_occurrences(client, *, now=None) -> list:
    """Homework still to do in the next weeks: ids and due times only."""
    from assignments.models import PENDING_STATUSES, AssignmentStatus, Occurrence

    now = now or timezone.now()
    return list(
        Occurrence.objects.filter(
            client=client,
            status__in=PENDING_STATUSES,
            assignment__status=AssignmentStatus.ACTIVE,
            due_at__gte=now - timedelta(days=1),
            due_at__lte=now + timedelta(days=CALENDAR_DAYS),
        )
        .order_by("due_at", "pk")
        .only("pk", "due_at", "updated_at")[:500]
    )


# --- Who is alerted about a flag ------------------------------------------------------------


def active_member_ids(practice_id, user_ids) -> set:
    """Which of ``user_ids`` are members of the practice now, with an account still active."""
    from accounts.models import Membership

    return set(
        Membership.objects.filter(
            practice_id=practice_id, user_id__in=user_ids, user__is_active=True
        ).values_list("user_id", flat=True)
    )


def owner_ids(practice_id) -> list:
    """The practice's active owners; its admins if it has none (a flag always has someone)."""
    from accounts.models import Membership, Role

    members = Membership.objects.filter(practice_id=practice_id, user__is_active=True)
    for role in (Role.OWNER, Role.ADMIN):
        ids = list(
            members.filter(role=role).order_by("created_at").values_list("user_id", flat=True)
        )
        if ids:
            return ids
    return []


def duty_clinician_ids(practice) -> list:
    """The practice's named duty clinicians still active; the owners when none are named."""
    ids = list(
        practice.duty_clinicians.filter(user__is_active=True)
        .order_by("created_at")
        .values_list("user_id", flat=True)
    )
    return ids or owner_ids(practice.pk)


def flag_alert_ids(client) -> list:
    """Who hears at once of a flag on ``client``: the primary therapist and the care team who
    are still members; when the primary therapist has left, also the duty clinicians."""
    therapists = [
        client.primary_therapist_id,
        *client.care_team.values_list("user_id", flat=True),
    ]
    active = active_member_ids(client.practice_id, therapists)
    ids = [pk for pk in dict.fromkeys(therapists) if pk in active]
    if client.primary_therapist_id not in active:
        ids += duty_clinician_ids(client.practice)
    return list(dict.fromkeys(ids))


# --- The therapists' daily digest ------------------------------------------------------------


@dataclass(frozen=True)
class Digest:
    submitted: list
    slipping: list
    # Clients with a flag nobody acknowledged yet, whenever it was raised: first in every
    # digest until it is resolved.
    flagged: list = field(default_factory=list)
    # Clients with measures due and not completed, as "Name (1 of 2)": measures are not
    # homework, so they are named apart from who is slipping.
    measures_missing: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.flagged or self.submitted or self.slipping or self.measures_missing)

    @property
    def email_line(self) -> str:
        sent = len(self.submitted)
        slipping = len(self.slipping)
        line = (
            f"{sent} client{'s' if sent != 1 else ''} sent homework in the last day; "
            f"{slipping} may need a nudge. Sign in to see who."
        )
        if self.flagged:
            flagged = len(self.flagged)
            answers = "an answer" if flagged == 1 else "answers"
            clients = f"{flagged} client{'s' if flagged != 1 else ''}"
            line = f"{clients} with {answers} needing your attention. {line}"
        return line

    @property
    def app_line(self) -> str:
        parts = []
        if self.flagged:
            parts.append("Flagged, not yet seen: " + ", ".join(self.flagged) + ".")
        if self.submitted:
            parts.append("Sent homework: " + ", ".join(self.submitted) + ".")
        if self.slipping:
            parts.append("May need a nudge: " + ", ".join(self.slipping) + ".")
        if self.measures_missing:
            parts.append("Measures completed: " + ", ".join(self.measures_missing) + ".")
        return " ".join(parts)[:300]


def digest_for(membership, *, now=None) -> Digest:
    """Who among the clients ``membership`` sees (not discharged) sent homework in the last
    day, and who is slipping, as the caseload and the dashboard say it
    (``assignments.adherence``), after whoever has a flag still open (discharged or not: a
    flag stays until someone acknowledges it). Four queries."""
    from assignments.adherence import adherence_by_client
    from assignments.models import Flag, Occurrence

    now = now or timezone.now()
    visible = clients_visible_to(membership)
    submitted = (
        Occurrence.objects.filter(
            client__in=visible.values("pk"), submitted_at__gte=now - timedelta(days=1)
        )
        .values_list("client__preferred_name", "client__full_name")
        .distinct()
        .order_by("client__full_name")
    )
    current = visible.exclude(status=ClientStatus.DISCHARGED)
    figures = adherence_by_client(current, practice_id=membership.practice_id, now=now)
    # Who is slipping and who has measures outstanding: their names in one query.
    named = list(
        Client.objects.filter(
            pk__in=[
                pk for pk, a in figures.items() if a.slipping or a.measures_done < a.measures_due
            ]
        )
        .values_list("pk", "preferred_name", "full_name")
        .order_by("full_name")
    )
    slipping = [(p, f) for pk, p, f in named if figures[pk].slipping]
    unmeasured = [
        (pk, p, f) for pk, p, f in named if figures[pk].measures_done < figures[pk].measures_due
    ]
    flagged = (
        visible.filter(pk__in=Flag.objects.filter(acknowledged_at=None).values("client_id"))
        .values_list("preferred_name", "full_name")
        .distinct()
        .order_by("full_name")
    )
    return Digest(
        submitted=[preferred or full for preferred, full in submitted],
        slipping=[preferred or full for preferred, full in slipping],
        flagged=[preferred or full for preferred, full in flagged],
        measures_missing=[
            f"{preferred or full} ({figures[pk].measures_done} of {figures[pk].measures_due})"
            for pk, preferred, full in unmeasured
        ],
    )


# --- The signed preferences link in emails ---------------------------------------------------


@dataclass(frozen=True)
class LinkRecipient:
    practice: "Practice"
    client: Client | None = None
    membership: "Membership | None" = None


def link_recipient(token: str) -> LinkRecipient:
    """Whose preferences a signed link opens. Raises ``links.BadLink`` for a tampered link or
    one whose person is gone."""
    from accounts.models import Membership
    from clients.models import Client

    target = links.read_token(token)
    # There is no session: the signed link, not a scope, says whose preferences these are.
    with scopes_disabled():
        if target.client_id:
            client = Client.objects.select_related("practice").filter(pk=target.client_id).first()
            if client is None:
                raise links.BadLink
            return LinkRecipient(practice=client.practice, client=client)
        # read_token sets both ids when it sets no client.
        assert target.user_id is not None and target.practice_id is not None
        membership = (
            Membership.objects.select_related("practice", "user")
            .filter(user_id=target.user_id, practice_id=target.practice_id)
            .first()
        )
        if membership is None:
            raise links.BadLink
        return LinkRecipient(practice=membership.practice, membership=membership)


def link_preferences(token: str) -> tuple[LinkRecipient, object]:
    """The recipient and their current preferences, for the page behind the link."""
    recipient = link_recipient(token)
    with practice_scope(recipient.practice):
        if recipient.client is not None:
            return recipient, client_preference_for(recipient.client)
        assert recipient.membership is not None  # a recipient is a client or a member
        return recipient, staff_preference_for(
            practice=recipient.practice, user=recipient.membership.user
        )
