"""The pure time rules: local times across daylight-saving changes, quiet hours that wrap
past midnight, the moment of "due soon" and the nudges, a zone tzdata no longer has."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from reminders.timing import (
    at_local,
    due_soon_moment,
    in_quiet_hours,
    next_local_time,
    nudge_moments,
    out_of_quiet_hours,
    zone_named,
)

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
SYDNEY = ZoneInfo("Australia/Sydney")


@pytest.mark.parametrize(
    ("zone", "day", "utc_hour"),
    [
        (NEW_YORK, date(2025, 3, 8), 0),  # 19:00 EST = 00:00 UTC next day
        (NEW_YORK, date(2025, 3, 9), 23),  # 19:00 EDT = 23:00 UTC
        (BERLIN, date(2025, 10, 25), 17),  # CEST
        (BERLIN, date(2025, 10, 26), 18),  # CET
        (SYDNEY, date(2025, 10, 4), 9),  # AEST
        (SYDNEY, date(2025, 10, 5), 8),  # AEDT
    ],
)
def test_19_00_is_19_00_on_both_sides_of_a_change(zone, day, utc_hour):
    moment = at_local(day, time(19, 0), zone)
    assert moment.hour == utc_hour
    assert moment.astimezone(zone).time() == time(19, 0)


def test_a_time_in_the_spring_gap_happens_after_the_jump():
    moment = at_local(date(2025, 3, 30), time(2, 30), BERLIN)
    assert moment.astimezone(BERLIN).time() == time(3, 30)


def test_a_time_that_happens_twice_in_autumn_happens_once():
    moment = at_local(date(2025, 10, 26), time(2, 30), BERLIN)
    assert moment == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)  # the first 02:30 (CEST)


@pytest.mark.parametrize(
    ("at", "quiet"),
    [(time(21, 0), True), (time(23, 59), True), (time(7, 59), True), (time(8, 0), False)],
)
def test_quiet_hours_wrap_past_midnight(at, quiet):
    assert in_quiet_hours(at, time(21, 0), time(8, 0)) is quiet


def test_equal_start_and_end_mean_no_quiet_hours():
    assert not in_quiet_hours(time(3, 0), time(22, 0), time(22, 0))


def test_out_of_quiet_hours_moves_to_their_end_on_the_right_day():
    late = datetime(2025, 3, 8, 23, 0, tzinfo=NEW_YORK)  # the night before spring forward
    moved = out_of_quiet_hours(late, NEW_YORK, time(22, 0), time(7, 30))
    assert moved.astimezone(NEW_YORK) == datetime(2025, 3, 9, 7, 30, tzinfo=NEW_YORK)
    early = datetime(2025, 3, 9, 6, 0, tzinfo=NEW_YORK)
    assert out_of_quiet_hours(early, NEW_YORK, time(22, 0), time(7, 30)) == moved
    noon = datetime(2025, 3, 9, 12, 0, tzinfo=NEW_YORK)
    assert out_of_quiet_hours(noon, NEW_YORK, time(22, 0), time(7, 30)) == noon


def test_due_soon_is_the_last_reminder_time_before_the_due_time():
    due = at_local(date(2025, 6, 3), time(21, 0), BERLIN)
    assert due_soon_moment(due, BERLIN, time(19, 0)).astimezone(BERLIN) == datetime(
        2025, 6, 3, 19, 0, tzinfo=BERLIN
    )
    morning = at_local(date(2025, 6, 3), time(9, 0), BERLIN)
    assert due_soon_moment(morning, BERLIN, time(19, 0)).astimezone(BERLIN) == datetime(
        2025, 6, 2, 19, 0, tzinfo=BERLIN
    )


def test_nudges_follow_the_due_date_at_the_reminder_time():
    due = at_local(date(2025, 3, 8), time(21, 0), NEW_YORK)
    nudges = [m.astimezone(NEW_YORK) for m in nudge_moments(due, NEW_YORK, time(19, 0), 2)]
    assert nudges == [
        datetime(2025, 3, 9, 19, 0, tzinfo=NEW_YORK),
        datetime(2025, 3, 10, 19, 0, tzinfo=NEW_YORK),
    ]


def test_next_local_time_is_today_or_tomorrow():
    now = datetime(2025, 6, 2, 7, 0, tzinfo=SYDNEY)
    assert next_local_time(now, SYDNEY, time(8, 0)).astimezone(SYDNEY).day == 2
    assert next_local_time(now, SYDNEY, time(6, 0)).astimezone(SYDNEY).day == 3


def test_a_zone_tzdata_no_longer_has_falls_back_with_a_note():
    zone, note = zone_named("Mars/Olympus_Mons", fallback="Europe/London")
    assert zone == ZoneInfo("Europe/London")
    assert "Mars/Olympus_Mons" in note
    zone, note = zone_named("../../etc/passwd", fallback="Also/Gone")
    assert zone == UTC and "UTC" in note
    assert zone_named("Asia/Tokyo") == (ZoneInfo("Asia/Tokyo"), "")
