"""When a released pathway step counts as done: its completion rule. Pure functions, no
database, shared by the release service (which sets an enrolment step's ``completes_at``),
the entry receiver, the sweeper and the timeline preview, so they cannot disagree.

- **first entry** (the default): done when the client sends the first entry;
- **entries**: done after ``completion_entries`` entries (a week's diary: 7);
- **period end**: done when its period ends, whatever was sent: the day it is due
  (``days_to_complete`` days after the release day, in the client's calendar) at the due
  time, 21:00 local (so a week stays a week across a daylight-saving change); it may still
  ask for a number of entries (five exposure practices this week) without waiting for them;
- **entries or period end**: whichever comes first (the sleep pathway's baseline week).

What waits for the step counts from the moment it was done, as with every release rule.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from django.db import models

from assignments.schedule import DEFAULT_DUE_TIME
from pathways.clock import at_local, local_date

MAX_COMPLETION_ENTRIES = 31


class Completion(models.TextChoices):
    FIRST_ENTRY = "first_entry", "At the first entry"
    ENTRIES = "entries", "After a number of entries"
    PERIOD_END = "period_end", "At the end of its period"
    ENTRIES_OR_PERIOD_END = "entries_or_period_end", "After a number of entries or at its end"


COUNTS_ENTRIES = (Completion.FIRST_ENTRY, Completion.ENTRIES, Completion.ENTRIES_OR_PERIOD_END)
ENDS_WITH_PERIOD = (Completion.PERIOD_END, Completion.ENTRIES_OR_PERIOD_END)


def entries_needed(step) -> int | None:
    """How many entries make the step done; None when entries never do (period end)."""
    if step.completion == Completion.FIRST_ENTRY or not step.completion:
        return 1
    if step.completion == Completion.PERIOD_END:
        return None
    return step.completion_entries


def entries_target(step) -> int:
    """The target the released assignment asks the client for (shown as "3 of 7 entries")."""
    if step.completion == Completion.FIRST_ENTRY:
        return 1
    return step.completion_entries


def period_end(step, *, released_at: datetime, tz: tzinfo) -> datetime:
    """When the step's period ends: its due day (the release day plus ``days_to_complete``,
    local) at the due time. The released assignment is due at this same moment."""
    day = local_date(released_at, tz) + timedelta(days=step.days_to_complete)
    return at_local(day, DEFAULT_DUE_TIME, tz)


def completes_at(step, *, released_at: datetime, tz: tzinfo) -> datetime | None:
    """The moment the sweeper completes the step; None when only entries complete it."""
    if step.completion in ENDS_WITH_PERIOD:
        return period_end(step, released_at=released_at, tz=tz)
    return None


def expected_done_at(step, *, arrives_at: datetime, tz: tzinfo) -> datetime:
    """For the timeline preview: when the step would be done by a client who does what it
    asks as soon as they can — at once for a first entry, one entry a day for a number of
    entries (the last on day N), at the end of its period otherwise (never later than it)."""
    if step.completion == Completion.PERIOD_END:
        return period_end(step, released_at=arrives_at, tz=tz)
    needed = entries_needed(step) or 1
    if needed <= 1:
        return arrives_at
    last_entry = at_local(
        local_date(arrives_at, tz) + timedelta(days=needed - 1),
        arrives_at.astimezone(tz).time(),
        tz,
    )
    if step.completion == Completion.ENTRIES_OR_PERIOD_END:
        return min(last_entry, period_end(step, released_at=arrives_at, tz=tz))
    return last_entry


def describe(step) -> str:
    """The rule as therapists and clients read it."""
    if step.completion == Completion.ENTRIES:
        return f"Done after {step.completion_entries} entries"
    if step.completion == Completion.PERIOD_END:
        asks = (
            f"; asks for {step.completion_entries} entries" if step.completion_entries > 1 else ""
        )
        return f"Done when its time is up ({_days(step.days_to_complete)}){asks}"
    if step.completion == Completion.ENTRIES_OR_PERIOD_END:
        return (
            f"Done after {step.completion_entries} entries, or when its time is up "
            f"({_days(step.days_to_complete)})"
        )
    return "Done at the first entry"


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"
