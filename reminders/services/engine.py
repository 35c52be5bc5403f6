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
3. ``planning`` decides what each claimed reminder gets. Before each send on an external
   channel (``reminders.channels``: email, text) a ``Delivery`` row is committed as
   ``started`` with a fixed idempotency key; it is marked ``sent`` once the provider
   accepts (a few sends at a time, ``MARK_EVERY``, each batch its own quick commit). The
   reminder is then marked sent, and its in-app notification (the fallback channel)
   written, in one transaction — guarded by the claim token, so a worker that lost its
   claim cannot write over the next one's result.

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
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import BooleanField, F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django_scopes import scopes_disabled

from reminders import channels
from reminders.models import Delivery, DeliveryStatus, Reminder, Status
from reminders.services.planning import CANCEL, DEFER, SKIP, Batch, Plan

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
        chunk: list[str]
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


# --- The worker: claim (``planning`` decides), send, record ------------------------------


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
    outcomes: Counter[str] = Counter()
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
            batch = Batch(reminders, now)
            plans = [batch.plan(reminder) for reminder in reminders]
            batch.reroute()
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
