"""The reminder sweep benchmark's data: its practice and clients, and reminder rows bulk-loaded
(COPY on PostgreSQL, ``bulk_create`` on SQLite), with yesterday's sends. Django is imported
inside the functions: ``bench_reminder_sweep.py`` configures it first."""

import io
import uuid
from datetime import UTC, datetime


def setup_practice(clients: int):
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from accounts.models import Membership, Practice, Role, User
    from assignments.services.assigning import assignment_create
    from clients.models import Client
    from core.tenancy import practice_scope
    from library.models import Activity, ActivityVersion, PublicationStatus
    from reminders.models import Reminder, ReminderPolicy

    practice = Practice.objects.create(name="Bench", slug="bench", default_timezone="UTC")
    therapist = User.objects.create_user(email="therapist@bench.test", full_name="T")
    with scopes_disabled():
        membership = Membership.objects.create(
            practice=practice, user=therapist, role=Role.THERAPIST
        )
        # No quiet hours, so the run does not depend on the time of day.
        ReminderPolicy.objects.create(
            practice=practice, quiet_start="00:00", quiet_end="00:00", reminder_time="12:00"
        )
        users = []
        for start in range(0, clients, 5000):
            users += User.objects.bulk_create(
                User(email=f"c{n}@bench.test", full_name=f"Client {n}", password="!")
                for n in range(start, min(start + 5000, clients))
            )
        client_ids = []
        for start in range(0, clients, 5000):
            client_ids += [
                c.pk
                for c in Client.objects.bulk_create(
                    Client(
                        practice=practice,
                        full_name=user.full_name,
                        email=user.email,
                        timezone="UTC",
                        user=user,
                        primary_therapist=therapist,
                    )
                    for user in users[start : start + 5000]
                )
            ]
        activity = Activity.objects.create(practice=practice, status=PublicationStatus.PUBLISHED)
        version = ActivityVersion.objects.create(
            practice=practice,
            activity=activity,
            number=1,
            title="Bench worksheet",
            rationale="Because.",
            definition={"schema_version": 1, "entry_mode": "single", "sections": []},
            published_at=timezone.now(),
        )
        first = Client.objects.get(pk=client_ids[0])
    with practice_scope(practice):
        assignment = assignment_create(
            client=first, actor=membership, activity_version=version, rationale="Because."
        )
    with scopes_disabled():
        Reminder.objects.all().delete()  # what assigning planned: the bench loads its own
    return practice, client_ids, assignment


def reminder_rows(practice_id, assignment_id, client_ids, *, due_at, kind, tag):
    """Rows for ``copy``/``bulk``: one reminder per client id."""
    for client_id in client_ids:
        object_id = assignment_id if kind == "new_homework" else uuid.uuid4()
        day = due_at.date().isoformat()
        yield (
            uuid.uuid4(),
            practice_id,
            client_id,
            kind,
            "assignment" if kind == "new_homework" else "occurrence",
            object_id,
            day,
            f"c:{client_id}:{kind}:{object_id}:{day}:{tag}",
            due_at,
        )


def load(rows, *, vendor: str) -> int:
    """Insert reminder rows: COPY on PostgreSQL, bulk_create on SQLite."""
    from django.db import connection
    from django_scopes import scopes_disabled

    from reminders.models import Reminder

    count = 0
    if vendor == "postgresql":
        columns = (
            "id, practice_id, client_id, kind, object_type, object_id, local_day, dedupe_key, "
            "scheduled_for, due_at, created_at, updated_at, status, attempts, last_error, note"
        )
        now = datetime.now(UTC).isoformat()
        buffer = io.StringIO()
        for row in rows:
            pk, practice_id, client_id, kind, otype, oid, day, key, due = row
            buffer.write(
                f"{pk}\t{practice_id}\t{client_id}\t{kind}\t{otype}\t{oid}\t{day}\t{key}\t"
                f"{due.isoformat()}\t{due.isoformat()}\t{now}\t{now}\tpending\t0\t\t\n"
            )
            count += 1
            if count % 200_000 == 0:
                _copy(connection, buffer, columns)
                buffer = io.StringIO()
        _copy(connection, buffer, columns)
        return count
    batch = []
    with scopes_disabled():
        for pk, practice_id, client_id, kind, otype, oid, day, key, due in rows:
            batch.append(
                Reminder(
                    id=pk,
                    practice_id=practice_id,
                    client_id=client_id,
                    kind=kind,
                    object_type=otype,
                    object_id=oid,
                    local_day=day,
                    dedupe_key=key,
                    scheduled_for=due,
                    due_at=due,
                )
            )
            if len(batch) == 5000:
                Reminder.objects.bulk_create(batch)
                count += len(batch)
                batch = []
        Reminder.objects.bulk_create(batch)
    return count + len(batch)


def load_history(practice_id, assignment_id, client_ids, *, sent_at, vendor: str) -> None:
    """Yesterday's reminders, one per client, sent: the outbox, deliveries and notifications a
    deployment with a million pending reminders has already written, so that the tables the
    workers write to (and their statistics) are not empty at the start, as in production."""
    from django.db import connection

    load(
        reminder_rows(practice_id, assignment_id, client_ids, due_at=sent_at, kind="due_soon",
                      tag="h"),
        vendor=vendor,
    )  # fmt: skip
    new_id = "gen_random_uuid()" if vendor == "postgresql" else "lower(hex(randomblob(16)))"
    sent_at = connection.ops.adapt_datetimefield_value(sent_at)  # as stored (SQLite: text)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reminders_reminder SET status = 'sent', sent_at = due_at, claimed_at = due_at,"
            " attempts = 1 WHERE due_at = %s",
            [sent_at],
        )
        cursor.execute(
            "INSERT INTO reminders_delivery (id, created_at, updated_at, practice_id, reminder_id,"
            " client_id, channel, status, idempotency_key, address, attempts, uncertain, sent_at,"
            f" detail) SELECT {new_id}, due_at, due_at, practice_id, id, client_id, 'email', "
            "'sent', id || '.email', 'client@bench.test', 1, FALSE, due_at, '' "
            "FROM reminders_reminder WHERE due_at = %s",
            [sent_at],
        )
        cursor.execute(
            "INSERT INTO reminders_notification (id, practice_id, created_at, updated_at,"
            " client_id, reminder_id, kind, title, body, link) SELECT "
            f"{new_id}, practice_id, due_at, due_at, client_id, id, kind, 'Something is due soon',"
            " '', '/' FROM reminders_reminder WHERE due_at = %s",
            [sent_at],
        )


def _copy(connection, buffer, columns):
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY reminders_reminder ({columns}) FROM STDIN WITH (FORMAT text)", buffer
        )
