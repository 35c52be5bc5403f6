"""The body rows of the caseload dashboard's table (``analytics/dashboard.html``), as HTML.

Built here rather than in the template, for speed: a page lists up to 50 clients in seven cells
each, and the template engine spent as long on those rows (some forty variables and tags a
row, each looked up, localised and escaped one at a time) as the database spends on the
figures of 500 clients. Here a row is a few ``format_html`` calls, which escape every value
the way the template does; the markup is the template's, unchanged, and the rest of the page
(head of the table included) stays in the template.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from analytics.selectors import ClientRow, MeasureFigure

NOTHING = mark_safe('<span class="muted">—</span>')


def _nothing(why: str) -> SafeString:
    return format_html('{} <span class="muted small">{}</span>', NOTHING, why)


NOTHING_DUE = _nothing("nothing due")
NO_ACTIVITY = _nothing("no activity yet")
NO_SCORES = _nothing("no scores yet")
ZERO = mark_safe('<span class="muted">0</span>')
_ANY_CLIENT = uuid.UUID(int=0)


def dashboard_rows(rows: Iterable[ClientRow]) -> SafeString:
    """Each row's ``<tr>``."""
    # Every row links to its client's page: reversed once, then each client's id put in.
    link = reverse("clients:detail", args=[_ANY_CLIENT])
    return format_html_join(
        "",
        "{}",
        ((_row(row, link.replace(str(_ANY_CLIENT), str(row.client_id))),) for row in rows),
    )


def _row(row: ClientRow, url: str) -> str:
    return format_html(
        '\n  <tr class="dash-row{}" data-client="{}">\n'
        '    <th scope="row" class="dash-row__client">\n'
        '      <a class="row-link" href="{}">{}</a>\n'
        '      <span class="dash-row__sub muted small">{}</span>\n'
        "    </th>\n"
        '    <td data-label="Done, 4 weeks" class="dash-cell dash-cell--completion">'
        '<div class="dash-cell__body">{}</div></td>\n'
        '    <td data-label="Streak" class="dash-cell dash-cell--streak">'
        '<div class="dash-cell__body">{}</div></td>\n'
        '    <td data-label="Overdue" class="dash-cell dash-cell--overdue">'
        '<div class="dash-cell__body">{}</div></td>\n'
        '    <td data-label="Last activity" class="dash-cell dash-cell--activity nowrap">'
        '<div class="dash-cell__body">{}</div></td>\n'
        '    <td data-label="Latest score" class="dash-cell dash-cell--score">'
        '<div class="dash-cell__body">{}</div></td>\n'
        '    <td data-label="Flags" class="dash-cell dash-cell--flags">'
        '<div class="dash-cell__body">{}</div></td>\n'
        "  </tr>\n  ",
        " dash-row--flagged" if row.flagged else "",
        row.client_id,
        url,
        row.name,
        _who(row),
        _completion(row),
        _streak(row),
        _overdue(row),
        _activity(row),
        _score(row),
        format_html('<span class="badge badge--flag">{} open</span>', row.open_flags)
        if row.open_flags
        else ZERO,
    )


def _who(row: ClientRow) -> SafeString:
    """Full name (when a preferred name is shown), therapist, and a badge when paused."""
    return format_html(
        "{}{}{}",
        format_html("{} · ", row.full_name) if row.name != row.full_name else "",
        row.therapist,
        mark_safe(' · <span class="badge badge--paused">Paused</span>')
        if row.status == "paused"
        else "",
    )


def _completion(row: ClientRow) -> SafeString:
    if row.completion is None:
        return NOTHING_DUE
    done = f"{row.done} of {row.due}"
    return format_html(
        '<div class="meter meter--{}" role="img" aria-label="{}% done: {}">'
        '<span class="meter__bar"><span class="meter__fill" style="width:{}%"></span></span>'
        '<span class="meter__label">{}%</span></div>'
        '<span class="muted small">{}</span>',
        row.adherence_level,
        row.completion,
        done,
        row.completion,
        row.completion,
        done,
    )


def _streak(row: ClientRow) -> SafeString:
    if not row.streak:
        return NOTHING
    return format_html('{} <span class="muted small">in a row</span>', row.streak)


def _overdue(row: ClientRow) -> SafeString:
    if not row.overdue:
        return ZERO
    return format_html(
        '<span class="badge badge--{}">{} overdue</span>',
        row.overdue_level,
        row.overdue,
    )


def _activity(row: ClientRow) -> SafeString:
    if row.last_activity is None:
        return NO_ACTIVITY
    when = timezone.localtime(row.last_activity)  # as the ``date`` filter shows it
    day = f"{when.day} {MONTHS_3[when.month].title()}"  # "j M", the month in the active language
    return format_html(
        '<time datetime="{}" title="{}">{}</time> <span class="muted small">{}</span>',
        when.isoformat(),  # the filter's "c"
        f"{day} {when.year:04d}, {when.hour:02d}:{when.minute:02d}",  # "j M Y, H:i"
        day,
        row.activity_ago,
    )


def _score(row: ClientRow) -> SafeString:
    """The latest score with its band and change since the first; then the other measures."""
    m = row.latest
    if m is None:
        return NO_SCORES
    if m.change is None:
        change = mark_safe('<span class="muted">First score — no change yet</span>')
    elif m.change.label:
        change = format_html(
            '{} since first score · <span class="dash-change dash-change--{}">{}</span>',
            m.delta_display,
            m.change.direction,
            m.change.label,
        )
    else:
        change = format_html("{} since first score", m.delta_display)
    return format_html(
        "\n      "
        '<span class="dash-score"><strong class="dash-score__total">{}</strong> '
        '<span class="muted small">{}</span>{}</span>\n'
        '      <span class="dash-score__change small">{}</span>\n'
        "      {}\n    ",
        m.latest_display,
        m.title,
        format_html(
            ' <span class="badge badge--severity-{}">{}</span>', m.severity or "none", m.band
        )
        if m.band
        else "",
        change,
        _others(row.other_measures),
    )


def _others(measures: list[MeasureFigure]) -> SafeString:
    if not measures:
        return mark_safe("")
    names = (
        (o.title, o.latest_display, " (improving)" if o.change and o.change.improving else "")
        for o in measures
    )
    return format_html(
        '<span class="muted small">{}</span>', format_html_join(", ", "{} {}{}", names)
    )
