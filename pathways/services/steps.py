"""What every change to a list of steps shares, template or enrolment: the fields a step
takes, their checks, and the activity it may deliver. Helpers of the other service modules,
run inside their transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from library.models import PublicationStatus
from pathways import release_rules, rules
from pathways.models import Comparison, CuratedPathway

STEP_FIELDS = (
    "delivery",
    "delay_days",
    "time_of_day",
    "days_to_complete",
    "completion",
    "completion_entries",
    "holds_for_review",
    "required",
    "therapist_notes",
    "condition_step",
    "condition_operator",
    "condition_value",
)
# Copied from a template step into an enrolment step (and by "apply template changes").
COPIED_FIELDS = (
    "position",
    "curated_activity_id",
    "delivery",
    "delay_days",
    "time_of_day",
    "days_to_complete",
    "completion",
    "completion_entries",
    "holds_for_review",
    "required",
    "therapist_notes",
    "condition_operator",
    "condition_value",
)


def actor_user(actor):
    """Staff services get a Membership, curator services a User."""
    return getattr(actor, "user", actor)


def is_global(pathway) -> bool:
    return isinstance(pathway, CuratedPathway)


def check_model_steps(steps) -> None:
    """``rules.check_steps`` for saved steps (template or enrolment), which name their own
    activity."""
    rules.check_steps(
        steps,
        title_of=lambda step: step.title,
        is_measure=lambda step: step.is_measure,
        has_risk_rule=lambda step: step.has_risk_rule,
    )
    for step in steps:
        version = step.activity_version
        rules.check_completion(
            step,
            allows_multiple_entries=version is not None and version.allows_multiple_entries,
        )


def renumber(steps) -> None:
    for position, step in enumerate(steps, start=1):
        if step.position != position:
            step.position = position
            step.save(update_fields=["position", "updated_at"])


def check_activity(pathway, activity, curated_activity) -> None:
    if is_global(pathway) and activity is not None:
        raise ValidationError({"activity": "A global pathway uses global activities only."})
    if (activity is None) == (curated_activity is None):
        raise ValidationError({"activity": "Choose one activity from the library."})
    if curated_activity is not None and curated_activity.status != PublicationStatus.PUBLISHED:
        raise ValidationError({"activity": "This global activity is not available."})
    if activity is not None:
        if activity.practice_id != pathway.practice_id:
            raise ValidationError({"activity": "Choose an activity from your practice's library."})
        if activity.status != PublicationStatus.PUBLISHED:
            raise ValidationError({"activity": "Publish this activity before using it in a step."})


def step_values(fields: dict) -> dict:
    unknown = set(fields) - set(STEP_FIELDS)
    if unknown:
        raise ValueError(f"Cannot set {', '.join(sorted(unknown))}.")
    values = dict(fields)
    if "delivery" in values:
        rules.check_delay(values["delivery"], values.get("delay_days"))
        rule = release_rules.rule_for(values["delivery"])
        assert rule is not None  # check_delay refused a delivery no rule has
        if not rule.has_days:
            values["delay_days"] = 0
    if "days_to_complete" in values:
        rules.check_days_to_complete(values["days_to_complete"])
    if "completion" in values or "completion_entries" in values:
        values.update(
            rules.completion_values(values.get("completion"), values.get("completion_entries"))
        )
    if "therapist_notes" in values:
        values["therapist_notes"] = (values["therapist_notes"] or "").strip()
    if "condition_step" in values and values["condition_step"] is None:
        values["condition_operator"] = ""
        values["condition_value"] = None
    elif values.get("condition_step") is not None and not values.get("condition_operator"):
        values["condition_operator"] = Comparison.AT_LEAST
    return values
