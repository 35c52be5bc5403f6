"""A therapist reads a client's outcome categories on the progress page (with "How these are
counted"), starts a new episode of care from it, and after the client's next scores sees the
new episode's change, the boundary on the chart, the earlier episode kept, and a reliable
deterioration alert that also reached the caseload as a flag."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.analytics.test_progress import days_ago, entries, gad7_for, phq9_for
from tests.e2e.conftest import DESKTOP, PHONE, screenshot, sign_in
from tests.e2e.test_assignment_journey import _top
from tests.factories import activity_version_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_outcome_categories_and_a_new_episode_of_care(new_page, world, acts, assign, submit):
    gad7 = activity_version_for(world.practice_a, "gad-7")
    entries(assign, submit, acts.phq9, [phq9_for(t) for t in (15, 8)], start=days_ago(40))
    entries(assign, submit, gad7, [gad7_for(t) for t in (12, 9)], start=days_ago(38))

    desk = new_page(DESKTOP)
    sign_in(desk, world.therapist_a.email)
    desk.get_by_role("link", name="Alpha Client").click()
    desk.get_by_role("link", name="Progress", exact=True).click()
    expect(desk.get_by_role("heading", name=re.compile("^Progress: "))).to_be_visible()
    outcomes = desk.locator(".mbc-table")
    expect(outcomes.locator("[data-category=reliable_recovery]")).to_have_count(1)  # PHQ-9
    expect(outcomes.locator("[data-category=no_reliable_change]")).to_have_count(1)  # GAD-7
    expect(
        desk.get_by_text(
            "Mild; at or above the caseness cut-off of 8 used by NHS Talking Therapies"
        )
    ).to_be_visible()

    # How each category is counted, with its source.
    how = desk.locator("#how-counted")
    how.get_by_text("How these are counted").click()
    expect(how.get_by_text("Reliable recovery", exact=True)).to_be_visible()
    expect(how.get_by_text(re.compile("fell by half or more"))).to_be_visible()

    # --- A new episode of care ----------------------------------------------------------
    episodes = desk.locator("#episodes")
    episodes.get_by_text("Start a new episode").click()
    started = timezone.localdate(timezone=world.client_a.tz) - timedelta(days=20)
    episodes.get_by_label("Starts on").fill(started.isoformat())
    episodes.get_by_label("Note (optional)").fill("Returned after a relapse")
    episodes.get_by_role("button", name="Start episode").click()
    expect(desk.get_by_text(re.compile("^New episode of care from"))).to_be_visible()
    expect(episodes.get_by_text("Returned after a relapse")).to_be_visible()

    # The client's next scores: 9 then 16 on the PHQ-9, reliably worse than the new baseline.
    entries(assign, submit, acts.phq9, [phq9_for(t) for t in (9, 16)], start=days_ago(10))
    desk.reload()
    expect(
        desk.get_by_role("alert").filter(has_text="Reliable deterioration on PHQ-9")
    ).to_be_visible()
    phq9 = desk.locator("section.card").filter(
        has=desk.get_by_role("heading", name="PHQ-9 (mood questionnaire)")
    )
    expect(phq9.locator(".measure-chart__episode")).to_have_count(1)
    by_episode = phq9.locator(".episode-table")
    expect(by_episode.get_by_text("15 → 8")).to_be_visible()
    expect(by_episode.get_by_text("9 → 16")).to_be_visible()
    _top(desk)
    screenshot(desk, "outcomes-progress")

    # The flag reached the caseload.
    desk.get_by_role("link", name="Caseload").first.click()
    expect(desk.get_by_text("1 flag")).to_be_visible()

    phone = new_page(PHONE)
    sign_in(phone, world.therapist_a.email)
    phone.goto(f"/clients/{world.client_a.pk}/progress/")
    expect(phone.get_by_role("heading", name=re.compile("^Progress: "))).to_be_visible()
    phone.locator("#how-counted").get_by_text("How these are counted").click()
    screenshot(phone, "outcomes-progress")
