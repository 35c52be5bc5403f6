"""A therapist scales a goal with a client, rates it at a review and sees its step chart and
the GAS T-score; the client sees their goals in the portal on a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from clients import services
from clients.models import Goal
from core.tenancy import practice_scope
from tests.e2e.conftest import DESKTOP, PHONE, portal_sign_in, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

LEVELS = {
    "+2 Much more than expected": "Takes the bus into town alone",
    "+1 Somewhat more than expected": "Goes to the shop and the café alone",
    "0 Expected outcome": "Goes to the shop alone twice a week",
    "−1 Somewhat less than expected": "Goes out once a week with someone",
    "−2 Much less than expected": "Stays in the flat every day",
}


def test_scale_rate_and_chart_a_goal(new_page, world):
    desk = new_page(DESKTOP)
    sign_in(desk, world.therapist_a.email)
    desk.get_by_role("link", name="Alpha Client").click()
    desk.get_by_role("link", name="Goals", exact=True).click()
    expect(desk.get_by_role("heading", name="No goals yet")).to_be_visible()
    desk.get_by_role("link", name="Add a goal").click()
    desk.get_by_role("button", name="Save goal").click()  # empty: errors next to the fields
    expect(desk.get_by_text("This field is required.").first).to_be_visible()
    desk.get_by_label("Goal", exact=True).fill("Get out of the flat more")
    for label, text in LEVELS.items():
        desk.get_by_label(label).fill(text)
    desk.get_by_role("button", name="Save goal").click()
    expect(desk.get_by_text("Goal saved.")).to_be_visible()

    # A second goal, scaled three weeks ago and rated since, so the charts have a history.
    with scopes_disabled():
        first = Goal.objects.get()
        Goal.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=21))
    today = timezone.localdate(timezone=world.client_a.tz)
    with practice_scope(world.practice_a):
        sleep = services.goal_create(
            client=world.client_a,
            actor=world.therapist_a,
            title="Sleep through more nights",
            baseline_level=-2,
            level_minus_2="Awake most of every night",
            level_minus_1="Sleeps through one night a week",
            level_0="Sleeps through three nights a week",
            level_plus_1="Sleeps through five nights a week",
            level_plus_2="Sleeps through most nights without waking",
        )
        Goal.objects.filter(pk=sleep.pk).update(created_at=timezone.now() - timedelta(days=21))
        sleep.refresh_from_db()
        services.goal_rate(
            goal=sleep, actor=world.therapist_a, level=-1, rated_on=today - timedelta(days=14)
        )
        services.goal_rate(
            goal=sleep, actor=world.therapist_a, level=0, rated_on=today - timedelta(days=7)
        )

    # Rate the first goal at today's review.
    desk.get_by_role("link", name="Get out of the flat more").first.click()
    desk.get_by_label("+1 Somewhat more than expected").check()
    desk.get_by_label("Note").fill("Went to the café on her own on Saturday.")
    desk.get_by_role("button", name="Save rating").click()
    expect(desk.get_by_text("Rating saved.")).to_be_visible()
    expect(
        desk.get_by_role("cell", name="Went to the café on her own on Saturday.")
    ).to_be_visible()

    desk.get_by_role("link", name="Goals").last.click()
    expect(desk.get_by_text("GAS T-score")).to_be_visible()
    screenshot(desk, "goals")
    phone = new_page(PHONE)
    sign_in(phone, world.therapist_a.email)
    phone.goto(f"/clients/{world.client_a.pk}/goals/")
    screenshot(phone, "goals")
    phone.goto(f"/clients/{world.client_a.pk}/progress/")
    expect(phone.get_by_role("heading", name="Goals")).to_be_visible()

    client = new_page(PHONE)
    portal_sign_in(client, world.client_a.email)
    client.goto("/portal/goals/")
    expect(client.get_by_role("heading", name="Sleep through more nights")).to_be_visible()
    screenshot(client, "portal-goals")


def test_personalised_worksheet_on_a_phone(new_page, world, acts, assign):
    """The client reads their own name and their therapist's in the homework's framing."""
    with scopes_disabled():
        world.client_a.preferred_name = "Sammy"
        world.client_a.save(update_fields=["preferred_name"])
    assignment = assign(
        acts.thought_record,
        rationale="{client_name}, this helps you catch a thought while it is fresh.",
        personal_message="{client_name}, try one after Tuesday's meeting. {therapist_name}",
    )
    phone = new_page(PHONE)
    portal_sign_in(phone, world.client_a.email)
    with scopes_disabled():
        occurrence = assignment.occurrences.order_by("due_at").first()
    phone.goto(f"/portal/do/{occurrence.pk}/")
    phone.locator("details.why summary").click()
    expect(phone.get_by_text("Sammy, try one after Tuesday's meeting.")).to_be_visible()
    expect(phone.get_by_text("Sammy, this helps you catch a thought")).to_be_visible()
    screenshot(phone, "personalised-worksheet")
