"""A therapist builds a three-step pathway (reordering with the keyboard and by dragging),
publishes it, enrols a client, and the client sees the journey on a phone."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, screenshot, sign_in, sign_in_link

pytestmark = pytest.mark.django_db(transaction=True)


def _add_step(page, activity: str, rule: str, *, days: str = "", at: str = "", notes: str = ""):
    form = page.locator("#add-step")
    form.get_by_label("Activity", exact=True).select_option(label=activity)
    form.get_by_label(rule, exact=True).check()
    if days:
        form.get_by_label("Days (optional)").fill(days)
    if at:
        form.get_by_label("Time of day").fill(at)
    if notes:
        form.get_by_label("Notes for therapists").fill(notes)
    form.get_by_role("button", name="Add step").click()
    page.get_by_text("added.").wait_for()


def _order(page) -> list[str]:
    titles = page.locator("[data-step-list] .pathway-step__title").all_text_contents()
    return [re.sub(r"^Step \d+:\s*", "", title).strip() for title in titles]


def _top(page) -> None:
    page.evaluate("window.scrollTo(0, 0)")


def test_build_publish_enrol_and_the_client_sees_the_journey(new_page, world, global_library):
    desk = new_page(DESKTOP)
    sign_in(desk, world.therapist_a.email)
    desk.get_by_role("navigation", name="Main").get_by_role("link", name="Pathways").click()
    desk.get_by_role("link", name="New pathway").click()
    desk.get_by_label("Internal name").fill("Sleep reset (3 steps)")
    desk.get_by_label("Title for the client").fill("Better nights")
    desk.get_by_label("Self-monitoring").check()
    desk.get_by_role("button", name="Create and add steps").click()
    desk.get_by_role("heading", name="Add a step").wait_for()

    _add_step(desk, "Sleep diary", "At once on enrolment", notes="Check the bedtime routine first.")
    _add_step(desk, "Relaxation practice log", "When the previous step is done")
    _add_step(desk, "Worry time", "Some days after the previous step is done", days="2", at="18:00")
    assert _order(desk) == [
        "Sleep diary",
        "Relaxation practice log",
        "Worry time",
    ]

    # Keyboard: focus "move up" on step 3 and press Enter; focus stays on the moved step.
    desk.get_by_role("button", name="Move step 3 (Worry time) up").focus()
    desk.keyboard.press("Enter")
    expect(desk.locator("#builder-status")).to_contain_text("Moved “Worry time” to position 2")
    expect(desk.locator("[data-step-list] li").nth(1)).to_contain_text("Worry time")
    focused = desk.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == "Move step 2 (Worry time) up"
    desk.keyboard.press("Tab")
    desk.keyboard.press("Enter")  # "move down" on the same step: back to the end
    expect(desk.locator("[data-step-list] li").nth(2)).to_contain_text("Worry time")

    # Drag: the relaxation log above the sleep diary, then back.
    steps = desk.locator("[data-step-list] li")
    steps.nth(1).drag_to(steps.nth(0), target_position={"x": 20, "y": 5})
    expect(desk.locator("#builder-status")).to_contain_text("New order saved.")
    expect(desk.locator("[data-step-list] li").nth(0)).to_contain_text("Relaxation practice log")
    assert _order(desk)[0] == "Relaxation practice log"  # saved: the list came back in order
    steps = desk.locator("[data-step-list] li")
    steps.nth(1).drag_to(steps.nth(0), target_position={"x": 20, "y": 5})
    expect(desk.locator("[data-step-list] li").nth(0)).to_contain_text("Sleep diary")

    preview = desk.get_by_role("region", name="Timeline preview")
    expect(preview).to_contain_text("Day 1")
    expect(preview).to_contain_text("after step 2 is done")
    desk.get_by_role("button", name="Publish").click()
    desk.get_by_text("The pathway is now published.").wait_for()
    _top(desk)
    screenshot(desk, "pathway-builder")

    phone_staff = new_page(PHONE)
    sign_in(phone_staff, world.therapist_a.email)
    phone_staff.goto(desk.url)
    screenshot(phone_staff, "pathway-builder")

    desk.get_by_role("link", name="Sleep reset (3 steps)").click()
    desk.get_by_role("link", name="Enrol a client").click()
    desk.get_by_label("Client").select_option(label="Alpha Client")
    desk.get_by_role("button", name="Enrol").click()
    desk.get_by_text("is enrolled").wait_for()
    step_list = desk.get_by_role("region", name="Steps for Alpha Client")
    expect(step_list.locator("li").nth(0)).to_contain_text("Released")
    expect(step_list.locator("li").nth(1)).to_contain_text("Waiting")
    screenshot(desk, "pathway-enrolment")
    phone_staff.goto(desk.url)
    screenshot(phone_staff, "pathway-enrolment")

    desk.get_by_role("navigation", name="Main").get_by_role("link", name="Pathways").click()
    expect(desk.get_by_role("region", name="Clients on pathways")).to_contain_text("0 of 3 done")
    screenshot(desk, "pathway-index")

    phone = new_page(PHONE)
    phone.goto("/portal/sign-in/")
    phone.get_by_label("Email").fill(world.client_a.email)
    phone.get_by_role("button", name="Email me a sign-in link").click()
    phone.wait_for_url("**/sign-in/code/")
    phone.goto(sign_in_link(world.client_a.email))
    phone.get_by_role("button", name="Sign in").click()
    phone.get_by_role("navigation", name="Portal").get_by_role("link", name="Journey").click()
    journey = phone.get_by_role("region", name="Better nights")
    expect(journey).to_contain_text("Sleep diary")
    expect(journey).to_contain_text("Ready for you now")
    expect(journey).to_contain_text("When you finish “Sleep diary”")
    expect(journey).to_contain_text("2 days after you finish")
    expect(phone.get_by_text("Check the bedtime routine first.")).to_have_count(0)
    expect(phone.get_by_text("Sleep reset (3 steps)")).to_have_count(0)
    screenshot(phone, "pathway-journey")
    phone.set_viewport_size(DESKTOP)
    screenshot(phone, "pathway-journey")
