"""Template helpers for assignment pages: a response rendered read-only by the worksheet
engine, and small labels."""

from django import template
from django.urls import reverse

from assignments.forms import FlagResponseForm
from assignments.models import State
from worksheets.render import render_worksheet

register = template.Library()


def media_url(media_id: str) -> str:
    return reverse("library:media", args=[media_id])


@register.simple_tag
def worksheet_answers(definition, answers):
    """The answers as the engine shows them read-only (hidden follow-ups left out)."""
    return render_worksheet(definition, answers=answers, mode="readonly", media_url=media_url)


@register.simple_tag
def zero_to_ten():
    return range(11)


@register.filter
def state_label(state: str) -> str:
    return State(state).label


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value}%"


@register.filter
def one_decimal(value) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


@register.simple_tag
def flag_response_form(flag):
    """An empty response form for one flag, its ids unique on a page listing several."""
    return FlagResponseForm(auto_id=f"flag-{flag.pk}-%s")
