"""Recurring schedules in the client's time zone, across daylight-saving changes."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_scopes import scopes_disabled

from assignments.models import OccurrenceStatus, State
from assignments.schedule import Schedule, due_at, first_due_day
from assignments.selectors import todo_for
from assignments.services import missed
from core.tenancy import practice_scope

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def test_times_a_week_spreads_over_the_week_ending_on_its_last_day():
    schedule = Schedule(
        kind="times_per_week", starts_on=date(2025, 6, 2), times_per_week=3, weeks=2
    )
    assert [d.isoformat() for d in schedule.local_dates()] == [
        "2025-06-04",
        "2025-06-06",
        "2025-06-08",
        "2025-06-11",
        "2025-06-13",
        "2025-06-15",
    ]


def test_weekdays_and_daily():
    weekdays = Schedule(kind="weekdays", starts_on=date(2025, 6, 4), weekdays=(0, 4), weeks=1)
    assert [d.strftime("%a %d") for d in weekdays.local_dates()] == ["Fri 06", "Mon 09"]
    daily = Schedule(kind="daily", starts_on=date(2025, 6, 4), repeat_days=3)
    assert len(daily.local_dates()) == 3
    assert daily.describe() == "Every day for 3 days, by 21:00"


def test_due_times_stay_local_across_the_spring_change_in_berlin():
    # Clocks go forward on Sunday 30 March 2025: 21:00 is 20:00 UTC before, 19:00 UTC after.
    dates = Schedule(kind="daily", starts_on=date(2025, 3, 29), repeat_days=3).local_dates()
    due = [due_at(d, time(21, 0), BERLIN) for d in dates]
    assert [d.hour for d in due] == [20, 19, 19]
    assert all(d.astimezone(BERLIN).hour == 21 for d in due)
    # 02:30 does not exist that night: it lands just after the gap (03:30 CEST).
    skipped = due_at(date(2025, 3, 30), time(2, 30), BERLIN)
    assert skipped == datetime(2025, 3, 30, 1, 30, tzinfo=UTC)


def test_due_times_stay_local_across_the_autumn_change_in_new_york():
    # Clocks go back on Sunday 2 November 2025: 21:00 EDT is 01:00 UTC, 21:00 EST 02:00 UTC.
    dates = Schedule(kind="daily", starts_on=date(2025, 11, 1), repeat_days=3).local_dates()
    due = [due_at(d, time(21, 0), NEW_YORK) for d in dates]
    assert [d.hour for d in due] == [1, 2, 2]
    assert all(d.astimezone(NEW_YORK).hour == 21 for d in due)


@pytest.mark.django_db
def test_a_daily_assignment_across_the_berlin_change_is_due_once_a_day_at_21(world, acts, assign):
    with scopes_disabled():
        world.client_a.timezone = "Europe/Berlin"
        world.client_a.save()
    with time_machine.travel("2025-03-28 10:00:00+00:00", tick=False):
        assignment = assign(acts.thought_record, schedule_kind="daily", repeat_days=4)
    with scopes_disabled():
        occurrences = list(assignment.occurrences.order_by("sequence"))
    assert [o.local_date.day for o in occurrences] == [28, 29, 30, 31]
    assert [o.due_at.astimezone(BERLIN).hour for o in occurrences] == [21, 21, 21, 21]
    # Sunday 30 March at 20:30 local (18:30 UTC, after the change): today's is still open…
    with time_machine.travel("2025-03-30 18:30:00+00:00", tick=False):
        with practice_scope(world.practice_a):
            todo = todo_for(world.client_a)
        assert [o.local_date.day for o in todo.today] == [30]
        # …and Saturday's (due 21:00 CET = 20:00 UTC) counts as missed: the 12-hour grace
        # ended at 08:00 UTC on Sunday, before any sweeper ran.
        assert occurrences[1].state() == State.MISSED
        assert occurrences[2].state() == State.ASSIGNED
    # At 21:00 local on the 30th (19:00 UTC) it becomes overdue; the sweeper marks it missed
    # twelve hours later, once.
    with time_machine.travel("2025-03-30 19:00:00+00:00", tick=False):
        assert occurrences[2].state() == State.OVERDUE
    with time_machine.travel("2025-03-31 07:00:00+00:00", tick=False):
        assert missed.occurrences_mark_missed() == 3  # 28th, 29th, 30th
        assert missed.occurrences_mark_missed() == 0
    with scopes_disabled():
        statuses = list(
            assignment.occurrences.order_by("sequence").values_list("status", flat=True)
        )
    assert statuses == [OccurrenceStatus.MISSED] * 3 + [OccurrenceStatus.ASSIGNED]


@pytest.mark.django_db
def test_weekday_assignment_across_the_new_york_change(world, acts, assign):
    with scopes_disabled():
        world.client_a.timezone = "America/New_York"
        world.client_a.save()
    with time_machine.travel("2025-10-27 12:00:00+00:00", tick=False):
        assignment = assign(
            acts.mood_log, schedule_kind="weekdays", weekdays=[0, 3], weeks=2, due_time=time(19, 0)
        )
    with scopes_disabled():
        occurrences = list(assignment.occurrences.order_by("sequence"))
    assert [o.local_date.isoformat() for o in occurrences] == [
        "2025-10-27",
        "2025-10-30",
        "2025-11-03",
        "2025-11-06",
    ]
    assert [o.due_at.hour for o in occurrences] == [23, 23, 0, 0]  # EDT then EST (next day UTC)
    # Monday 3 November 18:00 local (23:00 UTC): due today, not tomorrow.
    with (
        time_machine.travel("2025-11-03 23:00:00+00:00", tick=False),
        practice_scope(world.practice_a),
    ):
        todo = todo_for(world.client_a)
    assert [o.local_date.isoformat() for o in todo.today] == ["2025-11-03"]


# --- Every N weeks and before each session (measurement-based care) ----------------------


def test_every_n_weeks_repeats_on_the_same_weekday():
    weekly = Schedule(kind="every_n_weeks", starts_on=date(2025, 6, 4), interval_weeks=1, weeks=3)
    assert [d.isoformat() for d in weekly.local_dates()] == [
        "2025-06-04",
        "2025-06-11",
        "2025-06-18",
    ]
    assert weekly.describe() == "Every week for 3 weeks, by 21:00"
    fortnightly = Schedule(
        kind="every_n_weeks", starts_on=date(2025, 6, 4), interval_weeks=2, weeks=8
    )
    assert [d.day for d in fortnightly.local_dates()] == [4, 18, 2, 16]
    assert fortnightly.describe() == "Every 2 weeks for 8 weeks, by 21:00"
    # No interval given (e.g. through the API): weekly.
    default = Schedule(kind="every_n_weeks", starts_on=date(2025, 6, 4), weeks=2)
    assert len(default.local_dates()) == 2


def test_every_n_weeks_is_validated():
    from django.core.exceptions import ValidationError

    start = date(2025, 6, 4)
    with pytest.raises(ValidationError) as error:
        Schedule(kind="every_n_weeks", starts_on=start, interval_weeks=5, weeks=4).validate()
    assert "interval_weeks" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        Schedule(kind="every_n_weeks", starts_on=start, interval_weeks=1).validate()
    assert "weeks" in error.value.error_dict
    Schedule(kind="every_n_weeks", starts_on=start, interval_weeks=2, weeks=26).validate()


def test_before_sessions_is_due_the_day_before_each_upcoming_session():
    from django.core.exceptions import ValidationError

    schedule = Schedule(
        kind="before_sessions",
        starts_on=date(2025, 6, 4),
        session_dates=(date(2025, 6, 18), date(2025, 6, 4), date(2025, 6, 11)),
    )
    # The session on the start day itself is too close: its day before has passed.
    assert [d.isoformat() for d in schedule.local_dates()] == ["2025-06-10", "2025-06-17"]
    assert schedule.describe() == "The day before each session, by 21:00"
    with pytest.raises(ValidationError) as error:
        Schedule(kind="before_sessions", starts_on=date(2025, 6, 4)).validate()
    assert "next session" in str(error.value.error_dict["schedule_kind"])


def test_weekly_due_times_stay_local_across_both_london_changes():
    # Clocks go back on Sunday 26 October 2025 and forward on Sunday 30 March 2025.
    london = ZoneInfo("Europe/London")
    autumn = Schedule(kind="every_n_weeks", starts_on=date(2025, 10, 19), weeks=2)
    due = [due_at(d, time(19, 0), london) for d in autumn.local_dates()]
    assert [d.hour for d in due] == [18, 19]  # BST, then GMT
    spring = Schedule(kind="every_n_weeks", starts_on=date(2025, 3, 23), weeks=2)
    due = [due_at(d, time(19, 0), london) for d in spring.local_dates()]
    assert [d.hour for d in due] == [19, 18]


@pytest.mark.parametrize(
    ("utc", "zone", "expected"),
    [
        # London, GMT: 20:59 local → today's 21:00 is still ahead; 21:00 → tomorrow.
        ("2025-01-15 20:59:00+00:00", "Europe/London", date(2025, 1, 15)),
        ("2025-01-15 21:00:00+00:00", "Europe/London", date(2025, 1, 16)),
        # Sydney (AEDT, UTC+11): 10:00 UTC is 21:00 there.
        ("2025-01-15 09:59:00+00:00", "Australia/Sydney", date(2025, 1, 15)),
        ("2025-01-15 10:00:00+00:00", "Australia/Sydney", date(2025, 1, 16)),
        # New York on the day clocks go forward: 21:00 EDT is 01:00 UTC the next day.
        ("2025-03-10 00:59:00+00:00", "America/New_York", date(2025, 3, 9)),
        ("2025-03-10 01:00:00+00:00", "America/New_York", date(2025, 3, 10)),
    ],
)
def test_the_first_due_day_is_tomorrow_once_todays_due_time_has_passed(utc, zone, expected):
    now = datetime.fromisoformat(utc)
    assert first_due_day(ZoneInfo(zone), time(21, 0), now=now) == expected


@pytest.mark.django_db
def test_assigning_late_in_the_evening_defaults_to_tomorrow(world, acts, assign, web):
    """At 22:30 in London the default (due today at 21:00) would already be late: the form
    offers tomorrow, and the service picks tomorrow when no date is given."""
    with time_machine.travel("2025-01-15 22:30:00+00:00", tick=False):
        page = web(world.therapist_a).get(
            "/assignments/new/",
            {"client": world.client_a.pk, "activity": acts.thought_record.activity_id},
        )
        assignment = assign(acts.thought_record)
    assert page.status_code == 200
    import re

    print(re.findall(r"<input[^>]*starts_on[^>]*>", page.content.decode()))
    assert 'value="2025-01-16"' in page.content.decode()
    with scopes_disabled():
        assert [o.local_date for o in assignment.occurrences.all()] == [date(2025, 1, 16)]
