"""Words for pathway step rules, as therapists read them in the builder and previews."""

from django import template

from pathways import release_rules

register = template.Library()


@register.filter
def rule_text(step) -> str:
    """ "2 days after the previous step is done, at 18:00"."""
    return release_rules.rule_for(step.delivery).describe(
        delay_days=step.delay_days, time_of_day=step.time_of_day
    )


@register.filter
def ns_url(area, name: str) -> str:
    """The URL name ``name`` in the area's namespace (staff or curator builder)."""
    return f"{area.namespace}:{name}"
