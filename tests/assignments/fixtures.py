"""Fixtures for homework tests (registered in tests/conftest.py): activities to assign,
assigning as a therapist, sending as the client."""

import uuid
from types import SimpleNamespace

import pytest
from django_scopes import scopes_disabled

from accounts.models import Membership
from assignments.services import assigning, completing
from core.tenancy import practice_scope
from tests.factories import activity_version_for


def membership_of(practice, user) -> Membership:
    with scopes_disabled():
        return Membership.objects.select_related("user", "practice").get(
            practice=practice, user=user
        )


@pytest.fixture
def acts(world):
    """Published activities in practice A (and one in B): a thought record (several entries
    allowed), the PHQ-9 (scored), and a single-entry worksheet."""
    return SimpleNamespace(
        thought_record=activity_version_for(world.practice_a, "thought-record"),
        phq9=activity_version_for(world.practice_a, "phq-9"),
        mood_log=activity_version_for(world.practice_a, "daily-mood-log"),
        thought_record_b=activity_version_for(world.practice_b, "thought-record"),
    )


def assign_as_therapist(version, client, therapist=None, **plan):
    """Assign ``version`` to ``client`` through the service, as their therapist."""
    with scopes_disabled():
        practice = client.practice
        therapist = therapist or client.primary_therapist
    with practice_scope(practice):
        return assigning.assignment_create(
            client=client,
            actor=membership_of(practice, therapist),
            activity_version=version,
            **plan,
        )


def submit_as_client(occurrence, answers, key=None, **kwargs):
    """Send ``answers`` for ``occurrence`` through the service, as its client."""
    with practice_scope(occurrence.practice_id), scopes_disabled():
        client = occurrence.client
    with practice_scope(occurrence.practice_id):
        return completing.response_submit(
            occurrence=occurrence,
            client=client,
            answers=answers,
            submission_key=key or uuid.uuid4(),
            **kwargs,
        )


@pytest.fixture
def assign(world):
    """assign(version, client=world.client_a, **plan) → Assignment, as the client's therapist."""

    def make(version, client=None, therapist=None, **plan):
        return assign_as_therapist(version, client or world.client_a, therapist, **plan)

    return make


@pytest.fixture
def submit():
    """submit(occurrence, answers, **kw) → Response, as the occurrence's client."""
    return submit_as_client


THOUGHT_RECORD_ANSWERS = {
    "situation": "Tuesday 3pm at my desk. My manager walked past without saying hello.",
    "emotions": [{"emotion": "Anxious", "intensity": 80}, {"emotion": "Sad", "intensity": 40}],
    "thoughts": [{"thought": "She thinks I'm useless.", "hot": ["hot"], "belief": 85}],
    "evidence_for": "She didn't say hello.",
    "evidence_against": "She was on the phone and looked busy. She praised my report on Monday.",
    "balanced_thought": "She was probably busy; one missed hello says little about my work.",
    "balanced_belief": 70,
    "emotions_after": [{"emotion": "Anxious", "intensity": 40}],
}


def phq9_answers(item9: str = "0", others: str = "1") -> dict:
    answers = {f"q{n}": others for n in range(1, 9)}
    answers["q9"] = item9
    return answers
