"""``{{ text|personal:names }}``: activity text with ``{client_name}`` and ``{therapist_name}``
filled in (plain replacement; the result is escaped like any other string)."""

from django import template

from portal.personal import names_for
from worksheets.personalise import fill

register = template.Library()


@register.filter
def personal(text, names):
    if not isinstance(text, str) or not names:
        return text
    return fill(text, names)


@register.filter
def personal_for(text, assignment):
    """The same, for templates included from pages that do not pass ``names`` (the plan, shown
    on the portal's worksheet, homework and conversation pages): the names of the assignment's
    client and of the therapist who assigned it."""
    # Most text has no token: then nothing is looked up (no query for the names).
    if not isinstance(text, str) or assignment is None or "{" not in text:
        return text
    return fill(text, names_for(assignment.client, assignment))
