"""A small caseload with every dashboard figure worked out by hand (see ``EXPECTED``).

The clock stops at NOW (Thursday 20 March 2025, 12:00 UTC). Everything is made through the
real services, each at the time it would have happened (time_machine), in practice A for the
world's therapist:

* **Ana** (Europe/London, GMT until 30 March): a daily mood log 3–16 March, due 21:00 local
  = 21:00 UTC; she sends every day except 10 March, each an hour before it is due, with a
  check-in (10 minutes, helpful 7). PHQ-9 on 2 March (16, moderately severe) and on 16 March
  (8, mild): −8, a reliable improvement. Due in the last 28 days: 14 logs + 2 PHQ-9 = 16,
  done 15 → 94 %. Overdue (last 14 days, not sent): 10 March → 1. Streak: items due after
  the 10 March miss, all sent: logs 11–16 (6) + PHQ-9 16 March = 7. Last activity: 16 March
  20:00 UTC (the last log).
* **Ben** (America/New_York, EDT from 9 March): a daily mood log 13–19 March, due 21:00 local
  = 01:00 UTC the next day; he sends 13 and 14 March. PHQ-9 on 15 March with item 9 = 1
  (total 9, mild; one open flag). Due 7 + 1 = 8, done 3 → 38 %; overdue 5 (15–19 March logs);
  streak 0 (the most recent item, 19 March, was not sent). One score: no change.
  Last activity: the PHQ-9, 15 March 23:00 local = 16 March 03:00 UTC.
* **Cleo** (Australia/Sydney): nothing assigned yet. Every figure is "—" / 0.

The colleague's client (not shared) and practice B's client must never appear for the
therapist; the owner sees the colleague's client too.
"""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django_scopes import scopes_disabled

from assignments.services import assigning, completing
from core.tenancy import practice_scope
from tests.assignments.fixtures import membership_of, phq9_answers
from tests.factories import ClientFactory

NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)

EXPECTED = {
    # The PHQ-9s are measures, not homework: counted apart (2 of 2 for Ana, 1 of 1 for Ben).
    "Ana": {
        "due": 14,
        "done": 13,
        "completion": 93,
        "overdue": 1,
        "streak": 6,
        "open_flags": 0,
        "last_activity": datetime(2025, 3, 16, 20, 0, tzinfo=UTC),
        "latest": 8,
        "band": "Mild",
        "baseline": 16,
        "delta": -8,
        "improving": True,
        "slipping": False,
    },
    "Ben": {
        "due": 7,
        "done": 2,
        "completion": 29,
        "overdue": 5,
        "streak": 0,
        "open_flags": 1,
        "last_activity": datetime(2025, 3, 16, 3, 0, tzinfo=UTC),
        "latest": 9,
        "band": "Mild",
        "baseline": 9,
        "delta": None,
        "improving": False,
        "slipping": True,
    },
    "Cleo": {
        "due": 0,
        "done": 0,
        "completion": None,
        "overdue": 0,
        "streak": 0,
        "open_flags": 0,
        "last_activity": None,
        "latest": None,
        "improving": False,
        "slipping": False,
    },
}

MOOD = {"mood": 6}


def _at(moment):
    return time_machine.travel(moment, tick=False)


def _assign(world, version, client, *, starts_on: date, therapist=None, **plan):
    therapist = therapist or world.therapist_a
    day_before = datetime.combine(starts_on, datetime.min.time(), tzinfo=UTC) - timedelta(days=1)
    with _at(day_before), practice_scope(world.practice_a):
        return assigning.assignment_create(
            client=client,
            actor=membership_of(world.practice_a, therapist),
            activity_version=version,
            starts_on=starts_on,
            **plan,
        )


def _occurrences(assignment):
    with scopes_disabled():
        return list(assignment.occurrences.order_by("sequence").select_related("client"))


def send(occurrence, answers, *, at=None, checkin=None):
    """Send ``answers`` as the occurrence's client, an hour before it is due (or ``at``)."""
    import uuid

    moment = at or occurrence.due_at - timedelta(hours=1)
    with _at(moment), practice_scope(occurrence.practice_id):
        response = completing.response_submit(
            occurrence=occurrence,
            client=occurrence.client,
            answers=answers,
            submission_key=uuid.uuid4(),
        )
        if checkin:
            completing.checkin_record(response=response, client=occurrence.client, **checkin)
    return response


def _log(occurrence):
    return MOOD | {"date": occurrence.local_date.isoformat()}


@pytest.fixture
def caseload(world, acts):
    """Ana, Ben and Cleo on therapist A's caseload, plus the colleague's own client."""
    ana = ClientFactory(
        practice=world.practice_a,
        primary_therapist=world.therapist_a,
        full_name="Ana Abbott",
        preferred_name="Ana",
        timezone="Europe/London",
    )
    ben = ClientFactory(
        practice=world.practice_a,
        primary_therapist=world.therapist_a,
        full_name="Ben Brook",
        preferred_name="Ben",
        timezone="America/New_York",
    )
    cleo = ClientFactory(
        practice=world.practice_a,
        primary_therapist=world.therapist_a,
        full_name="Cleo Chen",
        preferred_name="Cleo",
        timezone="Australia/Sydney",
    )
    other = ClientFactory(
        practice=world.practice_a,
        primary_therapist=world.colleague_a,
        full_name="Colleague's Client",
    )
    # The world's own client of therapist A is discharged: not on the dashboard.
    with scopes_disabled():
        world.client_a.status = "discharged"
        world.client_a.save(update_fields=["status"])

    # Ana
    logs = _assign(
        world, acts.mood_log, ana, starts_on=date(2025, 3, 3), schedule_kind="daily", repeat_days=14
    )
    for occurrence in _occurrences(logs):
        if occurrence.local_date != date(2025, 3, 10):
            send(occurrence, _log(occurrence), checkin={"minutes_spent": 10, "helpful": 7})
    first = _assign(world, acts.phq9, ana, starts_on=date(2025, 3, 2))
    send(_occurrences(first)[0], phq9_answers("0", "2"))
    later = _assign(world, acts.phq9, ana, starts_on=date(2025, 3, 16))
    send(_occurrences(later)[0], phq9_answers("0", "1"), at=datetime(2025, 3, 16, 10, tzinfo=UTC))

    # Ben
    logs = _assign(
        world, acts.mood_log, ben, starts_on=date(2025, 3, 13), schedule_kind="daily", repeat_days=7
    )
    for occurrence in _occurrences(logs)[:2]:
        send(occurrence, _log(occurrence), checkin={"minutes_spent": 30, "helpful": 3})
    phq = _assign(world, acts.phq9, ben, starts_on=date(2025, 3, 15))
    send(_occurrences(phq)[0], phq9_answers("1", "1"), at=datetime(2025, 3, 16, 3, tzinfo=UTC))

    # The colleague's client: one log, sent.
    logs = _assign(
        world,
        acts.mood_log,
        other,
        starts_on=date(2025, 3, 18),
        therapist=world.colleague_a,
    )
    send(_occurrences(logs)[0], _log(_occurrences(logs)[0]))

    return SimpleNamespace(ana=ana, ben=ben, cleo=cleo, other=other)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW
