"""Putting reminders in the outbox, moving them, and taking them out again.

Planning is idempotent: it works out the rows an assignment (or a flag, a submission, a
therapist's day) should have, updates the due time of pending rows whose rule moved, cancels
pending rows that no longer apply and inserts the missing ones. Inserts ignore conflicts on
the dedupe key (recipient, kind, object, local day), so planning twice — two signals, a retry,
a re-plan after a preference change — never makes a second row to send.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from reminders import selectors
from reminders.models import (
    CLIENT_KINDS,
    Kind,
    Reminder,
    Status,
)
from reminders.timing import (
    client_rules,
    due_soon_moment,
    homework_rules,
    local_day,
    next_local_time,
    nudge_moments,
    zone_named,
)


@dataclass(frozen=True)
class Planned:
    kind: str
    object_type: str
    object_id: UUID | None
    due_at: datetime
    day: date

    def key(self, recipient: str) -> str:
        return f"{recipient}:{self.kind}:{self.object_id or '-'}:{self.day.isoformat()}"


def client_recipient(client_id) -> str:
    return f"c:{client_id}"


def staff_recipient(user_id) -> str:
    return f"u:{user_id}"


def _rows(planned: list[Planned], *, practice_id, client_id, user_id, recipient, now, note=""):
    return [
        Reminder(
            practice_id=practice_id,
            client_id=client_id,
            recipient_user_id=user_id,
            kind=item.kind,
            object_type=item.object_type,
            object_id=item.object_id,
            local_day=item.day,
            dedupe_key=item.key(recipient),
            scheduled_for=item.due_at,
            due_at=item.due_at,
            # Rows due now are handed to a worker at once (below); the sweeper is the net.
            enqueued_at=now if item.due_at <= now else None,
            note=note,
        )
        for item in planned
    ]


def _insert(rows: list[Reminder], *, now) -> None:
    """Insert, skipping rows whose dedupe key is taken, and queue those already due."""
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    due = [row for row in rows if row.due_at <= now]
    if due:
        from reminders.services.engine import enqueue_delivery, outbox_row

        enqueue_delivery([outbox_row(row) for row in due])


def _sync(desired: list[Reminder], *, practice_id, scope_ids: list, now) -> None:
    """Make the pending rows about ``scope_ids`` be exactly ``desired``: move the ones whose
    time changed, cancel the ones no longer wanted, insert the new ones."""
    keys = {row.dedupe_key: row for row in desired}
    existing = Reminder.objects.filter(practice_id=practice_id, dedupe_key__in=keys).exclude(
        status=Status.CANCELLED
    )
    taken = set()
    for row in existing.only("pk", "dedupe_key", "status", "due_at"):
        taken.add(row.dedupe_key)
        wanted = keys[row.dedupe_key]
        if row.status == Status.PENDING and row.due_at != wanted.due_at:
            Reminder.objects.filter(pk=row.pk, status=Status.PENDING).update(
                due_at=wanted.due_at,
                scheduled_for=wanted.due_at,
                enqueued_at=None,
                updated_at=now,
            )
    Reminder.objects.filter(status=Status.PENDING, object_id__in=scope_ids).exclude(
        dedupe_key__in=keys
    ).update(status=Status.CANCELLED, note="No longer needed: the plan changed.", updated_at=now)
    _insert([row for key, row in keys.items() if key not in taken], now=now)


@transaction.atomic
def reminders_plan_assignment(*, assignment, announce: bool, now=None) -> int:
    """Plan the client's reminders for ``assignment``: "new homework" (or "pathway step
    released") at once when ``announce``, "due soon" (or "measure due") at the client's
    reminder time before each occurrence, and up to N "not done yet" nudges after it. Returns
    how many rows it wants pending."""
    from assignments.models import PENDING_STATUSES, AssignmentStatus, Occurrence
    from clients.models import ClientStatus

    now = now or timezone.now()
    client = assignment.client
    occurrences = list(
        Occurrence.objects.filter(assignment=assignment).only(
            "pk", "due_at", "local_date", "status"
        )
    )
    future = [o for o in occurrences if o.status in PENDING_STATUSES and o.due_at > now]
    scope_ids = [o.pk for o in future]
    if client.status == ClientStatus.DISCHARGED or assignment.status != AssignmentStatus.ACTIVE:
        reminders_cancel_about(
            object_ids=[assignment.pk, *scope_ids], reason="The homework was cancelled."
        )
        return 0
    policy = selectors.policy_for(assignment.practice_id)
    rules = client_rules(
        policy=policy, preference=selectors.client_preference_for(client), client=client
    )
    homework = homework_rules(
        policy=policy, overrides=selectors.overrides_for_assignment(assignment)
    )
    if not homework.enabled:
        reminders_cancel_about(
            object_ids=[assignment.pk, *scope_ids], reason="Reminders are off for this homework."
        )
        return 0
    zone = rules.zone
    planned = []
    if announce and homework.new_homework:
        released = assignment.origin == selectors.PATHWAY_ORIGIN
        kind = Kind.STEP_RELEASED if released else Kind.NEW_HOMEWORK
        at = rules.out_of_quiet_hours(now)
        planned.append(Planned(kind, "assignment", assignment.pk, at, local_day(at, zone)))
    due_kind = Kind.MEASURE_DUE if assignment.activity_version.is_measure else Kind.DUE_SOON
    # A nudge on a day the same assignment is due again would say the same as that day's
    # "due soon": skip it.
    due_days = {o.local_date for o in occurrences}
    for occurrence in future:
        if homework.due_soon:
            at = rules.out_of_quiet_hours(
                due_soon_moment(occurrence.due_at, zone, rules.reminder_time)
            )
            if now < at < occurrence.due_at:
                planned.append(
                    Planned(due_kind, "occurrence", occurrence.pk, at, local_day(at, zone))
                )
        for moment in nudge_moments(
            occurrence.due_at, zone, rules.reminder_time, homework.nudge_limit
        ):
            at = rules.out_of_quiet_hours(moment)
            if local_day(at, zone) not in due_days:
                planned.append(
                    Planned(Kind.NOT_DONE, "occurrence", occurrence.pk, at, local_day(at, zone))
                )
    desired = _rows(
        planned,
        practice_id=assignment.practice_id,
        client_id=client.pk,
        user_id=None,
        recipient=client_recipient(client.pk),
        now=now,
        note=rules.zone_note,
    )
    _sync(desired, practice_id=assignment.practice_id, scope_ids=scope_ids, now=now)
    return len(desired)


@transaction.atomic
def reminders_replan_client(*, client, now=None) -> int:
    """Re-plan every active assignment of ``client`` (after their time zone, status or
    reminder preferences changed). A discharged client's pending reminders are cancelled."""
    from assignments.models import Assignment, AssignmentStatus
    from clients.models import ClientStatus

    if client.status == ClientStatus.DISCHARGED:
        return Reminder.objects.filter(
            client=client, recipient_user=None, status=Status.PENDING
        ).update(status=Status.CANCELLED, note="Client discharged.", updated_at=timezone.now())
    assignments = Assignment.objects.filter(
        client=client, status=AssignmentStatus.ACTIVE
    ).select_related("client__practice", "activity_version")
    for assignment in assignments:
        reminders_plan_assignment(assignment=assignment, announce=False, now=now)
    return 0


@transaction.atomic
def reminders_replan_practice(*, practice_id, now=None) -> int:
    """Re-plan every client of the practice who has something pending (after the practice
    changed its defaults). Returns how many clients it re-planned."""
    from clients.models import Client

    clients = Client.objects.filter(
        practice_id=practice_id,
        pk__in=Reminder.objects.filter(status=Status.PENDING, kind__in=CLIENT_KINDS).values(
            "client_id"
        ),
    ).select_related("practice")
    count = 0
    for client in clients:
        reminders_replan_client(client=client, now=now)
        count += 1
    return count


@transaction.atomic
def reminders_cancel_about(*, object_ids: list, reason: str, kinds=None) -> int:
    """Cancel the pending reminders about these objects (an assignment cancelled, an
    occurrence sent)."""
    pending = Reminder.objects.filter(status=Status.PENDING, object_id__in=object_ids)
    if kinds is not None:
        pending = pending.filter(kind__in=kinds)
    return pending.update(status=Status.CANCELLED, note=reason[:300], updated_at=timezone.now())


def _staff_today(practice, now):
    zone, _ = zone_named(practice.default_timezone)
    return local_day(now, zone)


def _staff_rows(kind: str, flag, user_ids, *, at, practice, now) -> list[Reminder]:
    zone, _ = zone_named(practice.default_timezone)
    item = Planned(kind, "flag", flag.pk, at, local_day(at, zone))
    rows = []
    for user_id in dict.fromkeys(user_ids):
        rows += _rows(
            [item],
            practice_id=practice.pk,
            client_id=flag.client_id,
            user_id=user_id,
            recipient=staff_recipient(user_id),
            now=now,
        )
    return rows


@transaction.atomic
def reminders_alert_flag(*, flag, now=None) -> int:
    """A flagged answer (PHQ-9 item 9 above 0, …): alert the client's therapists at once —
    the primary therapist and the care team, or the duty clinicians when the primary
    therapist has left — in the app and by email (``FLAG_KINDS``), and plan its escalation.
    Unacknowledged ``practice.escalate_after`` after it was raised, it goes to the duty
    clinicians (the owners when none are named), and ``escalate_again_after`` later to every
    owner. Both are outbox rows due then, cancelled by the worker if the flag was
    acknowledged by that time; the intervals are elapsed time (UTC), whatever the clocks on
    the wall did in between. Returns how many rows it proposed (existing ones are skipped)."""
    now = now or timezone.now()
    client = flag.client
    practice = client.practice
    first = flag.created_at + practice.escalate_after
    second = first + practice.escalate_again_after
    # Who is alerted when: the same staff rows at each of the three steps.
    stages = (
        (Kind.FLAGGED_SCORE, selectors.flag_alert_ids(client), now),
        (Kind.FLAG_UNSEEN, selectors.duty_clinician_ids(practice), first),
        (Kind.FLAG_UNSEEN_OWNERS, selectors.owner_ids(practice.pk), second),
    )
    rows = [
        row
        for kind, staff_ids, at in stages
        for row in _staff_rows(kind, flag, staff_ids, at=at, practice=practice, now=now)
    ]
    _insert(rows, now=now)
    return len(rows)


def reminders_reroute_flag_alerts(*, reminders: list[Reminder], now) -> int:
    """Alerts about a flag whose recipient left the practice before it went out go, with the
    same kind and at once, to the duty clinicians (the owners when none are named) instead.
    Run by the worker inside the transaction that cancels the originals. Returns how many
    rows it proposed."""
    from accounts.models import Practice
    from assignments.models import Flag

    rows = []
    flags = Flag.objects.in_bulk({r.object_id for r in reminders})
    practices = Practice.objects.in_bulk({r.practice_id for r in reminders})
    for reminder in reminders:
        flag = flags.get(reminder.object_id)
        if flag is None:
            continue
        practice = practices[reminder.practice_id]
        rows += _staff_rows(
            reminder.kind,
            flag,
            selectors.duty_clinician_ids(practice),
            at=now,
            practice=practice,
            now=now,
        )
    _insert(rows, now=now)
    return len(rows)


@transaction.atomic
def reminders_note_submission(*, occurrence, now=None) -> int:
    """The client sent an occurrence: its "due soon" and "not done yet" reminders lapse, and
    a primary therapist who asked for completion alerts gets one."""
    from reminders.models import OCCURRENCE_KINDS

    now = now or timezone.now()
    reminders_cancel_about(
        object_ids=[occurrence.pk], reason="Done: the client sent it.", kinds=OCCURRENCE_KINDS
    )
    client = occurrence.client
    therapist_id = client.primary_therapist_id
    preference = selectors.staff_preference_for(practice=client.practice_id, user=therapist_id)
    if not preference.completion_alerts:
        return 0
    item = Planned(
        Kind.COMPLETION, "occurrence", occurrence.pk, now, _staff_today(client.practice, now)
    )
    _insert(
        _rows(
            [item],
            practice_id=client.practice_id,
            client_id=client.pk,
            user_id=therapist_id,
            recipient=staff_recipient(therapist_id),
            now=now,
        ),
        now=now,
    )
    return 1


def reminders_plan_digests(*, now=None) -> int:
    """Make sure every therapist who wants a daily digest has one planned for their next
    digest time (the practice's time zone). Run hourly by beat; safe to run any number of
    times. Returns how many rows it proposed (existing ones are skipped)."""
    from accounts.models import Membership
    from reminders.models import StaffPreference

    now = now or timezone.now()
    # One beat task plans for every practice, so it reads memberships across practices; each
    # row it writes carries its own practice.
    with scopes_disabled(), transaction.atomic():
        memberships = list(
            Membership.objects.filter(user__is_active=True).select_related("practice")
        )
        opted_out = set(
            StaffPreference.objects.filter(daily_digest=False).values_list("practice_id", "user_id")
        )
        policies = selectors.policies_for({m.practice_id for m in memberships})
        rows = []
        for membership in memberships:
            if (membership.practice_id, membership.user_id) in opted_out:
                continue
            zone, _ = zone_named(membership.practice.default_timezone)
            at = next_local_time(now, zone, policies[membership.practice_id].digest_time)
            item = Planned(Kind.DAILY_DIGEST, "", None, at, local_day(at, zone))
            rows += _rows(
                [item],
                practice_id=membership.practice_id,
                client_id=None,
                user_id=membership.user_id,
                recipient=staff_recipient(membership.user_id),
                now=now,
            )
        _insert(rows, now=now)
    return len(rows)
