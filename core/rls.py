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

Superusers and roles with BYPASSRLS ignore every policy, and a table's owner can switch its
policy off, so the wall holds only when the application connects as an ordinary role that
owns nothing (see README: "Row-level security"): ``check_database_role`` (a deploy system
check, run by ``manage.py check --deploy --database default`` before the web server, worker
and beat start in the Docker image) refuses anything else. tests/platform/test_rls.py checks
the policies as such a role; tests/platform/test_database_roles.py the check and the audit
table's protections.
"""

import hashlib
import uuid

from django.apps import apps
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db.backends.signals import connection_created
from django_scopes import get_scope

POLICY = "bridgework_tenant"
_BYPASS = "current_setting('bridgework.rls_bypass', true) = 'on'"
_CURRENT = "NULLIF(current_setting('bridgework.practice_id', true), '')::uuid"
CONDITION = f"{_BYPASS} OR practice_id = {_CURRENT}"

# Tables without a ``practice_id`` column that still get a policy, with its condition.
EXTRA_POLICIES = {
    # A practice's own row (name, slug, settings; no client data). Inside a practice's scope
    # every other practice is invisible and cannot be written. With *no* practice applied the
    # rows stay visible, unlike tenant rows: the row is what a scope is made from, and it is
    # read before one exists (sign-up checks slugs across practices and inserts the new row,
    # the tenant resolver loads the member's practice, a task loads the practice it is for).
    "accounts_practice": f"{_BYPASS} OR {_CURRENT} IS NULL OR id = {_CURRENT}",
}

# Tables that hold practice data or point at it (a user, a session) but carry no policy, and
# why. tests/platform/test_rls.py fails on a table that has a practice column or another
# tenant link and is in neither place. The wall these tables lack is made up for by the
# lookups being by an unguessable key or by the signed-in user, never by practice.
NO_POLICY = {
    "accounts_user": "A user is looked up by email at sign-in and by id from the session "
    "before any practice is known, may belong to several practices (memberships, which are "
    "walled, say which), and curators belong to none: there is no practice to compare with.",
    "accounts_user_groups": "Django's auth groups of a user (unused; no practice data); "
    "read with the user at sign-in, before a practice is known.",
    "accounts_user_user_permissions": "Django's permissions of a user (unused; no practice "
    "data); read with the user at sign-in, before a practice is known.",
    "account_emailaddress": "allauth's email addresses of a user: looked up by address at "
    "sign-in, sign-up and password reset, before a practice is known.",
    "account_emailconfirmation": "allauth's email confirmation keys: looked up by key from "
    "an emailed link, before a practice is known.",
    "mfa_authenticator": "A user's TOTP secret and recovery codes: read at the two-factor "
    "step of sign-in, before a practice is known, and by the per-practice 2FA requirement.",
    "django_session": "Sessions are read by key on every request before the practice is "
    "known (the session says who is signed in and which practice they chose).",
    "django_admin_log": "Django admin's log of changes made by platform staff: the only "
    "practice model in the admin (library.Activity) is read-only, so entries name only global "
    "content; the admin is not reachable by practice roles.",
    "library_curatedactivity": "Global library content (points at its curator-written "
    "versions); no practice data.",
    "library_curatedactivityversion": "Global library content; created_by names a curator.",
    "library_curatedmedia": "Global library media; uploaded_by names a curator.",
    "pathways_curatedpathway": "Global pathway content; created_by names a curator.",
    "pathways_curatedpathwaystep": "Global pathway content (a step of a curated pathway).",
}

# The append-only audit table: the application role may add and read rows, nothing else.
AUDIT_TABLE = "accounts_auditevent"
AUDIT_FORBIDDEN = ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES")


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


def policies() -> dict[str, str]:
    """Every table with a policy and its condition."""
    return {**dict.fromkeys(tenant_tables(), CONDITION), **EXTRA_POLICIES}


def _marker(condition: str) -> str:
    """Kept as the policy's comment: PostgreSQL rewrites a policy's expression text, so the
    comment is how we tell that a policy is already the one we mean."""
    return "bridgework:" + hashlib.sha256(condition.encode()).hexdigest()[:16]


def apply_policies(connection) -> list[str]:
    """Create or update the policy on every table of ``policies()`` and take the audit table's
    forbidden rights away from every role but its owner. Idempotent; PostgreSQL only.

    Only what differs is changed (that needs the tables' owner): after a flush the test suite
    runs this as the application role, which may read the catalog but alter nothing."""
    if connection.vendor != "postgresql":
        return []
    wanted = policies()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.relrowsecurity AND c.relforcerowsecurity, d.description "
            "FROM pg_class c "
            "LEFT JOIN pg_policy p ON p.polrelid = c.oid AND p.polname = %s "
            "LEFT JOIN pg_description d "
            "  ON d.objoid = p.oid AND d.classoid = 'pg_policy'::regclass "
            "WHERE c.relkind IN ('r', 'p') AND c.relnamespace = current_schema()::regnamespace "
            "AND c.relname = ANY(%s)",
            [POLICY, list(wanted)],
        )
        existing = {name: (forced, marker) for name, forced, marker in cursor.fetchall()}
        for table, condition in sorted(wanted.items()):
            if table not in existing or existing[table] == (True, _marker(condition)):
                continue
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY")
            cursor.execute(f"DROP POLICY IF EXISTS {POLICY} ON {quoted}")
            cursor.execute(
                f"CREATE POLICY {POLICY} ON {quoted} USING ({condition}) WITH CHECK ({condition})"
            )
            cursor.execute(f"COMMENT ON POLICY {POLICY} ON {quoted} IS %s", [_marker(condition)])
        if AUDIT_TABLE in connection.introspection.table_names(cursor):
            revoke_audit_rights(cursor)
    return sorted(table for table in wanted if table in existing)


def revoke_audit_rights(cursor) -> None:
    """Nobody but the audit table's owner keeps UPDATE, DELETE, TRUNCATE, TRIGGER or REFERENCES
    on it (default privileges or a ``GRANT ... ON ALL TABLES`` give them to the application
    role). accounts/migrations/0003 does the same once; this repeats it after every migrate."""
    cursor.execute(
        "SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END "
        "FROM pg_class c, aclexplode(c.relacl) a "
        "WHERE c.oid = %s::regclass AND a.grantee <> c.relowner AND a.privilege_type = ANY(%s)",
        [AUDIT_TABLE, list(AUDIT_FORBIDDEN)],
    )
    for (grantee,) in cursor.fetchall():
        cursor.execute(f"REVOKE {', '.join(AUDIT_FORBIDDEN)} ON {AUDIT_TABLE} FROM {grantee}")


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
    checks.register(check_database_role, checks.Tags.database, checks.Tags.security, deploy=True)


# --- The role the application connects as --------------------------------------------------


def database_role_problems(connection) -> list[tuple[int, str]]:
    """What about the connected role would switch the second wall off: (number, message).

    1: a superuser (or a member of one) ignores row-level security; 2: so does BYPASSRLS;
    3: an owner of the application's tables can drop their policies and the audit trigger;
    4: UPDATE, DELETE or TRUNCATE on the audit table would let it rewrite who read what."""
    if connection.vendor != "postgresql":
        return []
    problems = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        role = cursor.fetchone()[0]
        cursor.execute(
            "SELECT rolname, rolsuper FROM pg_roles "
            "WHERE (rolsuper OR rolbypassrls) AND pg_has_role(current_user, oid, 'MEMBER') "
            "ORDER BY rolname <> current_user, rolname"
        )
        powerful = cursor.fetchall()
        supers = [name for name, is_super in powerful if is_super]
        bypassers = [name for name, is_super in powerful if not is_super]
        app_tables = sorted(
            {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
        )
        cursor.execute(
            "SELECT relname FROM pg_class "
            "WHERE relkind IN ('r', 'p') AND relnamespace = current_schema()::regnamespace "
            "AND relname = ANY(%s) AND pg_has_role(current_user, relowner, 'MEMBER') "
            "ORDER BY relname",
            [app_tables],
        )
        owned = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [AUDIT_TABLE])
        audit_rights = []
        if cursor.fetchone()[0]:
            cursor.execute(
                "SELECT p FROM unnest(%s::text[]) p WHERE has_table_privilege(%s, p)",
                [["UPDATE", "DELETE", "TRUNCATE"], AUDIT_TABLE],
            )
            audit_rights = [row[0] for row in cursor.fetchall()]
    if supers:
        how = "is a superuser" if supers[0] == role else f"is a member of superuser {supers[0]}"
        problems.append((1, f"The database role {role!r} {how}: row-level security is off."))
    if bypassers and not supers:
        name = bypassers[0]
        how = "has BYPASSRLS" if name == role else f"is a member of {name}, which has BYPASSRLS"
        problems.append((2, f"The database role {role!r} {how}: row-level security is off."))
    if owned:
        shown = ", ".join(owned[:3]) + (f" and {len(owned) - 3} more" if len(owned) > 3 else "")
        problems.append(
            (
                3,
                f"The database role {role!r} owns the application's tables ({shown}): it "
                "could drop their row-level security policies and the audit trigger. Run "
                "migrations as the owner role and the application as a role with data rights "
                "only.",
            )
        )
    if audit_rights and not supers and AUDIT_TABLE not in owned:  # else said above
        problems.append(
            (
                4,
                f"The database role {role!r} may {', '.join(audit_rights)} the append-only "
                f"audit table {AUDIT_TABLE}: run `manage.py migrate` as the owner role (it "
                "revokes these rights), or REVOKE them.",
            )
        )
    return problems


def check_database_role(app_configs=None, databases=None, **kwargs):
    """Deploy check (``manage.py check --deploy --database default``): refuse a database role
    that switches row-level security off. An error in production, a warning when debugging.

    Like Django's other database checks it runs only when asked for a database, so neither
    ``migrate`` (which runs as the owner role) nor a plain ``check`` connects for it."""
    from django.conf import settings
    from django.db import connections

    make = checks.Warning if settings.DEBUG else checks.Error
    letter = "W" if settings.DEBUG else "E"
    hint = (
        "Connect as a NOSUPERUSER, NOBYPASSRLS role with SELECT, INSERT, UPDATE, DELETE on the "
        "tables only (README: Row-level security)."
    )
    messages = []
    for alias in databases or ():
        for number, text in database_role_problems(connections[alias]):
            messages.append(make(f"[{alias}] {text}", hint=hint, id=f"core.{letter}00{number}"))
    return messages
