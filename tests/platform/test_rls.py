"""Row-level security, checked as an ordinary (non-superuser) role: superusers bypass RLS,
so the policies are only a wall for the role the application should run as."""

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from core.rls import tenant_tables
from core.tenancy import practice_scope
from tests.postgres import postgres_only

pytestmark = [pytest.mark.django_db, *postgres_only]

ROLE = "bridgework_rls_probe"


@pytest.fixture
def as_app_role(world):
    """Run as an ordinary role. CI already connects as one (the tables' owner, subject to the
    policies through FORCE ROW LEVEL SECURITY); a superuser connection switches roles."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            yield
            return
        cursor.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') "
            f"THEN CREATE ROLE {ROLE} NOLOGIN; END IF; END $$"
        )
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {ROLE}")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {ROLE}"
        )
        cursor.execute(f"SET ROLE {ROLE}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def raw_count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
        return cursor.fetchone()[0]


def test_every_tenant_table_has_the_policy():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_policies WHERE policyname = 'bridgework_tenant'")
        with_policy = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT relname FROM pg_class WHERE relrowsecurity AND relforcerowsecurity")
        forced = {row[0] for row in cursor.fetchall()}
    tables = set(tenant_tables()) & set(connection.introspection.table_names())
    assert {"clients_client", "accounts_membership", "accounts_auditevent"} <= tables
    assert tables <= with_policy
    assert tables <= forced


def test_outside_any_scope_the_database_shows_no_tenant_rows(as_app_role):
    # Raw SQL, below django-scopes: only the database policy stands between us and the rows.
    assert raw_count("clients_client") == 0
    assert raw_count("accounts_membership") == 0


def test_a_practice_scope_shows_only_that_practices_rows(world, as_app_role):
    with practice_scope(world.practice_a):
        assert raw_count("clients_client") == 1
        with connection.cursor() as cursor:
            cursor.execute("SELECT full_name FROM clients_client")
            assert [row[0] for row in cursor.fetchall()] == ["Alpha Client"]
    with practice_scope(None):
        assert raw_count("clients_client") == 0


def test_writing_a_row_for_another_practice_is_refused(world, as_app_role):
    from django.db import DatabaseError, transaction

    with (
        practice_scope(world.practice_a),
        pytest.raises(DatabaseError, match="row-level security"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE clients_client SET practice_id = %s WHERE practice_id = %s",
            [world.practice_b.pk, world.practice_a.pk],
        )


def test_disabled_scopes_bypass_the_policy_explicitly(world, as_app_role):
    with scopes_disabled():
        assert raw_count("clients_client") == 2


def test_a_rolled_back_savepoint_does_not_leave_the_wrong_practice_applied(world, as_app_role):
    from django.db import transaction

    with practice_scope(world.practice_a):
        assert raw_count("clients_client") == 1
        with transaction.atomic():
            with practice_scope(world.practice_b):
                assert raw_count("clients_client") == 1
            transaction.set_rollback(True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT full_name FROM clients_client")
            assert [row[0] for row in cursor.fetchall()] == ["Alpha Client"]


@pytest.mark.django_db(transaction=True)
def test_a_new_database_session_gets_the_scope_again(world):
    """Web and worker processes close their connection after each request or task (the
    connection object, and its query wrapper, live on): the next session must be told the
    practice again, or every query in it would find nothing."""

    def applied() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('bridgework.practice_id', true)")
            return cursor.fetchone()[0]

    with practice_scope(world.practice_a):
        assert applied() == str(world.practice_a.pk)
        connection.close()
        assert applied() == str(world.practice_a.pk)


def test_connections_run_without_jit():
    """JIT compilation cost ~90 ms on the dashboard's aggregate query; settings turn it off."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
