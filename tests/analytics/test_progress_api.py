"""GET /api/v1/analytics/clients/<id>/progress/: the progress page's series as JSON."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from core.tenancy import practice_scope
from reports.selectors import measure_series
from tests.analytics.test_progress import days_ago, entries, phq9_for
from tests.factories import api_token_for

pytestmark = pytest.mark.django_db


def api(user=None):
    browser = APIClient()
    if user is not None:
        browser.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
    return browser


def path(client):
    return f"/api/v1/analytics/clients/{client.pk}/progress/"


def test_the_series_with_bands_change_ratings_and_weeks(world, acts, assign, submit):
    entries(assign, submit, acts.phq9, [phq9_for(t) for t in (16, 12, 9)], start=days_ago(20))
    entries(assign, submit, acts.mood_log, [{"date": "2025-01-01", "mood": 4}], start=days_ago(3))
    response = api(world.therapist_a).get(path(world.client_a))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["client"] == str(world.client_a.pk) and body["timezone"] == "Europe/London"
    (measure,) = body["measures"]
    with practice_scope(world.practice_a):
        (pdf_series,) = measure_series(world.client_a)
    assert measure["points"] == pdf_series["points"]
    assert measure["bands"] == pdf_series["bands"]
    assert [p["total"] for p in measure["points"]] == [16, 12, 9]
    assert measure["change"] | {} == {
        "baseline": 16,
        "latest": 9,
        "delta": -7,
        "direction": "improved",
        "label": "Reliable recovery",
        "category": "reliable_recovery",
        "categories": ["reliable_recovery", "reliable_improvement", "recovery"],
        "recovery": True,
        "reliable_recovery": True,
        "response": False,  # 9 is more than half of 16
        "remission": False,
        "clinically_significant": True,
        "reliable_change_threshold": 6,
        "clinical_cutoff": 10,
        "remission_below": 5,
    }
    (episode,) = measure["episodes"]
    assert episode["number"] == 1 and episode["started_on"] is None
    assert episode["change"] == measure["change"]
    assert [p["total"] for p in episode["points"]] == [16, 12, 9]
    (mood,) = body["ratings"]
    assert (mood["field"], mood["min"], mood["max"]) == ("mood", 0, 10)
    assert mood["points"][0]["total"] == 4
    assert len(body["weekly_adherence"]) == 12
    assert sum(w["done"] for w in body["weekly_adherence"]) >= 1
    with scopes_disabled():
        assert AuditEvent.objects.filter(
            action="api_view_progress", client_id=world.client_a.pk
        ).exists()


def test_a_client_without_data(world):
    body = api(world.therapist_a).get(path(world.client_a)).json()
    assert body["measures"] == [] and body["ratings"] == []
    assert all(w["due"] == 0 and w["completion_rate"] is None for w in body["weekly_adherence"])


def test_the_same_number_of_queries_for_few_and_many_entries(world, acts, assign, submit):
    browser = api(world.therapist_a)
    entries(assign, submit, acts.phq9, [phq9_for(5)] * 3, start=days_ago(50))
    # The token's first use records when it was used (then at most once a minute).
    assert browser.get(path(world.client_a)).status_code == 200

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(path(world.client_a)).status_code == 200
        return len(queries)

    few = count()
    entries(assign, submit, acts.phq9, [phq9_for(n % 20) for n in range(30)], start=days_ago(40))
    assert count() == few


def test_other_practices_and_clients_get_404(world):
    assert api(world.therapist_b).get(path(world.client_a)).status_code == 404
    assert api(world.colleague_a).get(path(world.client_a)).status_code == 404
    assert api().get(path(world.client_a)).status_code in (401, 403)
    assert api(world.therapist_a).post(path(world.client_a)).status_code == 405


def test_the_schema_documents_it(world):
    body = api(world.therapist_a).get("/api/schema/?format=json").json()
    assert "/api/v1/analytics/clients/{client_id}/progress/" in body["paths"]
