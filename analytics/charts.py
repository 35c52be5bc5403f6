"""A percentage per month as a vector (SVG) bar chart, drawn on the server.

The same approach, palette and helpers as ``analytics.measure_chart`` (one chart style across the
product): inline SVG with a ``<title>`` and ``<desc>``, ``role="img"``, and the same numbers as
a table the chart points at with ``aria-describedby``, for people who cannot see it. Months
with nothing due get no bar and say so, so an empty month is never read as 0 %.

A series is a list of ``{"month": date, "value": int | None, "due": int, "done": int}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import slugify

from analytics.measure_chart import INK, LINE, MUTED, _c, _rule, _text

WIDTH: Final = 640
HEIGHT: Final = 220
LEFT: Final = 44
RIGHT: Final = 12
TOP: Final = 14
BOTTOM: Final = 34
GRID: Final = (0, 25, 50, 75, 100)


@dataclass(frozen=True)
class BarRow:
    label: str
    value: str
    detail: str


@dataclass(frozen=True)
class BarChart:
    chart_id: str
    title: str
    summary: str
    svg: SafeString
    rows: tuple[BarRow, ...]

    @property
    def table_id(self) -> str:
        return f"{self.chart_id}-table"


def monthly_bars(
    series: Sequence[Mapping[str, Any]], *, title: str, chart_id: str = ""
) -> BarChart:
    """Bars of a 0–100 % value per month, with its text alternative."""
    chart_id = slugify(chart_id or title) or "chart"
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(series), 1)
    bar = min(slot * 0.6, 56)
    bottom = HEIGHT - BOTTOM

    def y(value: float) -> float:
        return bottom - plot_height * max(0, min(value, 100)) / 100

    drawing = SafeString()
    for level in GRID:
        drawing += _rule(LEFT, y(level), WIDTH - RIGHT, y(level), "#e6e9ec")
        drawing += _text(LEFT - 6, y(level), f"{level}%", anchor="end")
    drawing += _rule(LEFT, bottom, WIDTH - RIGHT, bottom, MUTED)
    for index, point in enumerate(series):
        centre = LEFT + slot * index + slot / 2
        month = dateformat.format(point["month"], "M")
        drawing += _text(centre, bottom + 14, month, anchor="middle")
        value = point.get("value")
        if value is None:
            drawing += _text(centre, bottom - 10, "–", anchor="middle")
            continue
        top = y(value)
        drawing += format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="{}"><title>{}</title></rect>',
            _c(centre - bar / 2),
            _c(top),
            _c(bar),
            _c(max(bottom - top, 0.5)),
            LINE,
            _point_text(point),
        )
        drawing += _text(centre, max(top - 8, TOP), f"{value}%", anchor="middle", colour=INK)

    summary = _summary(title, series)
    svg = format_html(
        '<svg class="bar-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" role="img" aria-labelledby="{id}-title" '
        'aria-describedby="{id}-desc {id}-table" '
        'font-family="Noto Sans, DejaVu Sans, sans-serif" font-size="11">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{drawing}</svg>',
        w=WIDTH,
        h=HEIGHT,
        id=chart_id,
        title=title,
        desc=summary,
        drawing=drawing,
    )
    rows = tuple(
        BarRow(
            label=dateformat.format(point["month"], "F Y"),
            value="—" if point.get("value") is None else f"{point['value']}%",
            detail=f"{point.get('done', 0)} of {point.get('due', 0)}",
        )
        for point in series
    )
    return BarChart(chart_id, title, summary, svg, rows)


def _point_text(point: Mapping[str, Any]) -> str:
    month = dateformat.format(point["month"], "F Y")
    return f"{month}: {point['value']}% ({point.get('done', 0)} of {point.get('due', 0)} done)"


def _summary(title: str, series: Sequence[Mapping[str, Any]]) -> str:
    measured = [p for p in series if p.get("value") is not None]
    if not measured:
        return f"{title}: nothing was due in these months."
    first, last = measured[0], measured[-1]
    if first is last:
        return f"{title}: {_point_text(first)}."
    return f"{title}, from {_point_text(first)} to {_point_text(last)}."
