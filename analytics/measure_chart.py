"""Measure totals over time as a vector (SVG) chart, drawn on the server.

The same chart goes into PDFs (WeasyPrint draws inline SVG) and onto web pages, with the same
numbers as a table next to it for people who cannot see the chart. Severity bands are drawn
behind the line so a glance shows where each score fell.

A *series* is plain JSON-compatible data, so it can be part of a PDF's hashed source::

    {"title": "PHQ-9", "min_total": 0, "max_total": 27,
     "bands": [{"min": 0, "max": 4, "label": "Minimal", "severity": "minimal"}, ...],
     "points": [{"date": "2024-03-01", "total": 12, "band": "Moderate"}, ...]}

Optional keys draw other numbers over time the same way (e.g. a mood rating from a daily
log): ``"caption"`` (the chart's accessible name, default "<title> totals over time") and
``"noun"`` (what one point is, default "score"). Without bands the right margin, which holds
the band names, shrinks. ``"episodes"`` (``[{"date": "2024-05-01", "label": "Episode 2"}]``)
draws a dashed line where each new episode of care starts, with its label, and says so in the
text alternative.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import slugify

WIDTH: Final = 640
HEIGHT: Final = 250
LEFT: Final = 40
RIGHT: Final = 128
RIGHT_WITHOUT_BANDS: Final = 16
TOP: Final = 12
BOTTOM: Final = 34
MAX_DATE_LABELS: Final = 6

# Light tints behind the line; the band names are printed too, so colour is never the only cue.
BAND_FILLS: Final = {
    "minimal": "#e3f2e8",
    "mild": "#f4f1d0",
    "moderate": "#fbe6cc",
    "moderately_severe": "#f8d6c2",
    "severe": "#f5cfcf",
}
DEFAULT_FILL: Final = "#eceff1"
LINE: Final = "#1d6b66"
INK: Final = "#1c2530"
MUTED: Final = "#56606d"


@dataclass(frozen=True)
class ChartRow:
    date: str
    total: str
    band: str


@dataclass(frozen=True)
class MeasureChart:
    chart_id: str
    title: str
    summary: str
    svg: SafeString
    rows: tuple[ChartRow, ...]


def measure_chart(series: Mapping[str, Any], *, chart_id: str = "") -> MeasureChart:
    """The chart (SVG markup, safe to insert) and its text alternative for ``series``."""
    chart_id = slugify(chart_id or series["title"]) or "chart"
    points = sorted(
        (date.fromisoformat(p["date"]), float(p["total"]), p.get("band") or "")
        for p in series["points"]
    )
    bands = series.get("bands") or []
    plot = _Plot(float(series["min_total"]), float(series["max_total"]), points)
    if not bands:
        plot.right = WIDTH - RIGHT_WITHOUT_BANDS
    summary = _summary(series["title"], points, noun=series.get("noun") or "score")
    episodes = [(date.fromisoformat(e["date"]), e["label"]) for e in series.get("episodes") or []]
    if episodes:
        summary += " " + " ".join(f"{label} started {_day(day)}." for day, label in episodes)
    drawing = (
        _bands(plot, bands)
        + _y_axis(plot, bands)
        + _x_axis(plot)
        + _episodes(plot, episodes)
        + _line(plot)
    )
    svg = format_html(
        '<svg class="measure-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" role="img" aria-labelledby="{id}-title {id}-desc" '
        'font-family="Noto Sans, DejaVu Sans, sans-serif" font-size="11">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{drawing}</svg>',
        w=WIDTH,
        h=HEIGHT,
        id=chart_id,
        title=series.get("caption") or f"{series['title']} totals over time",
        desc=summary,
        drawing=drawing,
    )
    rows = tuple(
        ChartRow(date=_day(day), total=_number(total), band=band) for day, total, band in points
    )
    return MeasureChart(chart_id, series["title"], summary, svg, rows)


Point = tuple[date, float, str]


class _Plot:
    """Data coordinates to SVG coordinates."""

    left, right = LEFT, WIDTH - RIGHT
    top, bottom = TOP, HEIGHT - BOTTOM
    inset = 12  # keeps the first and last dots off the plot's edges

    def __init__(self, low: float, high: float, points: Sequence[Point]):
        self.low, self.high = low, max(high, low + 1)
        self.points = points
        self.first = points[0][0] if points else None
        self.span = (points[-1][0] - points[0][0]).days if points else 0

    def x(self, day: date) -> float:
        if not self.span:
            return (self.left + self.right) / 2
        usable = self.right - self.left - 2 * self.inset
        return self.left + self.inset + usable * (day - self.first).days / self.span

    def y(self, value: float) -> float:
        value = min(max(value, self.low), self.high)
        return self.bottom - (self.bottom - self.top) * (value - self.low) / (self.high - self.low)


def _text(x: float, y: float, content, *, anchor: str = "start", colour: str = MUTED) -> SafeString:
    return format_html(
        '<text x="{}" y="{}" fill="{}" text-anchor="{}" dominant-baseline="middle">{}</text>',
        _c(x),
        _c(y),
        colour,
        anchor,
        content,
    )


def _rule(x1: float, y1: float, x2: float, y2: float, colour: str) -> SafeString:
    return format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
        _c(x1),
        _c(y1),
        _c(x2),
        _c(y2),
        colour,
    )


def _bands(plot: _Plot, bands: Sequence[Mapping[str, Any]]) -> SafeString:
    """One tinted rectangle per band, its edges half-way between two whole totals, named in
    the right margin."""
    shapes = SafeString()
    for index, band in enumerate(bands):
        lower = plot.low if index == 0 else band["min"] - 0.5
        upper = plot.high if index == len(bands) - 1 else band["max"] + 0.5
        top, bottom = plot.y(upper), plot.y(lower)
        fill = BAND_FILLS.get(band.get("severity", ""), DEFAULT_FILL)
        shapes += format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
            _c(plot.left),
            _c(top),
            _c(plot.right - plot.left),
            _c(bottom - top),
            fill,
        )
        shapes += _text(plot.right + 6, (top + bottom) / 2, band["label"])
    return shapes


def _y_axis(plot: _Plot, bands: Sequence[Mapping[str, Any]]) -> SafeString:
    """A white rule and a label at each band's lowest total, and a base line."""
    axis = SafeString()
    for total in sorted({plot.low, plot.high, *(float(band["min"]) for band in bands)}):
        y = plot.y(total)
        axis += _rule(plot.left, y, plot.right, y, "#ffffff")
        axis += _text(plot.left - 6, y, _number(total), anchor="end")
    return axis + _rule(plot.left, plot.bottom, plot.right, plot.bottom, MUTED)


def _x_axis(plot: _Plot) -> SafeString:
    """A tick and a date under at most six of the scores' dates, spread evenly."""
    days = sorted({day for day, _, _ in plot.points})
    if len(days) > MAX_DATE_LABELS:
        step = (len(days) - 1) / (MAX_DATE_LABELS - 1)
        days = [days[round(i * step)] for i in range(MAX_DATE_LABELS)]
    axis = SafeString()
    for day in days:
        x = plot.x(day)
        axis += _rule(x, plot.bottom, x, plot.bottom + 4, MUTED)
        axis += _text(x, plot.bottom + 14, dateformat.format(day, "j M"), anchor="middle")
    return axis


def _episodes(plot: _Plot, episodes: Sequence[tuple[date, str]]) -> SafeString:
    """A dashed line where each new episode of care starts (at the plot's right edge when it
    started after the last score), labelled at the top."""
    drawing = SafeString()
    if not plot.points:
        return drawing
    for day, label in episodes:
        x = min(max(plot.x(day), plot.left), plot.right)
        drawing += format_html(
            '<line class="measure-chart__episode" x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" '
            'stroke="{colour}" stroke-width="1.5" stroke-dasharray="4 3"/>',
            x=_c(x),
            top=_c(plot.top),
            bottom=_c(plot.bottom),
            colour=INK,
        )
        anchor = "end" if x > (plot.left + plot.right) / 2 else "start"
        drawing += _text(
            x + (-4 if anchor == "end" else 4), plot.top + 8, label, anchor=anchor, colour=INK
        )
    return drawing


def _line(plot: _Plot) -> SafeString:
    """The totals joined by a line, each a dot with its value as a tooltip (on the web)."""
    if not plot.points:
        middle = ((plot.left + plot.right) / 2, (plot.top + plot.bottom) / 2)
        return _text(*middle, "No scores yet", anchor="middle", colour=INK)
    drawing = SafeString()
    if len(plot.points) == 1:
        # One point is not a trend: no line, and say so.
        drawing += _text(
            (plot.left + plot.right) / 2, plot.top + 10, "One score so far", anchor="middle"
        )
    else:
        coordinates = " ".join(f"{_c(plot.x(d))},{_c(plot.y(t))}" for d, t, _ in plot.points)
        drawing += format_html(
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="2" '
            'stroke-linejoin="round"/>',
            coordinates,
            LINE,
        )
    for point in plot.points:
        day, total, _ = point
        drawing += format_html(
            '<circle cx="{}" cy="{}" r="3.5" fill="#ffffff" stroke="{}" stroke-width="2">'
            "<title>{}</title></circle>",
            _c(plot.x(day)),
            _c(plot.y(total)),
            LINE,
            _point_text(point),
        )
    return drawing


def _summary(title: str, points: Sequence[Point], *, noun: str = "score") -> str:
    if not points:
        return f"No {title} {noun}s yet."
    if len(points) == 1:
        return f"One {title} {noun}: {_point_text(points[0])}."
    first, last = _point_text(points[0]), _point_text(points[-1])
    return f"{len(points)} {title} {noun}s, from {first} to {last}."


def _point_text(point: Point) -> str:
    day, total, band = point
    return f"{_number(total)}{f' ({band})' if band else ''} on {_day(day)}"


def _day(day: date) -> str:
    return dateformat.format(day, "j M Y")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _c(value: float) -> str:
    """A coordinate with one decimal: enough for print, short markup."""
    return f"{value:.1f}".rstrip("0").rstrip(".")
