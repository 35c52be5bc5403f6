"""Two sweepers, and two workers handed the same rows, at the same moment (PostgreSQL:
SKIP LOCKED and row locks are what is being tested). Each reminder goes out once."""

import threading
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django_scopes import scopes_disabled

from core.tenancy import practice_scope
from reminders.models import Delivery, Notification, Reminder, Status
from reminders.services import engine
from tests.postgres import postgres_only
from tests.reminders.helpers import clients_with_due_reminders

pytestmark = [*postgres_only, pytest.mark.django_db(transaction=True)]
COUNT = 60


@pytest.fixture(autouse=True)
def midday():
    """Outside anyone's quiet hours, whenever the tests run (the clock keeps ticking)."""
    with time_machine.travel(datetime(2025, 6, 2, 12, 0, tzinfo=ZoneInfo("Europe/London"))):
        yield


def _together(work, times=2):
    """Run ``work(i)`` in ``times`` threads released at once; re-raise their errors."""
    barrier = threading.Barrier(times)
    errors = []

    def run(i):
        try:
            barrier.wait()
            work(i)
        except Exception as exc:  # handed back to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _assert_each_sent_once(reminders):
    ids = {r.pk for r in reminders}
    with scopes_disabled():
        statuses = Counter(Reminder.objects.filter(pk__in=ids).values_list("status", flat=True))
        deliveries = Counter(
            Delivery.objects.filter(reminder_id__in=ids).values_list("reminder_id", flat=True)
        )
        notifications = Notification.objects.filter(reminder_id__in=ids).count()
    assert statuses == {Status.SENT: len(ids)}
    assert set(deliveries.values()) == {1} and len(deliveries) == len(ids)
    assert notifications == len(ids)
    addresses = Counter(m.to[0] for m in mail.outbox if m.to[0].startswith("many"))
    assert len(addresses) == len(ids) and set(addresses.values()) == {1}


def test_two_sweepers_at_once_send_each_reminder_once(world, acts, assign):
    reminders = clients_with_due_reminders(world, assign(acts.worksheet), COUNT)
    enqueued = []

    def sweep(_):
        enqueued.append(engine.reminders_sweep(batch_size=7))

    _together(sweep)
    assert sum(enqueued) == COUNT  # SKIP LOCKED: no row was taken by both
    _assert_each_sent_once(reminders)


def test_two_workers_handed_the_same_rows_send_each_once(world, acts, assign):
    reminders = clients_with_due_reminders(world, assign(acts.worksheet), COUNT)
    ids = [r.pk for r in reminders]

    def deliver(i):
        with practice_scope(world.practice_a):
            # Opposite orders, so that the two claims interleave.
            engine.reminders_deliver(reminder_ids=ids if i else ids[::-1])

    _together(deliver)
    _assert_each_sent_once(reminders)


def test_two_workers_sending_to_one_client_take_turns(world, acts, assign):
    """Two reminders for one client, in two tasks handled at the same moment: the client's
    lock makes the second worker see the first one's email, so the gap between messages
    holds (one email; the other reminder reaches the app only)."""
    (first,) = clients_with_due_reminders(world, assign(acts.worksheet), 1)
    other = assign(acts.worksheet, client=world.client_a)
    with scopes_disabled():
        second = Reminder.objects.create(
            practice=world.practice_a,
            client_id=first.client_id,
            kind=first.kind,
            object_type="assignment",
            object_id=other.pk,
            local_day=first.local_day,
            dedupe_key=f"{first.dedupe_key}:second",
            scheduled_for=first.due_at,
            due_at=first.due_at,
        )
    mail.outbox.clear()

    def deliver(i):
        with practice_scope(world.practice_a):
            engine.reminders_deliver(reminder_ids=[(first, second)[i].pk])

    _together(deliver)
    assert [m.to[0] for m in mail.outbox] == ["many0@alpha.test"]
    with scopes_disabled():
        rows = list(Reminder.objects.filter(pk__in=[first.pk, second.pk]))
        outcomes = sorted(
            Delivery.objects.filter(reminder__in=rows).values_list("status", flat=True)
        )
        notifications = Notification.objects.filter(reminder__in=rows).count()
    assert {row.status for row in rows} == {Status.SENT}
    assert outcomes == ["sent", "skipped"]
    assert notifications == 2
    assert any("just before" in row.note for row in rows)
