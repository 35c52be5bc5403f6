"""A flagged answer cannot go unseen: the therapists are alerted at once, by email and in the
app whatever their choices, quiet hours and caps; a flag nobody acknowledges is escalated to
the duty clinicians and then to every owner, through the outbox, exactly once, counted in
elapsed time; a therapist who left is replaced, never dropped; open flags lead every digest."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Membership, Practice
from assignments.models import Flag
from core.tenancy import practice_scope
from reminders.models import Kind, Notification, Reminder, StaffPreference, Status
from reminders.selectors import digest_for
from tests.factories import MembershipFactory, UserFactory
from tests.reminders.conftest import phq9_answers

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
# Inside every quiet hours (21:00–08:00 by default) and after the day's emails ran out.
LATE = datetime(2025, 6, 2, 23, 30, tzinfo=LONDON)
SUBJECT = "A client’s answer needs your attention"


@pytest.fixture
def raise_flag(world, acts, assign, submit):
    """raise_flag(at) → the Flag of a PHQ-9 with item 9 answered "2", sent at ``at``;
    ``meanwhile`` runs between assigning it and the answer."""

    def make(at, meanwhile=None):
        with time_machine.travel(at, tick=False):
            assignment = assign(acts.phq9)
            if meanwhile is not None:
                meanwhile()
            with scopes_disabled():
                occurrence = assignment.occurrences.get()
            mail.outbox.clear()
            submit(occurrence, phq9_answers(item9="2"))
        with scopes_disabled():
            return Flag.objects.get(client=world.client_a)

    return make


def mails_to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


def rows(flag, **filters) -> list[Reminder]:
    with scopes_disabled():
        return list(Reminder.objects.filter(object_id=flag.pk, **filters).order_by("due_at"))


def acknowledge(flag, user):
    with scopes_disabled():
        Flag.objects.filter(pk=flag.pk).update(acknowledged_at=timezone.now(), acknowledged_by=user)


def test_the_therapist_gets_an_email_with_copies_off_in_quiet_hours(world, raise_flag):
    with scopes_disabled():
        StaffPreference.objects.create(
            practice=world.practice_a, user=world.therapist_a, email=False
        )
    raise_flag(LATE)
    (message,) = mails_to(world.therapist_a)
    assert message.subject == SUBJECT
    assert "PHQ" not in message.body and world.client_a.full_name not in message.body
    with scopes_disabled():
        (note,) = Notification.objects.filter(recipient_user=world.therapist_a)
    assert note.kind == Kind.FLAGGED_SCORE


def test_the_care_team_is_alerted_with_the_therapist(world, raise_flag):
    from clients.models import CareTeamMember

    with scopes_disabled():
        CareTeamMember.objects.create(
            practice=world.practice_a, client=world.client_a, user=world.colleague_a
        )
    raise_flag(LATE)
    assert len(mails_to(world.therapist_a)) == 1
    assert len(mails_to(world.colleague_a)) == 1
    assert mails_to(world.owner_a) == []


def test_unacknowledged_after_two_hours_it_is_escalated_once_even_with_two_sweeps(
    world, raise_flag, sweep
):
    flag = raise_flag(LATE)
    with time_machine.travel(LATE + timedelta(hours=1, minutes=59), tick=False):
        sweep()
    assert mails_to(world.owner_a) == []
    with time_machine.travel(LATE + timedelta(hours=2), tick=False):
        sweep()
        sweep()
    (message,) = mails_to(world.owner_a)  # no duty clinicians named: the owners
    assert message.subject == SUBJECT
    (row,) = rows(flag, kind=Kind.FLAG_UNSEEN)
    assert row.status == Status.SENT
    with time_machine.travel(LATE + timedelta(hours=4), tick=False):
        sweep()
        sweep()
    assert len(mails_to(world.owner_a)) == 2
    (again,) = rows(flag, kind=Kind.FLAG_UNSEEN_OWNERS)
    assert again.status == Status.SENT
    assert len(mails_to(world.therapist_a)) == 1  # only the first alert


def test_named_duty_clinicians_get_the_first_escalation_and_owners_the_second(
    world, raise_flag, sweep
):
    with scopes_disabled():
        world.practice_a.duty_clinicians.add(
            Membership.objects.get(practice=world.practice_a, user=world.colleague_a)
        )
    raise_flag(LATE)
    with time_machine.travel(LATE + timedelta(hours=2), tick=False):
        sweep()
    assert len(mails_to(world.colleague_a)) == 1
    assert mails_to(world.owner_a) == []
    with time_machine.travel(LATE + timedelta(hours=4), tick=False):
        sweep()
    assert len(mails_to(world.owner_a)) == 1
    assert len(mails_to(world.colleague_a)) == 1


def test_acknowledged_before_the_interval_nothing_is_escalated(world, raise_flag, sweep):
    flag = raise_flag(LATE)
    with time_machine.travel(LATE + timedelta(hours=1), tick=False):
        acknowledge(flag, world.therapist_a)
    with time_machine.travel(LATE + timedelta(hours=5), tick=False):
        sweep()
    assert mails_to(world.owner_a) == []
    assert {
        row.status for row in rows(flag, kind__in=[Kind.FLAG_UNSEEN, Kind.FLAG_UNSEEN_OWNERS])
    } == {Status.CANCELLED}


def test_the_practice_sets_the_intervals(world, raise_flag, sweep):
    with scopes_disabled():
        Practice.objects.filter(pk=world.practice_a.pk).update(
            escalate_after=timedelta(minutes=30), escalate_again_after=timedelta(hours=1)
        )
    flag = raise_flag(LATE)
    first, second = rows(flag, kind__in=[Kind.FLAG_UNSEEN, Kind.FLAG_UNSEEN_OWNERS])
    assert first.due_at == flag.created_at + timedelta(minutes=30)
    assert second.due_at == flag.created_at + timedelta(minutes=90)


def leaves(world):
    def run():
        with scopes_disabled():
            Membership.objects.filter(practice=world.practice_a, user=world.therapist_a).delete()

    return run


def test_when_the_therapist_has_left_the_owners_are_alerted_at_once(world, raise_flag):
    raise_flag(LATE, meanwhile=leaves(world))
    assert mails_to(world.therapist_a) == []
    (message,) = mails_to(world.owner_a)
    assert message.subject == SUBJECT


def test_a_therapist_who_leaves_before_the_alert_goes_out_is_replaced(
    world, raise_flag, sweep, monkeypatch
):
    from reminders.services import schedule

    # The alert is planned but not sent (its worker's message was lost) …
    monkeypatch.setattr(schedule, "_insert", _insert_without_enqueue(schedule._insert))
    flag = raise_flag(LATE)
    monkeypatch.undo()
    # … and the therapist leaves before the sweeper hands it to a worker again.
    leaves(world)()
    with time_machine.travel(LATE + timedelta(minutes=6), tick=False):
        sweep()
    assert mails_to(world.therapist_a) == []
    (message,) = mails_to(world.owner_a)
    assert message.subject == SUBJECT
    (original,) = rows(flag, kind=Kind.FLAGGED_SCORE, recipient_user=world.therapist_a)
    assert original.status == Status.CANCELLED
    assert "duty clinicians instead" in original.note


def _insert_without_enqueue(insert):
    def run(rows, *, now):
        Reminder.objects.bulk_create(rows, ignore_conflicts=True)

    return run


def test_a_duty_clinician_who_left_is_not_counted(world, raise_flag):
    leaver = MembershipFactory(practice=world.practice_a, user=UserFactory(email="gone@alpha.test"))
    with scopes_disabled():
        world.practice_a.duty_clinicians.add(leaver)
        leaver.user.is_active = False
        leaver.user.save()
    raise_flag(LATE, meanwhile=leaves(world))
    assert len(mails_to(world.owner_a)) == 1
    assert mail.outbox and all(m.to != ["gone@alpha.test"] for m in mail.outbox)


def test_across_a_daylight_saving_change_the_interval_is_elapsed_time(world, raise_flag, sweep):
    # 00:30 GMT on 30 March 2025; at 01:00 GMT London's clocks jump to 02:00 BST. Two hours
    # later is 02:30 UTC (03:30 on the wall), not 02:30 on the wall (01:30 UTC).
    raised = datetime(2025, 3, 30, 0, 30, tzinfo=UTC)
    flag = raise_flag(raised)
    with time_machine.travel(datetime(2025, 3, 30, 1, 30, tzinfo=UTC), tick=False):
        sweep()
    assert mails_to(world.owner_a) == []
    with time_machine.travel(datetime(2025, 3, 30, 2, 30, tzinfo=UTC), tick=False):
        sweep()
    assert len(mails_to(world.owner_a)) == 1
    (row,) = rows(flag, kind=Kind.FLAG_UNSEEN)
    assert row.due_at == raised + timedelta(hours=2)
    assert row.due_at.astimezone(LONDON).hour == 3


def test_open_flags_come_first_in_the_digest_until_acknowledged(world, raise_flag):
    flag = raise_flag(LATE - timedelta(days=3))
    with scopes_disabled():
        membership = Membership.objects.select_related("practice").get(
            practice=world.practice_a, user=world.therapist_a
        )
    with practice_scope(world.practice_a), time_machine.travel(LATE, tick=False):
        digest = digest_for(membership)
        assert not digest.is_empty
        assert digest.app_line.startswith("Flagged, not yet seen: " + world.client_a.display_name)
        assert digest.email_line.startswith("1 client with an answer needing your attention.")
        assert world.client_a.full_name not in digest.email_line
        acknowledge(flag, world.therapist_a)
        assert digest_for(membership).flagged == []


def test_owners_set_the_intervals_and_duty_clinicians_on_a_page(world, web):
    with scopes_disabled():
        colleague = Membership.objects.get(practice=world.practice_a, user=world.colleague_a)
        other = Membership.objects.get(practice=world.practice_b, user=world.colleague_b)
    browser = web(world.owner_a)
    url = "/practice/reminders/escalation/"
    assert browser.get(url).status_code == 200
    refused = browser.post(
        url, {"escalate_after": "7", "escalate_again_after": "120", "duty_clinicians": [other.pk]}
    )
    assert refused.status_code == 400
    assert 'id="id_escalate_after_error"' in refused.content.decode()
    saved = browser.post(
        url,
        {"escalate_after": "30", "escalate_again_after": "240", "duty_clinicians": [colleague.pk]},
    )
    assert saved.status_code == 302
    with scopes_disabled():
        practice = Practice.objects.get(pk=world.practice_a.pk)
        assert practice.escalate_after == timedelta(minutes=30)
        assert practice.escalate_again_after == timedelta(hours=4)
        assert list(practice.duty_clinicians.all()) == [colleague]
    assert web(world.therapist_a).get(url).status_code in (403, 404)
