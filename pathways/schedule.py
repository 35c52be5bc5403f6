"""When pathway steps arrive. Pure functions over step objects, no database.

A step's release rule (``pathways.release_rules``) counts from an *anchor*: the enrolment, or
the previous required step being done (wall-clock arithmetic in ``pathways.clock``). The
timeline preview and the release planner both work a step's time out with ``release_at``;
they differ only in what they know about the step it counts from: the preview assumes each
step is done as its completion rule allows at the earliest (``pathways.completion``: at once
for a first entry, one entry a day, the end of its period), the planner waits until it is.

"The previous step" is the nearest earlier *required* step: optional steps never hold
anything up. A conditional step arrives only once its measure's score meets the threshold, or
(for the flag comparisons) once the step it reads is done and its entry raised a risk flag, or
raised none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from pathways import completion, release_rules
from pathways.clock import enrolment_anchor
from pathways.models import FLAG_COMPARISONS, PASSED_OVER_STATUSES, Comparison, StepStatus


def previous_required(steps, index: int, *, ignore=()):
    """The nearest step before ``steps[index]`` that is required (None: count from enrolment).
    ``ignore`` lists statuses of steps that no longer count (e.g. cancelled)."""
    for step in reversed(steps[:index]):
        if step.required and getattr(step, "status", None) not in ignore:
            return step
    return None


def release_at(
    steps, index: int, *, enrolment_start: datetime, tz: tzinfo, finished_at, ignore=()
) -> tuple[datetime, datetime] | None:
    """When ``steps[index]`` arrives under its rule, as (anchor, moment); None while the step
    it counts from is not done. ``finished_at(step)`` says when a step was done (None: not
    yet); ``ignore`` as for ``previous_required``."""
    step = steps[index]
    rule = release_rules.rule_for(step.delivery)
    anchor = rule.anchor(
        enrolment_start=enrolment_start,
        previous=previous_required(steps, index, ignore=ignore),
        finished_at=finished_at,
    )
    if anchor is None:
        return None
    return anchor, rule.moment(anchor=anchor, step=step, tz=tz)


def condition_met(
    operator: str, threshold: int | None, score: float | None, *, flagged: bool | None = None
) -> bool:
    """Whether a conditional step is needed. ``flagged``: whether the entry of the step it
    reads raised a risk flag (None: that step was not done, so neither flag comparison holds)."""
    if operator == Comparison.FLAGGED:
        return flagged is True
    if operator == Comparison.NOT_FLAGGED:
        return flagged is False
    if score is None or threshold is None:
        return False
    if operator == Comparison.AT_MOST:
        return score <= threshold
    return score >= threshold


def describe_condition(
    operator: str, threshold: int | None, measure_title: str, *, step_number: int | None = None
) -> str:
    label = Comparison(operator or Comparison.AT_LEAST).label
    if operator in FLAG_COMPARISONS:
        step = f"step {step_number} ({measure_title})" if step_number else f"the {measure_title}"
        return f"Only if {step} {label}"
    return f"Only if the {measure_title} total is {label} {threshold}"


@dataclass(frozen=True)
class PreviewRow:
    step: object
    arrives_at: datetime  # aware, in the preview's time zone
    day: int  # 1 = the start date
    waits_for: object | None  # the step whose completion it counts from
    condition: (
        str  # "", "Only if the PHQ-9 total is at least 10", "Only if step 1 (PHQ-9) raised a flag"
    )
    # When it would be done under its completion rule, and on which day (1 = start date).
    done_at: datetime | None = None
    done_day: int | None = None


def timeline(steps, *, start_date: date, tz: tzinfo, now: datetime, title_of) -> list[PreviewRow]:
    """When each step would arrive for a client starting on ``start_date``, assuming each step
    is done as early as its completion rule allows and every condition is met. ``steps`` are
    in order and their rules already validated (no cycles); ``title_of(step)`` names a step's
    activity."""
    anchor = enrolment_anchor(start_date=start_date, enrolled_at=now, tz=tz)
    index_of = {step.pk: index for index, step in enumerate(steps)}
    arrivals: dict[int, datetime] = {}

    def done(index: int) -> datetime:
        """When the step would be done under its completion rule (``pathways.completion``)."""
        return completion.expected_done_at(steps[index], arrives_at=arrival(index), tz=tz)

    def arrival(index: int) -> datetime:
        if index in arrivals:
            return arrivals[index]
        step = steps[index]
        _, moment = release_at(
            steps,
            index,
            enrolment_start=anchor,
            tz=tz,
            finished_at=lambda previous: done(index_of[previous.pk]),
        )
        if step.condition_step_id in index_of:
            moment = max(moment, done(index_of[step.condition_step_id]))
        arrivals[index] = moment
        return moment

    rows = []
    for index, step in enumerate(steps):
        moment = arrival(index).astimezone(tz)
        done_at = done(index).astimezone(tz)
        waits_for = previous_required(steps, index) if step.waits_for_previous else None
        condition = ""
        if step.condition_step_id in index_of:
            measure_index = index_of[step.condition_step_id]
            condition = describe_condition(
                step.condition_operator,
                step.condition_value,
                title_of(steps[measure_index]),
                step_number=measure_index + 1,
            )
        rows.append(
            PreviewRow(
                step=step,
                arrives_at=moment,
                day=(moment.date() - start_date).days + 1,
                waits_for=waits_for,
                condition=condition,
                done_at=done_at,
                done_day=(done_at.date() - start_date).days + 1,
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
                    step.condition_operator,
                    step.condition_value,
                    measure.score,
                    flagged=_flagged(step, measure),
                ):
                    _not_needed(step, measure, fallback=enrolment_start)
                    changed.append(step)
                    progress = True
                    continue
            timing = release_at(
                steps,
                index,
                enrolment_start=enrolment_start,
                tz=tz,
                finished_at=_done_at,
                ignore=PASSED_OVER_STATUSES,
            )
            if timing is None:
                continue
            step.anchor_at, step.release_at = timing
            step.status = StepStatus.SCHEDULED
            changed.append(step)
            progress = True
    return changed


def _flagged(step, measure) -> bool | None:
    """Whether ``measure``'s entry raised a flag, read only for a flag comparison (None: it
    was not done, so it raised neither)."""
    if step.condition_operator not in FLAG_COMPARISONS or measure.status != StepStatus.COMPLETED:
        return None
    return measure.flagged


def _done_at(step) -> datetime | None:
    """When an enrolment step was done or skipped (what waits for it counts from then)."""
    if step.status in (StepStatus.COMPLETED, StepStatus.SKIPPED):
        return step.finished_at
    return None


def _not_needed(step, measure, *, fallback: datetime) -> None:
    step.status = StepStatus.NOT_NEEDED
    step.finished_at = (measure.finished_at if measure is not None else None) or fallback
    if measure is None or measure.status != StepStatus.COMPLETED:
        step.note = "Not needed: the measure it depends on was not done."
        return
    if step.condition_operator in FLAG_COMPARISONS:
        raised = "raised a flag" if measure.flagged else "raised no flag"
        step.note = (
            f"Not needed: the {measure.title} entry {raised} "
            f"(this step needs one that {Comparison(step.condition_operator).label})."
        )
        return
    score = measure.score if measure.score is not None else "missing"
    if isinstance(score, float) and score.is_integer():
        score = int(score)
    rule = Comparison(step.condition_operator or Comparison.AT_LEAST).label
    step.note = (
        f"Not needed: the {measure.title} total was {score} "
        f"(this step needs {rule} {step.condition_value})."
    )
