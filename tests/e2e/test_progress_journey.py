"""A therapist opens a client with a PHQ-9 history, sees the chart with its severity bands and
the same numbers as a table, and schedules a weekly GAD-7 from the progress page; the client
finds it in the portal to-do on a phone."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.analytics.test_progress import days_ago, entries, phq9_for
from tests.e2e.conftest import DESKTOP, PHONE, portal_sign_in, screenshot, sign_in
from tests.e2e.test_assignment_journey import _top

pytestmark = pytest.mark.django_db(transaction=True)


def _first_day() -> str:
    """Today in the client's zone (London), or tomorrow once today's 21:00 has passed."""
    local = timezone.now().astimezone(ZoneInfo("Europe/London"))
    return (local.date() + timedelta(days=1 if local.hour >= 20 else 0)).isoformat()


def test_progress_chart_and_schedule_a_weekly_measure(
    new_page, world, acts, assign, submit, global_library
):
    entries(
        assign, submit, acts.phq9, [phq9_for(t) for t in (19, 16, 13, 10, 8)], start=days_ago(36)
    )
    moods = [{"date": "2025-01-01", "mood": m} for m in (3, 4, 4, 6, 5, 7)]
    entries(assign, submit, acts.mood_log, moods, start=days_ago(9))

    # --- The therapist opens the client's progress --------------------------------------
    desk = new_page(DESKTOP)
    sign_in(desk, world.therapist_a.email)
    desk.get_by_role("link", name="Alpha Client").click()
    desk.get_by_role("link", name="Progress").click()
    expect(desk.get_by_role("heading", name=re.compile("^Progress: "))).to_be_visible()
    phq9 = desk.locator("section.card").filter(
        has=desk.get_by_role("heading", name="PHQ-9 (mood questionnaire)")
    )
    chart = phq9.get_by_role("img", name="PHQ-9 (mood questionnaire) totals over time")
    expect(chart).to_be_visible()
    expect(phq9.locator("rect")).to_have_count(5)  # the severity bands behind the line
    outcomes = desk.locator(".mbc-table")
    expect(outcomes.get_by_text("Reliable improvement")).to_be_visible()
    expect(outcomes.get_by_text("Reliable recovery")).to_be_visible()

    # The chart's text alternative: the same numbers as a table.
    table = phq9.locator("table")
    expect(table).to_be_hidden()
    phq9.get_by_text("Show as a table").click()
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(5)
    expect(table.locator("tbody tr").first).to_contain_text("19")
    expect(table.locator("tbody tr").first).to_contain_text("Moderately severe")
    _top(desk)
    screenshot(desk, "progress")

    # --- …and schedules a weekly GAD-7 -------------------------------------------------
    form = desk.locator("#schedule")
    form.get_by_label("Measure").select_option(label="GAD-7 (anxiety questionnaire)")
    form.get_by_label("Every week").check()
    form.get_by_label("First due on").fill(_first_day())
    form.get_by_label("For how many weeks").fill("6")
    form.get_by_role("button", name="Schedule").click()
    expect(
        desk.get_by_text(re.compile("GAD-7 \\(anxiety questionnaire\\) scheduled: Every week"))
    ).to_be_visible()
    scheduled = desk.locator(".progress-scheduled")
    expect(scheduled).to_contain_text("GAD-7 (anxiety questionnaire)")
    expect(scheduled).to_contain_text("Every week for 6 weeks")
    _top(desk)
    screenshot(desk, "progress-scheduled")

    # The same page on a phone, for a therapist between sessions.
    phone_desk = new_page(PHONE)
    sign_in(phone_desk, world.therapist_a.email)
    phone_desk.goto(f"/clients/{world.client_a.pk}/progress/")
    expect(phone_desk.get_by_role("heading", name="Measurement-based care")).to_be_visible()
    screenshot(phone_desk, "progress")

    # --- The client finds it in the to-do --------------------------------------------------
    phone = new_page(PHONE)
    portal_sign_in(phone, world.client_a.email)
    expect(phone.get_by_text("GAD-7 (anxiety questionnaire)").first).to_be_visible()
    screenshot(phone, "progress-portal-todo")
