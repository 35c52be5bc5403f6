"""Chaos: a real Celery worker process on a real Redis, killed with SIGKILL in the middle of
sending; and a Redis server restarted with the message still in it. Each reminder is
delivered exactly once, because the database, not the broker, says what is left to do.

PostgreSQL and Redis only (CI runs them); each test takes some seconds, not minutes. The
worker and the sweeper run as separate processes on this test's database, so the test uses
committed data (``transaction=True``). "Five minutes pass" (the sending lease, the re-queue
delay) is simulated by moving the rows' timestamps back, not by waiting.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection
from django_scopes import scopes_disabled

from reminders.models import ClientPreference, Delivery, Notification, Reminder, Status
from tests.postgres import postgres_only
from tests.reminders.helpers import clients_with_due_reminders

REPO = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")


def _redis_reachable() -> bool:
    if not REDIS_URL:
        return False
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


pytestmark = [
    pytest.mark.real_clock,
    *postgres_only,
    pytest.mark.redis,
    pytest.mark.skipif(not _redis_reachable(), reason="needs a Redis server (REDIS_URL)"),
    pytest.mark.django_db(transaction=True),
]


def _database_url() -> str:
    db = connection.settings_dict
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


class Chaos:
    """The processes of one test: workers, sweeps, and what the email backend saw."""

    def __init__(self, folder: Path, redis_url: str):
        self.folder = folder
        self.queue = f"reminders-chaos-{uuid.uuid4().hex[:8]}"
        self.redis_url = redis_url
        self.workers: list[subprocess.Popen] = []

    def env(self) -> dict:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.reminders.chaos_settings",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": self.redis_url,
            "SECRET_KEY": "chaos-test-secret-" + "k" * 50,
            "DJANGO_DEBUG": "0",
            "BRIDGEWORK_VAR_DIR": str(self.folder / "var"),
            "CHAOS_DIR": str(self.folder),
            "CHAOS_QUEUE": self.queue,
            "LOG_LEVEL": "INFO",
        }

    def start_worker(self) -> subprocess.Popen:
        log = open(self.folder / f"worker-{len(self.workers)}.log", "w")  # noqa: SIM115
        worker = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "homework_platform", "worker",
                "--pool=solo", "-Q", self.queue, "--without-gossip", "--without-mingle",
                "--without-heartbeat", "-l", "INFO",
            ],
            cwd=REPO, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.workers.append(worker)
        return worker

    def sweep(self) -> str:
        """One beat sweep, in its own process (it enqueues on the real broker)."""
        done = subprocess.run(
            [sys.executable, "manage.py", "reminders_sweep"],
            cwd=REPO, env=self.env(), capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def attempts(self) -> list[Path]:
        return sorted(self.folder.glob("attempt-*"))

    def delivered(self) -> list[str]:
        log = self.folder / "delivered.log"
        return log.read_text().splitlines() if log.exists() else []

    def logs(self) -> str:
        return "\n".join(p.read_text()[-3000:] for p in sorted(self.folder.glob("worker-*.log")))

    def stop(self):
        for worker in self.workers:
            if worker.poll() is None:
                worker.kill()
            worker.wait(timeout=10)


def _wait_for(condition, what: str, chaos: Chaos, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    with scopes_disabled():
        rows = list(
            Reminder.objects.values(
                "id", "status", "due_at", "claimed_at", "enqueued_at", "attempts"
            )
        )
    raise AssertionError(f"Timed out waiting for {what}.\nRows: {rows}\n{chaos.logs()}")


def _row(reminder) -> Reminder:
    with scopes_disabled():
        return Reminder.objects.get(pk=reminder.pk)


def _pass_time(reminder, field: str, minutes: int = 6):
    """The lease (or the re-queue delay) runs out: as if ``minutes`` had passed."""
    with scopes_disabled():
        row = Reminder.objects.get(pk=reminder.pk)
        value = getattr(row, field)
        Reminder.objects.filter(pk=row.pk).update(**{field: value - timedelta(minutes=minutes)})


def _one_due_reminder(world, acts, assign) -> Reminder:
    (reminder,) = clients_with_due_reminders(world, assign(acts.worksheet), 1)
    with scopes_disabled():
        # No quiet hours, whatever the time of day the test runs at.
        ClientPreference.objects.create(
            practice=world.practice_a,
            client_id=reminder.client_id,
            quiet_start="00:00",
            quiet_end="00:00",
        )
    return reminder


def _assert_delivered_once(chaos: Chaos, reminder):
    row = _row(reminder)
    with scopes_disabled():
        deliveries = list(Delivery.objects.filter(reminder_id=reminder.pk))
        notifications = Notification.objects.filter(reminder_id=reminder.pk).count()
    message_id = f"<{reminder.pk}.email@localhost>"
    assert row.status == Status.SENT, chaos.logs()
    assert [(d.channel, d.status) for d in deliveries] == [("email", "sent")]
    assert notifications == 1
    assert chaos.delivered() == [f"{message_id} many0@alpha.test"]
    return deliveries[0]


@pytest.fixture
def chaos(tmp_path):
    folder = tmp_path / "chaos"
    folder.mkdir()
    chaos = Chaos(folder, REDIS_URL)
    yield chaos
    chaos.stop()
    client = redis.Redis.from_url(chaos.redis_url, socket_connect_timeout=1)
    try:
        client.delete(chaos.queue)
        for tag, payload in client.hgetall("unacked").items():
            if chaos.queue.encode() in payload:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
    except redis.RedisError:
        pass  # the test's own server is already gone


def test_a_worker_killed_mid_send_leaves_exactly_one_delivery(world, acts, assign, chaos):
    reminder = _one_due_reminder(world, acts, assign)
    (chaos.folder / "block").touch()
    first = chaos.start_worker()
    assert "1 reminder(s) enqueued" in chaos.sweep()
    _wait_for(lambda: chaos.attempts(), "the first worker to start sending", chaos)
    # Mid-send: claimed, and the email journalled as started before the provider call.
    assert _row(reminder).status == Status.SENDING
    with scopes_disabled():
        assert Delivery.objects.get(reminder_id=reminder.pk).status == "started"

    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    (chaos.folder / "block").unlink()
    assert chaos.delivered() == []

    chaos.start_worker()
    # Within the lease, a sweep leaves the row alone (the worker might still be alive), and
    # Redis handing the killed worker's message to the new one changes nothing.
    chaos.sweep()
    time.sleep(4)
    assert _row(reminder).status == Status.SENDING, chaos.logs()
    assert chaos.delivered() == []

    _pass_time(reminder, "claimed_at")
    assert "1 reminder(s) enqueued" in chaos.sweep()
    _wait_for(lambda: _row(reminder).status == Status.SENT, "the second worker", chaos)
    delivery = _assert_delivered_once(chaos, reminder)
    assert len(chaos.attempts()) == 2
    assert delivery.uncertain  # the first attempt's outcome was unknown: flagged for owners
    assert delivery.attempts == 2
    assert {p.read_text() for p in chaos.attempts()} == {f"<{reminder.pk}.email@localhost>"}

    # Later sweeps and redeliveries find nothing to do.
    chaos.sweep()
    time.sleep(1)
    _assert_delivered_once(chaos, reminder)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """A redis-server of the test's own, on its own port (never the machine's 6379)."""

    def __init__(self, folder: Path):
        self.port = _free_port()
        self.folder = folder
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(self.folder),
            ],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_a_restarted_redis_loses_nothing_the_database_remembers(
    world, acts, assign, chaos, tmp_path
):
    server = OwnRedis(tmp_path)
    server.start()
    chaos.redis_url = server.url
    try:
        reminder = _one_due_reminder(world, acts, assign)
        assert "1 reminder(s) enqueued" in chaos.sweep()
        broker = redis.Redis.from_url(server.url)
        assert broker.llen(chaos.queue) == 1

        server.stop()  # Redis restarts empty: the message is gone
        server.start()
        assert broker.llen(chaos.queue) == 0
        chaos.start_worker()
        assert "0 reminder(s) enqueued" in chaos.sweep()  # enqueued a moment ago: wait
        time.sleep(2)
        assert _row(reminder).status == Status.PENDING

        _pass_time(reminder, "enqueued_at")
        assert "1 reminder(s) enqueued" in chaos.sweep()
        _wait_for(lambda: _row(reminder).status == Status.SENT, "the worker", chaos)
        delivery = _assert_delivered_once(chaos, reminder)
        assert not delivery.uncertain
    finally:
        chaos.stop()
        server.stop()
