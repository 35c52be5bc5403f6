"""The body rows of the caseload dashboard's table (``analytics/dashboard.html``), as HTML.

Built here rather than in the template, for speed: a page lists up to 50 clients in seven cells
each, and the template engine spent as long on those rows (some forty variables and tags a
row, each looked up, localised and escaped one at a time) as the database spends on the
figures of 500 clients. ``format_html`` was half as slow again: its escaping goes through a
lazy-string wrapper for every value. So a row is an f-string in which every value is either
escaped by ``_e`` (as Django's ``escape`` does it: ``&``, ``<``, ``>``, ``"`` and ``'``) or a
fragment built in this module from numbers and fixed words. The markup is the template's,
unchanged, and the rest of the page (head of the table included) stays in the template.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe

from analytics.selectors import ClientRow, MeasureFigure
from clients.models import ClientStatus

NOTHING = '<span class="muted">—</span>'


def _nothing(why: str) -> str:
    return f'{NOTHING} <span class="muted small">{why}</span>'


NOTHING_DUE = _nothing("nothing due")
NO_ACTIVITY = _nothing("no activity yet")
NO_SCORES = _nothing("no scores yet")
ZERO = '<span class="muted">0</span>'
PAUSED = ' · <span class="badge badge--paused">Paused</span>'
FIRST_SCORE = '<span class="muted">First score — no change yet</span>'
NEW_EPISODE = '<span class="muted">New episode of care — no score since it started</span>'
_ANY_CLIENT = uuid.UUID(int=0)


def _e(value) -> str:
    """``value`` as HTML text: what ``django.utils.html.escape`` returns, without its wrapper."""
    return html.escape(str(value))


def dashboard_rows(rows: Iterable[ClientRow]) -> SafeString:
    """Each row's ``<tr>``."""
    # Every row links to its client's page: reversed once, then each client's id put in.
    link = reverse("clients:detail", args=[_ANY_CLIENT])
    # "j M" of the ``date`` filter: the month's short name in the active language, once a page.
    months = {number: str(name).title() for number, name in MONTHS_3.items()}
    # Safe: every value a person typed goes through ``_e``; the rest is this module's markup.
    return mark_safe(  # noqa: S308
        "".join(
            _row(row, link.replace(str(_ANY_CLIENT), str(row.client_id)), months) for row in rows
        )
    )


def _row(row: ClientRow, url: str, months: dict[int, str]) -> str:
    return (
        f'\n  <tr class="dash-row{" dash-row--flagged" if row.flagged else ""}"'
        f' data-client="{_e(row.client_id)}">\n'
        '    <th scope="row" class="dash-row__client">\n'
        f'      <a class="row-link" href="{_e(url)}">{_e(row.name)}</a>\n'
        f'      <span class="dash-row__sub muted small">{_who(row)}</span>\n'
        "    </th>\n"
        + _cell("Done, 4 weeks", "completion", _completion(row))
        + _cell("Streak", "streak", _streak(row))
        + _cell("Overdue", "overdue", _overdue(row))
        + _cell("Last activity", "activity nowrap", _activity(row, months))
        + _cell("Latest score", "score", _score(row))
        + _cell("Flags", "flags", _flags(row))
        + "  </tr>\n  "
    )


def _cell(label: str, kind: str, body: str) -> str:
    """One ``<td>``: ``label`` heads it on a phone, where each row is a card."""
    return (
        f'    <td data-label="{label}" class="dash-cell dash-cell--{kind}">'
        f'<div class="dash-cell__body">{body}</div></td>\n'
    )


def _who(row: ClientRow) -> str:
    """Full name (when a preferred name is shown), therapist, and a badge when paused."""
    full_name = f"{_e(row.full_name)} · " if row.name != row.full_name else ""
    paused = PAUSED if row.status == ClientStatus.PAUSED else ""
    return f"{full_name}{_e(row.therapist)}{paused}"


def _completion(row: ClientRow) -> str:
    measures = _measures_done(row)
    if row.completion is None:
        return NOTHING_DUE + measures
    percent, done = int(row.completion), f"{int(row.done)} of {int(row.due)}"
    if row.partly:
        done += f", {int(row.partly)} in part"
    return (
        f'<div class="meter meter--{row.adherence_level}" role="img"'
        f' aria-label="{percent}% done: {done}">'
        '<span class="meter__bar">'
        f'<span class="meter__fill" style="width:{percent}%"></span></span>'
        f'<span class="meter__label">{percent}%</span></div>'
        f'<span class="muted small">{done}</span>' + measures
    )


def _measures_done(row: ClientRow) -> str:
    """Measures are not homework: their own figure, under the homework meter."""
    if not row.measures_due:
        return ""
    return (
        f'<br><span class="muted small">Measures {int(row.measures_done)} of '
        f"{int(row.measures_due)}</span>"
    )


def _streak(row: ClientRow) -> str:
    if not row.streak:
        return NOTHING
    return f'{int(row.streak)} <span class="muted small">in a row</span>'


def _overdue(row: ClientRow) -> str:
    if not row.overdue:
        return ZERO
    return f'<span class="badge badge--{row.overdue_level}">{int(row.overdue)} overdue</span>'


def _flags(row: ClientRow) -> str:
    if not row.open_flags:
        return ZERO
    return f'<span class="badge badge--flag">{int(row.open_flags)} open</span>'


def _activity(row: ClientRow, months: dict[int, str]) -> str:
    if row.last_activity is None:
        return NO_ACTIVITY
    when = timezone.localtime(row.last_activity)  # as the ``date`` filter shows it
    day = f"{when.day} {months[when.month]}"  # "j M"
    title = f"{day} {when.year:04d}, {when.hour:02d}:{when.minute:02d}"  # "j M Y, H:i"
    return (
        f'<time datetime="{when.isoformat()}" title="{_e(title)}">{_e(day)}</time>'
        f' <span class="muted small">{row.activity_ago}</span>'
    )


def _score(row: ClientRow) -> str:
    """The latest score with its band and change since the first; then the other measures."""
    m = row.latest
    if m is None:
        return NO_SCORES
    if m.change is None:
        change = NEW_EPISODE if m.baseline_at is None else FIRST_SCORE
    elif m.change.label:
        change = (
            f"{m.delta_display} since baseline · "
            f'<span class="dash-change dash-change--{m.change.direction}">{m.change.label}</span>'
        )
    else:
        change = f"{m.delta_display} since baseline"
    band = (
        f' <span class="badge badge--severity-{_e(m.severity or "none")}">{_e(m.band)}</span>'
        if m.band
        else ""
    )
    return (
        "\n      "
        f'<span class="dash-score"><strong class="dash-score__total">{_e(m.latest_display)}'
        f'</strong> <span class="muted small">{_e(m.title)}</span>{band}</span>\n'
        f'      <span class="dash-score__change small">{change}</span>\n'
        f"      {_others(row.other_measures)}\n    "
    )


def _others(measures: list[MeasureFigure]) -> str:
    if not measures:
        return ""
    names = ", ".join(
        f"{_e(o.title)} {_e(o.latest_display)}"
        + (" (improving)" if o.change and o.change.improving else "")
        for o in measures
    )
    return f'<span class="muted small">{names}</span>'
