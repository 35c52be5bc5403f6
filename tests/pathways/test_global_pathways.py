"""The global pathways after their clinical review (pathways/seed/*.json): each one's steps,
completion rules and branches, and behavioural activation run through the engine at a mild
and at a severe baseline."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import TestCase
from django_scopes import scopes_disabled

from assignments.services.completing import response_submit
from core.tenancy import practice_scope
from pathways.completion import Completion
from pathways.models import CuratedPathway, Enrolment, EnrolmentHold, StepStatus
from pathways.selectors import template_steps
from pathways.services.authoring import pathway_copy_from_global, pathway_publish
from tests.assignments.fixtures import membership_of
from tests.pathways.conftest import complete, steps_of, sweep_and_release
from tests.pathways.test_completion import send_entry, sweep_period_ends
from tests.pathways.test_hold import resume

pytestmark = pytest.mark.django_db

START = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # a Monday, no clock change near


def _slugs(pathway):
    return [step.curated_activity.slug for step in template_steps(pathway)]


def _global(slug):
    return CuratedPathway.objects.get(slug=slug)


def test_behavioural_activation_schedules_for_everyone_and_holds_a_severe_baseline(library):
    pathway = _global("behavioural-activation-low-mood")
    steps = template_steps(pathway)
    assert _slugs(pathway)[:3] == ["phq-9", "safety-plan", "activity-log"]
    severe, monitoring = steps[1], steps[2]
    assert (severe.condition_operator, severe.condition_value) == ("gte", 20)
    assert severe.condition_step == steps[0] and severe.holds_for_review and not severe.required
    assert monitoring.completion == Completion.PERIOD_END
    scheduling = [s for s in steps if s.curated_activity.slug == "activity-schedule"]
    assert scheduling and all(s.condition_step_id is None and s.required for s in scheduling)
    assert [s.condition_step_id is not None for s in steps].count(True) == 1
    assert _slugs(pathway)[-1] == "phq-9"


def test_the_sleep_baseline_week_lasts_seven_entries_or_the_week(library):
    first, *_, last = template_steps(_global("sleep-routine"))
    for diary in (first, last):
        assert diary.curated_activity.slug == "sleep-diary"
        assert (diary.completion, diary.completion_entries, diary.days_to_complete) == (
            Completion.ENTRIES_OR_PERIOD_END,
            7,
            7,
        )


def test_cbt_for_depression_uses_thought_records_with_a_target(library):
    pathway = _global("cbt-depression-thought-records")
    slugs = _slugs(pathway)
    assert slugs == [
        "phq-9",
        "safety-plan",
        "reading-understanding-low-mood",
        "activity-log",
        "thought-record",
        "phq-9",
        "behavioural-experiment",
        "thought-record",
        "phq-9",
    ]
    steps = template_steps(pathway)
    practice = steps[4]
    assert (practice.completion, practice.completion_entries) == (
        Completion.ENTRIES_OR_PERIOD_END,
        3,
    )
    assert steps[3].completion == Completion.PERIOD_END
    assert steps[1].holds_for_review and steps[1].condition_value == 20
    assert "thought record" in pathway.description


def test_social_anxiety_measures_suds_and_mood_and_says_why(library):
    pathway = _global("exposure-social-anxiety")
    slugs = _slugs(pathway)
    assert {"gad-7", "phq-9"} <= set(slugs) and slugs.count("exposure-practice-log") == 2
    assert slugs[-2:] == ["gad-7", "phq-9"]
    assert "SUDS" in pathway.description and "SPIN" in pathway.description
    logs = [s for s in template_steps(pathway) if s.curated_activity.slug.startswith("exposure-p")]
    assert all((s.completion, s.completion_entries) == (Completion.PERIOD_END, 5) for s in logs)


def _enrol_in_ba(world):
    actor = membership_of(world.practice_a, world.therapist_a)
    with practice_scope(world.practice_a):
        pathway = pathway_copy_from_global(
            practice=world.practice_a,
            actor=actor,
            curated_pathway=_global("behavioural-activation-low-mood"),
        )
        pathway_publish(pathway=pathway, actor=actor)
    from pathways.services.enrolments import enrolment_create

    with practice_scope(world.practice_a), TestCase.captureOnCommitCallbacks(execute=True):
        return enrolment_create(
            pathway=pathway, client=world.client_a, actor=actor, start_date=START.date()
        )


def _phq9(world, step, *, items):
    """The client answers the baseline PHQ-9 with ``items`` (q1 … q9) as given."""
    with practice_scope(world.practice_a), scopes_disabled():
        occurrence = step.assignment.occurrences.get()
    with practice_scope(world.practice_a), TestCase.captureOnCommitCallbacks(execute=True):
        response_submit(
            occurrence=occurrence,
            client=world.client_a,
            answers={f"q{n}": str(value) for n, value in enumerate(items, start=1)},
            submission_key=uuid.uuid4(),
        )


def _by_slug(enrolment):
    return [(s.curated_activity.slug, s.status) for s in steps_of(enrolment)]


def test_a_client_with_a_phq9_of_6_still_gets_activity_scheduling(world, library):
    with time_machine.travel(START, tick=False):
        enrolment = _enrol_in_ba(world)
        sweep_and_release()
        _phq9(world, steps_of(enrolment)[0], items=[1, 1, 1, 1, 1, 1, 0, 0, 0])  # 6: mild
    steps = steps_of(enrolment)
    assert steps[0].score == 6
    assert steps[1].status == StepStatus.NOT_NEEDED  # no severe branch
    monitoring = steps[2]
    assert monitoring.status == StepStatus.RELEASED  # at once, not held
    # An entry the same evening does not end the monitoring week.
    with time_machine.travel(START + timedelta(hours=10), tick=False):
        send_entry(
            world,
            monitoring,
            {"date": "2026-06-01", "activity": "Walk", "mastery": 5, "pleasure": 6},
        )
    assert steps_of(enrolment)[3].status == StepStatus.WAITING
    with time_machine.travel(START + timedelta(days=8), tick=False):
        sweep_period_ends()
        values = steps_of(enrolment)[3]
        assert values.status == StepStatus.RELEASED
        complete(values)
    schedule = next(
        s for s in steps_of(enrolment) if s.curated_activity.slug == "activity-schedule"
    )
    assert schedule.status == StepStatus.SCHEDULED  # everyone gets scheduling
    with scopes_disabled():
        assert Enrolment.objects.get(pk=enrolment.pk).held_at is None


def test_a_severe_baseline_holds_everything_for_review_until_the_therapist_resumes(world, library):
    with time_machine.travel(START, tick=False):
        enrolment = _enrol_in_ba(world)
        sweep_and_release()
        _phq9(world, steps_of(enrolment)[0], items=[3, 3, 3, 3, 3, 3, 2, 2, 0])  # 22, item 9 = 0
        sweep_and_release()
    with scopes_disabled():
        held = Enrolment.objects.get(pk=enrolment.pk)
        (hold,) = EnrolmentHold.objects.filter(enrolment=held)
    assert held.held_at == START and hold.flag is None
    assert hold.reason.startswith("Step 2 (Safety plan) waits for your review")
    assert hold.reason.endswith("total was 22.")
    statuses = dict(_by_slug(enrolment)[1:3])
    assert statuses == {"safety-plan": StepStatus.SCHEDULED, "activity-log": StepStatus.SCHEDULED}
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        resume(world, held, "Reviewed risk in session; stepping up to weekly sessions.")
    statuses = dict(_by_slug(enrolment)[1:3])
    assert statuses == {"safety-plan": StepStatus.RELEASED, "activity-log": StepStatus.RELEASED}
