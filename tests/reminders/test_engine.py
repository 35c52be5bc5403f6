"""The engine: a claimed row is sent once whatever the queue does; lost claims come back;
a send whose outcome was lost is sent again with the same key and flagged; transient errors
retry with backoff and then fail visibly; bounces, snoozes, bad time zones fall back to the
app without stopping anything."""

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django_scopes import scopes_disabled

from clients.models import Client, ClientStatus
from core.tenancy import practice_scope
from privacy.models import ConsentKind
from reminders.models import (
    Delivery,
    DeliveryStatus,
    Kind,
    Notification,
    Reminder,
    ReminderPolicy,
    Status,
)
from reminders.services import engine, planning
from reminders.services.preferences import client_preference_snooze
from tests.postgres import needs_postgres
from tests.privacy.factories import answer, publish
from tests.reminders.conftest import reminders_of

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
MORNING = datetime(2025, 6, 2, 9, 0, tzinfo=LONDON)


@pytest.fixture
def due_row(world, acts, assign, prefer):
    """A "due soon" reminder for client A that is due now (10:00 on 3 June, London); its
    assignment was made the day before at 09:00."""
    with time_machine.travel(MORNING, tick=False):
        prefer(world.client_a, reminder_time=time(10, 0))
        assign(acts.worksheet, starts_on=date(2025, 6, 3))
    (row,) = reminders_of(world.client_a, kind=Kind.DUE_SOON)
    mail.outbox.clear()
    return row


def deliver(row, when=None):
    with practice_scope(row.practice_id):
        return engine.reminders_deliver(reminder_ids=[row.pk], now=when or row.due_at)


def refreshed(row) -> Reminder:
    with scopes_disabled():
        return Reminder.objects.get(pk=row.pk)


def deliveries(row) -> list[Delivery]:
    with scopes_disabled():
        return list(Delivery.objects.filter(reminder_id=row.pk))


def notifications(client) -> list[Notification]:
    with scopes_disabled():
        return list(Notification.objects.filter(client=client, recipient_user=None))


def test_delivering_twice_sends_once(world, due_row):
    with time_machine.travel(due_row.due_at, tick=False):
        assert deliver(due_row) == {"sent": 1}
        assert deliver(due_row) == {}
    assert len(mail.outbox) == 1
    (delivery,) = deliveries(due_row)
    assert (delivery.channel, delivery.status, delivery.uncertain) == ("email", "sent", False)
    row = refreshed(due_row)
    assert (row.status, row.attempts) == (Status.SENT, 1)
    assert len(notifications(world.client_a)) == 2  # "new homework" and this one


def test_a_row_not_yet_due_is_not_claimed(due_row):
    assert deliver(due_row, when=due_row.due_at - timedelta(minutes=1)) == {}
    assert refreshed(due_row).status == Status.PENDING


def test_the_email_is_discreet_with_text_html_and_one_click_unsubscribe(world, acts, due_row):
    with time_machine.travel(due_row.due_at, tick=False):
        deliver(due_row)
    (message,) = mail.outbox
    assert message.subject == "You have something new in Bridgework"
    assert acts.worksheet.title not in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html" and acts.worksheet.title not in html
    assert "Open Bridgework to see it." in html  # the preview line
    headers = message.extra_headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = headers["List-Unsubscribe"].strip("<>")
    assert link.startswith("http") and "/r/" in link
    assert link in message.body and link in html
    assert headers["Message-ID"] == f"<{due_row.pk}.email@localhost>"


def test_the_practice_chooses_the_subject_from_safe_wordings(world, due_row):
    with scopes_disabled():
        ReminderPolicy.objects.update_or_create(
            practice=world.practice_a, defaults={"wording": "gentle"}
        )
    with time_machine.travel(due_row.due_at, tick=False):
        deliver(due_row)
    assert mail.outbox[0].subject == "A gentle reminder from Bridgework"


def _crashed_mid_send(world, row, *, email_status):
    """As a worker leaves things when it dies mid-send: the row claimed (attempt 1) and the
    email's delivery journalled with ``email_status``."""
    with scopes_disabled():
        Reminder.objects.filter(pk=row.pk).update(
            status=Status.SENDING, claimed_at=row.due_at, attempts=1
        )
        Delivery.objects.create(
            practice_id=row.practice_id,
            reminder_id=row.pk,
            client=world.client_a,
            channel="email",
            status=email_status,
            idempotency_key=f"{row.pk}.email",
            address=world.client_a.email,
            attempts=1,
        )


def test_a_lost_claim_is_recovered_and_an_unknown_outcome_resent_with_the_same_key(
    world, due_row, sweep
):
    """A worker claimed the row, journalled the email as started, then died (before or
    after the provider took it: nobody knows)."""
    _crashed_mid_send(world, due_row, email_status=DeliveryStatus.STARTED)
    with time_machine.travel(due_row.due_at + timedelta(minutes=4), tick=False):
        sweep()
        assert mail.outbox == []  # still within the lease: the worker may be alive
    with time_machine.travel(due_row.due_at + timedelta(minutes=6), tick=False):
        sweep()
    (message,) = mail.outbox
    assert message.extra_headers["Message-ID"] == f"<{due_row.pk}.email@localhost>"
    (delivery,) = deliveries(due_row)
    assert (delivery.status, delivery.uncertain, delivery.attempts) == ("sent", True, 2)
    assert refreshed(due_row).status == Status.SENT


def test_a_send_recorded_before_the_crash_is_not_sent_again(world, due_row, sweep):
    """The worker died after the email's Delivery row said "sent" but before the reminder
    was marked: the retry writes the in-app copy and sends no second email."""
    _crashed_mid_send(world, due_row, email_status=DeliveryStatus.SENT)
    with time_machine.travel(due_row.due_at + timedelta(minutes=6), tick=False):
        sweep()
    assert mail.outbox == []
    assert refreshed(due_row).status == Status.SENT
    assert len(notifications(world.client_a)) == 2


def test_a_worker_that_lost_its_claim_cannot_overwrite_the_next_one(world, due_row):
    now = due_row.due_at
    with practice_scope(due_row.practice_id):
        stale_token, _ = engine._claim([due_row.pk], now)
        with scopes_disabled():
            engine._recover_lost_claims(now + engine.SENDING_LEASE + timedelta(seconds=1))
        assert engine.reminders_deliver(reminder_ids=[due_row.pk], now=now) == {"sent": 1}
        stale = planning.Plan(refreshed(due_row), planning.CANCEL, "stale worker")
        assert engine._finish([stale], stale_token, now) == {}
    assert refreshed(due_row).status == Status.SENT


@override_settings(EMAIL_BACKEND="tests.reminders.backends.FailingBackend")
def test_transient_errors_retry_with_backoff_then_fail_and_show_to_the_owner(
    world, due_row, sweep, web
):
    moment = due_row.due_at
    gaps = []
    with time_machine.travel(moment, tick=False) as traveller:
        for _ in range(engine.MAX_ATTEMPTS):
            sweep()
            row = refreshed(due_row)
            if row.status != Status.PENDING:
                break
            gaps.append(row.due_at - moment)
            moment = row.due_at
            traveller.move_to(moment)
    assert gaps == [timedelta(minutes=m) for m in (1, 5, 15, 15)]
    row = refreshed(due_row)
    assert (row.status, row.attempts) == (Status.FAILED, engine.MAX_ATTEMPTS)
    assert "SMTPServerDisconnected" in row.last_error
    # The client still sees it in the app; the owner sees it and can send it again.
    assert len(notifications(world.client_a)) == 2
    page = web(world.owner_a).get("/practice/reminders/problems/")
    assert page.status_code == 200
    assert "Failed after several tries" in page.content.decode()
    assert "SMTPServerDisconnected" in page.content.decode()
    retry = web(world.owner_a).post(f"/practice/reminders/problems/{row.pk}/retry/")
    assert retry.status_code == 302
    assert refreshed(due_row).attempts == 0


@override_settings(EMAIL_BACKEND="tests.reminders.backends.SessionBackend")
def test_one_mail_session_per_task_and_every_outcome_recorded(world, acts, assign):
    """A task's emails share one session with the mail server; a refused address fails
    alone (the session is reopened for the rest), and each delivery records its own outcome
    although "sent" marks are written a few at a time."""
    from tests.reminders.backends import SessionBackend
    from tests.reminders.helpers import clients_with_due_reminders

    count = 2 * engine.MARK_EVERY + 5
    with time_machine.travel(datetime(2025, 6, 3, 12, 0, tzinfo=LONDON), tick=False):
        rows = clients_with_due_reminders(world, assign(acts.worksheet), count)
        mail.outbox.clear()
        SessionBackend.sessions, SessionBackend.refused = 0, {"many7@alpha.test"}
        with practice_scope(world.practice_a):
            outcome = engine.reminders_deliver(reminder_ids=[row.pk for row in rows])
    assert outcome == {"sent": count - 1, "retry": 1}
    assert SessionBackend.sessions == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        f"many{n}@alpha.test" for n in range(count) if n != 7
    )
    with scopes_disabled():
        statuses = dict(Delivery.objects.filter(reminder__in=rows).values_list("address", "status"))
        refused = Delivery.objects.get(address="many7@alpha.test")
    assert statuses == {
        f"many{n}@alpha.test": DeliveryStatus.FAILED if n == 7 else DeliveryStatus.SENT
        for n in range(count)
    }
    assert "SMTPRecipientsRefused" in refused.detail
    assert refreshed(rows[7]).status == Status.PENDING  # retried later with backoff
    assert "SMTPRecipientsRefused" in refreshed(rows[7]).last_error


def test_a_bouncing_address_falls_back_to_the_app_and_shows_to_the_owner(world, due_row, web):
    call_command("reminders_mark_bouncing", world.client_a.email, reason="550 no such user")
    with time_machine.travel(due_row.due_at, tick=False):
        assert deliver(due_row) == {"sent": 1}
    assert mail.outbox == []
    (delivery,) = deliveries(due_row)
    assert (delivery.status, delivery.detail) == (
        "skipped",
        "Email address is bouncing: shown in the app only.",
    )
    assert len(notifications(world.client_a)) == 2
    assert "bouncing" in refreshed(due_row).note
    page = web(world.owner_a).get("/practice/reminders/problems/").content.decode()
    assert world.client_a.email in page and "550 no such user" in page
    # Practice B's owner sees nothing of it.
    page_b = web(world.owner_b).get("/practice/reminders/problems/").content.decode()
    assert world.client_a.email not in page_b


def test_a_time_zone_tzdata_no_longer_has_does_not_stop_the_sweeper(world, due_row, sweep, web):
    with scopes_disabled():
        Client.objects.filter(pk=world.client_a.pk).update(timezone="America/Gone_City")
    with time_machine.travel(due_row.due_at, tick=False):
        assert sweep() == 1
    row = refreshed(due_row)
    assert row.status == Status.SENT
    assert "“America/Gone_City” is unknown" in row.note
    assert len(mail.outbox) == 1
    page = web(world.owner_a).get("/practice/reminders/problems/").content.decode()
    assert "America/Gone_City" in page


def test_a_snoozed_client_gets_it_in_the_app_only(world, due_row):
    earlier = due_row.due_at - timedelta(hours=1)
    with time_machine.travel(earlier, tick=False), practice_scope(world.practice_a):
        client_preference_snooze(client=world.client_a, days=1)
    with time_machine.travel(due_row.due_at, tick=False):
        deliver(due_row)
    assert mail.outbox == []
    assert refreshed(due_row).status == Status.SENT
    assert len(notifications(world.client_a)) == 2


def test_a_paused_client_is_skipped_and_a_discharged_one_cancelled(world, due_row):
    with scopes_disabled():
        Client.objects.filter(pk=world.client_a.pk).update(status=ClientStatus.PAUSED)
    with time_machine.travel(due_row.due_at, tick=False):
        deliver(due_row)
    assert refreshed(due_row).status == Status.SKIPPED
    assert mail.outbox == []


def test_sms_goes_through_the_development_backend_to_the_log(world, due_row, caplog, prefer):
    with scopes_disabled():
        ReminderPolicy.objects.update_or_create(practice=world.practice_a, defaults={"sms": True})
    prefer(world.client_a, sms=True, phone="+44 7700 900123", email=False)
    answer(world.client_a, publish(world.practice_a, ConsentKind.SMS))
    with scopes_disabled():
        Reminder.objects.filter(pk=due_row.pk).update(due_at=due_row.due_at)
    (row,) = reminders_of(world.client_a, kind=Kind.DUE_SOON)
    with (
        caplog.at_level(logging.INFO, logger="reminders.sms"),
        time_machine.travel(row.due_at, tick=False),
    ):
        deliver(row)
    assert mail.outbox == []
    (record,) = caplog.records
    assert "…0123" in record.getMessage() and "Something is due soon" in record.getMessage()
    assert "+447700900123" not in record.getMessage()


def test_a_flagged_answer_alerts_the_therapists_at_once(world, acts, assign, submit):
    from tests.reminders.conftest import phq9_answers

    with time_machine.travel(MORNING, tick=False):
        assignment = assign(acts.phq9)
        with scopes_disabled():
            occurrence = assignment.occurrences.get()
        mail.outbox.clear()
        submit(occurrence, phq9_answers(item9="2"))
    (message,) = mail.outbox
    assert message.to == [world.therapist_a.email]
    assert message.subject == "A client’s answer needs your attention"
    assert "PHQ" not in message.body and world.client_a.full_name not in message.body
    with scopes_disabled():
        (note,) = Notification.objects.filter(recipient_user=world.therapist_a)
    assert note.kind == Kind.FLAGGED_SCORE
    assert note.link == f"/clients/{world.client_a.pk}/"


def test_the_daily_digest_names_who_sent_and_who_slips(world, acts, assign, submit, sweep):
    from reminders.services.schedule import reminders_plan_digests
    from tests.reminders.conftest import WORKSHEET_ANSWERS

    with time_machine.travel(MORNING, tick=False):
        assignment = assign(acts.worksheet)
        with scopes_disabled():
            occurrence = assignment.occurrences.get()
        submit(occurrence, WORKSHEET_ANSWERS)
        assert reminders_plan_digests() == 6 * 1  # every member of both practices
        assert reminders_plan_digests() == 6  # proposed again, but no new rows
    with scopes_disabled():
        digests = Reminder.objects.filter(kind=Kind.DAILY_DIGEST)
        assert digests.count() == 6
        assert {r.due_at.astimezone(LONDON).time() for r in digests} == {time(8, 0)}
    mail.outbox.clear()
    with time_machine.travel(datetime(2025, 6, 3, 8, 0, tzinfo=LONDON), tick=False):
        sweep()
    # Those who see the client (their therapist, the owner) have something to report.
    assert sorted(m.to[0] for m in mail.outbox) == [world.owner_a.email, world.therapist_a.email]
    assert all(world.client_a.full_name not in m.body for m in mail.outbox)
    assert "1 client sent homework in the last day" in mail.outbox[0].body
    with scopes_disabled():
        notes = Notification.objects.filter(kind=Kind.DAILY_DIGEST)
        assert all("Alpha Client" in n.body for n in notes)
        skipped = Reminder.objects.filter(kind=Kind.DAILY_DIGEST, status=Status.SKIPPED)
        assert skipped.count() == 4  # "Nothing to report."


def test_rows_of_two_practices_are_each_sent_in_their_own_scope(world, acts, assign, sweep):
    with time_machine.travel(MORNING, tick=False):
        assign(acts.worksheet, starts_on=date(2025, 6, 3))
        assign(acts.worksheet_b, client=world.client_b, starts_on=date(2025, 6, 3))
    mail.outbox.clear()
    with time_machine.travel(datetime(2025, 6, 3, 18, 0, tzinfo=LONDON), tick=False):
        assert sweep() == 2
    assert sorted(m.to[0] for m in mail.outbox) == [world.client_a.email, world.client_b.email]


def test_no_task_is_scheduled_ahead_with_countdown_or_eta():
    """Later work waits in the database (due_at), not in the broker: a restarted Redis loses
    nothing. No reminders code passes countdown or eta."""
    from pathlib import Path

    import reminders

    source = "".join(p.read_text() for p in Path(reminders.__file__).parent.rglob("*.py"))
    assert "countdown" not in source and "eta=" not in source


def delivery_updates() -> tuple[int, int]:
    """Rows of the delivery table updated, and of those heap-only (HOT) updates, as counted by
    PostgreSQL: this transaction's, plus those of recent ones not yet reported. Nothing is
    reported while a transaction is open, so a difference taken within a test is exact."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_stat_get_xact_tuples_updated(%s::regclass),"
            " pg_stat_get_xact_tuples_hot_updated(%s::regclass)",
            ["reminders_delivery", "reminders_delivery"],
        )
        return cursor.fetchone()


@needs_postgres
def test_a_sent_mark_is_a_heap_only_update(world, acts, assign):
    """Marking deliveries sent (thousands a minute) touches no index: no index mentions the
    status and each page keeps room (migration 0004)."""
    from tests.reminders.helpers import clients_with_due_reminders

    count = engine.MARK_EVERY + 2
    with time_machine.travel(datetime(2025, 6, 3, 12, 0, tzinfo=LONDON), tick=False):
        rows = clients_with_due_reminders(world, assign(acts.worksheet), count)
        updated, hot = delivery_updates()
        with practice_scope(world.practice_a):
            outcome = engine.reminders_deliver(reminder_ids=[row.pk for row in rows])
    assert outcome == {"sent": count}
    now_updated, now_hot = delivery_updates()
    assert (now_updated - updated, now_hot - hot) == (count, count)


def test_a_task_runs_the_same_queries_however_many_reminders_it_holds(world, acts, assign):
    """Claim, plan, journal, send, mark and record: a fixed number of statements per task (and
    one "sent" mark per ``MARK_EVERY`` sends), not a query per reminder."""
    from django.test.utils import CaptureQueriesContext

    from tests.reminders.helpers import clients_with_due_reminders

    queries = {}
    with time_machine.travel(datetime(2025, 6, 3, 12, 0, tzinfo=LONDON), tick=False):
        rows = clients_with_due_reminders(world, assign(acts.worksheet), 33)
        for task in (rows[:3], rows[3:]):
            with practice_scope(world.practice_a), CaptureQueriesContext(connection) as captured:
                assert engine.reminders_deliver(reminder_ids=[row.pk for row in task]) == {
                    "sent": len(task)
                }
            marks = -(-len(task) // engine.MARK_EVERY)
            queries[len(task)] = len(captured) - marks
    assert queries[3] == queries[30]
