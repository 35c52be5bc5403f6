"""Two sweepers and two workers at once, on PostgreSQL (row locks, SKIP LOCKED): every due
step becomes exactly one assignment. Each thread has its own database connection."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django_scopes import scopes_disabled

from assignments.models import Assignment
from core.tenancy import practice_scope
from pathways.models import EnrolmentStep, StepStatus
from pathways.services.release import due_steps_claim, enrolment_step_release
from tests.factories import ClientFactory
from tests.pathways.conftest import step_spec
from tests.postgres import postgres_only

pytestmark = [*postgres_only, pytest.mark.django_db(transaction=True)]

ENROLMENTS = 12
STEPS = 4


def _due_steps(world, library, build, enrol) -> list[str]:
    """Twelve clients on a four-step pathway, every step due now and not queued yet."""
    pathway = build(
        [
            step_spec(activity, "days_after_enrolment", delay_days=1)
            for activity in library.plain[:STEPS]
        ]
    )
    for index in range(ENROLMENTS):
        client = ClientFactory(
            practice=world.practice_a, primary_therapist=world.therapist_a, full_name=f"C{index}"
        )
        enrol(pathway, client=client)
    with scopes_disabled():
        steps = EnrolmentStep.objects.all()
        steps.update(
            release_at=datetime.now(UTC) - timedelta(minutes=1), status=StepStatus.SCHEDULED
        )
        return [str(pk) for pk in steps.values_list("pk", flat=True)]


def _in_threads(count, work):
    """Run ``work(index)`` in ``count`` threads started together; returns their results."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def _assignment_origins():
    with scopes_disabled():
        return list(
            Assignment.objects.filter(origin="pathway_step").values_list("origin_id", flat=True)
        )


def test_two_sweepers_at_once_release_every_step_exactly_once(world, library, build, enrol):
    due = _due_steps(world, library, build, enrol)

    def sweeper(_index):
        claimed = []
        # Small batches so the two sweepers interleave; each batch's release tasks run after
        # its commit (eager Celery), in the same thread, like a worker would.
        while batch := due_steps_claim(batch_size=3):
            claimed += [step_id for step_id, _ in batch]
        return claimed

    first, second = _in_threads(2, sweeper)
    assert not set(first) & set(second), "a row was claimed by both sweepers"
    assert sorted(first + second) == sorted(due)
    origins = _assignment_origins()
    assert len(origins) == len(due) == ENROLMENTS * STEPS
    assert sorted(str(o) for o in origins) == sorted(due)
    with scopes_disabled():
        assert set(EnrolmentStep.objects.values_list("status", flat=True)) == {StepStatus.RELEASED}


def test_two_workers_releasing_the_same_step_create_one_assignment(world, library, build, enrol):
    due = _due_steps(world, library, build, enrol)[:5]
    with scopes_disabled():
        practice_id = world.practice_a.pk

    def worker(_index):
        won = []
        for step_id in due:
            with practice_scope(practice_id):
                won.append(enrolment_step_release(step_id=step_id))
        return won

    first, second = _in_threads(2, worker)
    assert [a + b for a, b in zip(first, second, strict=True)] == [1] * len(due)
    assert sorted(str(o) for o in _assignment_origins()) == sorted(due)


def test_a_worker_killed_mid_release_leaves_the_step_to_the_next_one(world, library, build, enrol):
    (step_id, *_) = _due_steps(world, library, build, enrol)
    practice_id = world.practice_a.pk
    claimed, killed = threading.Event(), threading.Event()
    outcome = {}

    def dying_worker():
        try:
            with transaction.atomic(), practice_scope(practice_id):
                outcome["dying"] = enrolment_step_release(step_id=step_id)
                claimed.set()
                killed.wait(30)
                raise RuntimeError("worker killed")
        except RuntimeError:
            pass
        finally:
            connection.close()

    def second_worker():
        claimed.wait(30)
        try:
            with practice_scope(practice_id):
                # Blocks on the dying worker's locks until its transaction is rolled back.
                outcome["second"] = enrolment_step_release(step_id=step_id)
        finally:
            connection.close()

    threads = [threading.Thread(target=dying_worker), threading.Thread(target=second_worker)]
    for thread in threads:
        thread.start()
    claimed.wait(30)
    killed.set()
    for thread in threads:
        thread.join(timeout=60)
    assert outcome == {"dying": True, "second": True}
    assert [str(o) for o in _assignment_origins()] == [step_id]
    with scopes_disabled():
        assert EnrolmentStep.objects.get(pk=step_id).status == StepStatus.RELEASED


def test_deleting_one_step_twice_at_once_answers_204_then_404(world, library, build):
    """Two therapists (or a double click) delete the same step at the same moment: one wins,
    the other is told it is gone; no 500, and the remaining steps are numbered 1, 2."""
    from django.test import Client as WebClient

    from pathways.models import PathwayStep

    pathway = build(
        [step_spec(activity, "on_enrolment") for activity in library.plain[:3]], publish=False
    )
    with scopes_disabled():
        middle = PathwayStep.objects.filter(pathway=pathway).order_by("position")[1]

    def delete(_index):
        browser = WebClient()
        browser.force_login(world.owner_a)
        return browser.delete(f"/api/v1/pathway-steps/{middle.pk}/").status_code

    assert sorted(_in_threads(2, delete)) == [204, 404]
    with scopes_disabled():
        positions = list(
            PathwayStep.objects.filter(pathway=pathway)
            .order_by("position")
            .values_list("position", flat=True)
        )
    assert positions == [1, 2]
