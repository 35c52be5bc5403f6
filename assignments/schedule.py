"""When an assignment is due: the local dates of its occurrences and their due times in UTC.

Pure functions, no database. Dates are the client's local calendar dates; a due time such as
21:00 is turned into UTC for each date separately with ``zoneinfo``, so "every day by 21:00"
stays at 21:00 local time on both sides of a daylight-saving change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

ONCE = "once"
DAILY = "daily"
TIMES_PER_WEEK = "times_per_week"
WEEKDAYS = "weekdays"
EVERY_N_WEEKS = "every_n_weeks"  # every week, every two weeks, …
BEFORE_SESSIONS = "before_sessions"  # the day before each upcoming therapy session
KINDS = (ONCE, DAILY, TIMES_PER_WEEK, WEEKDAYS, EVERY_N_WEEKS, BEFORE_SESSIONS)

DEFAULT_DUE_TIME = time(21, 0)
MAX_DAYS = 90
MAX_WEEKS = 26
MAX_OCCURRENCES = 200
MAX_INTERVAL_WEEKS = 4
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Schedule:
    """What the therapist chose. Only the numbers that belong to ``kind`` are used."""

    kind: str = ONCE
    starts_on: date | None = None
    due_time: time = DEFAULT_DUE_TIME
    repeat_days: int | None = None
    times_per_week: int | None = None
    weekdays: tuple[int, ...] = field(default_factory=tuple)
    weeks: int | None = None
    # EVERY_N_WEEKS: 1 = weekly, 2 = every two weeks …; None means weekly.
    interval_weeks: int | None = None
    # BEFORE_SESSIONS: the client's upcoming session dates (stored elsewhere, passed in).
    session_dates: tuple[date, ...] = field(default_factory=tuple)

    def validate(self) -> None:
        """Raise ValidationError naming the field that does not fit."""
        if self.kind not in KINDS:
            raise ValidationError(
                {
                    "schedule_kind": "Choose once, daily, N times a week, weekdays, every few "
                    "weeks or before each session."
                }
            )
        if self.starts_on is None:
            raise ValidationError({"starts_on": "Choose a date."})
        if self.kind == DAILY and not _within(self.repeat_days, 1, MAX_DAYS):
            raise ValidationError({"repeat_days": f"Choose from 1 to {MAX_DAYS} days."})
        if self.kind == TIMES_PER_WEEK and not _within(self.times_per_week, 1, 7):
            raise ValidationError({"times_per_week": "Choose from 1 to 7 times a week."})
        if self.kind == WEEKDAYS and (
            not self.weekdays or any(not _within(day, 0, 6) for day in self.weekdays)
        ):
            raise ValidationError({"weekdays": "Tick at least one day of the week."})
        if self.kind == EVERY_N_WEEKS and not _within(self.interval, 1, MAX_INTERVAL_WEEKS):
            raise ValidationError(
                {"interval_weeks": f"Choose every 1 to {MAX_INTERVAL_WEEKS} weeks."}
            )
        if self.kind == BEFORE_SESSIONS and not self.local_dates():
            raise ValidationError(
                {
                    "schedule_kind": "No upcoming session to schedule this before. Add the "
                    "date of the next session first."
                }
            )
        if self.kind in (TIMES_PER_WEEK, WEEKDAYS, EVERY_N_WEEKS) and not _within(
            self.weeks, 1, MAX_WEEKS
        ):
            raise ValidationError({"weeks": f"Choose from 1 to {MAX_WEEKS} weeks."})
        if len(self.local_dates()) > MAX_OCCURRENCES:
            raise ValidationError({"schedule_kind": f"At most {MAX_OCCURRENCES} occurrences."})

    @property
    def interval(self) -> int | None:
        return 1 if self.interval_weeks is None else self.interval_weeks

    def local_dates(self) -> list[date]:
        """Every due date, in order. "N times a week" spreads the N due dates evenly over
        each week, the last one on the week's final day, so the client always has the whole
        week and each occurrence can still be tracked (and missed) on its own."""
        start = self.starts_on
        if self.kind == DAILY:
            return [start + timedelta(days=n) for n in range(self.repeat_days or 0)]
        if self.kind == TIMES_PER_WEEK:
            per_week = self.times_per_week or 0
            offsets = [math.ceil((i + 1) * 7 / per_week) - 1 for i in range(per_week)]
            return [
                start + timedelta(days=7 * week + offset)
                for week in range(self.weeks or 0)
                for offset in offsets
            ]
        if self.kind == WEEKDAYS:
            days = (start + timedelta(days=n) for n in range(7 * (self.weeks or 0)))
            return [day for day in days if day.weekday() in set(self.weekdays)]
        if self.kind == EVERY_N_WEEKS:
            # The same weekday every N weeks, within the first ``weeks`` weeks: every two
            # weeks for 8 weeks is 4 dates (weeks 0, 2, 4 and 6).
            step = 7 * (self.interval or 1)
            return [start + timedelta(days=d) for d in range(0, 7 * (self.weeks or 0), step)]
        if self.kind == BEFORE_SESSIONS:
            return sorted({d for d in map(date_before_session, self.session_dates) if d >= start})
        return [start]

    def describe(self) -> str:
        """In the client's words: "Every day for 7 days, by 21:00"."""
        by = f"by {self.due_time:%H:%M}"
        if self.kind == DAILY:
            return f"Every day for {self.repeat_days} days, {by}"
        if self.kind == TIMES_PER_WEEK:
            times = "Once" if self.times_per_week == 1 else f"{self.times_per_week} times"
            return f"{times} a week for {_weeks(self.weeks)}, {by}"
        if self.kind == WEEKDAYS:
            names = ", ".join(WEEKDAY_NAMES[d] for d in sorted(self.weekdays))
            return f"Every {names} for {_weeks(self.weeks)}, {by}"
        if self.kind == EVERY_N_WEEKS:
            every = "week" if self.interval == 1 else f"{self.interval} weeks"
            return f"Every {every} for {_weeks(self.weeks)}, {by}"
        if self.kind == BEFORE_SESSIONS:
            return f"The day before each session, {by}"
        return f"Once, {by} on {self.starts_on:%a %-d %b}"


def date_before_session(session_on: date) -> date:
    """The due date of a "before each session" occurrence: the day before the session."""
    return session_on - timedelta(days=1)


def due_at(local_date: date, due_time: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of ``due_time`` on ``local_date`` in ``tz``.

    A time that does not exist that day (the hour skipped when clocks go forward) is read
    with the offset from before the change, i.e. it lands just after the gap; an ambiguous
    time (the hour repeated when clocks go back) is its first occurrence (``fold=0``).
    """
    return datetime.combine(local_date, due_time, tzinfo=tz).astimezone(UTC)


def first_due_day(tz: ZoneInfo, due_time: time = DEFAULT_DUE_TIME, *, now=None) -> date:
    """The first day, in ``tz``, whose ``due_time`` is still ahead: today, or tomorrow once
    today's has passed (a therapist assigning at 22:00 should not be offered a due time that
    has gone). The default "due on" of every form and of the services."""
    now = now or datetime.now(UTC)
    today = now.astimezone(tz).date()
    return today if due_at(today, due_time, tz) > now else today + timedelta(days=1)


def _within(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _weeks(weeks: int | None) -> str:
    return "1 week" if weeks == 1 else f"{weeks} weeks"
