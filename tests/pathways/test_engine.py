"""The release engine: steps become assignments at the right local moment, exactly once,
across daylight-saving changes, with sweepers running twice, workers killed mid-way, and
enrolments paused and resumed."""

import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django_scopes import scopes_disabled

from assignments.models import Assignment
from assignments.services.completing import response_submit
from clients.models import ClientStatus
from core.tenancy import practice_scope
from pathways.models import EnrolmentStatus, EnrolmentStep, StepStatus
from pathways.services.enrolments import enrolment_pause, enrolment_resume
from pathways.services.release import due_steps_claim, enrolment_step_release
from pathways.tasks import sweep_due_steps
from tests.pathways.conftest import (
    complete,
    membership_of,
    step_spec,
    steps_of,
    sweep_and_release,
)

pytestmark = pytest.mark.django_db

EVENING = time(18, 0)


def five_steps(library):
    plain = library.plain
    return [
        step_spec(plain[0], "on_enrolment", time_of_day=EVENING),
        step_spec(plain[1], "days_after_enrolment", delay_days=3, time_of_day=EVENING),
        step_spec(plain[2], "after_previous"),
        step_spec(plain[3], "days_after_previous", delay_days=2, time_of_day=EVENING),
        step_spec(plain[4], "days_after_enrolment", delay_days=10),
    ]


def _assignments_for(step_ids):
    with scopes_disabled():
        return list(Assignment.objects.filter(origin="pathway_step", origin_id__in=step_ids))


# Thursday starts, three days before the change: Berlin springs forward on 29 March 2026,
# New York falls back on 1 November 2026.
DST_CASES = {
    "Europe/Berlin": {
        "start": datetime(2026, 3, 26, 9, 0),
        "done": {2: datetime(2026, 3, 30, 8, 0), 3: datetime(2026, 3, 30, 20, 0)},
        "expected": {
            1: datetime(2026, 3, 26, 18, 0),  # CET, before the change
            2: datetime(2026, 3, 29, 18, 0),  # CEST, the day of the change
            3: datetime(2026, 3, 30, 8, 0),  # at once when step 2 is done
            4: datetime(2026, 4, 1, 18, 0),  # two days after step 3 was done
            5: datetime(2026, 4, 5, 9, 0),  # ten days after enrolment, 09:00
        },
    },
    "America/New_York": {
        "start": datetime(2026, 10, 29, 9, 0),
        "done": {2: datetime(2026, 11, 2, 8, 0), 3: datetime(2026, 11, 2, 20, 0)},
        "expected": {
            1: datetime(2026, 10, 29, 18, 0),  # EDT
            2: datetime(2026, 11, 1, 18, 0),  # EST, the day of the change
            3: datetime(2026, 11, 2, 8, 0),
            4: datetime(2026, 11, 4, 18, 0),
            5: datetime(2026, 11, 8, 9, 0),
        },
    },
}


@pytest.mark.parametrize("zone", sorted(DST_CASES))
def test_five_steps_arrive_once_at_the_local_time_across_a_dst_change(
    zone, world, library, build, enrol
):
    """Beat sweeps every half hour for twelve days (and queued tasks run after commit, as a
    worker would run them); the client finishes steps 2 and 3 at set times."""
    case = DST_CASES[zone]
    tz = ZoneInfo(zone)
    with scopes_disabled():
        world.client_a.timezone = zone
        world.client_a.save(update_fields=["timezone"])
    pathway = build(five_steps(library))
    start = case["start"].replace(tzinfo=tz)
    done_at = {position: at.replace(tzinfo=tz) for position, at in case["done"].items()}
    released_ids = []
    with time_machine.travel(start, tick=False) as clock:
        enrolment = enrol(pathway)
        moment = start
        while moment <= start + timedelta(days=12):
            clock.move_to(moment)
            for position, at in done_at.items():
                if at == moment:
                    complete(steps_of(enrolment)[position - 1])
            released_ids += sweep_and_release()
            moment += timedelta(minutes=30)
    steps = steps_of(enrolment)
    arrivals = {s.position: s.released_at.astimezone(tz).replace(tzinfo=None) for s in steps}
    assert arrivals == case["expected"]
    assert len(released_ids) == len(set(released_ids))
    assert str(steps[2].pk) not in released_ids  # released at once by the queued task
    assignments = _assignments_for([s.pk for s in steps])
    assert sorted(str(a.origin_id) for a in assignments) == sorted(str(s.pk) for s in steps)
    for step in steps:
        assert step.assignment.starts_on == arrivals[step.position].date() + timedelta(days=7)


def test_nothing_is_released_a_minute_early(world, library, build, enrol):
    start = datetime(2026, 3, 26, 9, 0, tzinfo=ZoneInfo("Europe/London"))
    pathway = build(
        [step_spec(library.plain[0], "days_after_enrolment", delay_days=1, time_of_day=EVENING)]
    )
    with time_machine.travel(start, tick=False) as clock:
        enrolment = enrol(pathway)
        clock.move_to(datetime(2026, 3, 27, 17, 59, tzinfo=UTC))
        assert sweep_and_release() == []
        clock.move_to(datetime(2026, 3, 27, 18, 0, tzinfo=UTC))
        assert len(sweep_and_release()) == 1
    assert steps_of(enrolment)[0].status == StepStatus.RELEASED


def _due_in_five_minutes(library, build, enrol):
    """An enrolment whose first step falls due five minutes after enrolling."""
    pathway = build([step_spec(library.plain[0], "on_enrolment", time_of_day=time(9, 5))])
    return enrol(pathway)


def test_a_second_sweep_and_a_second_worker_change_nothing(world, library, build, enrol):
    with time_machine.travel(datetime(2026, 6, 1, 8, 0, tzinfo=UTC), tick=False) as clock:
        enrolment = _due_in_five_minutes(library, build, enrol)
        clock.move_to(datetime(2026, 6, 1, 8, 5, tzinfo=UTC))
        claimed = due_steps_claim()
        assert len(claimed) == 1
        assert due_steps_claim() == []  # queued already: not queued again
        step_id, practice_id = claimed[0]
        with practice_scope(practice_id):
            assert enrolment_step_release(step_id=step_id) is True
            assert enrolment_step_release(step_id=step_id) is False
    assert len(_assignments_for([s.pk for s in steps_of(enrolment)])) == 1


class WorkerKilled(Exception):
    pass


def test_a_worker_killed_before_commit_loses_nothing_and_duplicates_nothing(
    world, library, build, enrol
):
    start = datetime(2026, 6, 1, 8, 5, tzinfo=UTC)
    with time_machine.travel(start - timedelta(minutes=5), tick=False) as clock:
        enrolment = _due_in_five_minutes(library, build, enrol)
        clock.move_to(start)
        ((step_id, practice_id),) = due_steps_claim()
        # The worker claims the row and creates the assignment, then dies before commit.
        with pytest.raises(WorkerKilled), transaction.atomic(), practice_scope(practice_id):
            assert enrolment_step_release(step_id=step_id) is True
            assert len(_assignments_for([step_id])) == 1
            raise WorkerKilled
        step = steps_of(enrolment)[0]
        assert step.status == StepStatus.SCHEDULED
        assert step.assignment_id is None
        assert _assignments_for([step_id]) == []
        # Its message is lost too (say Redis restarted): within five minutes the sweeper
        # leaves the row alone, after that it queues it again.
        clock.move_to(start + timedelta(minutes=4))
        assert due_steps_claim() == []
        clock.move_to(start + timedelta(minutes=6))
        assert len(sweep_and_release()) == 1
        assert sweep_and_release() == []
    assert len(_assignments_for([step_id])) == 1
    assert steps_of(enrolment)[0].status == StepStatus.RELEASED


def test_the_beat_task_queues_releases_that_run_after_commit(
    world, library, build, enrol, django_capture_on_commit_callbacks
):
    with time_machine.travel(datetime(2026, 6, 1, 8, 0, tzinfo=UTC), tick=False) as clock:
        enrolment = _due_in_five_minutes(library, build, enrol)
        clock.move_to(datetime(2026, 6, 1, 8, 5, tzinfo=UTC))
        with django_capture_on_commit_callbacks(execute=True):
            assert sweep_due_steps.delay().get() == 1
    assert steps_of(enrolment)[0].status == StepStatus.RELEASED


def test_enrolling_and_finishing_release_what_is_due_at_once(world, library, build, enrol):
    pathway = build([step_spec(library.plain[0], "on_enrolment"), step_spec(library.plain[1])])
    enrolment = enrol(pathway)
    first, second = steps_of(enrolment)
    assert first.status == StepStatus.RELEASED
    assert second.status == StepStatus.WAITING
    complete(first)
    assert steps_of(enrolment)[1].status == StepStatus.RELEASED


def _pause(enrolment, world):
    with practice_scope(world.practice_a):
        return enrolment_pause(
            enrolment=enrolment, actor=membership_of(world.practice_a, world.therapist_a)
        )


def _resume(enrolment, world):
    with practice_scope(world.practice_a):
        return enrolment_resume(
            enrolment=enrolment, actor=membership_of(world.practice_a, world.therapist_a)
        )


def test_a_paused_enrolment_releases_nothing_even_if_already_queued(world, library, build, enrol):
    with time_machine.travel(datetime(2026, 6, 1, 8, 0, tzinfo=UTC), tick=False) as clock:
        enrolment = _due_in_five_minutes(library, build, enrol)
        clock.move_to(datetime(2026, 6, 1, 8, 5, tzinfo=UTC))
        ((step_id, practice_id),) = due_steps_claim()
        _pause(enrolment, world)
        with practice_scope(practice_id):
            assert enrolment_step_release(step_id=step_id) is False
        clock.move_to(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
        assert due_steps_claim() == []
    assert steps_of(enrolment)[0].status == StepStatus.SCHEDULED


def test_resuming_moves_what_is_left_by_the_pause_and_keeps_the_spacing(
    world, library, build, enrol
):
    london = ZoneInfo("Europe/London")
    plain = library.plain
    pathway = build(
        [
            step_spec(plain[0], "on_enrolment"),
            step_spec(plain[1], "days_after_enrolment", delay_days=2, time_of_day=EVENING),
            step_spec(plain[2], "days_after_enrolment", delay_days=4, time_of_day=EVENING),
            step_spec(plain[3], "days_after_previous", delay_days=1, time_of_day=EVENING),
        ]
    )
    start = datetime(2026, 6, 1, 9, 0, tzinfo=london)
    with time_machine.travel(start, tick=False) as clock:
        enrolment = enrol(pathway)
        sweep_and_release()
        clock.move_to(datetime(2026, 6, 2, 10, 0, tzinfo=london))
        _pause(enrolment, world)
        # Steps 2 and 3 fall due during the pause and nothing is released.
        clock.move_to(datetime(2026, 6, 8, 10, 0, tzinfo=london))
        assert sweep_and_release() == []
        _resume(enrolment, world)
        assert sweep_and_release() == []  # nothing missed arrives in a burst
        steps = steps_of(enrolment)
        local = [s.release_at.astimezone(london).replace(tzinfo=None) for s in steps[1:3]]
        assert local == [datetime(2026, 6, 9, 18, 0), datetime(2026, 6, 11, 18, 0)]
        clock.move_to(datetime(2026, 6, 9, 18, 0, tzinfo=london))
        assert len(sweep_and_release()) == 1
    with scopes_disabled():
        enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert enrolment.shift_days == 6


def test_a_step_scheduled_during_the_pause_moves_only_by_the_rest_of_it(
    world, library, build, enrol
):
    london = ZoneInfo("Europe/London")
    pathway = build(
        [
            step_spec(library.plain[0], "on_enrolment"),
            step_spec(library.plain[1], "days_after_previous", delay_days=1, time_of_day=EVENING),
        ]
    )
    with time_machine.travel(datetime(2026, 6, 1, 9, 0, tzinfo=london), tick=False) as clock:
        enrolment = enrol(pathway)
        sweep_and_release()
        _pause(enrolment, world)
        clock.move_to(datetime(2026, 6, 3, 12, 0, tzinfo=london))
        complete(steps_of(enrolment)[0])  # the client finishes what they had, during the pause
        clock.move_to(datetime(2026, 6, 5, 12, 0, tzinfo=london))
        _resume(enrolment, world)
    second = steps_of(enrolment)[1]
    # Done on the 3rd, "1 day after" → 4th; two days of pause were left → the 6th.
    assert second.release_at.astimezone(london).replace(tzinfo=None) == datetime(2026, 6, 6, 18, 0)


def test_branching_on_a_real_phq9_submission(world, library, build, enrol):
    pathway = build(
        [
            step_spec(library.phq9, "on_enrolment"),
            step_spec(
                library.schedule,
                "after_previous",
                condition_index=0,
                condition_operator="gte",
                condition_value=10,
            ),
            step_spec(library.plain[0], "after_previous"),
        ]
    )
    enrolment = enrol(pathway)
    sweep_and_release()
    phq9 = steps_of(enrolment)[0]
    with practice_scope(world.practice_a):
        occurrence = phq9.assignment.occurrences.get()
        answers = {f"q{n}": "2" for n in range(1, 9)} | {"q9": "0"}  # total 16
        response_submit(
            occurrence=occurrence,
            client=world.client_a,
            answers=answers,
            submission_key=uuid.uuid4(),
        )
    steps = steps_of(enrolment)
    assert steps[0].status == StepStatus.COMPLETED
    assert steps[0].score == 16
    assert steps[1].status == StepStatus.SCHEDULED  # 16 ≥ 10: the module is added
    assert steps[2].status == StepStatus.WAITING


def test_an_unmet_condition_drops_the_step_and_the_next_one_follows_the_measure(
    world, library, build, enrol
):
    pathway = build(
        [
            step_spec(library.phq9, "on_enrolment"),
            step_spec(
                library.schedule,
                "after_previous",
                condition_index=0,
                condition_operator="gte",
                condition_value=10,
            ),
            step_spec(library.plain[0], "days_after_previous", delay_days=1, time_of_day=EVENING),
        ]
    )
    enrolment = enrol(pathway)
    sweep_and_release()
    complete(steps_of(enrolment)[0], score=4)
    measure, module, follow_up = steps_of(enrolment)
    assert module.status == StepStatus.NOT_NEEDED
    assert "total was 4" in module.note
    assert follow_up.status == StepStatus.SCHEDULED
    assert follow_up.anchor_at == measure.finished_at


def test_the_enrolment_completes_when_every_required_step_is_done(world, library, build, enrol):
    pathway = build(
        [
            step_spec(library.plain[0], "on_enrolment"),
            step_spec(library.plain[1], "on_enrolment", required=False),
        ]
    )
    enrolment = enrol(pathway)
    sweep_and_release()
    complete(steps_of(enrolment)[0])
    complete(steps_of(enrolment)[0])  # a second entry changes nothing
    with scopes_disabled():
        enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED


def test_a_step_that_cannot_be_released_is_held_with_the_reason(world, library, build, enrol):
    with time_machine.travel(datetime(2026, 6, 1, 8, 0, tzinfo=UTC), tick=False) as clock:
        enrolment = _due_in_five_minutes(library, build, enrol)
        with scopes_disabled():
            world.client_a.status = ClientStatus.DISCHARGED
            world.client_a.save(update_fields=["status"])
        clock.move_to(datetime(2026, 6, 1, 8, 5, tzinfo=UTC))
        assert sweep_and_release() == []
        step = steps_of(enrolment)[0]
        assert step.status == StepStatus.HELD
        assert "discharged" in step.note
        clock.move_to(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
        assert due_steps_claim() == []  # not retried on its own
    with scopes_disabled():
        assert not EnrolmentStep.objects.filter(status=StepStatus.RELEASED).exists()
