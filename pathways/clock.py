"""Wall-clock arithmetic for pathway steps: pure functions over times and zones, no database.

A step's day is its anchor's local date plus its delay, in the client's time zone
(``zoneinfo``), so 18:00 stays 18:00 on both sides of a daylight-saving change:

- with a time of day, the step arrives at that local time on that day (and never before its
  anchor: "when the previous step is done, at 18:00" after a 19:00 completion means tomorrow);
- without one, a step with no delay arrives at once and a step with a delay at 09:00.

A time that does not exist on a spring-forward day (02:30) arrives when the clock reads it
again after the jump (03:30).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

DEFAULT_TIME = time(9, 0)


def at_local(day: date, at: time, tz: tzinfo) -> datetime:
    """``day`` at wall-clock time ``at`` in ``tz``, as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def local_date(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


def release_moment(
    *, anchor: datetime, delay_days: int, time_of_day: time | None, tz: tzinfo
) -> datetime:
    day = local_date(anchor, tz) + timedelta(days=delay_days)
    if time_of_day is None:
        return anchor if delay_days == 0 else at_local(day, DEFAULT_TIME, tz)
    moment = at_local(day, time_of_day, tz)
    if moment < anchor:
        moment = at_local(day + timedelta(days=1), time_of_day, tz)
    return moment


def enrolment_anchor(*, start_date: date, enrolled_at: datetime, tz: tzinfo) -> datetime:
    """The start date's first moment, or the moment of enrolling when that is later."""
    return max(at_local(start_date, time(0, 0), tz), enrolled_at)


def shift_days(moment: datetime, days: int, tz: tzinfo) -> datetime:
    """The same local wall-clock time, ``days`` later."""
    local = moment.astimezone(tz)
    return at_local(local.date() + timedelta(days=days), local.time(), tz)
