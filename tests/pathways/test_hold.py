"""A flag on an enrolled client's answer holds the enrolment: nothing later is released until a
therapist resumes it with a recorded decision, and what fell due meanwhile comes out then."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import TestCase
from django_scopes import scopes_disabled

from assignments.services.completing import response_submit
from core.tenancy import practice_scope
from pathways.models import Enrolment, EnrolmentHold, StepStatus
from pathways.services.enrolments import enrolment_hold_resume, enrolment_step_unlock
from tests.pathways.conftest import membership_of, step_spec, steps_of, sweep_and_release

pytestmark = pytest.mark.django_db
START = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def flagged_phq9(world, step):
    """The client answers the PHQ-9 the step released with item 9 above 0."""
    with practice_scope(world.practice_a):
        occurrence = step.assignment.occurrences.get()
        response_submit(
            occurrence=occurrence,
            client=world.client_a,
            answers={f"q{n}": "1" for n in range(1, 9)} | {"q9": "2"},
            submission_key=uuid.uuid4(),
        )


@pytest.fixture
def held(world, library, build, enrol):
    """An enrolment (PHQ-9 at once, a worksheet two days later) whose PHQ-9 raised a flag."""
    pathway = build(
        [
            step_spec(library.phq9, "on_enrolment"),
            step_spec(library.plain[0], "days_after_enrolment", delay_days=2),
        ]
    )
    with time_machine.travel(START, tick=False):
        enrolment = enrol(pathway)
        sweep_and_release()
        flagged_phq9(world, steps_of(enrolment)[0])
    return enrolment


def resume(world, enrolment, decision):
    with practice_scope(world.practice_a), TestCase.captureOnCommitCallbacks(execute=True):
        return enrolment_hold_resume(
            enrolment=enrolment,
            actor=membership_of(world.practice_a, world.therapist_a),
            decision=decision,
        )


def test_a_flag_holds_the_enrolment(world, held):
    with scopes_disabled():
        enrolment = Enrolment.objects.get(pk=held.pk)
        (hold,) = EnrolmentHold.objects.select_related("flag").filter(enrolment=enrolment)
    assert enrolment.held_at is not None
    assert hold.flag.client_id == world.client_a.pk and hold.lifted_at is None


def test_a_due_step_is_not_released_while_held_and_is_after_resume(world, held):
    with time_machine.travel(START + timedelta(days=3), tick=False):
        assert sweep_and_release() == []
        assert steps_of(held)[1].status == StepStatus.SCHEDULED
        resume(world, held, "Phoned the client; safety plan reviewed, risk low. Carry on.")
        assert steps_of(held)[1].status == StepStatus.RELEASED
    with scopes_disabled():
        (hold,) = EnrolmentHold.objects.filter(enrolment=held)
    assert hold.decision == "Phoned the client; safety plan reviewed, risk low. Carry on."
    assert hold.lifted_by == world.therapist_a
    with scopes_disabled():
        assert Enrolment.objects.get(pk=held.pk).held_at is None


def test_resuming_needs_a_decision(world, held):
    with pytest.raises(ValidationError) as error:
        resume(world, held, "   ")
    assert "decision" in error.value.message_dict
    with scopes_disabled():
        assert Enrolment.objects.get(pk=held.pk).held_at is not None


def test_a_step_cannot_be_unlocked_while_held(world, held):
    with practice_scope(world.practice_a), pytest.raises(ValidationError):
        enrolment_step_unlock(
            step=steps_of(held)[1], actor=membership_of(world.practice_a, world.therapist_a)
        )


def test_the_enrolment_page_shows_the_hold_and_records_the_decision(world, held, web):
    browser = web(world.therapist_a)
    page = browser.get(f"/pathways/enrolments/{held.pk}/")
    assert "an answer was flagged" in page.content.decode()
    # Unlocking a step is refused while held, so the page does not offer it.
    assert "Unlock now" not in page.content.decode()
    refused = browser.post(f"/pathways/enrolments/{held.pk}/resume-hold/", {"decision": ""})
    assert refused.status_code == 400
    assert "Your decision" in refused.content.decode()
    done = browser.post(
        f"/pathways/enrolments/{held.pk}/resume-hold/", {"decision": "Seen in session today."}
    )
    assert done.status_code == 302
    page = browser.get(f"/pathways/enrolments/{held.pk}/").content.decode()
    assert "Seen in session today." in page and "an answer was flagged" not in page
    assert "Unlock now" in page
