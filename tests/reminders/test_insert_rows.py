"""``insert_rows``: the reminder engine's bulk insert without the ORM must write what the
ORM's ``bulk_create`` writes, on SQLite and on PostgreSQL."""

import uuid
from datetime import UTC, datetime

import pytest
from django_scopes import scopes_disabled

from core.tenancy import practice_scope
from reminders.models import Kind, Notification
from reminders.rows import insert_rows

pytestmark = pytest.mark.django_db

COLUMNS = (
    "id", "practice_id", "client_id", "recipient_user_id", "reminder_id", "kind", "title",
    "body", "link", "read_at", "created_at", "updated_at",
)  # fmt: skip
WRITTEN = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC)


def row(world, *, pk=None, title="New homework is ready", read_at=None, user=None):
    return (
        pk or uuid.uuid4(),
        world.practice_a.pk,
        world.client_a.pk,
        user.pk if user else None,
        None,
        Kind.NEW_HOMEWORK,
        title,
        "Zoë's “quoted” text & <markup>",
        "/portal/",
        read_at,
        WRITTEN,
        WRITTEN,
    )


def insert(world, rows, **options):
    with practice_scope(world.practice_a):  # as the engine's tasks run (RLS on PostgreSQL)
        insert_rows(Notification, COLUMNS, rows, **options)


def stored(pk) -> dict:
    with scopes_disabled():
        return Notification.objects.filter(pk=pk).values(*COLUMNS).get()


def test_a_row_reads_back_as_the_orm_writes_it(world):
    orm_pk, raw_pk = uuid.uuid4(), uuid.uuid4()
    values = dict(zip(COLUMNS, row(world, read_at=WRITTEN, user=world.therapist_a), strict=True))
    with scopes_disabled():
        Notification.objects.bulk_create([Notification(**{**values, "id": orm_pk})])
    insert(world, [row(world, pk=raw_pk, read_at=WRITTEN, user=world.therapist_a)])
    orm, raw = stored(orm_pk), stored(raw_pk)
    assert {**orm, "id": None, "created_at": None, "updated_at": None} == {
        **raw,
        "id": None,
        "created_at": None,
        "updated_at": None,
    }
    assert raw["id"] == raw_pk and raw["created_at"] == WRITTEN and raw["read_at"] == WRITTEN
    assert raw["kind"] == "new_homework" and raw["recipient_user_id"] == world.therapist_a.pk


def test_many_rows_go_in_several_statements(world):
    rows = [row(world, title=f"n{n}") for n in range(400)]  # more than one statement holds
    insert(world, rows)
    with scopes_disabled():
        titles = set(
            Notification.objects.filter(title__startswith="n").values_list("title", flat=True)
        )
    assert titles == {f"n{n}" for n in range(400)}


def test_a_conflicting_row_is_skipped_when_asked_and_refused_otherwise(world):
    from django.db import IntegrityError, transaction

    pk = uuid.uuid4()
    insert(world, [row(world, pk=pk, title="first")])
    insert(world, [row(world, pk=pk, title="second")], ignore_conflicts=True)
    assert stored(pk)["title"] == "first"
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(world, [row(world, pk=pk, title="third")])
    assert stored(pk)["title"] == "first"


def test_every_column_must_be_given(world):
    with pytest.raises(ValueError, match="read_at"):
        insert_rows(Notification, COLUMNS[:9] + COLUMNS[10:], [row(world)[:9] + row(world)[10:]])
    with pytest.raises(ValueError, match="give exactly its columns"):
        insert_rows(Notification, (*COLUMNS, "nonsense"), [(*row(world), 1)])
