"""PostgreSQL row-level security: the second tenancy wall under django-scopes.

Every table with a ``practice_id`` gets a policy that shows (and accepts) only rows of the
practice named in the session setting ``bridgework.practice_id``, unless
``bridgework.rls_bypass`` is ``on``. Unset means *no* rows: the wall fails closed.

The settings follow django-scopes automatically: a query wrapper installed on every
PostgreSQL connection reads the current scope (``practice_scope(...)`` → that practice;
``scopes_disabled()`` → bypass; no scope → nothing) and, when it differs from what the session
last applied, runs ``set_config`` first on a separate raw cursor (so query counting in tests
is unaffected). What was applied is remembered together with the transaction's savepoint
stack: a rollback that undoes a ``set_config`` changes that key, so the next query sets it
again.

Superusers bypass RLS in PostgreSQL, so the wall holds only when the application connects as
an ordinary role (see README: "Row-level security"). tests/platform/test_rls.py checks the
policies as such a role.
"""

import uuid

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.backends.signals import connection_created
from django_scopes import get_scope

POLICY = "bridgework_tenant"
CONDITION = (
    "current_setting('bridgework.rls_bypass', true) = 'on' "
    "OR practice_id = NULLIF(current_setting('bridgework.practice_id', true), '')::uuid"
)


def tenant_tables() -> list[str]:
    """Every table whose rows belong to a practice."""
    tables = []
    for model in apps.get_models(include_auto_created=True):
        try:
            field = model._meta.get_field("practice")
        except FieldDoesNotExist:
            continue
        target = field.related_model if field.is_relation else None
        if target is not None and target._meta.label == "accounts.Practice":
            tables.append(model._meta.db_table)
    return sorted(set(tables))


def apply_policies(connection) -> list[str]:
    """(Re)create the policy on every tenant table. Idempotent; PostgreSQL only."""
    if connection.vendor != "postgresql":
        return []
    tables = tenant_tables()
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in tables:
            if table not in existing:
                continue
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY")
            cursor.execute(f"DROP POLICY IF EXISTS {POLICY} ON {quoted}")
            cursor.execute(
                f"CREATE POLICY {POLICY} ON {quoted} USING ({CONDITION}) WITH CHECK ({CONDITION})"
            )
    return tables


def apply_policies_after_migrate(sender, using="default", **kwargs):
    from django.db import connections

    apply_policies(connections[using])


def _desired_settings() -> tuple[str, str]:
    """(practice id or '', 'on'/'off') for the current django-scopes state."""
    state = get_scope()
    if not state.get("_enabled", True):
        return "", "on"
    value = state.get("practice")
    if isinstance(value, list | tuple):
        value = value[0] if len(value) == 1 else None
    if value is None:
        return "", "off"
    practice_id = getattr(value, "pk", value)
    return str(uuid.UUID(str(practice_id))), "off"


# Transaction control reads no rows and must run even in an aborted transaction.
_TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK", "COMMIT", "BEGIN", "SET ")


def _rls_wrapper(execute, sql, params, many, context):
    if sql.lstrip()[:18].upper().startswith(_TRANSACTION_CONTROL):
        return execute(sql, params, many, context)
    connection = context["connection"]
    desired = _desired_settings()
    key = (connection.in_atomic_block, tuple(connection.savepoint_ids), desired)
    if getattr(connection, "_bridgework_rls_applied", None) != key:
        with connection.connection.cursor() as raw:
            raw.execute(
                "SELECT set_config('bridgework.practice_id', %s, false), "
                "set_config('bridgework.rls_bypass', %s, false)",
                desired,
            )
        connection._bridgework_rls_applied = key
    return execute(sql, params, many, context)


def install_on_connection(sender, connection, **kwargs):
    """On every new database session: the wrapper stays on the (per-thread) connection object
    across reconnects, but what it applied died with the old session, so forget it."""
    if connection.vendor != "postgresql":
        return
    connection._bridgework_rls_applied = None
    if _rls_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(_rls_wrapper)


def connect_signals() -> None:
    connection_created.connect(install_on_connection, dispatch_uid="bridgework_rls")
