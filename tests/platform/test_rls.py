"""Row-level security, checked as an ordinary (non-superuser) role: superusers bypass RLS,
so the policies are only a wall for the role the application should run as."""

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from core.rls import EXTRA_POLICIES, NO_POLICY, POLICY, tenant_tables
from core.tenancy import practice_scope
from tests.database_roles import current_role_is_superuser, grant_app_rights, role_name
from tests.postgres import postgres_only

pytestmark = [pytest.mark.django_db, *postgres_only]


@pytest.fixture
def as_app_role(world):
    """Run as an ordinary role. CI already connects as one (the app role, which owns nothing;
    tests/database_roles.py); a superuser connection switches to a throwaway role with the
    same rights."""
    if not current_role_is_superuser():
        yield
        return
    role = role_name("rls")
    with connection.cursor() as cursor:
        cursor.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
            f"THEN CREATE ROLE {role} NOLOGIN; END IF; END $$"
        )
        grant_app_rights(cursor, role)
        cursor.execute(f"SET ROLE {role}")
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
    assert set(EXTRA_POLICIES) <= with_policy & forced


# Tables that point at nothing yet hold who is signed in to which practice.
LINKED_WITHOUT_A_FOREIGN_KEY = {"django_session"}


def test_every_table_linked_to_a_practice_has_a_policy_or_a_written_reason():
    """A table is linked to practices when it has a practice column, is the practice or user
    table, or has a foreign key to a linked table (followed to the end). Each needs a policy or
    an entry in core.rls.NO_POLICY saying why not: a new table fails here until it has one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c "
            "WHERE c.relkind IN ('r', 'p') AND c.relnamespace = current_schema()::regnamespace"
        )
        tables = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT DISTINCT table_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name = 'practice_id'"
        )
        linked = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"
        )
        references = cursor.fetchall()
        cursor.execute("SELECT DISTINCT tablename FROM pg_policies WHERE policyname = %s", [POLICY])
        with_policy = {row[0] for row in cursor.fetchall()}
    linked |= {"accounts_practice", "accounts_user"} | LINKED_WITHOUT_A_FOREIGN_KEY
    while True:
        more = {table for table, target in references if target in linked} - linked
        if not more:
            break
        linked |= more
    assert {"accounts_practice", "accounts_user", "mfa_authenticator"} <= linked & tables
    unexplained = sorted((linked & tables) - with_policy - set(NO_POLICY))
    assert not unexplained, (
        f"Tables with practice data and neither a policy nor a reason: {unexplained}"
    )
    assert not (set(NO_POLICY) & with_policy), "A table listed without a policy has one"
    assert set(NO_POLICY) <= tables, "NO_POLICY names a table that does not exist"


def test_a_practice_sees_only_its_own_practice_row(world, as_app_role):
    with practice_scope(world.practice_a), connection.cursor() as cursor:
        cursor.execute("SELECT id FROM accounts_practice")
        assert [row[0] for row in cursor.fetchall()] == [world.practice_a.pk]
        cursor.execute(
            "UPDATE accounts_practice SET name = 'Taken' WHERE id = %s", [world.practice_b.pk]
        )
        assert cursor.rowcount == 0
    # Before any practice is known (sign-up, the tenant resolver), practice rows are visible.
    assert raw_count("accounts_practice") == 2


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
