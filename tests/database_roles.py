"""PostgreSQL roles for the test suite: the tests run as the application's role, as production.

pytest-django creates the test database and runs every migration with the credentials of
DATABASE_URL, once per session (per xdist worker), before any test. That has to be the
**owner** role: it creates the database (CREATEDB) and so owns it and every table, exactly as
the owner role runs `migrate` in production. When ``TEST_DATABASE_APP_USER`` (and
``TEST_DATABASE_APP_PASSWORD``) name a second role (.ci/run sets both), this plugin, still as
the owner, then grants that role in the test database what docker/postgres-init grants the
production app role (SELECT/INSERT/UPDATE/DELETE on tables, only SELECT/INSERT on the audit
table, sequences) and switches the connection settings to it. From then on the tests, the live
server's threads and the worker processes tests start connect as a NOSUPERUSER, NOBYPASSRLS
role that owns nothing: row-level security and the audit table's rights apply to them.

One step still needs the owner: the flush that ends each transactional test. TRUNCATE needs
the right to truncate every table, and the audit table's trigger refuses TRUNCATE to everyone;
the flush runs as the owner with that trigger disabled for its one transaction. Without
``TEST_DATABASE_APP_USER`` the whole suite runs as DATABASE_URL's role (a developer's local
superuser, say); the flush then disables the trigger on the same connection.
"""

import os

import pytest

APP_USER = os.environ.get("TEST_DATABASE_APP_USER", "")
APP_PASSWORD = os.environ.get("TEST_DATABASE_APP_PASSWORD", "")
TRUNCATE_TRIGGER = "accounts_auditevent_no_truncate"

_owner_credentials: dict[str, tuple[str, str]] = {}


def grant_app_rights(cursor, role: str) -> None:
    """What docker/postgres-init/10-bridgework-roles.sh grants the app role, for tables that
    already exist. ``role`` is a trusted name (from the environment or a test)."""
    from core.rls import revoke_audit_rights

    cursor.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
    cursor.execute(
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"'
    )
    cursor.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
    revoke_audit_rights(cursor)


def _flush(self, sql_list):
    """DatabaseOperations.execute_sql_flush for PostgreSQL, as the owner (see module doc)."""
    from django.db import transaction

    statements = [f"ALTER TABLE accounts_auditevent DISABLE TRIGGER {TRUNCATE_TRIGGER}"]
    statements += sql_list
    statements += [f"ALTER TABLE accounts_auditevent ENABLE TRIGGER {TRUNCATE_TRIGGER}"]
    owner = _owner_credentials.get(self.connection.alias)
    if owner is None:  # connected as the owner (or a superuser) already
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
        return
    wrapper = self.connection.copy()
    wrapper.settings_dict["USER"], wrapper.settings_dict["PASSWORD"] = owner
    raw = wrapper.get_new_connection(wrapper.get_connection_params())
    try:
        with raw, raw.cursor() as cursor:  # one transaction, committed on leaving
            for sql in statements:
                cursor.execute(sql)
    finally:
        raw.close()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.db import connections
    from django.db.backends.postgresql.operations import DatabaseOperations

    original_flush = DatabaseOperations.execute_sql_flush
    DatabaseOperations.execute_sql_flush = _flush
    switched = []
    if APP_USER:
        with django_db_blocker.unblock():
            for connection in connections.all():
                if connection.vendor != "postgresql":
                    continue
                with connection.cursor() as cursor:
                    grant_app_rights(cursor, APP_USER)
                settings_dict = connection.settings_dict
                _owner_credentials[connection.alias] = (
                    settings_dict["USER"],
                    settings_dict["PASSWORD"],
                )
                connection.close()
                settings_dict["USER"], settings_dict["PASSWORD"] = APP_USER, APP_PASSWORD
                switched.append(connection.alias)
    yield
    # Back to the owner for pytest-django's teardown (dropping the test database).
    with django_db_blocker.unblock():
        for alias in switched:
            connection = connections[alias]
            connection.close()
            connection.settings_dict["USER"], connection.settings_dict["PASSWORD"] = (
                _owner_credentials.pop(alias)
            )
    DatabaseOperations.execute_sql_flush = original_flush


# --- Helpers for tests that need other roles ---------------------------------------------------


def role_name(suffix: str) -> str:
    """A throwaway role named after the database the suite runs against (``test_bw_s3_gw0`` →
    ``bw_s3_gw0_probe_<suffix>``): roles belong to the whole server, which others may share."""
    from django.db import connection

    base = connection.settings_dict["NAME"].removeprefix("test_")
    return f"{base}_probe_{suffix}"[:63]


def current_role_is_superuser() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        return cursor.fetchone()[0]


def admin_connection():
    """A new connection to the test database as a superuser, or None: the suite's own role if
    it is one (a developer's local run), else ``TEST_DATABASE_ADMIN_URL`` (.ci/run sets it).
    Only a superuser may create roles with SUPERUSER or BYPASSRLS."""
    import dj_database_url
    from django.db import connection

    wrapper = connection.copy()
    if not current_role_is_superuser():
        url = os.environ.get("TEST_DATABASE_ADMIN_URL")
        if not url:
            return None
        admin = dj_database_url.parse(url)
        for key in ("USER", "PASSWORD", "HOST", "PORT"):
            wrapper.settings_dict[key] = admin[key]
    wrapper.ensure_connection()
    with wrapper.cursor() as cursor:
        cursor.execute("SET lock_timeout = '10s'")  # never wait on the test's own locks
    return wrapper
