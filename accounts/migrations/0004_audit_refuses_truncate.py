"""On PostgreSQL, close the two ways round the append-only trigger of 0002.

TRUNCATE fires no row trigger: a statement trigger refuses it outright (for every role, the
owner included; only the owner could disable it, deliberately, with ALTER TABLE).

Rights: the application should connect as a role that does not own the table (so it cannot
alter it or drop its triggers) and holds only SELECT and INSERT on it. Default privileges give
such a role UPDATE and DELETE on every table the owner creates, so they are taken back here
from every role except the owner. core.rls repeats the REVOKE after every migrate, and the
deploy check (core.rls.check_database_role) refuses to start with a role that still has them.
"""

from django.db import migrations

FORWARD = """
CREATE TRIGGER accounts_auditevent_no_truncate
    BEFORE TRUNCATE ON accounts_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION bridgework_audit_append_only();
DO $$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END
        FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid = 'accounts_auditevent'::regclass
          AND a.grantee <> c.relowner
          AND a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER', 'REFERENCES')
    LOOP
        EXECUTE format(
            'REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON accounts_auditevent FROM %s',
            grantee
        );
    END LOOP;
END
$$;
"""

BACKWARD = "DROP TRIGGER IF EXISTS accounts_auditevent_no_truncate ON accounts_auditevent;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)  # no client-side %-formatting


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_practice_crisis_country")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
