"""Time travel: "remind me at 19:00" for a daily assignment fires exactly once each local day
at 19:00, on both sides of each daylight-saving change, for clients in New York, Berlin and
Sydney; quiet hours and the daily cap hold. The sweeper runs every quarter of an hour of the
travelled time, as beat would (every minute) — 19:00 is on a quarter hour in these zones."""

from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django_scopes import scopes_disabled

from clients.models import Client
from reminders.models import Delivery, Kind, Notification, Status
from tests.reminders.conftest import reminders_of

pytestmark = pytest.mark.django_db

DAYS = 5
STEP = timedelta(minutes=15)
# (zone, first day, the change inside the window)
CHANGES = [
    ("America/New_York", date(2025, 3, 7), "spring forward 9 March"),
    ("America/New_York", date(2025, 10, 31), "fall back 2 November"),
    ("Europe/Berlin", date(2025, 3, 28), "spring forward 30 March"),
    ("Europe/Berlin", date(2025, 10, 24), "fall back 26 October"),
    ("Australia/Sydney", date(2025, 4, 4), "autumn, clocks back 6 April"),
    ("Australia/Sydney", date(2025, 10, 3), "spring, clocks forward 5 October"),
]


def _move_client(client, zone_name):
    with scopes_disabled():
        Client.objects.filter(pk=client.pk).update(timezone=zone_name)
        client.refresh_from_db()


def _travel(traveller, sweep, start, end):
    """Sweep every STEP from start to end; return [(when, email)] in order."""
    sent = []
    moment = start
    while moment <= end:
        traveller.move_to(moment)
        before = len(mail.outbox)
        sweep()
        sent += [(moment, message) for message in mail.outbox[before:]]
        moment += STEP
    return sent


@pytest.mark.parametrize(("zone_name", "first_day", "change"), CHANGES)
def test_daily_at_19_fires_once_a_day_at_19_local(
    world, acts, assign, prefer, sweep, zone_name, first_day, change
):
    zone = ZoneInfo(zone_name)
    _move_client(world.client_a, zone_name)
    start = datetime.combine(first_day, time(10, 0), tzinfo=zone)
    with time_machine.travel(start, tick=False) as traveller:
        prefer(
            world.client_a,
            reminder_time=time(19, 0),
            quiet_start=time(21, 30),
            quiet_end=time(7, 30),
            daily_cap=3,
        )
        mail.outbox.clear()
        assign(acts.worksheet, schedule_kind="daily", repeat_days=DAYS, starts_on=first_day)
        sent = [(start, message) for message in mail.outbox]
        end = datetime.combine(first_day + timedelta(days=DAYS), time(23, 0), tzinfo=zone)
        sent += _travel(traveller, sweep, start + STEP, end)

    due_soon = reminders_of(world.client_a, kind=Kind.DUE_SOON)
    assert len(due_soon) == DAYS, change
    for reminder in due_soon:
        assert reminder.status == Status.SENT, (change, reminder.note)
        assert reminder.sent_at.astimezone(zone).time() == time(19, 0), change
    assert sorted(r.sent_at.astimezone(zone).date() for r in due_soon) == [
        first_day + timedelta(days=n) for n in range(DAYS)
    ]

    # The emails: "new homework" at once, then one at 19:00 on each day — "due soon" on the
    # five due days and the one gentle nudge the day after the last — never in quiet hours.
    local_times = [when.astimezone(zone) for when, _ in sent]
    assert local_times[0] == start
    evening = [t for t in local_times if t.time() == time(19, 0)]
    assert Counter(t.date() for t in evening) == {
        first_day + timedelta(days=n): 1 for n in range(DAYS + 1)
    }, change
    assert len(sent) == 1 + DAYS + 1, change
    assert all(time(7, 30) <= t.time() < time(21, 30) for t in local_times)
    # Discreet: the subject never says what the homework is.
    assert {message.subject for _, message in sent} == {"You have something new in Bridgework"}


def test_quiet_hours_hold_a_reminder_until_they_end(world, acts, assign, prefer, sweep):
    zone = ZoneInfo("Europe/London")
    late = datetime(2025, 6, 2, 23, 0, tzinfo=zone)
    with time_machine.travel(datetime(2025, 6, 2, 9, 0, tzinfo=zone), tick=False) as traveller:
        prefer(
            world.client_a, reminder_time=time(12, 0), quiet_start=time(22, 0), quiet_end=time(7, 0)
        )
        assign(acts.worksheet, starts_on=date(2025, 6, 3))
        # The client widens their quiet hours after the reminder was planned for 12:00: the
        # planned row moves; and a row that still comes due inside them is held.
        (due,) = reminders_of(world.client_a, kind=Kind.DUE_SOON)
        with scopes_disabled():
            type(due).objects.filter(pk=due.pk).update(due_at=late)
        mail.outbox.clear()
        sent = _travel(traveller, sweep, late, datetime(2025, 6, 3, 8, 0, tzinfo=zone))
    assert [when.astimezone(zone).time() for when, _ in sent] == [time(7, 0)]
    (due,) = reminders_of(world.client_a, kind=Kind.DUE_SOON)
    assert due.status == Status.SENT
    assert due.attempts == 1  # holding it was not a failed attempt


def test_the_daily_cap_holds_and_the_app_gets_the_rest(world, acts, assign, prefer, sweep):
    zone = ZoneInfo("Europe/London")
    day = date(2025, 6, 2)
    with time_machine.travel(datetime(2025, 6, 2, 8, 0, tzinfo=zone), tick=False) as traveller:
        prefer(world.client_a, daily_cap=2, reminder_time=time(18, 0))
        mail.outbox.clear()
        for hour in (9, 10, 11, 12):
            traveller.move_to(datetime.combine(day, time(hour, 0), tzinfo=zone))
            assign(acts.worksheet, starts_on=day + timedelta(days=3))
        assert len(mail.outbox) == 2
        # The next morning the cap starts again.
        traveller.move_to(datetime.combine(day + timedelta(days=1), time(9, 0), tzinfo=zone))
        assign(acts.worksheet, starts_on=day + timedelta(days=3))
        assert len(mail.outbox) == 3
    with scopes_disabled():
        assert Notification.objects.filter(client=world.client_a, recipient_user=None).count() == 5
        held = Delivery.objects.filter(client=world.client_a, status="skipped")
        assert [d.detail for d in held] == ["Daily limit reached: shown in the app only."] * 2


def test_two_reminders_at_once_send_one_email(world, acts, assign, sweep):
    zone = ZoneInfo("Europe/London")
    with time_machine.travel(datetime(2025, 6, 2, 9, 0, tzinfo=zone), tick=False):
        mail.outbox.clear()
        assign(acts.worksheet, starts_on=date(2025, 6, 4))
        assign(acts.phq9, starts_on=date(2025, 6, 4))
    assert len(mail.outbox) == 1
    with scopes_disabled():
        assert Notification.objects.filter(client=world.client_a).count() == 2
