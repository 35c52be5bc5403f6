"""The flag history: what a clinician did about a flag. On PostgreSQL a trigger refuses any
change to a recorded response; only the actor column may become NULL (when the account is
deleted; ``actor_name`` keeps who it was). Deleting stays possible so that erasing a client's
record cascades, as for the adherence log (migration 0002)."""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models

FORWARD = """
CREATE OR REPLACE FUNCTION bridgework_flag_event_append_only() RETURNS trigger AS $$
BEGIN
    IF (NEW.id, NEW.practice_id, NEW.flag_id, NEW.client_id, NEW.actor_name,
        NEW.actions::text, NEW.note, NEW.at, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.practice_id, OLD.flag_id, OLD.client_id, OLD.actor_name,
        OLD.actions::text, OLD.note, OLD.at, OLD.created_at)
       OR (NEW.actor_id IS NOT NULL AND NEW.actor_id IS DISTINCT FROM OLD.actor_id)
    THEN
        RAISE EXCEPTION 'assignments_flagevent is append-only';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER assignments_flagevent_append_only
    BEFORE UPDATE ON assignments_flagevent
    FOR EACH ROW EXECUTE FUNCTION bridgework_flag_event_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS assignments_flagevent_append_only ON assignments_flagevent;
DROP FUNCTION IF EXISTS bridgework_flag_event_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_practice_crisis_country'),
        ('assignments', '0003_schedule_every_n_weeks_before_sessions'),
        ('clients', '0002_login_token_emailed_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='FlagEvent',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('actor_name', models.CharField(max_length=200)),
                ('actions', models.JSONField(default=list)),
                ('note', models.TextField(blank=True)),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='clients.client')),
                ('flag', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='assignments.flag')),
                ('practice', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.practice')),
            ],
            options={
                'ordering': ['-at', '-created_at'],
                'indexes': [models.Index(fields=['practice', 'flag', '-at'], name='flag_event_flag_at')],
            },
        ),
        migrations.RunPython(forward, backward, elidable=False),
    ]
