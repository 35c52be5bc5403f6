"""Checks that a pathway's step rules can work: no broken references, no cycles, sane delays.

Used on every change to a pathway's steps (add, edit, reorder, remove, publish), for practice
and global pathways alike. Raises ``ValidationError`` keyed by the step field at fault.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from pathways import release_rules
from pathways.completion import MAX_COMPLETION_ENTRIES, Completion
from pathways.models import FLAG_COMPARISONS, MAX_DAYS_TO_COMPLETE, MAX_DELAY_DAYS, Comparison
from pathways.schedule import previous_required


def check_delay(delivery: str, delay_days, *, field: str = "delay_days") -> None:
    rule = release_rules.rule_for(delivery)
    if rule is None:
        raise ValidationError({"delivery": "Choose when this step arrives."})
    if not rule.has_days:
        return
    if delay_days is None:
        raise ValidationError({field: "Say after how many days."})
    if delay_days < 0:
        raise ValidationError({field: "A delay cannot be negative."})
    if delay_days > MAX_DELAY_DAYS:
        raise ValidationError(
            {field: f"A delay of more than {MAX_DELAY_DAYS} days is too long for a pathway."}
        )


def check_days_to_complete(days) -> None:
    if days is None or not 1 <= days <= MAX_DAYS_TO_COMPLETE:
        raise ValidationError(
            {"days_to_complete": f"Choose from 1 to {MAX_DAYS_TO_COMPLETE} days."}
        )


def completion_values(rule, entries) -> dict:
    """A step's completion rule and entry count, checked (``pathways.completion``): a count
    only for the rules that count entries (1 otherwise)."""
    rule = rule or Completion.FIRST_ENTRY
    if rule not in Completion.values:
        raise ValidationError({"completion": "Choose when the step counts as done."})
    if rule == Completion.FIRST_ENTRY:
        return {"completion": rule, "completion_entries": 1}
    if rule == Completion.PERIOD_END and entries is None:
        return {"completion": rule, "completion_entries": 1}
    if entries is None or not 1 <= entries <= MAX_COMPLETION_ENTRIES:
        raise ValidationError(
            {"completion_entries": f"Say after how many entries: 1 to {MAX_COMPLETION_ENTRIES}."}
        )
    return {"completion": rule, "completion_entries": entries}


def check_completion(step, *, allows_multiple_entries) -> None:
    """A step done after several entries needs an activity that takes several."""
    if step.completion_entries > 1 and not allows_multiple_entries:
        raise ValidationError(
            {
                "completion_entries": "This activity takes one entry; choose a log or a "
                "worksheet that takes several, or count one entry."
            }
        )


def step_label(steps, step, title_of) -> str:
    return f"step {steps.index(step) + 1} ({title_of(step)})"


def check_steps(steps, *, title_of, is_measure, has_risk_rule=lambda step: False) -> None:
    """``steps`` in order (saved or not, each with a ``pk``); ``title_of(step)`` names its
    activity, ``is_measure(step)`` says whether its activity has a score and
    ``has_risk_rule(step)`` whether an entry of it can raise a risk flag (what the flag
    comparisons read; they take no value)."""
    by_pk = {step.pk: step for step in steps}
    for step in steps:
        check_delay(step.delivery, step.delay_days)
        check_days_to_complete(step.days_to_complete)
        if step.condition_step_id is None:
            continue
        measure = by_pk.get(step.condition_step_id)
        if measure is None:
            raise ValidationError(
                {"condition_step": "The measure this step depends on is not in this pathway."}
            )
        if measure is step:
            raise ValidationError({"condition_step": "A step cannot depend on its own score."})
        if step.condition_operator not in Comparison.values:
            raise ValidationError(
                {
                    "condition_operator": "Choose “at least”, “at most”, “raised a flag” or "
                    "“raised no flag”."
                }
            )
        if step.condition_operator in FLAG_COMPARISONS:
            if not has_risk_rule(measure):
                raise ValidationError(
                    {
                        "condition_step": f"{step_label(steps, measure, title_of).capitalize()} "
                        "has no risk rule: its entries never raise a flag to depend on."
                    }
                )
            if step.condition_value is not None:
                raise ValidationError(
                    {"condition_value": "Leave the score empty: a flag has no score to compare."}
                )
            continue
        if not is_measure(measure):
            raise ValidationError(
                {
                    "condition_step": f"{step_label(steps, measure, title_of).capitalize()} is "
                    "not a measure: it has no score to depend on."
                }
            )
        if step.condition_value is None or step.condition_value < 0:
            raise ValidationError({"condition_value": "Give the score to compare with."})
    cycle = find_cycle(steps)
    if cycle:
        path = " → ".join(step_label(steps, step, title_of) for step in cycle)
        raise ValidationError(
            {
                "condition_step": f"These steps would wait for each other: {path}. None of "
                "them could ever arrive. Move the measure earlier or change the rule."
            }
        )


def dependencies(steps, index: int) -> list:
    """The steps ``steps[index]`` waits for: the previous required step (for rules counted
    from it) and the measure its condition reads."""
    step = steps[index]
    waits = []
    if step.waits_for_previous:
        previous = previous_required(steps, index)
        if previous is not None:
            waits.append(previous)
    if step.condition_step_id is not None:
        waits.extend(other for other in steps if other.pk == step.condition_step_id)
    return waits


def find_cycle(steps) -> list:
    """A list of steps that wait for each other (first repeated at the end), or []."""
    index_of = {step.pk: index for index, step in enumerate(steps)}
    state: dict[int, str] = {}
    trail: list[int] = []

    def visit(index: int) -> list:
        state[index] = "open"
        trail.append(index)
        for other in dependencies(steps, index):
            other_index = index_of[other.pk]
            if state.get(other_index) == "open":
                loop = [*trail[trail.index(other_index) :], other_index]
                return [steps[i] for i in loop]
            if other_index not in state:
                found = visit(other_index)
                if found:
                    return found
        state[index] = "done"
        trail.pop()
        return []

    for index in range(len(steps)):
        if index not in state:
            found = visit(index)
            if found:
                return found
    return []
