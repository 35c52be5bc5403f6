"""The delivery engine: the beat sweeper, and a worker's claim → send → record.

The database is the source of truth (DESIGN.md, Jobs). A message in Redis only says "look at
these rows now"; losing one (Redis restarted) or getting one twice (a redelivery after a
worker died) changes nothing, because:

1. The sweeper selects due pending rows ``FOR UPDATE SKIP LOCKED`` in batches (two sweepers
   take different rows), stamps ``enqueued_at`` and enqueues a tenant task with their ids
   after the commit. A row still pending long after it was enqueued lost its message and is
   enqueued again; a row left in ``sending`` past the lease lost its worker and is put back
   to pending.
2. The worker claims rows with one conditional UPDATE (``WHERE status='pending' AND due_at
   <= now``) that also writes a fresh ``claim_token``, and works only on the rows carrying
   its token: a row is claimed by one worker at a time, whatever the queue delivers.
3. Before each email or text goes out, a ``Delivery`` row is committed as ``started`` with a
   fixed idempotency key; it is marked ``sent`` once the provider accepts (a few sends at a
   time, ``MARK_EVERY``, each batch its own quick commit). The reminder is then marked sent,
   and its in-app notification written, in one transaction — guarded by the claim token, so
   a worker that lost its claim cannot write over the next one's result.

What is left is an at-least-once window per external send: a crash after the provider
accepted a message and before its ``Delivery`` row says ``sent`` (at most ``MARK_EVERY``
messages of a task at once), or a worker frozen for longer than the lease mid-send. The next
attempt then finds ``started``, knows the outcome is unknown, sends again with the *same* key
(the email's Message-ID) and flags the delivery ``uncertain`` for the owner. Providers that
honour idempotency keys, and mail clients that collapse a repeated Message-ID, show it once; a
plain SMTP relay may deliver it twice. In-app notifications are exactly once: they are
written in the same transaction as the status.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import BooleanField, F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django_scopes import scopes_disabled

from reminders import channels, links, selectors
from reminders.messages import Message, client_message, staff_message
from reminders.models import (
    OCCURRENCE_KINDS,
    ClientPreference,
    Delivery,
    DeliveryStatus,
    Kind,
    Reminder,
    StaffPreference,
    Status,
)
from reminders.rows import insert_records
from reminders.timing import ClientRules, client_rules, local_day

SWEEP_BATCH = 500
# Reminders per worker task. Each task has fixed costs (two durable commits, a dozen reads to
# plan its batch), so larger chunks send faster; smaller ones spread a sweep over more workers.
TASK_CHUNK = 250
# A worker that claimed a row this long ago and never finished is gone.
SENDING_LEASE = timedelta(minutes=5)
# A row enqueued this long ago and still pending lost its message.
REQUEUE_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 5
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15))
# At most one email or text to a person within this long, whatever the daily cap.
PUSH_GAP = timedelta(minutes=30)

SEND, CANCEL, SKIP, DEFER = "send", "cancel", "skip", "defer"


# --- The sweeper -----------------------------------------------------------------------------


def outbox_row(reminder: Reminder) -> tuple:
    return (reminder.pk, reminder.practice_id, reminder.client_id, reminder.recipient_user_id)


def enqueue_delivery(rows) -> None:
    """After the commit, hand rows (``outbox_row``) to workers: one task per practice and
    chunk, a recipient's rows kept in one chunk (so the daily cap and the gap between
    messages see them together)."""
    from reminders.tasks import deliver_reminders

    by_practice = defaultdict(list)
    for pk, practice_id, client_id, user_id in rows:
        by_practice[practice_id].append((str(client_id or ""), str(user_id or ""), str(pk)))
    for practice_id, items in by_practice.items():
        items.sort()
        chunk, last_recipient = [], None
        for client_id, user_id, pk in items:
            recipient = (client_id, user_id)
            if len(chunk) >= TASK_CHUNK and recipient != last_recipient:
                deliver_reminders.delay_on_commit(reminder_ids=chunk, practice_id=str(practice_id))
                chunk = []
            chunk.append(pk)
            last_recipient = recipient
        deliver_reminders.delay_on_commit(reminder_ids=chunk, practice_id=str(practice_id))


def _recover_lost_claims(now) -> int:
    """Rows a worker claimed and never finished (it was killed): back to pending, or failed
    once they have used up their attempts (a reminder that kills every worker it meets)."""
    expired = Reminder.objects.filter(status=Status.SENDING, claimed_at__lt=now - SENDING_LEASE)
    expired.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Status.FAILED,
        claim_token=None,
        last_error=f"The worker stopped while sending, {MAX_ATTEMPTS} times.",
        updated_at=now,
    )
    return expired.update(
        status=Status.PENDING,
        claim_token=None,
        enqueued_at=None,
        last_error="The worker stopped while sending; queued again.",
        updated_at=now,
    )


def _after(due_at, pk) -> RawSQL:
    """Keyset pagination: rows after (due_at, id), as one row comparison that the index on
    (due_at, id) answers with a seek. Each batch starts where the last one ended, instead of
    walking again past the rows this sweep already enqueued (thousands of reminders share a
    due time: everyone's 19:00)."""
    fields = Reminder._meta
    return RawSQL(
        '("reminders_reminder"."due_at", "reminders_reminder"."id") > (%s, %s)',
        (
            fields.get_field("due_at").get_db_prep_value(due_at, connection),
            fields.pk.get_db_prep_value(pk, connection),
        ),
        output_field=BooleanField(),
    )


def reminders_sweep(*, now=None, batch_size: int = SWEEP_BATCH) -> int:
    """Enqueue every due reminder (beat, every minute). Returns how many rows it enqueued."""
    now = now or timezone.now()
    enqueued = 0
    after = None
    # The outbox is one queue for all practices: the sweeper reads it across practices and
    # hands each row to a tenant task that runs in that row's practice scope.
    with scopes_disabled():
        _recover_lost_claims(now)
        while True:
            with transaction.atomic():
                due = Reminder.objects.select_for_update(skip_locked=True).filter(
                    Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=now - REQUEUE_AFTER),
                    status=Status.PENDING,
                    due_at__lte=now,
                )
                if after is not None:
                    due = due.filter(_after(*after))
                rows = list(
                    due.order_by("due_at", "pk").values_list(
                        "pk", "practice_id", "client_id", "recipient_user_id", "due_at"
                    )[:batch_size]
                )
                if not rows:
                    break
                Reminder.objects.filter(pk__in=[row[0] for row in rows]).update(enqueued_at=now)
                enqueue_delivery(row[:4] for row in rows)
            enqueued += len(rows)
            if len(rows) < batch_size:
                break
            after = (rows[-1][4], rows[-1][0])
    return enqueued


# --- The worker ------------------------------------------------------------------------------


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
    """A delivery row this task is about to write (``_Batch.save_journal``), with the
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


class _Batch:
    """Everything the reminders of one task need, read in a fixed number of queries."""

    def __init__(self, reminders: list[Reminder], now):
        from accounts.models import Membership, Practice
        from assignments.models import Assignment, Flag, Occurrence

        self.now = now
        # A task's reminders share one or two practices: each read once, not joined to
        # every row (a client's rules fall back on its practice's time zone).
        practice_ids = {r.client.practice_id for r in reminders if r.client_id}
        practices = Practice.objects.in_bulk(practice_ids)
        for reminder in reminders:
            if reminder.client_id:
                reminder.client.practice = practices[reminder.client.practice_id]
        client_ids = {r.client_id for r in reminders if not r.for_staff}
        user_ids = {r.recipient_user_id for r in reminders if r.for_staff}
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
        ids = defaultdict(set)
        for r in reminders:
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
        elif kind == Kind.FLAGGED_SCORE:
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
        if member is None:
            return Plan(reminder, CANCEL, "No longer a member of the practice.")
        lapsed = self._lapsed(reminder)
        if lapsed:
            return Plan(reminder, CANCEL, lapsed)
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
            fallback=fallback.staff_address(user=member.user, preference=preference) is not None,
        )
        for channel in channels.external():
            address = channel.staff_address(user=member.user, preference=preference)
            if address is not None:
                self._journal(plan, channel, address, "")
        return plan

    def save_journal(self) -> None:
        insert_records(Delivery, self.new_deliveries)
        if self.changed_deliveries:
            Delivery.objects.bulk_update(
                self.changed_deliveries, ["status", "detail", "attempts", "uncertain", "updated_at"]
            )


def _claim(reminder_ids, now) -> tuple[uuid.UUID, int]:
    token = uuid.uuid4()
    claimed = Reminder.objects.filter(
        pk__in=reminder_ids, status=Status.PENDING, due_at__lte=now
    ).update(
        status=Status.SENDING,
        claimed_at=now,
        claim_token=token,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    return token, claimed


@contextmanager
def _quick_marks():
    """Let the outcome marks commit without waiting for the disk (PostgreSQL).

    Marks (``_Marks``) are their own small commits, made while the task is still sending; with
    ``synchronous_commit`` off for the session a commit returns as soon as the rows are
    written, without the WAL flush. They are visible at once and survive a worker crash; only
    a crash of the database server in the next fraction of a second could lose them. The
    transactions that must be durable — the journal written before any send, and the final
    record — turn synchronous commit back on (``_durable``), and a durable commit flushes all
    the WAL before it, marks included.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


@contextmanager
def _durable():
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO ON")
        yield


# "Sent" marks are written a few sends at a time: one statement per email would cost more than
# the send itself. The price is the at-least-once window: a worker killed after the provider
# accepted a message and before its mark was written leaves that delivery "started"; the next
# attempt sends it again with the same Message-ID and flags it uncertain. Up to this many
# messages of one task can be in that window at once.
MARK_EVERY = 10


class _Marks:
    """Each channel's outcome, recorded as soon as it is known: failures at once, sends every
    ``MARK_EVERY`` (see above)."""

    def __init__(self):
        self.sent: list = []

    def mark_sent(self, delivery: Delivery) -> None:
        self.sent.append(delivery.pk)
        if len(self.sent) >= MARK_EVERY:
            self.flush()

    def mark_failed(self, delivery: Delivery, error: str) -> None:
        self.flush()
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, detail=error, updated_at=timezone.now()
        )

    def flush(self) -> None:
        """One UPDATE by primary key, written out: the ORM's ``filter(pk__in=…).update()``
        cost more in Python than the statement costs the database."""
        if not self.sent:
            return
        meta = Delivery._meta
        now = meta.get_field("sent_at").get_db_prep_value(timezone.now(), connection)
        ids = [meta.pk.get_db_prep_value(pk, connection) for pk in self.sent]
        # The placeholders and the table's name are the only text put into the SQL.
        placeholders = ", ".join(["%s"] * len(ids))
        sql = (
            f"UPDATE {connection.ops.quote_name(meta.db_table)}"  # noqa: S608
            " SET status = %s, sent_at = %s, detail = '', updated_at = %s"
            f" WHERE id IN ({placeholders})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [DeliveryStatus.SENT, now, now, *ids])
        self.sent = []


def _send(plans: list[Plan]) -> None:
    """Send each journalled channel of each plan, over one session per channel, and record
    each outcome (``_Marks``). A provider error is recorded on the plan: retried with
    backoff, or failed after ``MAX_ATTEMPTS``."""
    marks = _Marks()
    with channels.sessions() as senders:
        for plan in plans:
            for delivery in plan.to_send:
                try:
                    senders[delivery.channel].send(
                        message=plan.message,
                        address=delivery.address,
                        idempotency_key=delivery.idempotency_key,
                        preferences_url=plan.preferences_url,
                    )
                except Exception as exc:  # any provider error: recorded, retried with backoff
                    error = f"{delivery.get_channel_display()}: {exc.__class__.__name__}: {exc}"
                    plan.errors.append(error[:300])
                    marks.mark_failed(delivery, error[:300])
                else:
                    marks.mark_sent(delivery)
        marks.flush()


def _finish(plans: list[Plan], token, now) -> Counter:
    """Record every outcome, and write the in-app notifications of the reminders this
    worker still holds (checked by claim token), in one transaction."""
    outcomes = Counter()
    groups = defaultdict(list)
    notify = []
    for plan in plans:
        reminder = plan.reminder
        note = "; ".join(dict.fromkeys(plan.notes))[:300]
        if plan.action == CANCEL:
            groups[(Status.CANCELLED, plan.reason)].append(plan)
        elif plan.action == SKIP:
            groups[(Status.SKIPPED, plan.reason)].append(plan)
        elif plan.action == DEFER:
            won = Reminder.objects.filter(pk=reminder.pk, claim_token=token).update(
                status=Status.PENDING,
                due_at=plan.until,
                enqueued_at=None,
                claim_token=None,
                attempts=F("attempts") - 1,  # a hold is not a failed attempt
                note=plan.reason,
                updated_at=now,
            )
            outcomes["deferred"] += won
        elif plan.errors and reminder.attempts >= MAX_ATTEMPTS:
            groups[(Status.FAILED, "; ".join(plan.errors)[:500])].append(plan)
        elif plan.errors:
            delay = RETRY_DELAYS[min(reminder.attempts, len(RETRY_DELAYS)) - 1]
            outcomes["retry"] += Reminder.objects.filter(pk=reminder.pk, claim_token=token).update(
                status=Status.PENDING,
                due_at=now + delay,
                enqueued_at=None,
                claim_token=None,
                last_error="; ".join(plan.errors)[:500],
                updated_at=now,
            )
        else:
            groups[(Status.SENT, note)].append(plan)
    for (status, text), members in groups.items():
        ids = [plan.reminder.pk for plan in members]
        fields = {"status": status, "updated_at": now}
        if status == Status.SENT:
            fields["sent_at"] = now
            if text:
                fields["note"] = text
        elif status == Status.FAILED:
            fields["last_error"] = text
        else:
            fields["note"] = text
        mine = Reminder.objects.filter(pk__in=ids, claim_token=token, status=Status.SENDING)
        won = mine.update(**fields)
        if won != len(ids):
            ours = set(
                Reminder.objects.filter(pk__in=ids, claim_token=token, status=status).values_list(
                    "pk", flat=True
                )
            )
            members = [plan for plan in members if plan.reminder.pk in ours]
        outcomes[status] += len(members)
        if status in (Status.SENT, Status.FAILED):
            notify += [plan for plan in members if plan.fallback or status == Status.FAILED]
    channels.fallback().record(notify)
    return +outcomes  # without the zero counts


def reminders_deliver(*, reminder_ids, now=None) -> Counter:
    """Claim, send and record the given reminders (a worker's task). Rows another worker
    holds, rows already done and rows not yet due are left alone. Returns the outcomes."""
    now = now or timezone.now()
    token, claimed = _claim(reminder_ids, now)
    if not claimed:
        return Counter()
    reminders = list(
        # By id (the primary key index) and token: only the rows this claim won.
        Reminder.objects.filter(pk__in=reminder_ids, claim_token=token).select_related(
            "client", "recipient_user"
        )
    )
    with _quick_marks():
        with _durable():
            batch = _Batch(reminders, now)
            plans = [batch.plan(reminder) for reminder in reminders]
            batch.save_journal()
        _send([plan for plan in plans if plan.to_send])
        with _durable():
            return _finish(plans, token, now)


@transaction.atomic
def reminder_retry(*, reminder: Reminder, actor) -> Reminder:
    """An owner sends a failed reminder again: pending now, with fresh attempts."""
    now = timezone.now()
    Reminder.objects.filter(pk=reminder.pk, status=Status.FAILED).update(
        status=Status.PENDING,
        due_at=now,
        attempts=0,
        enqueued_at=now,
        claim_token=None,
        last_error="",
        note=f"Sent again by {actor.get_short_name()}.",
        updated_at=now,
    )
    enqueue_delivery([outbox_row(reminder)])
    reminder.refresh_from_db()
    return reminder
