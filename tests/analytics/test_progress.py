"""A client's progress page: measure charts with bands (the same series as the PDF), ratings
from logs, adherence by week, the timeline, change since baseline; constant queries; and the
awkward cases (no data, one score, incomplete measures, time zones)."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import AuditEvent
from analytics import progress
from assignments.models import Occurrence
from clients.models import Client
from core.tenancy import practice_scope
from reports.selectors import measure_series
from tests.factories import activity_version_for

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def phq9_for(total: int) -> dict:
    """PHQ-9 answers adding up to ``total`` (at most 24; item 9 stays 0)."""
    answers, left = {}, total
    for n in range(1, 10):
        value = 0 if n == 9 else min(3, left)
        answers[f"q{n}"] = str(value)
        left -= value
    assert left == 0
    return answers


def gad7_for(total: int) -> dict:
    answers, left = {}, total
    for n in range(1, 8):
        value = min(3, left)
        answers[f"q{n}"] = str(value)
        left -= value
    assert left == 0
    return answers


def entries(assign, submit, version, answers_list, *, client=None, start: datetime, **kw):
    """One entry a day from ``start`` (UTC), each sent an hour before its due time."""
    with time_machine.travel(start, tick=False):
        assignment = assign(
            version, client=client, schedule_kind="daily", repeat_days=len(answers_list), **kw
        )
    with scopes_disabled():
        occurrences = list(Occurrence.objects.filter(assignment=assignment).order_by("due_at"))
    sent = []
    for occurrence, answers in zip(occurrences, answers_list, strict=True):
        with time_machine.travel(occurrence.due_at - timedelta(hours=1), tick=False):
            sent.append(submit(occurrence, answers))
    return assignment, sent


def days_ago(n: int) -> datetime:
    return (timezone.now() - timedelta(days=n)).replace(hour=9, minute=0, second=0, microsecond=0)


def load(client, **kw):
    with practice_scope(client.practice_id):
        return progress.client_progress(client, **kw)


def url(client):
    return f"/clients/{client.pk}/progress/"


# --- The series and the change ------------------------------------------------------------


def test_measure_series_match_the_pdf_and_change_is_classified(world, acts, assign, submit):
    entries(assign, submit, acts.phq9, [phq9_for(t) for t in (18, 14, 11)], start=days_ago(30))
    data = load(world.client_a)
    (phq9,) = data.measures
    with practice_scope(world.practice_a):
        assert [phq9.series] == measure_series(world.client_a)
    assert [p["total"] for p in phq9.series["points"]] == [18, 14, 11]
    assert phq9.series["points"][0]["band"] == "Moderately severe"
    assert phq9.change.baseline == 18 and phq9.change.latest == 11 and phq9.change.delta == -7
    assert phq9.change.label == "Reliable improvement"
    assert not phq9.change.clinically_significant  # 11 is still in the clinical range


def test_the_page_shows_chart_table_summary_and_flags_deterioration(
    world, acts, assign, submit, web
):
    gad7 = activity_version_for(world.practice_a, "gad-7")
    entries(assign, submit, acts.phq9, [phq9_for(t) for t in (8, 16)], start=days_ago(20))
    entries(assign, submit, gad7, [gad7_for(t) for t in (12, 6)], start=days_ago(10))
    response = web(world.therapist_a).get(url(world.client_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="measure-chart"') == 2
    assert "Show as a table" in html and '<th scope="col">Severity</th>' in html
    assert "Reliable deterioration on PHQ-9" in html  # the alert at the top (title "PHQ-9 …")
    assert "Reliable improvement" in html  # GAD-7: 12 → 6
    assert "Reliable recovery" in html  # and from 12 (clinical) to 6 (below 8)
    assert "scores, from 8 (Mild) on" in html
    assert (
        response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    )


def test_reading_the_page_is_audited(world, web):
    web(world.therapist_a).get(url(world.client_a))
    with scopes_disabled():
        event = AuditEvent.objects.get(action="view_progress")
    assert event.client_id == world.client_a.pk
    assert event.actor == world.therapist_a


def test_ratings_from_a_log_are_charted_without_bands(world, acts, assign, submit, web):
    moods = [{"date": "2025-01-01", "mood": m} for m in (3, 5, 7, 6)]
    entries(assign, submit, acts.mood_log, moods, start=days_ago(12))
    data = load(world.client_a)
    assert data.measures == []
    (mood,) = data.ratings
    assert mood.path == "mood" and mood.label == "Overall mood today"
    assert [p["total"] for p in mood.series["points"]] == [3, 5, 7, 6]
    assert (mood.series["min_total"], mood.series["max_total"]) == (0, 10)
    assert mood.series["bands"] == []
    html = web(world.therapist_a).get(url(world.client_a)).content.decode()
    assert "Overall mood today over time" in html  # the chart's accessible name
    assert "4 Overall mood today ratings" in html


def test_rating_fields_are_found_generically_including_table_columns():
    definition = {
        "sections": [
            {
                "id": "s",
                "fields": [
                    {"id": "note", "type": "long_text", "label": "Note"},
                    {"id": "suds", "type": "rating", "label": "SUDS", "min": 0, "max": 100},
                    {"id": "count", "type": "number", "label": "How many"},
                    {
                        "id": "slots",
                        "type": "table",
                        "label": "Slots",
                        "columns": [
                            {"id": "what", "type": "short_text", "label": "What"},
                            {"id": "mood", "type": "rating", "label": "Mood", "min": 0, "max": 10},
                        ],
                    },
                ],
            }
        ]
    }
    specs = list(progress.rating_fields(definition))
    assert [s["path"] for s in specs] == ["suds", "count", "slots.mood"]
    answers = {"suds": 40, "count": 2, "slots": [{"mood": 4}, {"mood": 7}, {"what": "x"}]}
    assert [progress.rating_value(answers, s) for s in specs] == [40.0, 2.0, 5.5]
    assert progress.rating_value({"slots": "nonsense"}, specs[2]) is None
    assert progress.rating_value({"suds": True}, specs[0]) is None


def test_table_columns_are_averaged_per_entry(world, assign, submit):
    schedule = activity_version_for(world.practice_a, "activity-schedule")
    row = {"day": "mon", "time_of_day": "morning", "planned": "Walk", "done": "yes"}
    answers = [
        {
            "week_start": "2025-01-06",
            "slots": [row | {"mastery": 4, "pleasure": 6, "mood": 2}, row | {"mood": 6}],
        }
    ]
    entries(assign, submit, schedule, answers, start=days_ago(3))
    ratings = {r.path: r for r in load(world.client_a).ratings}
    assert ratings["slots.mood"].series["points"][0]["total"] == 4
    assert ratings["slots.mood"].averaged
    assert ratings["slots.mastery"].series["points"][0]["total"] == 4


# --- Adherence by week and the timeline ------------------------------------------------


def test_weekly_adherence_counts_due_and_done_per_iso_week(world, acts, assign, submit):
    # Wednesday 5 March 2025, London. Three daily mood logs from Thu 27 Feb; one sent.
    now = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
    with time_machine.travel(datetime(2025, 2, 27, 8, 0, tzinfo=UTC), tick=False):
        assignment = assign(acts.mood_log, schedule_kind="daily", repeat_days=7)
    with scopes_disabled():
        first = Occurrence.objects.filter(assignment=assignment).order_by("due_at").first()
    with time_machine.travel(first.due_at - timedelta(hours=1), tick=False):
        submit(first, {"date": "2025-02-27", "mood": 5})
    with practice_scope(world.practice_a):
        weeks = progress.weekly_adherence(world.client_a, now=now)
    assert len(weeks) == 12
    assert weeks[-1].week_start == date(2025, 3, 3) and weeks[-1].current
    # Week of 24 Feb: Thu–Sun due, one done. This week: Mon, Tue due (Wed 21:00 not yet).
    assert (weeks[-2].due, weeks[-2].done, weeks[-2].rate) == (4, 1, 25)
    assert (weeks[-1].due, weeks[-1].done, weeks[-1].rate) == (2, 0, 0)
    assert all(w.due == 0 and w.rate is None for w in weeks[:-2])


def test_the_timeline_lists_assigned_sent_missed_and_reviewed_newest_first(
    world, acts, assign, submit
):
    from assignments.services import reviewing
    from tests.assignments.fixtures import membership_of

    _, (sent,) = entries(assign, submit, acts.phq9, [phq9_for(12)], start=days_ago(10))
    with time_machine.travel(days_ago(20), tick=False):
        assign(acts.mood_log, schedule_kind="daily", repeat_days=2)  # both missed
    with practice_scope(world.practice_a), scopes_disabled():
        occurrence = Occurrence.objects.get(pk=sent.occurrence_id)
    with practice_scope(world.practice_a):
        reviewing.occurrence_review(
            occurrence=occurrence, actor=membership_of(world.practice_a, world.therapist_a)
        )
    items = load(world.client_a).timeline
    kinds = [item.kind for item in items]
    assert kinds[0] == "reviewed"
    assert kinds.count("missed") == 2 and kinds.count("assigned") == 2
    assert [item.at for item in items] == sorted((item.at for item in items), reverse=True)
    (entry,) = [item for item in items if item.kind == "submitted"]
    assert entry.detail == "Score 12 · Moderate"


def test_the_timeline_is_bounded_with_a_link_to_older(world, acts, assign, web):
    with time_machine.travel(days_ago(120), tick=False):
        assign(acts.mood_log)
    data = load(world.client_a)
    assert data.timeline == [] and data.has_older and data.older_days == 180
    assert [i.kind for i in load(world.client_a, days=180).timeline][-1] == "assigned"
    html = web(world.therapist_a).get(url(world.client_a)).content.decode()
    assert "?days=180" in html
    older = web(world.therapist_a).get(url(world.client_a) + "?days=180").content.decode()
    assert "last 180 days" in older
    assert progress.timeline_days("nonsense") == 90
    assert progress.timeline_days("100000") == 730


# --- Constant queries --------------------------------------------------------------------


def _count(browser, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(path).status_code == 200
    return len(queries)


def test_the_page_runs_the_same_number_of_queries_for_3_and_40_entries(
    world, acts, assign, submit, web
):
    browser = web(world.therapist_a)
    entries(assign, submit, acts.phq9, [phq9_for(10)] * 3, start=days_ago(70))
    entries(
        assign, submit, acts.mood_log, [{"date": "2025-01-01", "mood": 4}] * 3, start=days_ago(70)
    )
    few = _count(browser, url(world.client_a))
    entries(assign, submit, acts.phq9, [phq9_for(n % 20) for n in range(37)], start=days_ago(60))
    entries(
        assign,
        submit,
        acts.mood_log,
        [{"date": "2025-01-01", "mood": n % 10} for n in range(37)],
        start=days_ago(60),
    )
    many = _count(browser, url(world.client_a))
    assert few == many
    assert many <= 30


# --- Awkward input -------------------------------------------------------------------------


def test_a_client_with_no_data_gets_a_helpful_page(world, web):
    response = web(world.therapist_a).get(url(world.client_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing to chart yet" in html
    assert "measure-chart" not in html
    assert "Schedule a measure" in html


def test_a_single_score_draws_a_point_without_a_line(world, acts, assign, submit, web):
    entries(assign, submit, acts.phq9, [phq9_for(13)], start=days_ago(5))
    html = web(world.therapist_a).get(url(world.client_a)).content.decode()
    assert "<polyline" not in html
    assert html.count("<circle") == 1
    assert "One score so far" in html
    (measure,) = load(world.client_a).measures
    assert measure.change.direction == "unknown" and measure.change.latest is None


def test_incomplete_measures_are_listed_as_not_scored(world, assign, submit, web):
    phq9 = activity_version_for(world.practice_a, "phq-9")
    definition = copy.deepcopy(phq9.definition)
    for section in definition["sections"]:
        for field in section["fields"]:
            field["required"] = False
    lenient = activity_version_for(world.practice_a, "phq-9", definition=definition)
    partial = {f"q{n}": "2" for n in range(1, 6)}  # four items left out: no total
    entries(assign, submit, lenient, [phq9_for(15), partial], start=days_ago(6))
    (measure,) = load(world.client_a).measures
    assert [p["total"] for p in measure.series["points"]] == [15]
    assert len(measure.incomplete) == 1
    html = web(world.therapist_a).get(url(world.client_a)).content.decode()
    assert "1 incomplete, not scored" in html
    assert "Incomplete, not scored" in html  # in the timeline too


def test_only_incomplete_measures_do_not_draw_a_chart(world, assign, submit, web):
    phq9 = activity_version_for(world.practice_a, "phq-9")
    definition = copy.deepcopy(phq9.definition)
    for section in definition["sections"]:
        for field in section["fields"]:
            field["required"] = False
    lenient = activity_version_for(world.practice_a, "phq-9", definition=definition)
    entries(assign, submit, lenient, [{"q1": "1"}], start=days_ago(2))
    html = web(world.therapist_a).get(url(world.client_a)).content.decode()
    assert "measure-chart" not in html
    assert "No complete PHQ-9" in html and "yet, so nothing to chart" in html


def test_dates_are_the_clients_local_dates(world, acts, assign, submit, web):
    with scopes_disabled():
        Client.objects.filter(pk=world.client_a.pk).update(timezone="Pacific/Auckland")
        client = Client.objects.get(pk=world.client_a.pk)
    # Sent at 23:30 UTC on 1 March 2025: already 2 March (12:30) in Auckland.
    with time_machine.travel(datetime(2025, 3, 1, 9, 0, tzinfo=UTC), tick=False):
        assignment = assign(acts.phq9, client=client, due_time=datetime(2025, 1, 1, 23, 59).time())
    with scopes_disabled():
        occurrence = Occurrence.objects.get(assignment=assignment)
    with time_machine.travel(datetime(2025, 3, 1, 23, 30, tzinfo=UTC), tick=False):
        submit(occurrence, phq9_for(9))
    (measure,) = load(client, days=730).measures
    assert measure.series["points"][0]["date"] == "2025-03-02"
    html = web(world.therapist_a).get(url(client) + "?days=730").content.decode()
    assert "2 Mar 2025" in html and "Sun 2 Mar 2025, 12:30" in html


def test_private_entries_are_not_charted(world, acts, assign, submit):
    entries(
        assign,
        submit,
        acts.phq9,
        [phq9_for(12)],
        start=days_ago(4),
        visibility="client_only",
    )
    data = load(world.client_a)
    assert data.measures == []
    assert [i.detail for i in data.timeline if i.kind == "submitted"] == [
        "Kept private by the client"
    ]


# --- Who may see it ----------------------------------------------------------------------


def test_another_practice_and_an_unshared_colleague_get_404(world, web):
    for user in (world.therapist_b, world.owner_b, world.colleague_a):
        assert web(user).get(url(world.client_a)).status_code == 404
    assert web(world.owner_a).get(url(world.client_a)).status_code == 200
    assert web(world.therapist_b).post(f"{url(world.client_a)}schedule/").status_code == 404
    assert web(world.therapist_b).post(f"{url(world.client_a)}sessions/").status_code == 404


def test_the_portal_client_cannot_open_it(world, portal):
    response = portal(world.client_a).get(url(world.client_a))
    assert response.status_code in (302, 403, 404)


def test_the_client_page_links_to_progress(world, web):
    html = web(world.therapist_a).get(f"/clients/{world.client_a.pk}/").content.decode()
    assert url(world.client_a) in html
