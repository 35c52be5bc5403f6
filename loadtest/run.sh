#!/usr/bin/env bash
# `make loadtest`: a production-like stack on this machine, without docker, under Locust.
#
#   PostgreSQL  the local server; its own database (bridgework_load) with the production roles
#               (docker/postgres-init/10-bridgework-roles.sh): migrate runs as the owner, web,
#               worker and beat as the app role, under row-level security
#   Redis       the local server, its own database number (flushed at the start)
#   web         gunicorn, WEB_WORKERS processes (DEBUG off, collected static files)
#   worker      celery worker, WORKER_CONCURRENCY processes (every queue), and one more
#               process for the interactive queue only (sign-in emails)
#   beat        celery beat: reminder sweeps, pathway releases, missed homework
#
# Then Locust, headless: USERS people (default 50) arriving RATE a second (5) for SECONDS (300).
# Reports in loadtest/out/: load_stats.csv, load_failures.csv, report.html; the last line
# printed is one JSON object. Everything started here is stopped at the end, however it ends.
# The database is seeded once (about 8,000 clients with history) and kept for the next run;
# RESEED=1 starts it again.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PY:-$ROOT/.venv/bin/python}
BIN=$(dirname "$PY")
USERS=${USERS:-50}
RATE=${RATE:-5}
SECONDS_=${LOADTEST_SECONDS:-300}  # `make loadtest SECONDS=60`: bash keeps its own $SECONDS
PORT=${LOADTEST_PORT:-8765}
WEB_WORKERS=${WEB_WORKERS:-3}
WORKER_CONCURRENCY=${WORKER_CONCURRENCY:-2}
DB=${LOADTEST_DB:-bridgework_load}
OWNER=${DB}_owner
APP=${DB}_app
PGSUPER=${LOADTEST_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
OUT=$ROOT/loadtest/out
mkdir -p "$OUT/mail" "$OUT/var"
rm -f "$OUT"/mail/*.log "$OUT"/gunicorn.log

export PYTHONPATH=$ROOT
export DJANGO_SETTINGS_MODULE=loadtest.settings
export DJANGO_DEBUG=0  # manage.py would default it to 1
export SECRET_KEY=load-test-secret-key-not-for-production-0123456789abcdefghijklmnop
export ALLOWED_HOSTS=127.0.0.1,localhost
export SITE_URL=http://127.0.0.1:$PORT
export BRIDGEWORK_VAR_DIR=$OUT/var
export EMAIL_URL=file://$OUT/mail
export REDIS_URL=redis://127.0.0.1:6379/${LOADTEST_REDIS_DB:-12}
export LOG_LEVEL=WARNING
OWNER_URL=postgres://$OWNER:load@127.0.0.1:5432/$DB
APP_URL=postgres://$APP:load@127.0.0.1:5432/$DB

pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop EXIT INT TERM

say() { printf '== %s\n' "$*" >&2; }

# --- Database: the production roles, migrated by the owner, seeded once ---------------------
if [ "${RESEED:-0}" = 1 ]; then
  psql "$PGSUPER" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null
fi
fresh=0
if ! psql "$PGSUPER" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  fresh=1
fi
say "Database $DB (roles $OWNER, $APP)"
PGHOST=127.0.0.1 POSTGRES_USER=postgres BRIDGEWORK_DB_NAME=$DB BRIDGEWORK_DB_OWNER=$OWNER \
  BRIDGEWORK_DB_APP=$APP BRIDGEWORK_DB_OWNER_PASSWORD=load BRIDGEWORK_DB_APP_PASSWORD=load \
  PGPASSWORD=${PGPASSWORD:-} sh docker/postgres-init/10-bridgework-roles.sh >/dev/null
DATABASE_URL=$OWNER_URL "$PY" manage.py migrate --no-input -v0
export DATABASE_URL=$APP_URL
if [ "$fresh" = 1 ] || [ ! -s "$OUT/manifest.json" ]; then
  say "Seeding 20 practices x 10 therapists x 40 clients with history (once)"
  "$PY" -m loadtest.seed --out "$OUT/manifest.json" ${SEED_ARGS:-}
fi
# Collected (hashed, compressed) as the image does; again only when static/ changed.
manifest=$OUT/var/staticfiles/staticfiles.json
if [ ! -s "$manifest" ] || [ -n "$(find static -newer "$manifest" -print -quit)" ]; then
  "$PY" manage.py collectstatic --no-input -v0
fi
# As the image's entry point does: refuse a role that would switch row-level security off.
# (Its warnings are about HTTPS, which this plain-HTTP stack leaves out on purpose.)
"$PY" manage.py check --deploy --database default --fail-level ERROR >"$OUT/check.log" 2>&1 || {
  cat "$OUT/check.log" >&2
  exit 1
}
say "Reminders and pathway steps falling due during the run"
"$PY" -m loadtest.stage --seconds "$SECONDS_"
redis-cli -u "$REDIS_URL" flushdb >/dev/null

# --- The stack -----------------------------------------------------------------------------
say "Starting gunicorn ($WEB_WORKERS workers), a Celery worker ($WORKER_CONCURRENCY) and beat"
"$BIN/gunicorn" homework_platform.wsgi:application --bind "127.0.0.1:$PORT" \
  --workers "$WEB_WORKERS" --access-logfile /dev/null --error-logfile "$OUT/gunicorn.log" \
  2>>"$OUT/gunicorn.log" &
pids+=($!)
"$BIN/celery" -A homework_platform worker --loglevel=WARNING \
  --concurrency "$WORKER_CONCURRENCY" >"$OUT/worker.log" 2>&1 &
pids+=($!)
# As docker-compose.yml's worker-interactive: sign-in emails never wait for a reminder batch.
"$BIN/celery" -A homework_platform worker --loglevel=WARNING -Q interactive -n interactive@%h \
  --concurrency 1 >"$OUT/worker-interactive.log" 2>&1 &
pids+=($!)
"$BIN/celery" -A homework_platform beat --loglevel=WARNING \
  --schedule "$OUT/var/celerybeat-schedule" >"$OUT/beat.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null

# --- Locust --------------------------------------------------------------------------------
say "Locust: $USERS users, $RATE/s, ${SECONDS_}s"
rm -f "$OUT/mail_delays.json" "$OUT/mail_counts.json"
run_started=$(date +%s)
LOADTEST_MANIFEST=$OUT/manifest.json LOADTEST_MAIL_DIR=$OUT/mail LOADTEST_OUT=$OUT \
  "$BIN/locust" -f loadtest/locustfile.py --headless --only-summary \
  -u "$USERS" -r "$RATE" -t "${SECONDS_}s" --stop-timeout 30 \
  --host "http://127.0.0.1:$PORT" --csv "$OUT/load" --html "$OUT/report.html" \
  --loglevel WARNING --exit-code-on-error 0 >"$OUT/locust.log" 2>&1 || {
  tail -n 40 "$OUT/locust.log" >&2
  exit 1
}
grep -E "Error report|occurrences" -A20 "$OUT/locust.log" | head -n 30 >&2 || true
# What beat and the worker did meanwhile (read as the superuser: row-level security would
# show the app role nothing outside a practice).
psql "${PGSUPER%/*}/$DB" -Atq -F' ' -c "
  SELECT 'reminders the worker handled during the run:', status, count(*)
    FROM reminders_reminder WHERE updated_at >= to_timestamp($run_started) GROUP BY status;
  SELECT 'reminders still due (not yet handled):', count(*) FROM reminders_reminder
   WHERE status = 'pending' AND due_at <= now();
  SELECT 'pathway steps released during the run:', count(*) FROM pathways_enrolmentstep
   WHERE status = 'released' AND released_at >= to_timestamp($run_started);
  SELECT 'pathway steps still due (not yet released):', count(*) FROM pathways_enrolmentstep
   WHERE status = 'scheduled' AND release_at <= now();"
"$PY" loadtest/summary.py "$OUT/load" "$USERS" "$SECONDS_"
