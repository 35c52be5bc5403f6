"""Deciding what each reminder a worker claimed gets: sent (and by which channels), held
until quiet hours end, skipped or cancelled, read for a whole task in a fixed number of
queries, and the journal of each external send written before anything goes out
(``reminders.services.engine``)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection

from reminders import channels, links, selectors
from reminders.messages import Message, client_message, staff_message
from reminders.models import (
    FLAG_KINDS,
    OCCURRENCE_KINDS,
    ClientPreference,
    Delivery,
    DeliveryStatus,
    Kind,
    Reminder,
    StaffPreference,
)
from reminders.rows import insert_records
from reminders.timing import ClientRules, client_rules, local_day

# At most one email or text to a person within this long, whatever the daily cap.
PUSH_GAP = timedelta(minutes=30)

SEND, CANCEL, SKIP, DEFER = "send", "cancel", "skip", "defer"


@dataclass
class Plan:
    """What one claimed reminder gets."""

    reminder: Reminder
    action: str
    reason: str = ""
    until: datetime | None = None
    message: Message | None = None
    preferences_url: str = ""
    fallback: bool = False  # shown through the fallback channel (the app): see reminders.channels
    to_send: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    notes: list = field(default_factory=list)


@dataclass(slots=True)
class NewDelivery:
    """A delivery row this task is about to write (``Batch.save_journal``), with the
    attributes of ``Delivery`` the engine reads and sets: a model instance for each cost more
    to build than the row costs to insert."""

    practice_id: uuid.UUID
    reminder_id: uuid.UUID
    client_id: uuid.UUID | None
    channel: str
    idempotency_key: str
    address: str
    status: str = DeliveryStatus.STARTED
    detail: str = ""
    attempts: int = 0
    uncertain: bool = False
    sent_at: datetime | None = None
    pk: uuid.UUID = field(default_factory=uuid.uuid4)

    def get_channel_display(self) -> str:
        return channels.get(self.channel).label


# The first key of the advisory locks the engine takes on clients ("REM1").
_CLIENT_LOCKS = 0x52454D31


def _lock_clients(client_ids) -> None:
    """Two workers sending to the same client take turns, so the daily cap and the gap between
    messages hold: on PostgreSQL, a transaction-scoped advisory lock per client (the second
    key is 32 bits of its id; two clients sharing one only wait for each other), taken in
    one fixed order so that two workers cannot deadlock. No row is written to take them.
    SQLite needs none: its transactions here are IMMEDIATE, one writer at a time."""
    if connection.vendor != "postgresql" or not client_ids:
        return
    keys = sorted(
        {int.from_bytes(uuid.UUID(str(pk)).bytes[:4], "big", signed=True) for pk in client_ids}
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, key) FROM unnest(%s::int[]) AS key",
            [_CLIENT_LOCKS, keys],
        )


class Batch:
    """Everything the reminders of one task need, read in a fixed number of queries."""

    def __init__(self, reminders: list[Reminder], now):
        from accounts.models import Membership, Practice
        from assignments.models import Assignment, Flag, Occurrence

        self.now = now
        # A task's reminders share one or two practices: each read once, not joined to
        # every row (a client's rules fall back on its practice's time zone).
        practice_ids = {r.client.practice_id for r in reminders if r.client is not None}
        practices = Practice.objects.in_bulk(practice_ids)
        for reminder in reminders:
            if reminder.client is not None:
                reminder.client.practice = practices[reminder.client.practice_id]
        # ``for_staff`` spelled out for the type checker: a reminder for staff has a
        # recipient_user, any other a client (the reminder_has_recipient constraint).
        client_ids = {r.client_id for r in reminders if not r.for_staff and r.client_id is not None}
        user_ids = {r.recipient_user_id for r in reminders if r.recipient_user_id is not None}
        self.policies = selectors.policies_for({r.practice_id for r in reminders})
        _lock_clients(client_ids)
        self.preferences = {
            p.client_id: p for p in ClientPreference.objects.filter(client_id__in=client_ids)
        }
        self.staff_preferences = {
            p.user_id: p for p in StaffPreference.objects.filter(user_id__in=user_ids)
        }
        self.members = {
            m.user_id: m
            for m in Membership.objects.filter(user_id__in=user_ids).select_related(
                "practice", "user"
            )
        }
        ids: defaultdict[str, set[uuid.UUID]] = defaultdict(set)
        for r in reminders:
            if r.object_id is not None:
                ids[r.object_type].add(r.object_id)
        self.occurrences = (
            {
                o.pk: o
                for o in Occurrence.objects.filter(pk__in=ids["occurrence"]).select_related(
                    "assignment"
                )
            }
            if ids["occurrence"]
            else {}
        )
        self.assignments = (
            {a.pk: a for a in Assignment.objects.filter(pk__in=ids["assignment"])}
            if ids["assignment"]
            else {}
        )
        self.flags = (
            {f.pk: f for f in Flag.objects.filter(pk__in=ids["flag"])} if ids["flag"] else {}
        )
        # Addresses each external channel may not use now (email: bouncing), by channel.
        self.held = {
            channel.name: channel.held_addresses(reminders) for channel in channels.external()
        }
        self.pushes = defaultdict(list)
        for client_id, reminder_id, at in Delivery.objects.filter(
            client_id__in=client_ids,
            channel__in=channels.interrupting_names(),
            status__in=[DeliveryStatus.STARTED, DeliveryStatus.SENT],
            created_at__gte=now - timedelta(hours=26),
        ).values_list("client_id", "reminder_id", "created_at"):
            self.pushes[client_id].append((reminder_id, at))
        self.deliveries = {
            (d.reminder_id, d.channel): d
            for d in Delivery.objects.filter(reminder__in=[r.pk for r in reminders])
        }
        self.new_deliveries: list[NewDelivery] = []
        self.changed_deliveries: list[Delivery] = []
        # Flag alerts whose recipient left the practice: sent to someone else (``reroute``).
        self.orphaned: list[Reminder] = []

    def rules(self, reminder) -> ClientRules:
        return client_rules(
            policy=self.policies[reminder.practice_id],
            preference=self.preferences.get(reminder.client_id),
            client=reminder.client,
        )

    # --- deciding ---------------------------------------------------------------------

    def plan(self, reminder: Reminder) -> Plan:
        if reminder.for_staff:
            return self._plan_staff(reminder)
        return self._plan_client(reminder)

    def _lapsed(self, reminder) -> str:
        """Why the thing a reminder is about no longer needs it, or ''."""
        from assignments.models import PENDING_STATUSES, AssignmentStatus, OccurrenceStatus

        kind = reminder.kind
        if kind in (Kind.NEW_HOMEWORK, Kind.STEP_RELEASED):
            assignment = self.assignments.get(reminder.object_id)
            if assignment is None or assignment.status != AssignmentStatus.ACTIVE:
                return "The homework was cancelled."
        elif kind in OCCURRENCE_KINDS or kind == Kind.COMPLETION:
            occurrence = self.occurrences.get(reminder.object_id)
            if occurrence is None:
                return "The homework was changed or removed."
            if kind == Kind.COMPLETION:
                return ""
            if occurrence.assignment.status != AssignmentStatus.ACTIVE or (
                occurrence.status == OccurrenceStatus.CANCELLED
            ):
                return "The homework was cancelled."
            if occurrence.submitted_at is not None:
                return "Done: the client sent it."
            if kind != Kind.NOT_DONE and occurrence.status not in PENDING_STATUSES:
                return "No longer due."
        elif kind in FLAG_KINDS:
            flag = self.flags.get(reminder.object_id)
            if flag is None or flag.acknowledged_at is not None:
                return "The flag was already seen."
        return ""

    def _plan_client(self, reminder) -> Plan:
        from clients.models import ClientStatus

        client = reminder.client
        if client.status == ClientStatus.DISCHARGED:
            return Plan(reminder, CANCEL, "Client discharged.")
        lapsed = self._lapsed(reminder)
        if lapsed:
            return Plan(reminder, CANCEL, lapsed)
        if client.status == ClientStatus.PAUSED:
            return Plan(reminder, SKIP, "Client paused.")
        if client.user_id is None:
            return Plan(reminder, SKIP, "The client has no portal access yet.")
        rules = self.rules(reminder)
        if rules.is_quiet(self.now):
            until = rules.out_of_quiet_hours(self.now)
            occurrence = self.occurrences.get(reminder.object_id)
            if reminder.kind != Kind.NOT_DONE and occurrence and until >= occurrence.due_at:
                return Plan(reminder, SKIP, "Quiet hours last until after it is due.")
            return Plan(reminder, DEFER, "Held until the end of quiet hours.", until=until)
        policy = self.policies[reminder.practice_id]
        preference = self.preferences.get(reminder.client_id)

        def address(channel):
            return channel.client_address(client=client, policy=policy, preference=preference)

        plan = Plan(
            reminder,
            SEND,
            message=client_message(kind=reminder.kind, wording=policy.wording, client=client),
            preferences_url=links.client_preferences_url(client),
            fallback=address(channels.fallback()) is not None,
        )
        if rules.zone_note:
            plan.notes.append(rules.zone_note)
        targets = [(channel, address(channel)) for channel in channels.external()]
        targets = [(channel, to) for channel, to in targets if to is not None]
        held = ""
        if any(channel.interrupts for channel, _ in targets):
            held = self._push_held(reminder, rules)
        for channel, to in targets:
            self._journal(plan, channel, to, held if channel.interrupts else "")
        if not (plan.to_send or plan.fallback or self._already_sent(reminder)):
            return Plan(reminder, SKIP, "The client turned every channel off.")
        return plan

    def _push_held(self, reminder, rules: ClientRules) -> str:
        """Why no email or text may go to this client now (snooze, daily cap, a message a
        moment ago), or ''. Counts what this batch already sent."""
        if rules.is_snoozed(self.now):
            return "Reminders are snoozed: shown in the app only."
        others = [(rid, at) for rid, at in self.pushes[reminder.client_id] if rid != reminder.pk]
        today = local_day(self.now, rules.zone)
        if sum(1 for _, at in others if local_day(at, rules.zone) == today) >= rules.daily_cap:
            return "Daily limit reached: shown in the app only."
        if any(at > self.now - PUSH_GAP for _, at in others):
            return "Another reminder went out just before: shown in the app only."
        return ""

    def _already_sent(self, reminder) -> bool:
        return any(
            d.status == DeliveryStatus.SENT
            for (rid, _), d in self.deliveries.items()
            if rid == reminder.pk
        )

    def _journal(self, plan: Plan, channel, address: str, held: str) -> None:
        """Record what happens on ``channel`` (an external one) before anything is sent."""
        reminder = plan.reminder
        delivery: Delivery | NewDelivery | None
        delivery = self.deliveries.get((reminder.pk, channel.name))
        if delivery is not None and delivery.status in (
            DeliveryStatus.SENT,
            DeliveryStatus.SKIPPED,
        ):
            # Decided by an earlier attempt; a push held then still falls back to the app.
            plan.fallback = plan.fallback or delivery.status == DeliveryStatus.SKIPPED
            return
        held = self.held[channel.name].get(address.lower()) or held
        if delivery is None:
            delivery = NewDelivery(
                practice_id=reminder.practice_id,
                reminder_id=reminder.pk,
                client_id=None if reminder.for_staff else reminder.client_id,
                channel=channel.name,
                idempotency_key=f"{reminder.pk}.{channel.name}",
                address=address,
            )
            self.new_deliveries.append(delivery)
        else:
            self.changed_deliveries.append(delivery)
            # A row still "started" means the last attempt died mid-send: outcome unknown.
            delivery.uncertain = delivery.uncertain or delivery.status == DeliveryStatus.STARTED
        if held:
            delivery.status, delivery.detail = DeliveryStatus.SKIPPED, held
            plan.notes.append(held)
            plan.fallback = True  # the fallback shows every held push
            return
        delivery.status, delivery.detail = DeliveryStatus.STARTED, ""
        delivery.attempts += 1
        plan.to_send.append(delivery)
        if delivery.client_id and channel.interrupts:
            self.pushes[delivery.client_id].append((reminder.pk, self.now))

    def _plan_staff(self, reminder) -> Plan:
        member = self.members.get(reminder.recipient_user_id)
        lapsed = self._lapsed(reminder)
        if lapsed:
            return Plan(reminder, CANCEL, lapsed)
        if member is None or not member.user.is_active:
            if reminder.kind in FLAG_KINDS:
                self.orphaned.append(reminder)
                return Plan(
                    reminder,
                    CANCEL,
                    "No longer a member of the practice: sent to the duty clinicians instead.",
                )
            return Plan(reminder, CANCEL, "No longer a member of the practice.")
        urgent = reminder.kind in FLAG_KINDS
        digest = None
        if reminder.kind == Kind.DAILY_DIGEST:
            digest = selectors.digest_for(member, now=self.now)
            if digest.is_empty:
                return Plan(reminder, SKIP, "Nothing to report.")
        preference = self.staff_preferences.get(reminder.recipient_user_id) or StaffPreference()
        fallback = channels.fallback()
        plan = Plan(
            reminder,
            SEND,
            message=staff_message(
                kind=reminder.kind, user=member.user, client=reminder.client, digest=digest
            ),
            preferences_url=links.staff_preferences_url(
                user_id=member.user_id, practice_id=reminder.practice_id
            ),
            fallback=fallback.staff_address(user=member.user, preference=preference, urgent=urgent)
            is not None,
        )
        for channel in channels.external():
            address = channel.staff_address(user=member.user, preference=preference, urgent=urgent)
            if address is not None:
                self._journal(plan, channel, address, "")
        return plan

    def reroute(self) -> None:
        """Flag alerts are never dropped because their recipient left: the duty clinicians
        get them instead, due now (in this transaction, which cancels the originals)."""
        if self.orphaned:
            from reminders.services.schedule import reminders_reroute_flag_alerts

            reminders_reroute_flag_alerts(reminders=self.orphaned, now=self.now)

    def save_journal(self) -> None:
        insert_records(Delivery, self.new_deliveries)
        if self.changed_deliveries:
            Delivery.objects.bulk_update(
                self.changed_deliveries, ["status", "detail", "attempts", "uncertain", "updated_at"]
            )
