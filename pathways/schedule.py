"""When pathway steps arrive. Pure functions over step objects, no database.

A step's delivery rule counts from an *anchor*: the enrolment, or the previous required step
being done. The day is the anchor's local date plus the delay, in the client's time zone
(``zoneinfo``), so 18:00 stays 18:00 on both sides of a daylight-saving change:

- with a time of day, the step arrives at that local time on that day (and never before its
  anchor: "when the previous step is done, at 18:00" after a 19:00 completion means tomorrow);
- without one, a step with no delay arrives at once and a step with a delay at 09:00.

A time that does not exist on a spring-forward day (02:30) arrives when the clock reads it
again after the jump (03:30).

"The previous step" is the nearest earlier *required* step: optional steps never hold
anything up. A conditional step arrives only once its measure's score meets the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from pathways.models import PASSED_OVER_STATUSES, Comparison, StepStatus

DEFAULT_TIME = time(9, 0)


def at_local(day: date, at: time, tz: tzinfo) -> datetime:
    """``day`` at wall-clock time ``at`` in ``tz``, as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def local_date(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


def enrolment_anchor(*, start_date: date, enrolled_at: datetime, tz: tzinfo) -> datetime:
    """The start date's first moment, or the moment of enrolling when that is later."""
    return max(at_local(start_date, time(0, 0), tz), enrolled_at)


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


def shift_days(moment: datetime, days: int, tz: tzinfo) -> datetime:
    """The same local wall-clock time, ``days`` later."""
    local = moment.astimezone(tz)
    return at_local(local.date() + timedelta(days=days), local.time(), tz)


def previous_required(steps, index: int, *, ignore=()):
    """The nearest step before ``steps[index]`` that is required (None: count from enrolment).
    ``ignore`` lists statuses of steps that no longer count (e.g. cancelled)."""
    for step in reversed(steps[:index]):
        if step.required and getattr(step, "status", None) not in ignore:
            return step
    return None


def condition_met(operator: str, threshold: int | None, score: float | None) -> bool:
    if score is None or threshold is None:
        return False
    if operator == Comparison.AT_MOST:
        return score <= threshold
    return score >= threshold


def describe_condition(operator: str, threshold: int | None, measure_title: str) -> str:
    label = Comparison(operator or Comparison.AT_LEAST).label
    return f"Only if the {measure_title} total is {label} {threshold}"


@dataclass(frozen=True)
class PreviewRow:
    step: object
    arrives_at: datetime  # aware, in the preview's time zone
    day: int  # 1 = the start date
    waits_for: object | None  # the step whose completion it counts from
    condition: str  # "" or "Only if the PHQ-9 total is at least 10"


def timeline(steps, *, start_date: date, tz: tzinfo, now: datetime, title_of) -> list[PreviewRow]:
    """When each step would arrive for a client starting on ``start_date``, assuming each step
    is done as soon as it arrives and every condition is met. ``steps`` are in order and their
    rules already validated (no cycles); ``title_of(step)`` names a step's activity."""
    anchor = enrolment_anchor(start_date=start_date, enrolled_at=now, tz=tz)
    index_of = {step.pk: index for index, step in enumerate(steps)}
    arrivals: dict[int, datetime] = {}

    def arrival(index: int) -> datetime:
        if index in arrivals:
            return arrivals[index]
        step = steps[index]
        base = anchor
        if step.waits_for_previous:
            previous = previous_required(steps, index)
            if previous is not None:
                base = arrival(index_of[previous.pk])
        moment = release_moment(
            anchor=base, delay_days=step.delay_days, time_of_day=step.time_of_day, tz=tz
        )
        if step.condition_step_id in index_of:
            moment = max(moment, arrival(index_of[step.condition_step_id]))
        arrivals[index] = moment
        return moment

    rows = []
    for index, step in enumerate(steps):
        moment = arrival(index).astimezone(tz)
        waits_for = previous_required(steps, index) if step.waits_for_previous else None
        condition = ""
        if step.condition_step_id in index_of:
            measure = steps[index_of[step.condition_step_id]]
            condition = describe_condition(
                step.condition_operator, step.condition_value, title_of(measure)
            )
        rows.append(
            PreviewRow(
                step=step,
                arrives_at=moment,
                day=(moment.date() - start_date).days + 1,
                waits_for=waits_for,
                condition=condition,
            )
        )
    return rows


def plan(steps, *, enrolment_start: datetime, tz: tzinfo) -> list:
    """Give every waiting step of one enrolment whose time is now known a ``release_at``
    (status scheduled), or mark it not needed when its condition turned out unmet. ``steps`` are the
    enrolment's steps in order, changed in place; returns the ones that changed.

    A step's time is known once the step it counts from is done (or it counts from the
    enrolment) and, for a conditional step, once its measure is done.
    """
    by_pk = {step.pk: step for step in steps}
    changed = []
    progress = True
    # Settling one step can unblock an earlier-listed one (conditions may point forward), so repeat
    # until nothing moves; each pass settles at least one step or stops.
    while progress:
        progress = False
        for index, step in enumerate(steps):
            if step.status != StepStatus.WAITING:
                continue
            if step.condition_step_id is not None:
                measure = by_pk.get(step.condition_step_id)
                settled = measure is not None and measure.status in (
                    StepStatus.COMPLETED,
                    *PASSED_OVER_STATUSES,
                    StepStatus.SKIPPED,
                )
                if measure is not None and not settled:
                    continue
                if measure is None or not condition_met(
                    step.condition_operator, step.condition_value, measure.score
                ):
                    _not_needed(step, measure, fallback=enrolment_start)
                    changed.append(step)
                    progress = True
                    continue
            anchor = enrolment_start
            if step.waits_for_previous:
                previous = previous_required(steps, index, ignore=PASSED_OVER_STATUSES)
                if previous is not None:
                    if previous.status not in (StepStatus.COMPLETED, StepStatus.SKIPPED):
                        continue
                    anchor = previous.finished_at
            step.anchor_at = anchor
            step.release_at = release_moment(
                anchor=anchor, delay_days=step.delay_days, time_of_day=step.time_of_day, tz=tz
            )
            step.status = StepStatus.SCHEDULED
            changed.append(step)
            progress = True
    return changed


def _not_needed(step, measure, *, fallback: datetime) -> None:
    step.status = StepStatus.NOT_NEEDED
    step.finished_at = (measure.finished_at if measure is not None else None) or fallback
    if measure is None or measure.status != StepStatus.COMPLETED:
        step.note = "Not needed: the measure it depends on was not done."
        return
    score = measure.score if measure.score is not None else "missing"
    if isinstance(score, float) and score.is_integer():
        score = int(score)
    rule = Comparison(step.condition_operator or Comparison.AT_LEAST).label
    step.note = (
        f"Not needed: the {measure.title} total was {score} "
        f"(this step needs {rule} {step.condition_value})."
    )
