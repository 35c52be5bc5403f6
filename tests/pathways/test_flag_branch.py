"""A pathway step can branch on a flag: "raised a flag" / "raised no flag" release it (or mark
it not needed) by whether the entry of the step it reads met a risk rule (PHQ-9 item 9 ≥ 1).
A flag also holds the enrolment, so a step released by a flag waits for the therapist."""

import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import TestCase
from django_scopes import scopes_disabled

from assignments.services.completing import response_submit
from core.tenancy import practice_scope
from pathways import fhir, schedule
from pathways.models import Comparison, StepStatus
from pathways.selectors import template_steps
from pathways.services.enrolments import enrolment_hold_resume
from tests.pathways.conftest import membership_of, step_spec, steps_of, sweep_and_release

pytestmark = pytest.mark.django_db
START = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def answer_phq9(world, step, *, item9: str):
    with practice_scope(world.practice_a), TestCase.captureOnCommitCallbacks(execute=True):
        response_submit(
            occurrence=step.assignment.occurrences.get(),
            client=world.client_a,
            answers={f"q{n}": "1" for n in range(1, 9)} | {"q9": item9},
            submission_key=uuid.uuid4(),
        )


def resume(world, enrolment):
    with practice_scope(world.practice_a), TestCase.captureOnCommitCallbacks(execute=True):
        enrolment_hold_resume(
            enrolment=enrolment,
            actor=membership_of(world.practice_a, world.therapist_a),
            decision="Phoned the client; safety plan reviewed.",
        )


@pytest.fixture
def run(world, library, build, enrol):
    """run(operator, item9) → the enrolment's steps once the PHQ-9 (released at once) was
    answered with ``item9`` and any hold resumed: [PHQ-9, the conditional worksheet]."""

    def go(operator, item9):
        pathway = build(
            [
                step_spec(library.phq9, "on_enrolment"),
                step_spec(library.plain[0], condition_index=0, condition_operator=operator),
            ]
        )
        with time_machine.travel(START, tick=False):
            enrolment = enrol(pathway)
            sweep_and_release()
            answer_phq9(world, steps_of(enrolment)[0], item9=item9)
            phq9, branch = steps_of(enrolment)
            assert phq9.status == StepStatus.COMPLETED
            assert phq9.flagged is (item9 != "0")
            with scopes_disabled():  # under row-level security, as every read here
                enrolment.refresh_from_db()
            if enrolment.held_at is not None:
                # The flag held the enrolment: the step is decided but waits for the resume.
                assert item9 != "0" and branch.status == StepStatus.SCHEDULED
                assert sweep_and_release() == []
                resume(world, enrolment)
            sweep_and_release()
            return steps_of(enrolment)

    return go


def test_raised_a_flag_releases_the_step_after_resume_when_item_9_was_endorsed(run):
    _, branch = run(Comparison.FLAGGED, "1")
    assert branch.status == StepStatus.RELEASED


def test_raised_a_flag_is_not_needed_when_item_9_was_zero(run):
    _, branch = run(Comparison.FLAGGED, "0")
    assert branch.status == StepStatus.NOT_NEEDED
    assert "raised no flag" in branch.note and "raised a flag" in branch.note


def test_raised_no_flag_releases_the_step_when_item_9_was_zero(run):
    _, branch = run(Comparison.NOT_FLAGGED, "0")
    assert branch.status == StepStatus.RELEASED


def test_raised_no_flag_is_not_needed_when_item_9_was_endorsed(run):
    _, branch = run(Comparison.NOT_FLAGGED, "2")
    assert branch.status == StepStatus.NOT_NEEDED
    with scopes_disabled():  # under row-level security, as every read here
        assert branch.enrolment.status == "completed"  # nothing was left to hold


def test_a_flag_comparison_takes_no_value(library, build):
    with pytest.raises(ValidationError) as caught:
        build(
            [
                step_spec(library.phq9, "on_enrolment"),
                step_spec(
                    library.plain[0],
                    condition_index=0,
                    condition_operator=Comparison.FLAGGED,
                    condition_value=1,
                ),
            ]
        )
    assert "condition_value" in caught.value.message_dict


def test_a_flag_comparison_needs_a_step_with_a_risk_rule(library, build):
    with pytest.raises(ValidationError) as caught:
        build(
            [
                step_spec(library.plain[1], "on_enrolment"),
                step_spec(
                    library.plain[0], condition_index=0, condition_operator=Comparison.FLAGGED
                ),
            ]
        )
    assert "risk rule" in caught.value.message_dict["condition_step"][0]


def test_a_score_comparison_still_needs_a_measure(library, build):
    with pytest.raises(ValidationError) as caught:
        build(
            [
                step_spec(library.plain[1], "on_enrolment"),
                step_spec(
                    library.plain[0],
                    condition_index=0,
                    condition_operator=Comparison.AT_LEAST,
                    condition_value=3,
                ),
            ]
        )
    assert "not a measure" in caught.value.message_dict["condition_step"][0]


def test_preview_and_fhir_describe_the_flag_branch(world, library, build):
    pathway = build(
        [
            step_spec(library.phq9, "on_enrolment"),
            step_spec(library.plain[0], condition_index=0, condition_operator=Comparison.FLAGGED),
            step_spec(
                library.plain[1], condition_index=0, condition_operator=Comparison.NOT_FLAGGED
            ),
        ]
    )
    with practice_scope(world.practice_a):
        steps = template_steps(pathway)
        rows = schedule.timeline(
            steps,
            start_date=START.date(),
            tz=UTC,
            now=START,
            title_of=lambda step: step.title,
        )
        plan = fhir.plan_definition(pathway, steps)
    phq9 = steps[0].title
    assert rows[1].condition == f"Only if step 1 ({phq9}) raised a flag"
    assert rows[2].condition == f"Only if step 1 ({phq9}) raised no flag"
    conditions = [action.get("condition") for action in plan["action"]]
    assert conditions[0] is None
    assert "raised a flag" in conditions[1][0]["expression"]["description"]
    assert conditions[2][0]["expression"]["expression"] == "Step1RaisedNoFlag"


def test_a_skipped_step_meets_neither_flag_comparison():
    assert not schedule.condition_met(Comparison.FLAGGED, None, None, flagged=None)
    assert not schedule.condition_met(Comparison.NOT_FLAGGED, None, None, flagged=None)
    assert schedule.condition_met(Comparison.NOT_FLAGGED, None, None, flagged=False)
    assert schedule.condition_met(Comparison.AT_LEAST, 10, 12.0)
