#!/bin/sh
# Bridgework's database roles. The postgres image runs this once, when it creates an empty data
# directory; it is also safe to run again by hand on an existing one (see README, "Production
# with Docker Compose": it then moves the tables to the owner role and grants the app role).
#
#   bridgework_owner  owns the database, its schema and every table: `migrate` runs as it.
#   bridgework_app    what web, worker and beat connect as: NOSUPERUSER, NOBYPASSRLS, owns
#                     nothing, may SELECT/INSERT/UPDATE/DELETE rows (only SELECT/INSERT on the
#                     audit table) and use sequences. Row-level security applies to it.
#
# Passwords come from the environment (.env via docker-compose.yml), never from this file.
set -eu

: "${BRIDGEWORK_DB_OWNER_PASSWORD:?set BRIDGEWORK_DB_OWNER_PASSWORD in .env}"
: "${BRIDGEWORK_DB_APP_PASSWORD:?set BRIDGEWORK_DB_APP_PASSWORD in .env}"

psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet \
  --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  -v db="${BRIDGEWORK_DB_NAME:-bridgework}" \
  -v owner="${BRIDGEWORK_DB_OWNER:-bridgework_owner}" \
  -v app="${BRIDGEWORK_DB_APP:-bridgework_app}" \
  -v owner_password="$BRIDGEWORK_DB_OWNER_PASSWORD" \
  -v app_password="$BRIDGEWORK_DB_APP_PASSWORD" <<'SQL'
-- Roles: created if missing, attributes and passwords (re)set either way.
SELECT format('CREATE ROLE %I', :'owner') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I', :'app') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app') \gexec
ALTER ROLE :"owner" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'owner_password';
ALTER ROLE :"app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'app_password';

-- The database belongs to the owner; only the two roles may connect.
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'owner') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
ALTER DATABASE :"db" OWNER TO :"owner";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"app";

\connect :"db"
ALTER SCHEMA public OWNER TO :"owner";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";

-- Tables and sequences the owner creates later (every migration) grant the app data rights.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO :"app";

-- An existing database (one made by an older docker-compose.yml, whose tables belong to the
-- superuser): hand its tables, sequences and functions to the owner, and grant the app role.
SELECT format('ALTER TABLE public.%I OWNER TO %I', tablename, :'owner') FROM pg_tables WHERE schemaname = 'public' AND tableowner <> :'owner' \gexec
SELECT format('ALTER SEQUENCE public.%I OWNER TO %I', sequencename, :'owner') FROM pg_sequences WHERE schemaname = 'public' AND sequenceowner <> :'owner' \gexec
SELECT format('ALTER FUNCTION %s OWNER TO %I', p.oid::regprocedure, :'owner') FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> :'owner'::regrole \gexec
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";
-- The audit log is append-only: reading and adding rows, nothing else.
SELECT format('REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON public.accounts_auditevent FROM %I', :'app') WHERE to_regclass('public.accounts_auditevent') IS NOT NULL \gexec
SQL
echo "Bridgework database roles are set up: ${BRIDGEWORK_DB_OWNER:-bridgework_owner} owns ${BRIDGEWORK_DB_NAME:-bridgework}, ${BRIDGEWORK_DB_APP:-bridgework_app} has data rights only."
