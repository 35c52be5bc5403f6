"""Words for pathway step rules, as therapists read them in the builder and previews."""

from django import template

from pathways.models import ReleaseRule

register = template.Library()


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


@register.filter
def rule_text(step) -> str:
    """ "2 days after the previous step is done, at 18:00"."""
    at = f", at {step.time_of_day:%H:%M}" if step.time_of_day else ""
    if step.delivery == ReleaseRule.ON_ENROLMENT:
        return f"On enrolment{at}" if at else "At once on enrolment"
    if step.delivery == ReleaseRule.DAYS_AFTER_ENROLMENT:
        return f"{_days(step.delay_days)} after enrolment{at or ', at 09:00'}"
    if step.delivery == ReleaseRule.AFTER_PREVIOUS:
        return f"When the previous step is done{at}"
    return f"{_days(step.delay_days)} after the previous step is done{at or ', at 09:00'}"


@register.filter
def ns_url(area, name: str) -> str:
    """The URL name ``name`` in the area's namespace (staff or curator builder)."""
    return f"{area.namespace}:{name}"
