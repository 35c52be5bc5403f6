"""Template tags of the PDF templates: the shared worksheet renderer and measure charts."""

from django import template

from analytics.measure_chart import measure_chart as build_measure_chart
from worksheets.render import render_worksheet

register = template.Library()


@register.simple_tag
def worksheet(definition, answers=None, mode="print"):
    """The worksheet through the same field renderers as the web pages."""
    return render_worksheet(definition, answers=answers, mode=mode)


@register.simple_tag
def measure_chart(series, chart_id=""):
    return build_measure_chart(series, chart_id=chart_id)
