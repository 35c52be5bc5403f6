"""On PostgreSQL, refuse in the database itself any change to submitted answers and to the
adherence log. Only the person columns may change (set to NULL when an account is deleted);
deleting rows stays possible so that erasing a client's record cascades."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION bridgework_revision_immutable() RETURNS trigger AS $$
BEGIN
    IF (NEW.id, NEW.practice_id, NEW.response_id, NEW.number, NEW.submission_key,
        NEW.answers::text, NEW.score::text, NEW.score_total, NEW.severity, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.practice_id, OLD.response_id, OLD.number, OLD.submission_key,
        OLD.answers::text, OLD.score::text, OLD.score_total, OLD.severity, OLD.created_at)
    THEN
        RAISE EXCEPTION 'submitted answers are never changed: add a revision instead';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER assignments_responserevision_immutable
    BEFORE UPDATE ON assignments_responserevision
    FOR EACH ROW EXECUTE FUNCTION bridgework_revision_immutable();

CREATE OR REPLACE FUNCTION bridgework_adherence_append_only() RETURNS trigger AS $$
BEGIN
    IF (NEW.id, NEW.practice_id, NEW.client_id, NEW.assignment_id, NEW.occurrence_id,
        NEW.kind, NEW.actor_role, NEW.at, NEW.detail::text, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.practice_id, OLD.client_id, OLD.assignment_id, OLD.occurrence_id,
        OLD.kind, OLD.actor_role, OLD.at, OLD.detail::text, OLD.created_at)
    THEN
        RAISE EXCEPTION 'assignments_adherenceevent is append-only';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER assignments_adherenceevent_append_only
    BEFORE UPDATE ON assignments_adherenceevent
    FOR EACH ROW EXECUTE FUNCTION bridgework_adherence_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS assignments_responserevision_immutable ON assignments_responserevision;
DROP FUNCTION IF EXISTS bridgework_revision_immutable();
DROP TRIGGER IF EXISTS assignments_adherenceevent_append_only ON assignments_adherenceevent;
DROP FUNCTION IF EXISTS bridgework_adherence_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("assignments", "0001_initial")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
