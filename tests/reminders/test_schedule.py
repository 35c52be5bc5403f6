"""Planning: which reminders an assignment gets, in the client's time, once each; and how
homework changes (cancelled, done, re-planned) move or cancel them."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_scopes import scopes_disabled

from core.tenancy import practice_scope
from reminders.models import Kind, Reminder, Status
from reminders.services.schedule import reminders_plan_assignment
from tests.reminders.conftest import WORKSHEET_ANSWERS, reminders_of

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def local(moment, zone=LONDON):
    return moment.astimezone(zone)


@time_machine.travel(datetime(2025, 6, 2, 9, 0, tzinfo=LONDON), tick=False)
def test_an_assignment_gets_new_homework_due_soon_and_a_nudge(world, acts, assign, prefer):
    prefer(world.client_a, reminder_time=time(19, 0), quiet_start=time(22, 0), quiet_end=time(7, 0))
    assignment = assign(acts.worksheet, starts_on=datetime(2025, 6, 3).date())
    rows = reminders_of(world.client_a)
    kinds = [(r.kind, local(r.due_at).strftime("%m-%d %H:%M")) for r in rows]
    assert kinds == [
        (Kind.NEW_HOMEWORK, "06-02 09:00"),
        (Kind.DUE_SOON, "06-03 19:00"),
        (Kind.NOT_DONE, "06-04 19:00"),
    ]
    assert rows[0].object_id == assignment.pk
    # "New homework" went out at once; the others wait for their time.
    assert [r.status for r in rows] == [Status.SENT, Status.PENDING, Status.PENDING]


@time_machine.travel(datetime(2025, 6, 2, 9, 0, tzinfo=LONDON), tick=False)
def test_planning_twice_makes_no_second_row(world, acts, assign):
    assignment = assign(acts.worksheet, starts_on=datetime(2025, 6, 3).date())
    before = len(reminders_of(world.client_a))
    with practice_scope(world.practice_a), scopes_disabled():
        assignment.refresh_from_db()
    with practice_scope(world.practice_a):
        reminders_plan_assignment(assignment=assignment, announce=True)
        reminders_plan_assignment(assignment=assignment, announce=True)
    assert len(reminders_of(world.client_a)) == before


@time_machine.travel(datetime(2025, 6, 2, 23, 30, tzinfo=LONDON), tick=False)
def test_new_homework_assigned_in_quiet_hours_waits_for_their_end(world, acts, assign, prefer):
    prefer(
        world.client_a, reminder_time=time(19, 0), quiet_start=time(22, 0), quiet_end=time(7, 30)
    )
    assign(acts.worksheet, starts_on=datetime(2025, 6, 4).date())
    (new,) = reminders_of(world.client_a, kind=Kind.NEW_HOMEWORK)
    assert local(new.due_at) == datetime(2025, 6, 3, 7, 30, tzinfo=LONDON)


@time_machine.travel(datetime(2025, 6, 2, 9, 0, tzinfo=LONDON), tick=False)
def test_a_measure_gets_measure_due(world, acts, assign):
    assign(acts.phq9, starts_on=datetime(2025, 6, 3).date())
    kinds = {r.kind for r in reminders_of(world.client_a)}
    assert Kind.MEASURE_DUE in kinds
    assert Kind.DUE_SOON not in kinds


@time_machine.travel(datetime(2025, 6, 2, 9, 0, tzinfo=LONDON), tick=False)
def test_daily_homework_gets_no_nudge_on_days_it_is_due_again(world, acts, assign):
    assign(
        acts.worksheet, schedule_kind="daily", repeat_days=3, starts_on=datetime(2025, 6, 2).date()
    )
    nudges = reminders_of(world.client_a, kind=Kind.NOT_DONE)
    assert [local(r.due_at).date().isoformat() for r in nudges] == ["2025-06-05"]


@time_machine.travel(datetime(2025, 6, 2, 9, 0, tzinfo=LONDON), tick=False)
def test_cancelling_the_assignment_cancels_its_pending_reminders(world, acts, assign):
    from assignments.services.assigning import assignment_cancel
    from tests.assignments.fixtures import membership_of

    assignment = assign(acts.worksheet, starts_on=datetime(2025, 6, 3).date())
    with practice_scope(world.practice_a):
        assignment_cancel(
            assignment=assignment, actor=membership_of(world.practice_a, world.therapist_a)
        )
    pending = reminders_of(world.client_a, status=Status.PENDING)
    assert pending == []
    assert {r.status for r in reminders_of(world.client_a)} <= {Status.CANCELLED, Status.SENT}


def test_sending_the_homework_cancels_its_reminders_and_alerts_if_asked(
    world, acts, assign, submit, mailoutbox
):
    from reminders.services.preferences import staff_preference_update

    with time_machine.travel(datetime(2025, 6, 2, 9, 0, tzinfo=LONDON), tick=False):
        assignment = assign(acts.worksheet, starts_on=datetime(2025, 6, 3).date())
        with practice_scope(world.practice_a):
            staff_preference_update(
                practice=world.practice_a, user=world.therapist_a, completion_alerts=True
            )
        with scopes_disabled():
            occurrence = assignment.occurrences.get()
        mailoutbox.clear()
        submit(occurrence, WORKSHEET_ANSWERS)
    rows = reminders_of(world.client_a, object_id=occurrence.pk)
    client_rows = [r for r in rows if r.recipient_user_id is None]
    assert {r.status for r in client_rows} == {Status.CANCELLED}
    (alert,) = [r for r in rows if r.recipient_user_id == world.therapist_a.pk]
    assert alert.kind == Kind.COMPLETION
    assert alert.status == Status.SENT
    assert [m.to for m in mailoutbox] == [[world.therapist_a.email]]
    assert "homework" not in mailoutbox[0].subject.lower()


@time_machine.travel(datetime(2025, 6, 2, 9, 0, tzinfo=LONDON), tick=False)
def test_a_new_reminder_time_moves_pending_reminders(world, acts, assign, prefer):
    assign(acts.worksheet, starts_on=datetime(2025, 6, 3).date())
    prefer(world.client_a, reminder_time=time(12, 15))
    (due,) = reminders_of(world.client_a, kind=Kind.DUE_SOON, status=Status.PENDING)
    assert local(due.due_at) == datetime(2025, 6, 3, 12, 15, tzinfo=LONDON)


@time_machine.travel(datetime(2025, 6, 2, 9, 0, tzinfo=LONDON), tick=False)
def test_discharging_the_client_cancels_their_reminders(world, acts, assign):
    from clients.models import ClientStatus
    from clients.services import client_set_status

    assign(acts.worksheet, starts_on=datetime(2025, 6, 3).date())
    with practice_scope(world.practice_a):
        client_set_status(client=world.client_a, actor=None, status=ClientStatus.DISCHARGED)
    assert reminders_of(world.client_a, status=Status.PENDING) == []


def test_reminder_rows_keep_to_their_practice(world, acts, assign):
    assign(acts.worksheet)
    with scopes_disabled():
        practices = set(Reminder.objects.values_list("practice_id", flat=True))
    assert practices == {world.practice_a.pk}
