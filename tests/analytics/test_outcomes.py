"""Outcome categories over episodes of care, end to end: a reliable deterioration raises one
flag per crossing (tenant-scoped, on the caseload), a new episode restarts change at its own
baseline while earlier history stays, episodes are started from the progress page and the API
(bad input: field errors, nothing saved; other practices: 404), the page's queries do not grow
with episodes, and one data set shows the same category on every surface."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import User
from analytics.selectors.dashboard import caseload_dashboard
from assignments.measures import (
    RECOVERY,
    RELIABLE_RECOVERY,
    client_episodes,
    episode_of,
    measure_history,
)
from assignments.models import Flag, FlagKind
from clients.models import CareEpisode
from clients.services import care_episode_start
from core.tenancy import practice_scope
from tests.analytics.test_progress import days_ago, entries, gad7_for, load, phq9_for, url
from tests.analytics.test_progress_api import api
from tests.assignments.fixtures import membership_of
from tests.factories import activity_version_for
from tests.reports.conftest import pdf_from, pdf_text

pytestmark = pytest.mark.django_db


def episode(client, days: int, note: str = "") -> CareEpisode:
    """A new episode of care from ``days`` ago (the client's local date)."""
    with scopes_disabled():
        user = User.objects.get(pk=client.primary_therapist_id)
    with practice_scope(client.practice_id):
        return care_episode_start(
            client=client,
            actor=user,
            started_on=timezone.localdate(timezone=client.tz) - timedelta(days=days),
            note=note,
        )


def deterioration_flags(client) -> list[Flag]:
    with scopes_disabled():
        return list(
            Flag.objects.filter(client=client, kind=FlagKind.DETERIORATION).order_by("created_at")
        )


# --- The deterioration flag ------------------------------------------------------------------


def test_a_reliable_deterioration_raises_one_flag_per_crossing(world, acts, assign, submit, web):
    entries(assign, submit, acts.phq9, [phq9_for(t) for t in (9, 15, 16)], start=days_ago(20))
    (flag,) = deterioration_flags(world.client_a)
    assert flag.message == "PHQ-9 rose from 9 to 15: reliable deterioration (≥ 6 points)"
    assert flag.is_open and flag.practice_id == world.practice_a.pk
    assert flag.rule["baseline"] == 9 and flag.rule["latest"] == 15
    # Back within the threshold, then across again: a second crossing is news.
    entries(assign, submit, acts.phq9, [phq9_for(t) for t in (11, 17)], start=days_ago(10))
    assert [f.message for f in deterioration_flags(world.client_a)] == [
        "PHQ-9 rose from 9 to 15: reliable deterioration (≥ 6 points)",
        "PHQ-9 rose from 9 to 17: reliable deterioration (≥ 6 points)",
    ]
    # Shown wherever open flags are: the caseload and the client's flag history.
    caseload = web(world.therapist_a).get(reverse("clients:caseload")).content.decode()
    assert "2 flags" in caseload
    page = web(world.therapist_a).get(f"/clients/{world.client_a.pk}/").content.decode()
    assert "PHQ-9 rose from 9 to 15: reliable deterioration (≥ 6 points)" in page
    # The other practice sees none of it.
    with practice_scope(world.practice_b):
        assert not Flag.objects.filter(kind=FlagKind.DETERIORATION).exists()
    assert (
        "PHQ-9 rose" not in web(world.therapist_b).get(reverse("clients:caseload")).content.decode()
    )


def test_no_flag_without_reliable_deterioration_or_thresholds_or_sharing(
    world, acts, assign, submit
):
    entries(assign, submit, acts.phq9, [phq9_for(t) for t in (9, 14)], start=days_ago(20))
    entries(
        assign,
        submit,
        acts.mood_log,
        [{"date": "2025-01-01", "mood": m} for m in (1, 9)],
        start=days_ago(20),
    )
    assert deterioration_flags(world.client_a) == []
    # An entry the client kept private is not the therapist's to see, nor to be alerted of.
    entries(
        assign,
        submit,
        acts.phq9,
        [phq9_for(t) for t in (20,)],
        start=days_ago(5),
        visibility="client_only",
    )
    assert deterioration_flags(world.client_a) == []


def test_a_new_episode_measures_deterioration_from_its_own_baseline(world, acts, assign, submit):
    entries(assign, submit, acts.phq9, [phq9_for(t) for t in (20, 8)], start=days_ago(30))
    episode(world.client_a, 20)
    # 8 → 15 would be deterioration in the old episode's terms only against 8 (its latest);
    # against the new baseline 14, 15 is no reliable change, and 20 is.
    entries(assign, submit, acts.phq9, [phq9_for(t) for t in (14, 15, 20)], start=days_ago(15))
    (flag,) = deterioration_flags(world.client_a)
    assert flag.message == "PHQ-9 rose from 14 to 20: reliable deterioration (≥ 6 points)"
    assert flag.rule["episode"] == 2


# --- Episodes of care ------------------------------------------------------------------------


def test_change_restarts_at_the_new_baseline_and_old_history_stays(
    world, acts, assign, submit, web
):
    entries(assign, submit, acts.phq9, [phq9_for(t) for t in (14, 8)], start=days_ago(40))
    episode(world.client_a, 30, note="Returned after a relapse")
    entries(assign, submit, acts.phq9, [phq9_for(t) for t in (16, 13)], start=days_ago(20))
    data = load(world.client_a)
    (phq9,) = data.measures
    assert [s.total for s in phq9.history] == [14, 8, 16, 13]  # nothing lost
    assert (phq9.change.baseline, phq9.change.latest, phq9.change.delta) == (16, 13, -3)
    assert phq9.change.category == "no_reliable_change"
    (earlier,) = phq9.earlier_episodes
    assert earlier.number == 1 and earlier.change.category == RELIABLE_RECOVERY  # 14 → 8
    assert [e["label"] for e in phq9.series["episodes"]] == ["Episode 2"]
    html = web(world.therapist_a).get(url(world.client_a)).content.decode()
    assert "Episode 2" in html and "Returned after a relapse" in html
    assert "measure-chart__episode" in html  # the boundary on the chart
    assert "14 → 8" in html and "16 → 13" in html  # grouped by episode
    assert "Episode 2 started" in html  # and said in the chart's text alternative


def test_a_new_episode_with_no_score_yet_says_so_everywhere(world, acts, assign, submit, web):
    entries(assign, submit, acts.phq9, [phq9_for(t) for t in (14, 8)], start=days_ago(20))
    episode(world.client_a, 0)
    (phq9,) = load(world.client_a).measures
    assert phq9.change.baseline is None and phq9.change.category == ""
    html = web(world.therapist_a).get(url(world.client_a)).content.decode()
    assert "No score since this episode started" in html
    membership = membership_of(world.practice_a, world.therapist_a)
    with practice_scope(world.practice_a):
        (row,) = [
            r for r in caseload_dashboard(membership).rows if r.client_id == world.client_a.pk
        ]
    assert row.latest.latest == 8 and row.latest.change is None and row.latest.baseline is None
    board = web(world.therapist_a).get(reverse("analytics:dashboard")).content.decode()
    assert "New episode of care — no score since it started" in board


def test_the_service_refuses_future_and_overlapping_episodes(world):
    with pytest.raises(ValidationError) as future:
        episode(world.client_a, -1)
    assert "future" in str(future.value.message_dict["started_on"])
    episode(world.client_a, 5)
    with pytest.raises(ValidationError) as overlap:
        episode(world.client_a, 5)
    assert "after" in str(overlap.value.message_dict["started_on"])
    with scopes_disabled():
        assert CareEpisode.objects.filter(client=world.client_a).count() == 1


def test_the_progress_page_form_starts_an_episode_and_shows_errors_next_to_the_field(world, web):
    browser = web(world.therapist_a)
    path = reverse("analytics:progress_episode", args=[world.client_a.pk])
    tomorrow = timezone.localdate(timezone=world.client_a.tz) + timedelta(days=1)
    bad = browser.post(path, {"started_on": tomorrow.isoformat(), "note": "x"})
    assert bad.status_code == 400
    assert "An episode cannot start in the future." in bad.content.decode()
    assert browser.post(path, {"started_on": "not a date"}).status_code == 400
    with scopes_disabled():
        assert not CareEpisode.objects.filter(client=world.client_a).exists()
    today = timezone.localdate(timezone=world.client_a.tz)
    ok = browser.post(path, {"started_on": today.isoformat(), "note": "New referral"})
    assert ok.status_code == 302 and ok["Location"].endswith("#episodes")
    with scopes_disabled():
        saved = CareEpisode.objects.get(client=world.client_a)
    assert (saved.started_on, saved.note, saved.started_by_id) == (
        today,
        "New referral",
        world.therapist_a.pk,
    )
    # The other practice's therapist: 404, and nothing saved.
    outsider = web(world.therapist_b).post(path, {"started_on": today.isoformat()})
    assert outsider.status_code == 404
    with scopes_disabled():
        assert CareEpisode.objects.filter(client=world.client_a).count() == 1


def test_the_api_lists_and_starts_episodes_under_the_client(world):
    path = f"/api/v1/clients/{world.client_a.pk}/episodes/"
    browser = api(world.therapist_a)
    assert browser.get(path).json() == []
    today = timezone.localdate(timezone=world.client_a.tz)
    created = browser.post(path, {"started_on": today.isoformat(), "note": "Step up"})
    assert created.status_code == 201, created.content
    assert created.json()["started_on"] == today.isoformat()
    assert created.json()["started_by"] == world.therapist_a.email
    again = browser.post(path, {"started_on": today.isoformat()})
    assert again.status_code == 400 and "started_on" in again.json()
    assert browser.post(path, {"note": "no date"}).status_code == 400
    (listed,) = browser.get(path).json()
    assert listed["note"] == "Step up"
    outsider = api(world.therapist_b)
    assert outsider.get(path).status_code == 404
    assert outsider.post(path, {"started_on": today.isoformat()}).status_code == 404
    schema = browser.get("/api/schema/").content.decode()
    assert "/api/v1/clients/{id}/episodes/" in schema


def test_the_page_runs_the_same_number_of_queries_with_one_and_four_episodes(
    world, acts, assign, submit, web
):
    browser = web(world.therapist_a)
    entries(assign, submit, acts.phq9, [phq9_for(t) for t in (14, 8, 10)], start=days_ago(60))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(url(world.client_a)).status_code == 200
        return len(queries)

    one = count()
    for days, scores in ((50, (12, 6)), (40, (15, 9)), (30, (18, 4))):
        episode(world.client_a, days)
        entries(assign, submit, acts.phq9, [phq9_for(t) for t in scores], start=days_ago(days - 2))
    four = count()
    assert one == four
    (phq9,) = load(world.client_a).measures
    assert len(phq9.episodes) == 4 and phq9.change.baseline == 18


# --- One category everywhere -----------------------------------------------------------------


def test_every_surface_shows_the_same_category(
    world, acts, assign, submit, web, django_capture_on_commit_callbacks
):
    """PHQ-9 12 → 9 (recovery, not reliable: 3 < 6) and GAD-7 10 → 6 (reliable recovery) on
    the progress page, its API, the dashboard (page and API) and the progress PDF."""
    gad7 = activity_version_for(world.practice_a, "gad-7")
    entries(assign, submit, acts.phq9, [phq9_for(t) for t in (12, 9)], start=days_ago(20))
    entries(assign, submit, gad7, [gad7_for(t) for t in (10, 6)], start=days_ago(10))
    with practice_scope(world.practice_a):
        history = {m.title.split()[0]: m.change for m in measure_history(world.client_a)}
    assert history["PHQ-9"].category == RECOVERY and not history["PHQ-9"].clinically_significant
    assert history["GAD-7"].category == RELIABLE_RECOVERY
    browser = web(world.therapist_a)

    page = browser.get(url(world.client_a)).content.decode()
    assert page.count('data-category="recovery"') >= 2  # PHQ-9's badge, GAD-7's component
    assert page.count('data-category="reliable_recovery"') == 1
    assert "Clinically significant" not in page

    progress_api = (
        api(world.therapist_a)
        .get(f"/api/v1/analytics/clients/{world.client_a.pk}/progress/")
        .json()
    )
    assert {m["title"].split()[0]: m["change"]["category"] for m in progress_api["measures"]} == {
        "PHQ-9": RECOVERY,
        "GAD-7": RELIABLE_RECOVERY,
    }

    dashboard_api = api(world.therapist_a).get("/api/v1/analytics/dashboard/").json()
    (row,) = [r for r in dashboard_api["results"] if r["client_id"] == str(world.client_a.pk)]
    assert {m["title"].split()[0]: m["change"]["category"] for m in row["measures"]} == {
        "PHQ-9": RECOVERY,
        "GAD-7": RELIABLE_RECOVERY,
    }
    board = browser.get(reverse("analytics:dashboard")).content.decode()
    assert "Reliable recovery</span>" in board  # the latest measure scored: GAD-7

    pdf = pdf_text(
        pdf_from(
            browser,
            reverse("reports:progress_report", args=[world.client_a.pk]),
            django_capture_on_commit_callbacks,
        )
    )
    # Row by row, as pdftotext reads the table: episode, baseline, latest, change, outcome.
    assert "1 12 9 -3 Recovery Mild; below the caseness cut-off of 10" in pdf
    assert "1 10 6 -4 Reliable recovery, Reliable improvement, Recovery Mild" in pdf


def test_a_mild_gad7_at_caseness_explains_itself_on_the_page_and_session_review(
    world, assign, submit, web
):
    gad7 = activity_version_for(world.practice_a, "gad-7")
    entries(assign, submit, gad7, [gad7_for(t) for t in (4, 9)], start=days_ago(5))
    note = "Mild; at or above the caseness cut-off of 8 used by NHS Talking Therapies"
    browser = web(world.therapist_a)
    page = browser.get(url(world.client_a)).content.decode()
    assert note in page
    assert "How these are counted" in page and "Jacobson &amp; Truax (1991)" in page
    assert "In the clinical range" not in page
    review = browser.get(reverse("assignments:session_review", args=[world.client_a.pk]))
    html = review.content.decode()
    assert note in html
    assert 'data-category="reliable_deterioration"' in html  # 4 → 9: 5 up, at least 4


def test_the_deterioration_flag_alerts_the_therapist_through_the_flag_path(
    world, acts, assign, submit, django_capture_on_commit_callbacks
):
    from django.core import mail

    from reminders.models import Kind, Reminder

    with django_capture_on_commit_callbacks(execute=True):
        entries(assign, submit, acts.phq9, [phq9_for(t) for t in (8, 15)], start=days_ago(5))
    (flag,) = deterioration_flags(world.client_a)
    with scopes_disabled():
        alerts = Reminder.objects.filter(object_id=flag.pk, kind=Kind.FLAGGED_SCORE)
        assert alerts.exists()
    alerted = [m for m in mail.outbox if m.to == [world.therapist_a.email]]
    assert any("needs your attention" in m.subject for m in alerted)
    # The lock-screen subject says nothing of whose or which score.
    assert all("PHQ-9" not in m.subject for m in alerted)


@pytest.mark.parametrize(
    ("started_on", "before", "after"),
    [
        # Clocks go forward at 01:00 GMT on 29 March: the day starts at 00:00 GMT.
        (
            date(2026, 3, 29),
            datetime(2026, 3, 28, 23, 59, tzinfo=UTC),
            datetime(2026, 3, 29, 0, 0, tzinfo=UTC),
        ),
        # Clocks go back on 25 October: the day starts at 00:00 BST, 23:00 UTC the day before.
        (
            date(2026, 10, 25),
            datetime(2026, 10, 24, 22, 59, tzinfo=UTC),
            datetime(2026, 10, 24, 23, 0, tzinfo=UTC),
        ),
    ],
)
def test_an_episode_starts_at_the_clients_local_midnight_across_clock_changes(
    world, started_on, before, after
):
    with time_machine.travel(datetime(2026, 11, 1, 12, tzinfo=UTC), tick=False):
        with scopes_disabled():
            user = User.objects.get(pk=world.client_a.primary_therapist_id)
        with practice_scope(world.practice_a):
            row = care_episode_start(client=world.client_a, actor=user, started_on=started_on)
            episodes = client_episodes(world.client_a)
    assert str(world.client_a.tz) == "Europe/London"
    assert row.starts_at == after
    assert episode_of(before, episodes).number == 1
    assert episode_of(after, episodes).number == 2
