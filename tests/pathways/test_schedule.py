"""When steps arrive (pure functions) and which step rules can work."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from pathways import clock, release_rules, rules, schedule

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


@dataclass
class Step:
    """A stand-in with the attributes the rules read."""

    pk: int
    delivery: str = "after_previous"
    delay_days: int = 0
    time_of_day: time | None = None
    days_to_complete: int = 7
    completion: str = "first_entry"
    completion_entries: int = 1
    required: bool = True
    condition_step_id: int | None = None
    condition_operator: str = ""
    condition_value: int | None = None
    title: str = ""
    is_measure: bool = False

    @property
    def waits_for_previous(self):
        return release_rules.rule_for(self.delivery).counts_from_previous


def check(steps):
    rules.check_steps(
        steps, title_of=lambda s: s.title or f"S{s.pk}", is_measure=lambda s: s.is_measure
    )


def test_a_time_of_day_is_local_on_both_sides_of_the_spring_change():
    anchor = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)  # Friday; Berlin moves to CEST on Sunday
    friday = clock.release_moment(anchor=anchor, delay_days=1, time_of_day=time(18), tz=BERLIN)
    monday = clock.release_moment(anchor=anchor, delay_days=3, time_of_day=time(18), tz=BERLIN)
    assert friday == datetime(2026, 3, 28, 17, 0, tzinfo=UTC)  # 18:00 CET
    assert monday == datetime(2026, 3, 30, 16, 0, tzinfo=UTC)  # 18:00 CEST
    assert monday.astimezone(BERLIN).hour == 18


def test_a_time_that_does_not_exist_arrives_after_the_jump():
    anchor = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    moment = clock.release_moment(anchor=anchor, delay_days=1, time_of_day=time(2, 30), tz=BERLIN)
    assert moment.astimezone(BERLIN).time() == time(3, 30)
    assert moment.astimezone(BERLIN).date() == date(2026, 3, 29)


def test_without_a_time_no_delay_is_at_once_and_a_delay_is_nine_in_the_morning():
    anchor = datetime(2026, 11, 1, 20, 13, tzinfo=UTC)  # 15:13 in New York, after the fall change
    assert (
        clock.release_moment(anchor=anchor, delay_days=0, time_of_day=None, tz=NEW_YORK) == anchor
    )
    later = clock.release_moment(anchor=anchor, delay_days=2, time_of_day=None, tz=NEW_YORK)
    assert later.astimezone(NEW_YORK).replace(tzinfo=None) == datetime(2026, 11, 3, 9, 0)


def test_a_time_already_past_on_the_anchor_day_means_the_next_day():
    anchor = datetime(2026, 6, 1, 18, 0, tzinfo=UTC)  # 20:00 in Berlin
    moment = clock.release_moment(anchor=anchor, delay_days=0, time_of_day=time(19), tz=BERLIN)
    assert moment.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 6, 2, 19, 0)


def test_enrolment_counts_from_the_start_date_or_the_moment_of_enrolling():
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    assert clock.enrolment_anchor(start_date=date(2026, 6, 1), enrolled_at=now, tz=BERLIN) == now
    future = clock.enrolment_anchor(start_date=date(2026, 6, 8), enrolled_at=now, tz=BERLIN)
    assert future.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 6, 8, 0, 0)


def test_shift_keeps_the_local_wall_clock_time_across_a_change():
    moment = datetime(2026, 10, 23, 17, 0, tzinfo=UTC)  # 19:00 CEST; CET from 25 October
    shifted = clock.shift_days(moment, 3, BERLIN)
    assert shifted.astimezone(BERLIN).time() == moment.astimezone(BERLIN).time()
    assert (shifted - moment).total_seconds() == 3 * 86400 + 3600  # one hour more: CET


def test_the_previous_step_is_the_nearest_required_one():
    steps = [Step(1), Step(2, required=False), Step(3)]
    assert schedule.previous_required(steps, 2) is steps[0]
    assert schedule.previous_required(steps, 0) is None


def test_the_preview_shows_days_waits_and_conditions():
    steps = [
        Step(1, delivery="on_enrolment", title="PHQ-9", is_measure=True),
        Step(2, delivery="days_after_previous", delay_days=2, time_of_day=time(18), title="Log"),
        Step(
            3,
            delivery="days_after_enrolment",
            delay_days=10,
            title="Plan",
            condition_step_id=1,
            condition_operator="gte",
            condition_value=10,
        ),
    ]
    now = datetime(2026, 3, 27, 9, 0, tzinfo=UTC)
    rows = schedule.timeline(
        steps, start_date=date(2026, 3, 27), tz=BERLIN, now=now, title_of=lambda s: s.title
    )
    assert [row.day for row in rows] == [1, 3, 11]
    assert rows[1].arrives_at.replace(tzinfo=None) == datetime(2026, 3, 29, 18, 0)
    assert rows[1].waits_for is steps[0]
    assert rows[2].condition == "Only if the PHQ-9 total is at least 10"
    assert rows[2].arrives_at.hour == 9


def test_conditions_compare_with_the_threshold():
    assert schedule.condition_met("gte", 10, 10.0)
    assert not schedule.condition_met("gte", 10, 9)
    assert schedule.condition_met("lte", 4, 4)
    assert not schedule.condition_met("gte", 10, None)


@pytest.mark.parametrize(
    ("delivery", "delay", "message"),
    [
        ("days_after_enrolment", -1, "cannot be negative"),
        ("days_after_previous", 366, "more than 365 days"),
        ("days_after_previous", None, "after how many days"),
    ],
)
def test_bad_delays_are_refused_on_the_field(delivery, delay, message):
    with pytest.raises(ValidationError) as error:
        rules.check_delay(delivery, delay)
    assert message in error.value.message_dict["delay_days"][0]


def test_a_cycle_is_refused_naming_the_steps():
    # Step 2 waits for the score of step 3, which waits for step 2 (its previous step).
    steps = [
        Step(1),
        Step(2, condition_step_id=3, condition_operator="gte", condition_value=1),
        Step(3, is_measure=True, title="GAD-7"),
    ]
    with pytest.raises(ValidationError) as error:
        check(steps)
    message = error.value.message_dict["condition_step"][0]
    assert "wait for each other" in message
    assert "step 2 (S2) → step 3 (GAD-7) → step 2 (S2)" in message


def test_a_forward_condition_without_a_cycle_is_allowed():
    steps = [
        Step(
            1,
            delivery="on_enrolment",
            condition_step_id=2,
            condition_operator="gte",
            condition_value=5,
        ),
        Step(2, delivery="on_enrolment", is_measure=True),
    ]
    check(steps)


@pytest.mark.parametrize(
    ("condition_step_id", "is_measure", "message"),
    [
        (99, True, "not in this pathway"),
        (2, True, "its own score"),
        (1, False, "not a measure"),
    ],
)
def test_broken_condition_references_are_refused(condition_step_id, is_measure, message):
    steps = [
        Step(1, is_measure=is_measure),
        Step(2, condition_step_id=condition_step_id, condition_operator="gte", condition_value=1),
    ]
    with pytest.raises(ValidationError) as error:
        check(steps)
    assert message in error.value.message_dict["condition_step"][0]
