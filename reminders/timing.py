"""When reminders go out: pure functions over times and zones, no database.

Every wall-clock rule ("at 19:00", "not between 21:00 and 08:00") is applied in the
recipient's IANA zone with ``zoneinfo`` and the result stored in UTC, day by day, so 19:00
stays 19:00 on both sides of a daylight-saving change and each local day has one 19:00:

- a time inside the spring-forward gap (02:30 on the day clocks jump from 02:00 to 03:00)
  happens when the clock reads it after the jump (03:30);
- a time that happens twice in the autumn (01:30) happens the first time only.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

FALLBACK_ZONE = "UTC"


def zone_named(name: str, *, fallback: str = FALLBACK_ZONE) -> tuple[tzinfo, str]:
    """The zone called ``name``, and an empty note; or, for a name tzdata no longer has, the
    fallback zone and a note saying so (for the owner's Delivery problems page)."""
    try:
        return zoneinfo.ZoneInfo(name), ""
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        pass
    try:
        zone = zoneinfo.ZoneInfo(fallback)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone, fallback = UTC, "UTC"
    return zone, f"Time zone “{name[:64]}” is unknown: used {fallback}."


def at_local(day: date, at: time, tz: tzinfo) -> datetime:
    """``day`` at wall-clock ``at`` in ``tz``, in UTC (see the module note on gaps/folds)."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def local_day(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


def in_quiet_hours(at: time, start: time, end: time) -> bool:
    """Quiet hours may wrap past midnight (21:00–08:00). Equal start and end: none."""
    if start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end


def out_of_quiet_hours(moment: datetime, tz: tzinfo, start: time, end: time) -> datetime:
    """``moment``, or the end of the quiet hours it falls in."""
    local = moment.astimezone(tz)
    if not in_quiet_hours(local.time().replace(tzinfo=None), start, end):
        return moment
    day = local.date()
    if start > end and local.time().replace(tzinfo=None) >= start:
        day += timedelta(days=1)  # 22:00 on Monday: quiet until Tuesday's end time
    return at_local(day, end, tz)


def due_soon_moment(due_at: datetime, tz: tzinfo, reminder_time: time) -> datetime:
    """The last ``reminder_time`` before ``due_at``: on the due day if that is earlier than the
    due time, else the day before. Always within 24 hours of the due time."""
    day = local_day(due_at, tz)
    moment = at_local(day, reminder_time, tz)
    if moment >= due_at:
        moment = at_local(day - timedelta(days=1), reminder_time, tz)
    return moment


def nudge_moments(due_at: datetime, tz: tzinfo, reminder_time: time, limit: int) -> list:
    """Up to ``limit`` gentle nudges at ``reminder_time`` on the days after the due date."""
    day = local_day(due_at, tz)
    moments = []
    for offset in range(1, limit + 1):
        moment = at_local(day + timedelta(days=offset), reminder_time, tz)
        if moment > due_at:
            moments.append(moment)
    return moments


def next_local_time(now: datetime, tz: tzinfo, at: time) -> datetime:
    """The next moment (from ``now`` on) that the clock in ``tz`` reads ``at``."""
    today = local_day(now, tz)
    moment = at_local(today, at, tz)
    return moment if moment >= now else at_local(today + timedelta(days=1), at, tz)


def day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The UTC start and end of a local calendar day (23 or 25 hours on change days)."""
    return at_local(day, time(0, 0), tz), at_local(day + timedelta(days=1), time(0, 0), tz)


@dataclass(frozen=True)
class ClientRules:
    """When one client is reached: their own choices over the practice's defaults (how, by
    which channels, each channel decides: ``reminders.channels``)."""

    zone: tzinfo
    zone_note: str
    reminder_time: time
    quiet_start: time
    quiet_end: time
    daily_cap: int
    snoozed_until: datetime | None

    def is_quiet(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone).time().replace(tzinfo=None)
        return in_quiet_hours(local, self.quiet_start, self.quiet_end)

    def out_of_quiet_hours(self, moment: datetime) -> datetime:
        return out_of_quiet_hours(moment, self.zone, self.quiet_start, self.quiet_end)

    def is_snoozed(self, moment: datetime) -> bool:
        return self.snoozed_until is not None and moment < self.snoozed_until


def client_rules(*, policy, preference, client) -> ClientRules:
    """Combine the practice ``policy`` and the client's ``preference`` (may be None)."""
    zone, note = zone_named(client.timezone, fallback=client.practice.default_timezone)

    def chosen(name):
        value = getattr(preference, name, None) if preference is not None else None
        return getattr(policy, name) if value is None else value

    return ClientRules(
        zone=zone,
        zone_note=note,
        reminder_time=chosen("reminder_time"),
        quiet_start=chosen("quiet_start"),
        quiet_end=chosen("quiet_end"),
        daily_cap=chosen("daily_cap"),
        snoozed_until=preference.snoozed_until if preference is not None else None,
    )


@dataclass(frozen=True)
class HomeworkRules:
    """What to remind a client about for one assignment: the most specific layer that says
    something wins (assignment, then pathway, then practice)."""

    enabled: bool
    new_homework: bool
    due_soon: bool
    nudge_limit: int


def homework_rules(*, policy, overrides) -> HomeworkRules:
    """``overrides``: the ReminderOverride rows that apply, most specific first."""
    enabled, due_soon, nudge_limit = True, None, None
    for override in reversed(overrides):
        enabled = override.enabled
        due_soon = override.due_soon if override.due_soon is not None else due_soon
        nudge_limit = override.nudge_limit if override.nudge_limit is not None else nudge_limit
    return HomeworkRules(
        enabled=enabled,
        new_homework=enabled and policy.new_homework,
        due_soon=enabled and (policy.due_soon if due_soon is None else due_soon),
        nudge_limit=(policy.nudge_limit if nudge_limit is None else nudge_limit) if enabled else 0,
    )
