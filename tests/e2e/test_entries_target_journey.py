"""A therapist builds a one-week diary step that is done after 7 entries or when the week is
up, enrols a client, and the client sees "1 of 7 entries" on their to-do, the worksheet and
the journey (phone), after sending one entry."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, portal_sign_in, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_week_of_diary_entries_counted_for_therapist_and_client(new_page, world, global_library):
    desk = new_page(DESKTOP)
    sign_in(desk, world.therapist_a.email)
    desk.goto("/pathways/")
    desk.get_by_role("link", name="New pathway").click()
    desk.get_by_label("Internal name").fill("Mood week")
    desk.get_by_label("Title for the client").fill("A week of noticing")
    desk.get_by_role("button", name="Create and add steps").click()
    desk.get_by_role("heading", name="Add a step").wait_for()
    form = desk.locator("#add-step")
    form.get_by_label("Activity", exact=True).select_option(label="Daily mood log")
    form.get_by_label("At once on enrolment", exact=True).check()
    form.get_by_label("After a number of entries or at its end", exact=True).check()
    form.get_by_label("Entries (optional)").fill("7")
    form.get_by_role("button", name="Add step").click()
    desk.get_by_text("added.").wait_for()
    expect(desk.locator("[data-step-list]")).to_contain_text(
        "Done after 7 entries, or when its time is up (7 days)"
    )
    preview = desk.get_by_role("region", name="Timeline preview")
    expect(preview).to_contain_text("Done after 7 entries")
    desk.get_by_role("button", name="Publish").click()
    desk.get_by_text("The pathway is now published.").wait_for()
    desk.evaluate("window.scrollTo(0, 0)")
    screenshot(desk, "targets-builder")

    desk.get_by_role("link", name="Mood week").click()
    desk.get_by_role("link", name="Enrol a client").click()
    desk.get_by_label("Client").select_option(label="Alpha Client")
    desk.get_by_role("button", name="Enrol").click()
    desk.get_by_text("is enrolled").wait_for()
    steps = desk.get_by_role("region", name="Steps for Alpha Client")
    expect(steps).to_contain_text("Done after 7 entries")
    expect(steps).to_contain_text("at the latest")
    screenshot(desk, "targets-enrolment")
    staff_phone = new_page(PHONE)
    sign_in(staff_phone, world.therapist_a.email)
    staff_phone.goto(desk.url)
    screenshot(staff_phone, "targets-enrolment")

    phone = new_page(PHONE)
    portal_sign_in(phone, world.client_a.email)
    todo = phone.locator("main")
    expect(todo).to_contain_text("0 of 7 entries")
    # The new plan is offered for agreement above the to-do; it asks, it does not block:
    # the to-do item itself still opens the worksheet.
    expect(todo.get_by_role("region", name="A quick word")).to_contain_text(
        "Does the plan for “Daily mood log” work for you?"
    )
    todo.locator("a.todo", has_text="Daily mood log").first.click()
    phone.wait_for_url("**/do/**")
    expect(phone.locator("main")).to_contain_text("0 of 7 entries")
    phone.get_by_label("Date").fill("2026-01-01")
    phone.locator("label.rating__option", has_text="6").first.click()
    phone.get_by_role("button", name="Send").click()
    phone.wait_for_url(lambda url: "/do/" not in url)
    phone.goto("/portal/")
    expect(phone.locator("main")).to_contain_text("1 of 7 entries")
    screenshot(phone, "targets-todo")
    phone.get_by_role("navigation", name="Portal").get_by_role("link", name="Journey").click()
    journey = phone.get_by_role("region", name="A week of noticing")
    expect(journey).to_contain_text("1 of 7 entries")
    expect(journey).to_contain_text("Done when all 7 entries are in, or on")
    screenshot(phone, "targets-journey")
    phone.set_viewport_size(DESKTOP)
    screenshot(phone, "targets-journey")
