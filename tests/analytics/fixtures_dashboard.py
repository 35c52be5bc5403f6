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
    "Ana": {
        "due": 16,
        "done": 15,
        "completion": 94,
        "overdue": 1,
        "streak": 7,
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
        "due": 8,
        "done": 3,
        "completion": 38,
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


# --- Many clients at once (query-count tests and bench/bench_dashboard.py) -----------------

PHQ9_BANDS = ((0, "Minimal", "minimal"), (5, "Mild", "mild"), (10, "Moderate", "moderate"))
PHQ9_BANDS += ((15, "Moderately severe", "moderately_severe"), (20, "Severe", "severe"))
PER_ASSIGNMENT = 10


def _band(total):
    label, severity = "", ""
    for low, name, level in PHQ9_BANDS:
        if total >= low:
            label, severity = name, level
    return {"label": label, "severity": severity}


def bulk_caseload(
    practice,
    therapist,
    versions,
    *,
    clients: int,
    entries: int,
    now=None,
    every_days: float = 2,
    checkins: bool = True,
    names: list[str] | None = None,
    fast: bool = False,
):
    """``clients`` new clients of ``therapist``, each with ``entries`` occurrences going back
    from ``now`` one every ``every_days`` days (more entries = a longer history): every fifth
    a PHQ-9 (scored), the rest a daily mood log; four in five sent (with a check-in and an
    adherence event), one in ten clients with an open flag. Written with bulk_create, in a
    handful of statements, not through the services. ``versions`` has ``mood_log`` and
    ``phq9`` (activity versions of ``practice``). Returns the new clients."""
    import uuid

    from django.db import transaction
    from django.utils import timezone

    from assignments.models import (
        ActorRole,
        AdherenceEvent,
        Assignment,
        CheckIn,
        EventKind,
        Flag,
        Occurrence,
        Response,
        ResponseRevision,
    )
    from clients.models import Client

    now = now or timezone.now()
    tag = uuid.uuid4().hex[:6]
    rows = {name: [] for name in ("a", "o", "r", "v", "c", "e", "f")}
    with scopes_disabled(), transaction.atomic():
        made = Client.objects.bulk_create(
            [
                Client(
                    practice=practice,
                    primary_therapist=therapist,
                    full_name=names[n % len(names)] if names else f"Bulk {tag} {n:05d}",
                    timezone="Europe/London",
                )
                for n in range(clients)
            ]
        )
        for index, client in enumerate(made):
            assignments = {}
            latest_scored = None
            for i in range(entries):
                scored = i % 5 == 0
                version = versions.phq9 if scored else versions.mood_log
                due_at = now - timedelta(days=every_days * i, hours=1)
                key = (scored, i // (5 * PER_ASSIGNMENT) if scored else i // PER_ASSIGNMENT)
                if key not in assignments:
                    assignments[key] = Assignment(
                        practice=practice,
                        client=client,
                        activity_version=version,
                        assigned_by=therapist,
                        rationale="Bulk",
                        starts_on=due_at.date(),
                    )
                    rows["a"].append(assignments[key])
                assignment = assignments[key]
                sent = i % 5 != 3
                occurrence = Occurrence(
                    practice=practice,
                    assignment=assignment,
                    client=client,
                    sequence=i + 1,
                    local_date=due_at.date(),
                    due_at=due_at,
                    status="submitted" if sent else "missed",
                    submitted_at=due_at - timedelta(hours=2) if sent else None,
                    opened_at=due_at - timedelta(hours=3) if sent else None,
                )
                rows["o"].append(occurrence)
                if not sent:
                    continue
                total = (i * 7 + index) % 28 if scored else None
                revision_id, key_ = uuid.uuid4(), uuid.uuid4()
                response = Response(
                    practice=practice,
                    occurrence=occurrence,
                    assignment=assignment,
                    client=client,
                    activity_version=version,
                    submission_key=key_,
                    submitted_at=occurrence.submitted_at,
                    current_revision_id=revision_id,
                )
                rows["r"].append(response)
                band = _band(total) if scored else None
                rows["v"].append(
                    ResponseRevision(
                        id=revision_id,
                        practice=practice,
                        response=response,
                        number=1,
                        submission_key=key_,
                        answers={"mood": 6},
                        score={"total": total, "band": band} if scored else None,
                        score_total=total,
                        severity=band["severity"] if band else "",
                    )
                )
                if scored and latest_scored is None:
                    latest_scored = response
                if checkins and not scored:
                    rows["c"].append(
                        CheckIn(
                            practice=practice,
                            response=response,
                            occurrence=occurrence,
                            client=client,
                            helpful=(i + index) % 11,
                            minutes_spent=5 + i % 20,
                        )
                    )
                rows["e"].append(
                    AdherenceEvent(
                        practice=practice,
                        client=client,
                        assignment=assignment,
                        occurrence=occurrence,
                        kind=EventKind.SUBMITTED,
                        actor_role=ActorRole.CLIENT,
                        at=occurrence.submitted_at,
                    )
                )
            if index % 10 == 0 and latest_scored is not None:
                rows["f"].append(
                    Flag(
                        practice=practice,
                        client=client,
                        assignment=latest_scored.assignment,
                        occurrence=latest_scored.occurrence,
                        response=latest_scored,
                        message="Thoughts of self-harm reported (item 9).",
                    )
                )
        insert = _fast_insert if fast else _bulk_insert
        for name, model in (
            ("a", Assignment),
            ("o", Occurrence),
            ("r", Response),
            ("v", ResponseRevision),
            ("c", CheckIn),
            ("e", AdherenceEvent),
            ("f", Flag),
        ):
            insert(model, rows[name])
    return made


def _bulk_insert(model, objects):
    model.objects.bulk_create(objects, batch_size=2000)


def _fast_insert(model, objects, batch: int = 5000):
    """What bulk_create does, minus its per-value preparation (most of its time on a million
    rows): one executemany per batch with the values converted by column type. For the
    benchmark's data only; the rows are complete (pks, practice, timestamps set)."""
    import json
    from datetime import UTC

    from django.db import connection, models
    from django.utils import timezone

    now = timezone.now()
    for obj in objects:
        for name in ("created_at", "updated_at"):
            if hasattr(obj, name) and getattr(obj, name) is None:
                setattr(obj, name, now)
    fields = list(model._meta.concrete_fields)
    sqlite = connection.vendor == "sqlite"
    if not sqlite:
        from psycopg2.extras import Json

    def converter(field):
        if isinstance(field, models.UUIDField) or (
            field.is_relation and isinstance(field.target_field, models.UUIDField)
        ):
            return (lambda v: v.hex) if sqlite else str
        if isinstance(field, models.DateTimeField):
            if sqlite:
                return lambda v: v.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
            return None
        if isinstance(field, models.DateField | models.TimeField):
            return (lambda v: v.isoformat()) if sqlite else None
        if isinstance(field, models.JSONField):
            return json.dumps if sqlite else Json
        if isinstance(field, models.BooleanField):
            return int if sqlite else None
        return None

    converters = [(f.attname, converter(f)) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(model._meta.db_table)
    # Table and column names come from the model, never from input.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
    rows = [
        tuple(
            None if (v := getattr(obj, attname)) is None else (convert(v) if convert else v)
            for attname, convert in converters
        )
        for obj in objects
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            if sqlite:
                cursor.executemany(sql, chunk)
            else:  # one multi-row INSERT per batch (psycopg2's executemany is row by row)
                from psycopg2.extras import execute_values

                execute_values(cursor.cursor, sql.replace(f"VALUES ({marks})", "VALUES %s"), chunk)
