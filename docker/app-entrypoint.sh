#!/bin/sh
# Entry point of the Bridgework image. Before serving (gunicorn: web; celery: worker and beat)
# run the deploy checks against the database: they refuse to start as a superuser, a BYPASSRLS
# role, the owner of the tables or a role that may rewrite the audit log (core.rls), which
# would leave row-level security or the append-only audit table without effect.
# Everything else (`python manage.py migrate`, run as the owner role) starts unchecked.
set -e
case "$1" in
  gunicorn|celery) python manage.py check --deploy --database default ;;
esac
exec "$@"
