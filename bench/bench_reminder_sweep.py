"""Reminder sweep benchmark: 100,000 due reminders among 1,000,000 pending rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/bench_reminder_sweep.py
    .venv/bin/python bench/bench_reminder_sweep.py --scale 0.05    # SQLite, a temp file

With a PostgreSQL DATABASE_URL it creates a throwaway database on that server (never the one
named in the URL), bulk-loads it with COPY and drops it at the end. Without, it uses a
temporary SQLite file (use --scale: the ratios still print).

Before anything is measured, the tables hold yesterday's sends too: one sent reminder per
client, with its delivery and its notification. A deployment with a million pending reminders
has sent many before; with empty delivery and notification tables (and their statistics
saying so), PostgreSQL plans the workers' lookups for a table that stays tiny. The practice
and the rows are built by ``bench/reminder_data.py``.

Figures, all from this one run:

- ``per_second``: due reminders claimed and sent through the real code path — the beat
  sweeper (``reminders_sweep``) enqueuing tenant tasks that run eagerly on commit, each
  claiming its rows with the conditional UPDATE, journalling, rendering and sending the
  email (to a backend that only records it) and writing the in-app notification;
- ``raw_per_second``: the peer, a raw-SQL claim loop over the same rows (``UPDATE … WHERE id
  IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT 500) RETURNING id``, then mark them sent);
- ``ratio``: per_second / raw_per_second;
- ``scale_ratio``: the sweep's cost (claim + enqueue, 10,000 due rows) with 1,000,000 pending
  rows in the table divided by its cost with 10,000 — about 1 thanks to the partial index on
  ``due_at`` WHERE status = 'pending';
- ``workers_per_second`` (with REDIS_URL set, ``--workers`` > 0): the same due rows, put back
  as they were, sent by real Celery worker processes (prefork pool, ``--workers`` of them,
  default one per CPU) over Redis, as deployed: from the start of the sweep until the last
  row is recorded sent (the workers' start-up is not counted; their first tasks' imports
  are). ``workers_ratio`` is that against the same one-connection peer.

The last line printed is one JSON object.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FULL_PENDING = 1_000_000
FULL_DUE = 100_000
SCALE_DUE = 10_000
REPEATS = 5
# The measured reminders: the due rows, all of this kind (yesterday's and the future ones are
# "due_soon").
MEASURED = "kind = 'new_homework'"
MEASURED_IDS = f"(SELECT id FROM reminders_reminder WHERE {MEASURED})"


STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


def throwaway_postgres(url: str) -> tuple[str, callable]:
    """Create a database next to the one in ``url``; return its URL and a dropper."""
    import psycopg2

    parsed = urlparse(url)
    name = f"bench_reminders_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin_dsn = urlunparse(parsed._replace(path="/postgres"))
    admin = psycopg2.connect(admin_dsn)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')

    def drop():
        from django.db import connections

        connections.close_all()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    return urlunparse(parsed._replace(path=f"/{name}")), drop


def configure(database_url: str, var_dir: str, queue: str) -> None:
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="homework_platform.settings",
        DJANGO_DEBUG="0",
        SECRET_KEY="bench-only-secret-" + "b" * 50,
        EMAIL_URL="locmem://",
        CELERY_TASK_ALWAYS_EAGER="0",
        BRIDGEWORK_VAR_DIR=var_dir,
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.conf import settings

    settings.EMAIL_BACKEND = f"{__name__}.RecordingBackend"
    from homework_platform.celery import app

    # Until the throughput runs, tasks go to an in-memory broker: the sweep's own cost. The
    # queue is the run's own (set before the first message: Celery caches its queues).
    app.conf.broker_url = "memory://"
    app.conf.broker_transport_options = {}
    app.conf.task_default_queue = queue


from django.core.mail.backends.base import BaseEmailBackend  # noqa: E402

from bench.reminder_data import load, load_history, reminder_rows, setup_practice  # noqa: E402


class RecordingBackend(BaseEmailBackend):
    """Builds each message (MIME, as a real backend would) and counts it; sends nothing."""

    sent = 0

    def send_messages(self, email_messages):
        for message in email_messages:
            message.message()
        RecordingBackend.sent += len(email_messages)
        return len(email_messages)


def analyze(vendor):
    """Fresh statistics and visibility map after a bulk load, so that autovacuum does not
    start on the new rows in the middle of a measurement."""
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                "VACUUM ANALYZE reminders_reminder, reminders_delivery, reminders_notification"
            )
        else:
            cursor.execute("ANALYZE")


def reset_enqueued():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reminders_reminder SET enqueued_at = NULL WHERE status = 'pending' "
            "AND enqueued_at IS NOT NULL"
        )


def time_sweep() -> tuple[float, int]:
    from reminders.services.engine import reminders_sweep

    started = time.perf_counter()
    enqueued = reminders_sweep()
    return time.perf_counter() - started, enqueued


def raw_claim_loop(vendor: str, now) -> tuple[float, int]:
    """The peer: claim due rows in batches with raw SQL and mark them sent."""
    from django.db import connection, transaction

    lock = "FOR UPDATE SKIP LOCKED" if vendor == "postgresql" else ""
    claimed = 0
    started = time.perf_counter()
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE reminders_reminder SET status = 'sending', claimed_at = %s, "
                "attempts = attempts + 1 WHERE id IN (SELECT id FROM reminders_reminder "
                f"WHERE status = 'pending' AND due_at <= %s ORDER BY due_at LIMIT 500 {lock}) "
                "RETURNING id",
                [now, now],
            )
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                break
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(
                "UPDATE reminders_reminder SET status = 'sent', sent_at = %s "
                f"WHERE id IN ({marks})",
                [now, *ids],
            )
            claimed += len(ids)
    return time.perf_counter() - started, claimed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=None, help="fraction of the full size")
    parser.add_argument("--profile", default="", help="write a cProfile of the real path here")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="Celery worker processes for the run over Redis (needs REDIS_URL; 0: skip it)",
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "") if args.workers > 0 else ""
    vendor = "postgresql" if url.startswith(("postgres", "pgsql")) else "sqlite"
    scale = args.scale if args.scale is not None else (1.0 if vendor == "postgresql" else 0.05)
    pending, due = int(FULL_PENDING * scale), int(FULL_DUE * scale)
    scale_due = min(SCALE_DUE, due)
    var_dir = tempfile.mkdtemp(prefix="bench-reminders-")
    drop = None
    if vendor == "postgresql":
        database_url, drop = throwaway_postgres(url)
    else:
        database_url = f"sqlite:///{var_dir}/bench.sqlite3"
    try:
        queue = f"bench-reminders-{os.getpid()}"
        configure(database_url, var_dir, queue)
        result = run(
            vendor=vendor,
            pending=pending,
            due=due,
            scale_due=scale_due,
            scale=scale,
            profile=args.profile,
        )
        if redis_url:
            result.update(
                run_workers(
                    database_url=database_url,
                    redis_url=redis_url,
                    queue=queue,
                    workers=args.workers,
                    due=due,
                    var_dir=var_dir,
                    raw_per_second=result["raw_per_second"],
                )
            )
    finally:
        if drop is not None:
            drop()
    print(json.dumps(result))


def put_back_due_rows() -> None:
    """The due rows as they were before they were sent, and what sending them wrote gone."""
    from django.db import connection

    with connection.cursor() as cursor:
        # Yesterday's history stays; the VACUUM that follows (``analyze``) clears the dead rows.
        for table in ("reminders_notification", "reminders_delivery"):
            cursor.execute(f"DELETE FROM {table} WHERE reminder_id IN {MEASURED_IDS}")
        cursor.execute(
            "UPDATE reminders_reminder SET status = 'pending', claimed_at = NULL, sent_at = NULL,"
            f" claim_token = NULL, enqueued_at = NULL, attempts = 0, note = '' WHERE {MEASURED}"
        )


def count(table: str, condition: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE {condition}")
        return cursor.fetchone()[0]


def sent_count() -> int:
    return count("reminders_reminder", f"status = 'sent' AND {MEASURED}")


def written_for_measured(table: str, condition: str = "TRUE") -> int:
    """Rows of ``table`` (deliveries, notifications) written for the measured reminders."""
    return count(table, f"{condition} AND reminder_id IN {MEASURED_IDS}")


def work_left() -> bool:
    """Whether a row is still pending or being sent. Asked ten times a second while the
    workers run, so it must cost next to nothing: EXISTS stops at the first row found on
    either partial index, where counting them scanned up to 100,000 entries each time and
    took a good part of a core from the workers."""
    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM reminders_reminder WHERE status = 'pending' "
            "AND due_at <= %s) OR EXISTS (SELECT 1 FROM reminders_reminder "
            "WHERE status = 'sending' AND claimed_at IS NOT NULL)",
            [timezone.now()],
        )
        return bool(cursor.fetchone()[0])


def run_workers(*, database_url, redis_url, queue, workers, due, var_dir, raw_per_second) -> dict:
    """The due rows again, through ``workers`` real Celery worker processes over Redis."""
    from django.db import connection

    from homework_platform.celery import app

    put_back_due_rows()
    analyze(connection.vendor)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.reminder_worker_settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "BENCH_QUEUE": queue,
        "PYTHONPATH": str(ROOT),
    }
    log_path = Path(var_dir) / "workers.log"
    with open(log_path, "w") as worker_log:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "homework_platform", "worker",
                "--pool=prefork", f"--concurrency={workers}", "-Q", queue,
                "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO",
            ],
            cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "ready." not in log_path.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the workers did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.1)
        # From here on the sweep enqueues on Redis, the queue the workers read.
        app.conf.task_always_eager = False
        app.conf.broker_url = redis_url
        app._pool = None
        app.amqp._producer_pool = None
        log(f"{workers} worker process(es) ready; sweeping {due:,} due rows onto Redis")
        started = time.perf_counter()
        _, enqueued = time_sweep()
        assert enqueued == due, enqueued
        deadline = time.monotonic() + max(120, due / 50)
        while work_left():
            if process.poll() is not None or time.monotonic() > deadline:
                left = due - sent_count()
                raise RuntimeError(f"{left:,} of {due:,} left:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.1)  # the end is known to a tenth of a second, of a minute's run
        seconds = time.perf_counter() - started
        assert sent_count() == due
        emails = written_for_measured("reminders_delivery", "status = 'sent'")
        assert emails == due, (emails, due)
    finally:
        process.terminate()
        process.wait(timeout=30)
    per_second = due / seconds
    log(f"{workers} worker process(es): {due:,} sent in {seconds:.2f}s")
    return {
        "workers": workers,
        "workers_per_second": round(per_second, 1),
        "workers_ratio": round(per_second / raw_per_second, 4),
    }


def run(*, vendor, pending, due, scale_due, scale, profile="") -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from homework_platform.celery import app

    log(f"{vendor}: migrating a throwaway database")
    call_command("migrate", verbosity=0)
    log(f"creating {due:,} clients")
    practice, client_ids, assignment = setup_practice(due)
    now = timezone.now()
    past, later = now - timedelta(minutes=1), now + timedelta(hours=1)
    log(f"loading yesterday's {due:,} sent reminders")
    load_history(practice.pk, assignment.pk, client_ids, sent_at=now - timedelta(days=1),
                 vendor=vendor)  # fmt: skip

    # 1. The sweep with only `scale_due` pending rows, all due.
    load(
        reminder_rows(practice.pk, assignment.pk, client_ids[:scale_due], due_at=past,
                      kind="new_homework", tag="a"),
        vendor=vendor,
    )  # fmt: skip
    analyze(vendor)
    time_sweep()  # warm up (imports, caches); not measured
    small = []
    for _ in range(REPEATS):
        reset_enqueued()
        seconds, enqueued = time_sweep()
        assert enqueued == scale_due, enqueued
        small.append(seconds)
    log(f"sweep of {scale_due:,} due among {scale_due:,} pending: {statistics.median(small):.3f}s")

    # 2. Fill up to `pending` rows: the rest of the due set (held an hour ahead for now) and
    #    future reminders spread over the next 30 days.
    log(f"loading {pending - scale_due:,} more pending rows")
    load(
        reminder_rows(practice.pk, assignment.pk, client_ids[scale_due:], due_at=later,
                      kind="new_homework", tag="b"),
        vendor=vendor,
    )  # fmt: skip
    future = pending - due
    per_client = max(1, future // len(client_ids))
    rows = (
        row
        for n in range(per_client)
        for row in reminder_rows(
            practice.pk, assignment.pk, client_ids, due_at=now + timedelta(days=1 + n % 30),
            kind="due_soon", tag=f"f{n}",
        )
    )  # fmt: skip
    load((row for i, row in enumerate(rows) if i < future), vendor=vendor)
    analyze(vendor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM reminders_reminder WHERE status = 'pending'")
        total_pending = cursor.fetchone()[0]
    reset_enqueued()
    time_sweep()  # warm up the larger table's pages; not measured
    big = []
    for _ in range(REPEATS):
        reset_enqueued()
        seconds, enqueued = time_sweep()
        assert enqueued == scale_due, enqueued
        big.append(seconds)
    log(
        f"sweep of {scale_due:,} due among {total_pending:,} pending: {statistics.median(big):.3f}s"
    )
    scale_ratio = statistics.median(big) / statistics.median(small)

    # 3. All `due` rows due now; the raw-SQL claim loop over them, then put them back.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reminders_reminder SET due_at = %s, scheduled_for = %s WHERE due_at = %s",
            [past, past, later],
        )
    reset_enqueued()
    analyze(vendor)
    raw_seconds, raw_claimed = raw_claim_loop(vendor, timezone.now())
    assert raw_claimed == due, raw_claimed
    log(f"raw SQL claim loop: {raw_claimed:,} in {raw_seconds:.2f}s")
    put_back_due_rows()
    analyze(vendor)

    # 4. The real path: sweep → tenant tasks (eager, on commit) → claim, send, record. A
    #    worker is a long-lived process: load the URLconf and templates first, as it has.
    from django.template.loader import get_template
    from django.urls import reverse

    reverse("portal:home")
    for name in ("reminder_message.html", "reminder_message.txt"):
        get_template(f"emails/{name}")
    app.conf.task_always_eager = True
    RecordingBackend.sent = 0
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    _, enqueued = time_sweep()
    real_seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    sent = sent_count()
    notifications = written_for_measured("reminders_notification")
    assert enqueued == due and sent >= due and RecordingBackend.sent >= due, (enqueued, sent)
    log(f"real path: {sent:,} sent ({RecordingBackend.sent:,} emails) in {real_seconds:.2f}s")

    per_second = due / real_seconds
    raw_per_second = raw_claimed / raw_seconds
    return {
        "benchmark": "reminder_sweep",
        "database": vendor,
        "scale": scale,
        "pending": total_pending,
        "due": due,
        "per_second": round(per_second, 1),
        "raw_per_second": round(raw_per_second, 1),
        "ratio": round(per_second / raw_per_second, 4),
        "scale_ratio": round(scale_ratio, 3),
        "sweep_ms_small": round(statistics.median(small) * 1000, 1),
        "sweep_ms_large": round(statistics.median(big) * 1000, 1),
        "emails": RecordingBackend.sent,
        "notifications": notifications,
        "peer": "raw SQL claim loop",
    }


if __name__ == "__main__":
    main()
