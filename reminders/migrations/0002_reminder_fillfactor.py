"""Leave room in each page of the outbox (PostgreSQL): the sweeper stamps ``enqueued_at`` on
every due row, and with free space in the page that update is a heap-only tuple update that
touches none of the table's indexes — so a sweep costs the same with a million pending rows
as with ten thousand."""

from django.db import migrations


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE reminders_reminder SET (fillfactor = 80)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE reminders_reminder RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("reminders", "0001_initial")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
