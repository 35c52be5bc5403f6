"""The database role the application runs as, and the audit table's protections, checked
against PostgreSQL itself with throwaway roles (named after the test database, dropped after).

- ``core.rls.check_database_role`` (``manage.py check --deploy --database default``) refuses a
  superuser, a BYPASSRLS role, the tables' owner, and a role that may rewrite the audit log.
- As the application role, the audit table can be read and added to, and nothing else:
  TRUNCATE, UPDATE, DELETE, ALTER TABLE and DROP TRIGGER all fail. TRUNCATE fails even for
  the owner (a statement trigger).
"""

import pytest
from django.core import checks
from django.db import DatabaseError, connection, connections, transaction
from django.test import override_settings

from core.rls import check_database_role, database_role_problems
from tests.database_roles import (
    APP_USER,
    admin_connection,
    current_role_is_superuser,
    grant_app_rights,
    role_name,
)
from tests.platform.test_settings import GOOD_SECRET, run_manage
from tests.postgres import postgres_only

pytestmark = [pytest.mark.django_db, *postgres_only]

PROBE = "role_probe"  # the alias the admin connection is registered under


@pytest.fixture
def admin():
    """A superuser connection to the test database, as ``connections[PROBE]``, plus a factory
    of throwaway roles that are dropped afterwards."""
    wrapper = admin_connection()
    if wrapper is None:
        pytest.skip("needs a superuser: run as one or set TEST_DATABASE_ADMIN_URL")
    created = []

    def make_role(suffix: str, attributes: str = "NOLOGIN", *, app_rights=False) -> str:
        name = role_name(suffix)
        with wrapper.cursor() as cursor:
            _drop(cursor, name)
            cursor.execute(f'CREATE ROLE "{name}" {attributes}')
            created.append(name)
            if app_rights:
                grant_app_rights(cursor, name)
        return name

    connections[PROBE] = wrapper
    try:
        yield make_role
    finally:
        del connections[PROBE]
        with wrapper.cursor() as cursor:
            cursor.execute("RESET ROLE")
            for name in created:
                _drop(cursor, name)
        wrapper.close()


def _drop(cursor, name: str) -> None:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    if cursor.fetchone():
        cursor.execute(f'DROP OWNED BY "{name}"')  # its grants in this database
        cursor.execute(f'DROP ROLE "{name}"')


def problems_as(role: str) -> list[int]:
    """The deploy check's findings for a session that has switched to ``role``."""
    wrapper = connections[PROBE]
    with wrapper.cursor() as cursor:
        cursor.execute(f'SET ROLE "{role}"')
    try:
        return [number for number, _ in database_role_problems(wrapper)]
    finally:
        with wrapper.cursor() as cursor:
            cursor.execute("RESET ROLE")


def tables_owner() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'clients_client'")
        return cursor.fetchone()[0]


# --- The deploy check ---------------------------------------------------------------------


@pytest.mark.skipif(not APP_USER, reason="the suite runs as the app role only when CI says so")
def test_the_suite_runs_as_a_role_the_deploy_check_accepts():
    assert database_role_problems(connection) == []


def test_a_role_with_data_rights_only_passes(admin):
    assert problems_as(admin("app", app_rights=True)) == []


def test_a_superuser_is_refused(admin):
    assert 1 in problems_as(admin("super", "NOLOGIN SUPERUSER"))


def test_a_member_of_a_superuser_role_is_refused(admin):
    member = admin("member", app_rights=True)
    connections[PROBE].cursor().execute(
        f'GRANT "{admin("boss", "NOLOGIN SUPERUSER")}" TO "{member}"'
    )
    assert problems_as(member) == [1]


def test_a_role_with_bypassrls_is_refused(admin):
    assert problems_as(admin("bypass", "NOLOGIN BYPASSRLS", app_rights=True)) == [2]


def test_the_owner_of_the_tables_is_refused(admin):
    assert 3 in problems_as(tables_owner())


def test_a_role_that_may_rewrite_the_audit_log_is_refused(admin):
    role = admin("auditor", app_rights=True)
    connections[PROBE].cursor().execute(f'GRANT UPDATE, DELETE ON accounts_auditevent TO "{role}"')
    assert problems_as(role) == [4]


def test_the_system_check_names_the_problem_as_an_error_in_production(admin):
    role = admin("bypass", "NOLOGIN BYPASSRLS", app_rights=True)
    connections[PROBE].cursor().execute(f'SET ROLE "{role}"')
    errors = check_database_role(databases=[PROBE])
    assert [(type(e), e.id) for e in errors] == [(checks.Error, "core.E002")]
    assert "BYPASSRLS" in errors[0].msg
    with override_settings(DEBUG=True):
        assert [e.id for e in check_database_role(databases=[PROBE])] == ["core.W002"]
    # Only when asked for a database (`check --deploy --database default`), and never as part of
    # the checks `migrate` runs (it runs as the owner, without deployment checks).
    assert check_database_role(databases=None) == []
    assert "core.E002" not in [e.id for e in checks.run_checks(databases=[PROBE])]


def test_manage_py_check_deploy_refuses_to_start_as_a_bypassrls_role(admin):
    password = "probe-password-1"
    bad = admin("login_bypass", f"LOGIN BYPASSRLS PASSWORD '{password}'", app_rights=True)
    good = admin("login_app", f"LOGIN PASSWORD '{password}'", app_rights=True)

    def check_as(role):
        settings = connection.settings_dict
        url = (
            f"postgres://{role}:{password}@{settings['HOST'] or 'localhost'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        )
        return run_manage(
            "check",
            "--deploy",
            "--database",
            "default",
            DJANGO_DEBUG="0",
            SECRET_KEY=GOOD_SECRET,
            ALLOWED_HOSTS="bridgework.example.org",
            DATABASE_URL=url,
        )

    refused = check_as(bad)
    assert refused.returncode != 0
    assert "core.E002" in refused.stderr
    assert f"'{bad}' has BYPASSRLS" in refused.stderr
    accepted = check_as(good)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


# --- The append-only audit table ---------------------------------------------------------------


@pytest.fixture
def app_alias(request):
    """The alias of a connection that runs as the application role: the suite's own in CI,
    else the admin connection switched to a throwaway role with the app role's rights."""
    if APP_USER and not current_role_is_superuser():
        return "default"
    make_role = request.getfixturevalue("admin")
    connections[PROBE].cursor().execute(f'SET ROLE "{make_role("audit_app", app_rights=True)}"')
    return PROBE


def refusal(alias: str, sql: str) -> str:
    try:
        with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError as exc:
        return str(exc)
    pytest.fail(f"{sql!r} was not refused")


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("TRUNCATE accounts_auditevent", "permission denied"),
        ("UPDATE accounts_auditevent SET action = 'erased'", "permission denied"),
        ("DELETE FROM accounts_auditevent", "permission denied"),
        ("ALTER TABLE accounts_auditevent DISABLE TRIGGER USER", "must be owner"),
        ("ALTER TABLE accounts_auditevent DISABLE ROW LEVEL SECURITY", "must be owner"),
        (
            "DROP TRIGGER accounts_auditevent_append_only ON accounts_auditevent",
            "must be owner",
        ),
        (
            "DROP TRIGGER accounts_auditevent_no_truncate ON accounts_auditevent",
            "must be owner",
        ),
    ],
)
def test_the_app_role_cannot_rewrite_erase_or_unprotect_the_audit_table(app_alias, sql, message):
    assert message in refusal(app_alias, sql)


def test_the_app_role_may_read_and_add_audit_rows(app_alias):
    with connections[app_alias].cursor() as cursor:
        cursor.execute(
            "SELECT has_table_privilege('accounts_auditevent', 'SELECT'), "
            "has_table_privilege('accounts_auditevent', 'INSERT')"
        )
        assert cursor.fetchone() == (True, True)


def test_truncate_is_refused_even_for_the_owner(admin):
    cursor = connections[PROBE].cursor()
    cursor.execute(f'SET ROLE "{tables_owner()}"')
    assert "append-only" in refusal(PROBE, "TRUNCATE accounts_auditevent")


@pytest.mark.parametrize(
    "sql", ["UPDATE accounts_auditevent SET action = 'erased'", "DELETE FROM accounts_auditevent"]
)
def test_update_and_delete_are_refused_even_for_the_owner(admin, sql):
    """The owner has every right on its table: the row trigger is what refuses. The row to
    refuse is written in a transaction of the admin connection that is rolled back."""
    from django_scopes import scopes_disabled

    from accounts.models import AuditEvent, Practice

    with scopes_disabled(), transaction.atomic(using=PROBE):
        practice = Practice.objects.using(PROBE).create(name="Probe", slug=role_name("practice"))
        AuditEvent.objects.using(PROBE).create(
            practice=practice, action="probe", object_type="probe", object_id="probe"
        )
        connections[PROBE].cursor().execute(f'SET LOCAL ROLE "{tables_owner()}"')
        assert "append-only" in refusal(PROBE, sql)
        transaction.set_rollback(True, using=PROBE)
