"""Helpers for the pathway tests: the global library, pathways built through the services,
running the release engine by hand, and the pathway pages' step form."""

from datetime import time
from types import SimpleNamespace

import pytest
from django.test import TestCase
from django_scopes import scopes_disabled

from core.tenancy import practice_scope
from library.models import CuratedActivity
from library.seeding import sync_global_library
from pathways.models import EnrolmentStep, PathwayStep, StepStatus
from pathways.seeding import sync_global_pathways
from pathways.services.authoring import pathway_create, pathway_publish, pathway_step_add
from pathways.services.enrolments import enrolment_create
from pathways.services.release import (
    due_steps_claim,
    enrolment_step_complete,
    enrolment_step_release,
)
from tests.assignments.fixtures import membership_of
from tests.factories import curated_activity_for


@pytest.fixture
def library(db):
    """The global library as the migrations seed it (synced again: a transactional test
    elsewhere may have emptied the tables), plus five plain worksheets "Step 1" … "Step 5"."""
    if not CuratedActivity.objects.filter(slug="phq-9").exists():
        sync_global_library()
    sync_global_pathways()
    plain = [curated_activity_for(title=f"Step {n} worksheet") for n in range(1, 6)]
    return SimpleNamespace(
        phq9=CuratedActivity.objects.get(slug="phq-9"),
        gad7=CuratedActivity.objects.get(slug="gad-7"),
        schedule=CuratedActivity.objects.get(slug="activity-schedule"),
        plain=plain,
    )


def step_spec(activity, delivery="after_previous", **fields) -> dict:
    return {"curated_activity": activity, "delivery": delivery, **fields}


@pytest.fixture
def build(world):
    """build(specs, practice=world.practice_a, publish=True) → a practice pathway whose steps
    are made from ``specs`` (dicts of step-service arguments; ``condition_index`` names an
    earlier spec's position, 0-based, for branching)."""

    def make(specs, practice=None, publish=True, name="Test pathway", **fields):
        practice = practice or world.practice_a
        owner = world.owner_a if practice == world.practice_a else world.owner_b
        actor = membership_of(practice, owner)
        with practice_scope(practice):
            pathway = pathway_create(practice=practice, actor=actor, name=name, **fields)
            steps = []
            for spec in specs:
                spec = dict(spec)
                condition_index = spec.pop("condition_index", None)
                if condition_index is not None:
                    spec["condition_step"] = steps[condition_index]
                steps.append(pathway_step_add(pathway=pathway, actor=actor, **spec))
            if publish:
                pathway_publish(pathway=pathway, actor=actor)
        return pathway

    return make


@pytest.fixture
def enrol(world):
    """enrol(pathway, client=world.client_a, start_date=None) → Enrolment (as the client's
    therapist; start date: the client's today). What is due at once is released at once, as
    the task queued after commit would do."""

    def make(pathway, client=None, start_date=None):
        from django.utils import timezone

        client = client or world.client_a
        with scopes_disabled():
            practice = client.practice
            therapist = client.primary_therapist
        actor = membership_of(practice, therapist)
        with practice_scope(practice), TestCase.captureOnCommitCallbacks(execute=True):
            return enrolment_create(
                pathway=pathway,
                client=client,
                actor=actor,
                start_date=start_date or timezone.localdate(timezone.now(), client.tz),
            )

    return make


def sweep_and_release() -> list[str]:
    """What beat and the worker do, in this thread: claim due rows, then release each in its
    practice's scope (the tasks the claim queues after commit are not run: this is their
    work). Returns the released step ids."""
    released = []
    for step_id, practice_id in due_steps_claim():
        with practice_scope(practice_id):
            if enrolment_step_release(step_id=step_id):
                released.append(step_id)
    return released


def steps_of(enrolment) -> list[EnrolmentStep]:
    with scopes_disabled():
        return list(
            EnrolmentStep.objects.filter(enrolment=enrolment)
            .select_related("assignment", "curated_activity__current_version")
            .order_by("position")
        )


def complete(step, *, score=None) -> EnrolmentStep:
    """The client sends the step's assignment (what the submission receiver does); steps
    that become due at once are released by the queued task."""
    with practice_scope(step.practice_id), scopes_disabled():
        assignment = EnrolmentStep.objects.get(pk=step.pk).assignment
    with practice_scope(step.practice_id), TestCase.captureOnCommitCallbacks(execute=True):
        return enrolment_step_complete(assignment=assignment, score=score)


def released(enrolment) -> list[EnrolmentStep]:
    return [s for s in steps_of(enrolment) if s.status == StepStatus.RELEASED]


EVENING = time(18, 0)


def _step_form(curated_activity, /, **overrides):
    data = {
        "activity": f"c:{curated_activity.pk}",
        "delivery": "after_previous",
        "delay_days": "",
        "time_of_day": "",
        "days_to_complete": "7",
        "required": "on",
        "therapist_notes": "",
        "condition_step": "",
        "condition_operator": "gte",
        "condition_value": "",
    }
    return data | overrides


def _steps(pathway):
    with scopes_disabled():
        return list(PathwayStep.objects.filter(pathway=pathway).order_by("position"))


def _branching(library, build, **kwargs):
    return build(
        [
            step_spec(library.plain[0], "on_enrolment"),
            step_spec(library.phq9, "after_previous"),
            step_spec(
                library.schedule,
                "on_enrolment",
                condition_index=1,
                condition_operator="gte",
                condition_value=10,
            ),
        ],
        **kwargs,
    )
