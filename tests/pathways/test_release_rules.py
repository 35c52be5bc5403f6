"""Release rules (``pathways.release_rules``): each rule on its own, the registry, and the
timeline preview agreeing with the release planner for every rule."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from pathways import clock, release_rules, schedule
from pathways.forms import DeliveryFields
from pathways.models import PathwayStep, StepStatus

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
ALL_RULES = [rule.value for rule in release_rules.all_rules()]


@dataclass(eq=False)
class Step:
    """A stand-in for a template step and for an enrolment step (status onwards)."""

    pk: int
    delivery: str
    delay_days: int = 0
    time_of_day: time | None = None
    required: bool = True
    condition_step_id: int | None = None
    condition_operator: str = ""
    condition_value: int | None = None
    days_to_complete: int = 7
    completion: str = "first_entry"
    completion_entries: int = 1
    holds_for_review: bool = False
    title: str = ""
    status: str = StepStatus.WAITING
    anchor_at: datetime | None = None
    release_at: datetime | None = None
    finished_at: datetime | None = None
    score: float | None = None
    note: str = ""

    @property
    def waits_for_previous(self):
        return release_rules.rule_for(self.delivery).counts_from_previous


# --- The registry -----------------------------------------------------------------------------


def test_the_rules_in_the_builders_order():
    assert release_rules.choices() == [
        ("on_enrolment", "At once on enrolment"),
        ("days_after_enrolment", "Some days after enrolment"),
        ("after_previous", "When the previous step is done"),
        ("days_after_previous", "Some days after the previous step is done"),
    ]


def test_the_model_the_form_and_the_api_offer_the_registered_rules():
    from pathways.serializers import StepSerializer

    assert PathwayStep._meta.get_field("delivery").choices == release_rules.choices()
    assert list(DeliveryFields().fields["delivery"].choices) == release_rules.choices()
    assert list(StepSerializer().fields["delivery"].choices) == ALL_RULES


def test_an_unknown_rule_is_none():
    assert release_rules.rule_for("whenever") is None


def test_two_rules_cannot_share_a_value():
    with pytest.raises(ValueError, match="on_enrolment"):
        type("Again", (release_rules.ReleaseRule,), {"value": "on_enrolment"})


# --- Each rule --------------------------------------------------------------------------------

START = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)  # Friday; Berlin moves to CEST on Sunday
DONE = datetime(2026, 3, 28, 19, 0, tzinfo=UTC)  # the previous step, done on Saturday 20:00


def timing(delivery, *, previous=None, **fields):
    """(anchor, moment) of a step after ``previous`` (a done step, or None)."""
    step = Step(2, delivery, **fields)
    steps = [previous, step] if previous else [step]
    return schedule.release_at(
        steps,
        len(steps) - 1,
        enrolment_start=START,
        tz=BERLIN,
        finished_at=lambda other: other.finished_at,
    )


def test_on_enrolment_arrives_at_once_or_at_its_time_on_the_first_day():
    done = Step(1, "on_enrolment", finished_at=DONE)
    assert timing("on_enrolment", previous=done) == (START, START)
    _, moment = timing("on_enrolment", time_of_day=time(18))
    assert moment.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 3, 27, 18, 0)
    rule = release_rules.rule_for("on_enrolment")
    assert (rule.counts_from_previous, rule.has_days) == (False, False)
    assert rule.describe(delay_days=0, time_of_day=None) == "At once on enrolment"
    assert rule.describe(delay_days=0, time_of_day=time(18)) == "On enrolment, at 18:00"


def test_days_after_enrolment_count_local_days_across_the_change():
    done = Step(1, "on_enrolment", finished_at=DONE)
    anchor, moment = timing("days_after_enrolment", previous=done, delay_days=3)
    assert anchor == START  # never from the previous step
    assert moment.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 3, 30, 9, 0)
    assert moment == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # 09:00 CEST
    rule = release_rules.rule_for("days_after_enrolment")
    assert (rule.counts_from_previous, rule.has_days) == (False, True)
    assert rule.describe(delay_days=1, time_of_day=None) == "1 day after enrolment, at 09:00"
    assert (
        rule.describe(delay_days=3, time_of_day=time(7, 30)) == "3 days after enrolment, at 07:30"
    )


def test_after_previous_waits_for_the_previous_step_or_counts_from_enrolment():
    done = Step(1, "on_enrolment", finished_at=DONE)
    assert timing("after_previous", previous=done) == (DONE, DONE)
    assert timing("after_previous", previous=Step(1, "on_enrolment")) is None  # not done yet
    assert timing("after_previous") == (START, START)  # the first step
    _, moment = timing("after_previous", previous=done, time_of_day=time(18))
    assert moment.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 3, 29, 18, 0)
    rule = release_rules.rule_for("after_previous")
    assert (rule.counts_from_previous, rule.has_days) == (True, False)
    assert rule.describe(delay_days=0, time_of_day=None) == "When the previous step is done"


def test_days_after_previous_count_from_when_it_was_done():
    done = Step(1, "on_enrolment", finished_at=DONE)
    anchor, moment = timing("days_after_previous", previous=done, delay_days=2)
    assert anchor == DONE
    assert moment.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 3, 30, 9, 0)
    assert timing("days_after_previous", previous=Step(1, "on_enrolment"), delay_days=2) is None
    rule = release_rules.rule_for("days_after_previous")
    assert (rule.counts_from_previous, rule.has_days) == (True, True)
    assert (
        rule.describe(delay_days=2, time_of_day=time(18))
        == "2 days after the previous step is done, at 18:00"
    )


# --- The preview and the planner agree ------------------------------------------------------


def planned_arrivals(steps, *, start_date, enrolled_at, tz) -> dict:
    """Run the release planner over an enrolment whose client does each step the moment it
    arrives (and scores every measure high): when each step arrives, by pk.

    A step arrives at its ``release_at``, or at once when it was planned later than that
    (its measure was done after its own time had passed), as the sweeper releases it.
    """
    start = clock.enrolment_anchor(start_date=start_date, enrolled_at=enrolled_at, tz=tz)
    now, planned_at, arrivals = enrolled_at, {}, {}
    while True:
        for step in schedule.plan(steps, enrolment_start=start, tz=tz):
            assert step.status == StepStatus.SCHEDULED, step.note
            planned_at[step.pk] = now
        scheduled = [step for step in steps if step.status == StepStatus.SCHEDULED]
        if not scheduled:
            break
        step = min(scheduled, key=lambda s: max(s.release_at, planned_at[s.pk]))
        now = max(step.release_at, planned_at[step.pk])
        step.status, step.finished_at, step.score = StepStatus.COMPLETED, now, 100
        arrivals[step.pk] = now
    assert all(step.status == StepStatus.COMPLETED for step in steps)
    return arrivals


def assert_agree(steps, *, start_date, now, tz):
    rows = schedule.timeline(steps, start_date=start_date, tz=tz, now=now, title_of=str)
    previewed = {row.step.pk: row.arrives_at for row in rows}
    planned = planned_arrivals(steps, start_date=start_date, enrolled_at=now, tz=tz)
    assert previewed == planned


@pytest.mark.parametrize("first", ALL_RULES)
@pytest.mark.parametrize("second", ALL_RULES)
@pytest.mark.parametrize("at", [None, time(18, 30)])
def test_preview_and_planner_agree_for_every_pair_of_rules(first, second, at):
    steps = [
        Step(1, first, delay_days=2, time_of_day=at),
        Step(2, "days_after_enrolment", delay_days=1, required=False),
        Step(3, second, delay_days=3, time_of_day=at),
    ]
    # Enrolled on Friday evening in Berlin, the clocks change on Sunday.
    assert_agree(steps, start_date=date(2026, 3, 27), now=START + timedelta(hours=9), tz=BERLIN)


@pytest.mark.parametrize("rule", ALL_RULES)
def test_preview_and_planner_agree_with_conditions_and_a_later_start(rule):
    steps = [
        Step(1, "on_enrolment", title="PHQ-9"),
        Step(2, rule, delay_days=4, time_of_day=time(2, 30)),  # inside the autumn fold
        Step(3, rule, delay_days=1, condition_step_id=4, condition_operator="gte"),
        Step(4, "days_after_enrolment", delay_days=6, time_of_day=time(20)),
        Step(5, "days_after_previous", delay_days=1, required=False, condition_step_id=1),
        Step(6, rule, delay_days=2),
    ]
    for step in steps:
        if step.condition_step_id:
            step.condition_value = 10
    now = datetime(2026, 10, 27, 15, 0, tzinfo=UTC)
    assert_agree(steps, start_date=date(2026, 10, 30), now=now, tz=NEW_YORK)
