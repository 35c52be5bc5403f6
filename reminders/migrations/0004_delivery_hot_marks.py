"""Make a delivery's "sent" mark a heap-only update (PostgreSQL): no index mentions ``status``
any more (owners' problem list reads the generated ``problem``, a client's pushes are filtered
on the rows), and each page keeps room for the marked rows. Measured with
``bench/bench_reminder_sweep.py``: see README, Reminders. New pages only; existing ones fill up
as they are."""

import django.db.models.deletion
from django.db import migrations, models


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE reminders_delivery SET (fillfactor = 70)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE reminders_delivery RESET (fillfactor)")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_audit_append_only'),
        ('clients', '0001_initial'),
        ('reminders', '0003_delivery_narrow_indexes'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='delivery',
            name='delivery_problem',
        ),
        migrations.RemoveIndex(
            model_name='delivery',
            name='delivery_client_push',
        ),
        migrations.AddField(
            model_name='delivery',
            name='problem',
            field=models.GeneratedField(db_persist=True, expression=models.Q(('status__in', ['skipped', 'failed'])), output_field=models.BooleanField()),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='client',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='clients.client'),
        ),
        migrations.AddIndex(
            model_name='delivery',
            index=models.Index(condition=models.Q(('problem', True)), fields=['practice', '-created_at'], name='delivery_problem'),
        ),
        migrations.AddIndex(
            model_name='delivery',
            index=models.Index(fields=['client', '-created_at'], name='delivery_client_push'),
        ),
        migrations.RunPython(set_fillfactor, reset_fillfactor),
    ]
