"""``{{ text|personal:names }}``: activity text with ``{client_name}`` and ``{therapist_name}``
filled in (plain replacement; the result is escaped like any other string)."""

from django import template

from worksheets.personalise import fill

register = template.Library()


@register.filter
def personal(text, names):
    if not isinstance(text, str) or not names:
        return text
    return fill(text, names)
