"""A hot-path INSERT for the reminder engine, which writes a delivery and a notification row per
message: plain tuples instead of model instances."""

from dataclasses import fields as dataclass_fields
from operator import attrgetter

from django.db import models
from django.utils import timezone


def _column_writer(field, connection):
    """How ``insert_rows`` turns a value of ``field`` into what the database driver takes: as
    is for text, numbers and booleans; a UUID as text on PostgreSQL (psycopg2's UUID adapter
    is Python code, and the column casts text); anything else through the field's own
    preparation, as the ORM does."""
    target = field.target_field if field.is_relation else field
    if isinstance(target, models.UUIDField) and connection.vendor == "postgresql":
        return lambda value: None if value is None else str(value)
    if isinstance(
        target, models.CharField | models.TextField | models.BooleanField | models.IntegerField
    ):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def insert_rows(model, fields: tuple[str, ...], rows: list[tuple], *, ignore_conflicts=False):
    """``model.objects.bulk_create`` for a hot path (the reminder engine writes a row of each
    of two tables per message): one INSERT of plain tuples, values in the order of
    ``fields`` (attribute names: ``practice_id``, not ``practice``), every column given —
    primary key and timestamps included, no defaults filled in, no model instances built and
    no signals. With ``ignore_conflicts``, a row that would break a unique constraint is
    skipped, as ``bulk_create(ignore_conflicts=True)`` does."""
    from django.db import connections, router

    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    by_name = {field.attname: field for field in model._meta.concrete_fields}
    given = set(fields)
    missing = [name for name, field in by_name.items() if name not in given and not field.generated]
    if missing or not given <= by_name.keys():
        raise ValueError(f"insert_rows({model.__name__}): give exactly its columns; {missing=}")
    writers = [
        (i, w) for i, name in enumerate(fields) if (w := _column_writer(by_name[name], connection))
    ]
    if writers:
        rows = [list(row) for row in rows]
        for row in rows:
            for i, write in writers:
                row[i] = write(row[i])
    quote = connection.ops.quote_name
    columns = ", ".join(quote(by_name[name].column) for name in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    # Statements of at most ~2,000 values: SQLite's limit on parameters, and a size PostgreSQL
    # parses quickly.
    per_statement = max(1, 2000 // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608
                + ", ".join([one] * len(chunk))
                + conflict,
                [value for row in chunk for value in row],
            )


def insert_records(model, records: list, *, ignore_conflicts: bool = False) -> None:
    """Write new rows of ``model`` from records (dataclasses such as the engine's
    ``NewDelivery``) with ``insert_rows``: the ORM's ``bulk_create`` cost more in Python than
    the inserts cost the database. A row's columns are its record's fields, in their order
    (``pk`` is the ``id`` column), then the two timestamps."""
    if not records:
        return
    names = tuple(f.name for f in dataclass_fields(records[0]))
    values = attrgetter(*names)
    now = timezone.now()
    insert_rows(
        model,
        (*("id" if name == "pk" else name for name in names), "created_at", "updated_at"),
        [(*values(record), now, now) for record in records],
        ignore_conflicts=ignore_conflicts,
    )
