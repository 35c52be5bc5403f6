"""The homework conversation on pages of lower apps (the assignment's page), without them
importing this app: ``{% load conversation %}{% assignment_conversation assignment as talk %}``."""

from django import template

from conversations import selectors

register = template.Library()


@register.simple_tag
def assignment_conversation(assignment) -> dict:
    """The client's answer to the plan, the prompt to make it smaller (if any), and the
    reviews of this assignment in session (three queries)."""
    return {
        "agreement": selectors.agreement_of(assignment),
        "prompts": selectors.plan_prompts(assignment.client, assignment_id=assignment.pk),
        "reviews": selectors.assignment_reviews(assignment),
    }


@register.simple_tag
def session_conversation(client) -> dict:
    """For the session review page: "felt worse" answers and the latest review in session
    with its items (three queries)."""
    latest = selectors.latest_conversation(client)
    return {
        "felt_worse": selectors.felt_worse(client),
        "latest": latest,
        "items": selectors.conversation_items(latest) if latest is not None else [],
    }
