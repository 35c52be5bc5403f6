"""Step completion rules (``pathways.completion``): a step is done at its first entry (the
default), after N entries, or when its period ends (the sweeper completes it, as of that
moment, in the client's wall-clock time across a daylight-saving change); the preview and the
planner agree; the released assignment asks for the entries the rule counts."""

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import TestCase
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from assignments.services.completing import response_submit
from core.tenancy import practice_scope
from library.models import CuratedActivity
from pathways import completion, schedule
from pathways.completion import Completion
from pathways.models import StepStatus
from pathways.selectors import journeys_for_client, template_steps
from pathways.services.release import enrolment_step_period_end, period_ends_claim
from tests.factories import api_token_for
from tests.pathways.conftest import step_spec, steps_of, sweep_and_release

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# Wednesday 25 March 2026, 08:00 GMT; the UK moves to BST on Sunday 29 March.
SPRING = datetime(2026, 3, 25, 8, 0, tzinfo=UTC)
# Wednesday 21 October 2026, 08:00 BST; the UK goes back to GMT on Sunday 25 October.
AUTUMN = datetime(2026, 10, 21, 7, 0, tzinfo=UTC)


class Step:
    def __init__(self, completion="first_entry", entries=1, days=7):
        self.completion, self.completion_entries, self.days_to_complete = completion, entries, days


# --- The rule on its own ----------------------------------------------------------------------


def test_a_period_ends_at_21_00_local_on_its_due_day_across_both_changes():
    week = Step(Completion.PERIOD_END)
    # Released in GMT, ends in BST: 21:00 local is 20:00 UTC.
    assert completion.period_end(week, released_at=SPRING, tz=LONDON) == datetime(
        2026, 4, 1, 20, 0, tzinfo=UTC
    )
    # Released in BST, ends in GMT: 21:00 local is 21:00 UTC.
    assert completion.period_end(week, released_at=AUTUMN, tz=LONDON) == datetime(
        2026, 10, 28, 21, 0, tzinfo=UTC
    )


def test_what_each_rule_needs_and_when_the_preview_expects_it_done():
    arrives = SPRING
    first = Step()
    entries = Step(Completion.ENTRIES, 3)
    week = Step(Completion.PERIOD_END, 7)
    either = Step(Completion.ENTRIES_OR_PERIOD_END, 10, days=7)
    assert [completion.entries_needed(s) for s in (first, entries, week, either)] == [
        1,
        3,
        None,
        10,
    ]
    assert [completion.entries_target(s) for s in (first, entries, week, either)] == [1, 3, 7, 10]
    assert completion.expected_done_at(first, arrives_at=arrives, tz=LONDON) == arrives
    # One entry a day: the third on day 3, same local time (08:00 GMT, then still GMT).
    assert completion.expected_done_at(entries, arrives_at=arrives, tz=LONDON) == datetime(
        2026, 3, 27, 8, 0, tzinfo=UTC
    )
    end = completion.period_end(week, released_at=arrives, tz=LONDON)
    assert completion.expected_done_at(week, arrives_at=arrives, tz=LONDON) == end
    # Ten entries would take longer than the week: the week's end comes first.
    assert completion.expected_done_at(either, arrives_at=arrives, tz=LONDON) == end
    assert completion.describe(either) == ("Done after 10 entries, or when its time is up (7 days)")


# --- In the engine ----------------------------------------------------------------------------


@pytest.fixture
def mood_log(library):
    return CuratedActivity.objects.get(slug="daily-mood-log")


@pytest.fixture
def london_client(world):
    with scopes_disabled():
        world.client_a.timezone = "Europe/London"
        world.client_a.save(update_fields=["timezone"])
    return world.client_a


def send_entry(world, step, answers=None):
    """The client sends one entry of the step's assignment; what becomes due is released."""
    with practice_scope(world.practice_a), scopes_disabled():
        occurrence = step.assignment.occurrences.get()
    with practice_scope(world.practice_a), TestCase.captureOnCommitCallbacks(execute=True):
        response_submit(
            occurrence=occurrence,
            client=world.client_a,
            answers=answers or {"mood": 5, "date": occurrence.local_date.isoformat()},
            submission_key=uuid.uuid4(),
        )


def sweep_period_ends() -> list[str]:
    """What beat and the worker do for steps whose period has ended, in this thread."""
    done = []
    for step_id, practice_id in period_ends_claim():
        with practice_scope(practice_id), TestCase.captureOnCommitCallbacks(execute=True):
            if enrolment_step_period_end(step_id=step_id) is not None:
                done.append(step_id)
    return done


def test_a_step_done_after_three_entries_waits_for_the_third(
    world, library, mood_log, build, enrol
):
    pathway = build(
        [
            step_spec(
                mood_log, "on_enrolment", completion=Completion.ENTRIES, completion_entries=3
            ),
            step_spec(library.plain[0], "after_previous"),
        ]
    )
    with time_machine.travel(SPRING, tick=False):
        enrolment = enrol(pathway)
        sweep_and_release()
        first = steps_of(enrolment)[0]
        assert first.assignment.entries_target == 3
        send_entry(world, first)
        send_entry(world, first)
        assert [s.status for s in steps_of(enrolment)] == [
            StepStatus.RELEASED,
            StepStatus.WAITING,
        ]
        send_entry(world, first)
    assert [s.status for s in steps_of(enrolment)] == [StepStatus.COMPLETED, StepStatus.RELEASED]


def test_a_week_long_step_is_done_when_its_week_is_up_across_the_spring_change(
    world, library, mood_log, build, enrol, london_client
):
    pathway = build(
        [
            step_spec(
                mood_log,
                "on_enrolment",
                completion=Completion.PERIOD_END,
                completion_entries=7,
                days_to_complete=7,
            ),
            step_spec(library.plain[0], "after_previous"),
        ]
    )
    end = datetime(2026, 4, 1, 20, 0, tzinfo=UTC)  # 21:00 BST
    with practice_scope(world.practice_a):
        preview = schedule.timeline(
            template_steps(pathway),
            start_date=date(2026, 3, 25),
            tz=LONDON,
            now=SPRING,
            title_of=lambda step: step.title,
        )
    assert preview[0].done_at == end and preview[0].done_day == 8
    assert preview[1].arrives_at == end
    with time_machine.travel(SPRING, tick=False):
        enrolment = enrol(pathway)
        sweep_and_release()
        week = steps_of(enrolment)[0]
        assert week.completes_at == end
        assert week.assignment.entries_target == 7
        send_entry(world, week)  # the first entry does not end the week
    assert steps_of(enrolment)[0].status == StepStatus.RELEASED
    with time_machine.travel(end - timedelta(minutes=1), tick=False):
        assert sweep_period_ends() == []
    with time_machine.travel(end + timedelta(seconds=30), tick=False):
        assert len(sweep_period_ends()) == 1
        assert sweep_period_ends() == []  # done once
    week, after = steps_of(enrolment)
    assert week.status == StepStatus.COMPLETED and week.finished_at == end
    # The planner gives the next step the moment the preview showed.
    assert after.status == StepStatus.RELEASED and after.release_at == preview[1].arrives_at


def test_entries_or_the_week_whichever_comes_first(world, mood_log, library, build, enrol):
    pathway = build(
        [
            step_spec(
                mood_log,
                "on_enrolment",
                completion=Completion.ENTRIES_OR_PERIOD_END,
                completion_entries=2,
                days_to_complete=7,
            ),
            step_spec(library.plain[0], "after_previous"),
        ]
    )
    with time_machine.travel(AUTUMN, tick=False):
        enrolment = enrol(pathway)
        sweep_and_release()
        week = steps_of(enrolment)[0]
        send_entry(world, week)
        send_entry(world, week)
    week, after = steps_of(enrolment)
    assert week.status == StepStatus.COMPLETED and week.finished_at == AUTUMN
    assert after.status == StepStatus.RELEASED
    # Its period end comes and goes: nothing happens twice.
    with time_machine.travel(AUTUMN + timedelta(days=8), tick=False):
        assert sweep_period_ends() == []


def test_the_client_sees_the_entries_and_when_the_step_ends(
    world, mood_log, library, build, enrol, london_client, web
):
    pathway = build(
        [
            step_spec(
                mood_log,
                "on_enrolment",
                completion=Completion.ENTRIES_OR_PERIOD_END,
                completion_entries=7,
            ),
        ]
    )
    with time_machine.travel(SPRING, tick=False):
        enrolment = enrol(pathway)
        sweep_and_release()
        send_entry(world, steps_of(enrolment)[0])
        with practice_scope(world.practice_a):
            (journey,) = journeys_for_client(world.client_a)
    (step,) = journey.steps
    assert (step.state, step.entries, step.target) == ("open", 1, 7)
    assert step.until == datetime(2026, 4, 1, 20, 0, tzinfo=UTC)


def test_a_step_that_counts_entries_needs_an_activity_that_takes_several(world, library):
    browser = APIClient()
    browser.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(world.therapist_a)}")
    pathway = browser.post("/api/v1/pathways/", {"name": "Diary"}, format="json").json()
    refused = browser.post(
        "/api/v1/pathway-steps/",
        {
            "pathway": pathway["id"],
            "curated_activity": str(library.plain[0].pk),
            "delivery": "on_enrolment",
            "completion": "entries",
            "completion_entries": 7,
        },
        format="json",
    )
    assert refused.status_code == 400
    assert "completion_entries" in refused.json()
    log = CuratedActivity.objects.get(slug="daily-mood-log")
    spec = {
        "pathway": pathway["id"],
        "curated_activity": str(log.pk),
        "delivery": "on_enrolment",
        "completion": "entries",
    }
    too_many = browser.post("/api/v1/pathway-steps/", spec | {"completion_entries": 99})
    assert too_many.status_code == 400 and "completion_entries" in too_many.json()
    made = browser.post(
        "/api/v1/pathway-steps/",
        spec | {"completion": "entries_or_period_end", "completion_entries": 7},
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert (made.json()["completion"], made.json()["completion_entries"]) == (
        "entries_or_period_end",
        7,
    )


def test_a_pause_gives_a_week_long_step_its_days_back(world, library, mood_log, build, enrol):
    from pathways.services.enrolments import enrolment_pause, enrolment_resume
    from tests.assignments.fixtures import membership_of

    pathway = build(
        [step_spec(mood_log, "on_enrolment", completion=Completion.PERIOD_END, days_to_complete=7)]
    )
    actor = membership_of(world.practice_a, world.therapist_a)
    with time_machine.travel(SPRING, tick=False):
        enrolment = enrol(pathway)
        sweep_and_release()
        end = steps_of(enrolment)[0].completes_at
        with practice_scope(world.practice_a):
            enrolment_pause(enrolment=enrolment, actor=actor)
    later = time_machine.travel(SPRING + timedelta(days=3), tick=False)
    with later, practice_scope(world.practice_a), TestCase.captureOnCommitCallbacks(execute=True):
        enrolment_resume(enrolment=enrolment, actor=actor)
    # Three days later on the client's wall clock: 21:00 BST on 4 April.
    assert steps_of(enrolment)[0].completes_at == end + timedelta(days=3)
    with time_machine.travel(end + timedelta(hours=1), tick=False):
        assert sweep_period_ends() == []
