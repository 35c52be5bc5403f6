"""Sign-in emails jump the queue: a worker busy with a reminder peak still sends a client's
sign-in code next (settings: CELERY_TASK_QUEUES, CELERY_TASK_ROUTES, queue_order_strategy)."""

import os
import uuid

import pytest
from kombu import Connection, Consumer, Exchange, Producer, Queue

from homework_platform.celery import app

REDIS_URL = os.environ.get("REDIS_URL", "")


def test_sign_in_emails_go_to_the_interactive_queue_and_the_rest_to_the_default():
    router = app.amqp.router
    for task in ("clients.send_login_email", "clients.send_invitation_email"):
        assert router.route({}, task)["queue"].name == "interactive", task
    for task in ("reminders.sweep", "pathways.sweep_due_steps", "assignments.mark_missed"):
        assert router.route({}, task)["queue"].name == "celery", task


def test_a_worker_without_q_reads_every_queue_interactive_first():
    assert list(app.amqp.queues) == ["interactive", "celery"]


def _redis_reachable() -> bool:
    if not REDIS_URL:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.redis
@pytest.mark.skipif(not _redis_reachable(), reason="needs a Redis server (REDIS_URL)")
def test_with_a_backlog_of_reminders_the_sign_in_email_is_taken_first():
    """Real Redis, the broker options of the settings: ten reminder messages wait in the
    default queue, then two sign-in emails arrive; the next two messages a consumer of both
    queues takes are the sign-in emails (kombu's default, round robin, would take a reminder
    between them: it moves the queue just read to the back)."""
    from django.conf import settings

    tag = uuid.uuid4().hex[:8]
    exchange = Exchange(f"test-{tag}", type="direct")
    interactive = Queue(f"interactive-{tag}", exchange, routing_key=f"interactive-{tag}")
    default = Queue(f"celery-{tag}", exchange, routing_key=f"celery-{tag}")
    options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    assert options["queue_order_strategy"] == "priority"
    with Connection(REDIS_URL, transport_options=options) as connection:
        producer = Producer(connection)
        for queue in (interactive, default):
            queue(connection).declare()
        for n in range(10):
            producer.publish({"n": n}, exchange=exchange, routing_key=default.routing_key)
        for n in range(2):
            producer.publish({"sign_in": n}, exchange=exchange, routing_key=interactive.routing_key)
        taken = []
        consumer = Consumer(
            connection, [interactive, default], callbacks=[lambda b, m: (taken.append(b), m.ack())]
        )
        consumer.qos(prefetch_count=1)
        with consumer:
            connection.drain_events(timeout=5)
            connection.drain_events(timeout=5)
        try:
            assert taken == [{"sign_in": 0}, {"sign_in": 1}]
        finally:
            for queue in (interactive, default):
                queue(connection).delete()
