"""Practice insights: owners and admins only; figures from the hand-worked caseload; the
by-therapist table for owners only; the chart and its table; the REST endpoints."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.models import Role
from analytics import selectors
from core.tenancy import practice_scope
from sampledata.caseload import bulk_caseload
from tests.analytics import fixtures_dashboard as fx
from tests.assignments.fixtures import membership_of
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
caseload = fx.caseload
frozen = fx.frozen

URL = reverse("analytics:insights")


def insights_for(world, user, **kwargs):
    with practice_scope(world.practice_a):
        return selectors.practice_insights(membership_of(world.practice_a, user), **kwargs)


def test_figures(world, acts, caseload, frozen):
    data = insights_for(world, world.owner_a, months=3)
    assert data.since == date(2025, 1, 1)
    # Homework: Ana 14 due / 13 done, Ben 7 / 2, the colleague's client 1 / 1; the three
    # PHQ-9s are measures, counted apart.
    assert (data.due, data.done, data.completion, data.clients) == (22, 16, 73, 3)
    assert (data.measures_due, data.measures_done) == (3, 3)
    # Check-ins: Ana 13 × (10 min, 7), Ben 2 × (30 min, 3).
    assert data.checkins == 15
    assert data.median_minutes == 10
    assert data.helpful == round((13 * 7 + 2 * 3) / 15, 1)
    assert data.helpful_counts[7] == 13 and data.helpful_counts[3] == 2
    mood, phq = data.activities
    assert (mood.title, mood.assignments, mood.clients, mood.due, mood.done) == (
        "Daily mood log",
        3,
        3,
        22,
        16,
    )
    assert (mood.completion, mood.median_minutes, mood.helpful, mood.ratings) == (73, 10, 6.5, 15)
    assert phq.title.startswith("PHQ-9") and (phq.assignments, phq.due, phq.done) == (3, 3, 3)
    assert phq.is_measure and not mood.is_measure
    assert phq.median_minutes is None
    assert [(m.month, m.due, m.done) for m in data.trend] == [
        (date(2025, 1, 1), 0, 0),
        (date(2025, 2, 1), 0, 0),
        (date(2025, 3, 1), 22, 16),
    ]
    assert data.trend[0].completion is None
    therapists = {t.name: (t.clients, t.due, t.done) for t in data.therapists}
    assert therapists == {"Alpha Therapist": (2, 21, 15), "Alpha Colleague": (1, 1, 1)}


def test_admins_see_insights_without_the_therapist_table(world, caseload, frozen, web):
    admin = UserFactory(email="admin@alpha.test", full_name="Alpha Admin")
    MembershipFactory(practice=world.practice_a, user=admin, role=Role.ADMIN)
    assert insights_for(world, admin).therapists is None
    html = web(admin).get(URL).content.decode()
    assert "Practice insights" in html and "Completion by therapist" not in html
    html = web(world.owner_a).get(URL).content.decode()
    assert "Completion by therapist" in html


def test_therapists_and_outsiders_may_not(world, caseload, frozen, web, portal):
    assert web(world.therapist_a).get(URL).status_code == 403
    assert web().get(URL).status_code == 302
    assert portal(world.client_a).get(URL).status_code == 404


def test_page_has_an_accessible_chart_and_table(world, caseload, frozen, web):
    response = web(world.owner_a).get(URL + "?months=12")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="img"' in html and '<title id="completion-trend-title">' in html
    assert 'aria-describedby="completion-trend-desc completion-trend-table"' in html
    assert 'id="completion-trend-table"' in html
    assert "March 2025" in html and "73%" in html and "16 of 22" in html
    assert "Measure</span>" in html and "measures completed (apart from homework)" in html
    assert "3 of 3 completed" in html
    assert "Last 12 months" in html
    assert web(world.owner_a).get(URL + "?months=banana").status_code == 200


def test_insights_run_a_fixed_number_of_queries(world, acts):
    membership = membership_of(world.practice_a, world.owner_a)

    def count():
        with practice_scope(world.practice_a), CaptureQueriesContext(connection) as ctx:
            selectors.practice_insights(membership)
        return len(ctx.captured_queries)

    bulk_caseload(world.practice_a, world.therapist_a, acts, clients=3, entries=5)
    few = count()
    bulk_caseload(world.practice_a, world.therapist_a, acts, clients=60, entries=10)
    assert count() == few


# --- REST ------------------------------------------------------------------------------------


def test_api_dashboard(world, caseload, frozen, web):
    browser = web(world.therapist_a)
    response = browser.get("/api/v1/analytics/dashboard/?sort=-overdue&page_size=2")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3 and body["next"]
    ben, ana = body["results"]
    assert (ben["name"], ben["overdue"], ben["completion"], ben["open_flags"]) == ("Ben", 5, 29, 1)
    assert ben["slipping"] and ben["flagged"] and ben["measures"][0]["change"] is None
    assert ana["measures"][0]["change"]["delta"] == -8
    assert ana["measures"][0]["change"]["direction"] == "improved"
    assert response["Cache-Control"].startswith("no-store")
    filtered = browser.get("/api/v1/analytics/dashboard/?filter=improving").json()
    assert [r["name"] for r in filtered["results"]] == ["Ana"]


def test_api_dashboard_is_tenant_scoped(world, caseload, frozen, web):
    body = web(world.therapist_b).get("/api/v1/analytics/dashboard/").json()
    assert [r["name"] for r in body["results"]] == ["Beta Client"]
    assert web().get("/api/v1/analytics/dashboard/").status_code in (401, 403)


def test_api_insights_owners_only(world, caseload, frozen, web):
    response = web(world.owner_a).get("/api/v1/analytics/insights/?months=3")
    assert response.status_code == 200
    body = response.json()
    assert (body["due"], body["done"], body["completion"]) == (22, 16, 73)
    assert (body["measures_due"], body["measures_done"]) == (3, 3)
    assert len(body["trend"]) == 3 and body["therapists"]
    assert web(world.therapist_a).get("/api/v1/analytics/insights/").status_code == 403


def test_a_diary_part_done_counts_in_part_and_measures_stay_apart(world, acts, assign, submit):
    """A week's diary with 3 of 7 entries in is not done and earns 3/7 of an item (as
    ``assignments.adherence`` counts it); a PHQ-9 sent adds to the measures, not to homework."""
    import time_machine

    from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS, phq9_answers

    with time_machine.travel("2025-06-02 08:00:00+00:00", tick=False):
        diary = assign(acts.thought_record, entries_target=7)
        with scopes_disabled():
            occurrence = diary.occurrences.get()
        for _ in range(3):
            submit(occurrence, THOUGHT_RECORD_ANSWERS)
        measure = assign(acts.phq9)
        with scopes_disabled():
            submit(measure.occurrences.get(), phq9_answers())
    with time_machine.travel("2025-06-20 12:00:00+00:00", tick=False):
        data = insights_for(world, world.owner_a, months=3)
    assert (data.due, data.done, data.completion) == (1, 0, 43)
    assert (data.measures_due, data.measures_done) == (1, 1)
    by_measure = {a.is_measure: a for a in data.activities}
    assert (by_measure[False].done, by_measure[False].completion) == (0, 43)
    assert (by_measure[True].done, by_measure[True].completion) == (1, 100)
    assert [(m.due, m.completion) for m in data.trend if m.due] == [(1, 43)]
    therapist = {t.name: t for t in data.therapists}["Alpha Therapist"]
    assert (therapist.due, therapist.done, therapist.completion) == (1, 0, 43)
