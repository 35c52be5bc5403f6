"""Helpers for the reminder tests: activities to assign, assigning and submitting as the
real services do, setting a client's preferences, and running the sweeper as beat would
(with Celery eager, the tasks it enqueues run when its transactions commit)."""

from types import SimpleNamespace

import pytest
from django_scopes import scopes_disabled

from core.tenancy import practice_scope
from tests.assignments.fixtures import assign_as_therapist, submit_as_client
from tests.factories import activity_version_for


@pytest.fixture
def acts(world):
    return SimpleNamespace(
        worksheet=activity_version_for(world.practice_a, "thought-record"),
        phq9=activity_version_for(world.practice_a, "phq-9"),
        worksheet_b=activity_version_for(world.practice_b, "thought-record"),
    )


@pytest.fixture
def assign(world, django_capture_on_commit_callbacks):
    """assign(version, client=world.client_a, **plan) → Assignment, made by the therapist."""

    def make(version, client=None, **plan):
        with django_capture_on_commit_callbacks(execute=True):
            return assign_as_therapist(version, client or world.client_a, **plan)

    return make


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """submit(occurrence, answers) → Response, sent by the occurrence's client."""

    def make(occurrence, answers):
        with django_capture_on_commit_callbacks(execute=True):
            return submit_as_client(occurrence, answers)

    return make


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """sweep() → rows enqueued; their delivery tasks run (eagerly) on commit."""
    from reminders.services.engine import reminders_sweep

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return reminders_sweep()

    return run


@pytest.fixture
def prefer():
    """prefer(client, **fields): the client's own reminder choices, through the service."""
    from reminders.services.preferences import client_preference_update

    def make(client, **fields):
        with practice_scope(client.practice_id):
            return client_preference_update(client=client, **fields)

    return make


def reminders_of(client, **filters) -> list:
    from reminders.models import Reminder

    with scopes_disabled():
        return list(
            Reminder.objects.filter(client=client, **filters).order_by("due_at", "kind", "pk")
        )


def phq9_answers(item9: str = "0") -> dict:
    answers = {f"q{n}": "1" for n in range(1, 9)}
    answers["q9"] = item9
    return answers


WORKSHEET_ANSWERS = {
    "situation": "Tuesday 3pm at my desk.",
    "emotions": [{"emotion": "Anxious", "intensity": 80}],
    "thoughts": [{"thought": "She thinks I'm useless.", "hot": ["hot"], "belief": 85}],
    "evidence_for": "She didn't say hello.",
    "evidence_against": "She was on the phone.",
    "balanced_thought": "She was probably busy.",
    "balanced_belief": 70,
    "emotions_after": [{"emotion": "Anxious", "intensity": 40}],
}
