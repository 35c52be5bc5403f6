"""The homework conversation: on a phone the client says why an item was missed; in session
on a laptop the therapist reviews three items (done, partly, missed with that reason) with
the keyboard, finishes the review and agrees a new assignment; on the phone the client
confirms its plan with confidence 5; the therapist sees the prompt and edits the plan; the
summary appears in the portal and as a PDF."""

import re
import subprocess
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conversations.fixtures import week_of_homework
from tests.e2e.conftest import DESKTOP, PHONE, portal_sign_in, screenshot, sign_in
from tests.e2e.test_accessibility import violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _due_day() -> str:
    local = timezone.now().astimezone(ZoneInfo("Europe/London"))
    return (local.date() + timedelta(days=1)).isoformat()


def _item(page, assignment):
    return page.locator(f"#item-{assignment.pk}")


def _top(page) -> None:
    page.evaluate("window.scrollTo(0, 0)")


def test_review_in_session_agree_together_and_read_the_summary(
    new_page, world, acts, assign, submit
):
    last_session = datetime.combine(timezone.now().date() - timedelta(days=7), time(8), tzinfo=UTC)
    week = week_of_homework(world, acts, assign, submit, reason="", last_session=last_session)
    found: list[str] = []  # serious accessibility problems (axe) on each page shown

    # --- On the phone, the client says why the mood log did not happen ---------------------
    phone = new_page(PHONE)
    portal_sign_in(phone, world.client_a.email)
    expect(phone.get_by_role("heading", name="A quick word")).to_be_visible()
    screenshot(phone, "conversation-portal-asks")
    found += violations(phone)
    phone.get_by_role("link", name=re.compile(r"“Daily mood log”.*what got in the way")).click()
    screenshot(phone, "conversation-why-not")
    found += violations(phone)
    phone.get_by_role("button", name="It was too hard").click()  # one tap
    phone.wait_for_url("**/portal/")

    # --- In session, on the laptop: review each item with the keyboard ---------------------
    desk = new_page(DESKTOP)
    sign_in(desk, world.therapist_a.email)
    desk.get_by_role("link", name="Alpha Client").click()
    desk.get_by_role("button", name="Review homework").click()
    expect(desk.get_by_role("heading", name="Review homework with Alpha")).to_be_visible()
    expect(desk.get_by_text("0 of 3 reviewed")).to_be_visible()

    done = _item(desk, week.done)
    expect(done.get_by_label("Done", exact=True)).to_be_checked()
    done.get_by_label("What did they learn?").fill("Low mood comes on Sunday evenings")
    done.get_by_text("Rate the homework").click()
    done.get_by_label("2 · All or nearly all of it").check()
    done.get_by_label("2 · Clear, sustained effort").check()
    done.get_by_label("What did they learn?").press("Enter")
    expect(done.get_by_text("Saved")).to_be_visible()
    # Enter saved it and moved on: the next item's answer has the focus.
    expect(_item(desk, week.partly).get_by_label("Partly done")).to_be_focused()
    expect(done.get_by_label(re.compile("^Why it was not done"))).to_be_hidden()

    partly = _item(desk, week.partly)
    expect(partly.get_by_label("Partly done")).to_be_checked()
    partly.get_by_label("What did they learn?").fill("Writing the hot thought takes the heat out")
    partly.get_by_label("What got in the way?").fill("The second evening was a late shift")
    partly.get_by_label("What got in the way?").press("Enter")
    expect(partly.get_by_text("Saved")).to_be_visible()

    missed = _item(desk, week.missed)
    expect(missed.get_by_text("Alpha Client said: It was too hard")).to_be_visible()
    expect(missed.get_by_label("Not done", exact=True)).to_be_checked()
    expect(missed.get_by_label(re.compile("^Why it was not done"))).to_have_value("too_hard")
    missed.get_by_label("What got in the way?").fill("Too many questions after a long day")
    missed.get_by_label("What got in the way?").press("Enter")
    expect(missed.get_by_text("Saved")).to_be_visible()
    expect(desk.get_by_text("3 of 3 reviewed")).to_be_visible()
    _top(desk)
    screenshot(desk, "conversation-review")
    found += violations(desk)

    desk.get_by_role("link", name="Finish and agree next steps").first.click()
    desk.get_by_label(re.compile("The client reviewed the homework with me")).check()
    desk.get_by_label("I praised what they did").check()
    desk.get_by_label("We talked through what was hard, without blame").check()
    desk.get_by_label("What we agreed for the coming week").fill(
        "A two-line mood note after dinner, and the thought record once."
    )
    screenshot(desk, "conversation-finish")
    found += violations(desk)
    desk.get_by_role("button", name="Save and see the summary").click()
    expect(desk.get_by_role("heading", name="Session summary")).to_be_visible()
    summary_url = desk.url
    screenshot(desk, "conversation-summary")
    found += violations(desk)

    # --- Agree the next homework: the assign flow, back to the summary ---------------------
    desk.get_by_role("link", name="Agree the next homework").click()
    desk.locator(".pick").filter(has_text="Daily mood log").first.get_by_role("checkbox").check()
    desk.get_by_role("button", name="Continue: plan it").click()
    desk.get_by_label("When they plan to do it").fill("After dinner")
    desk.get_by_label("Client's confidence they will do it (0–10)").select_option("8")
    desk.get_by_label("We practised it in session").check()
    desk.get_by_label("I checked they understand why and how").check()
    desk.get_by_label("Due on (first day)").fill(_due_day())
    desk.get_by_role("button", name="Assign homework").click()
    desk.wait_for_url(summary_url)

    # --- On the phone, the client confirms the plan with confidence 5 ----------------------
    phone.goto("/portal/")
    # Only the new plan is asked about: last week's days have all passed.
    expect(phone.get_by_role("link", name=re.compile("Does the plan for"))).to_have_count(1)
    phone.get_by_role("link", name=re.compile("Does the plan for “Daily mood log” work")).click()
    phone.get_by_label("Yes, this works for me").check()
    phone.locator(".scale-pick__option").filter(has_text=re.compile(r"^5$")).click()
    screenshot(phone, "conversation-agree-plan")
    found += violations(phone)
    phone.get_by_role("button", name="Send to my therapist").click()
    phone.wait_for_url("**/portal/")

    # --- The therapist sees the prompt and makes the plan smaller --------------------------
    desk.goto(f"/clients/{world.client_a.pk}/")
    prompt = desk.locator(".plan-prompt")
    expect(prompt).to_contain_text(
        "Confidence 5/10 (the client's own) — make the task smaller until it is 100 % doable"
    )
    screenshot(desk, "conversation-client-prompt")
    found += violations(desk)
    prompt.get_by_role("link", name="Edit plan").click()
    desk.get_by_label("When they plan to do it").fill("Two lines, straight after dinner")
    desk.get_by_role("button", name="Save changes").click()
    desk.wait_for_url(f"**/clients/{world.client_a.pk}/")
    expect(desk.locator(".plan-prompt")).to_have_count(0)

    # --- The summary in the portal, and as a PDF -------------------------------------------
    phone.goto("/portal/")
    phone.get_by_role("link", name=re.compile("Your summary from the session")).click()
    expect(phone.get_by_text("Low mood comes on Sunday evenings")).to_be_visible()
    expect(phone.get_by_text("A two-line mood note after dinner")).to_be_visible()
    screenshot(phone, "conversation-portal-summary")
    found += violations(phone)
    with phone.expect_download() as download:
        phone.get_by_role("button", name="Download as PDF").click()
    text = subprocess.run(
        ["pdftotext", str(download.value.path()), "-"], capture_output=True, check=True
    ).stdout.decode()
    text = " ".join(text.split())
    assert "What we agreed" in text and "A two-line mood note after dinner" in text
    assert "Writing the hot thought takes the heat out" in text

    # The screens at the other width.
    desk_phone = new_page(PHONE)
    sign_in(desk_phone, world.therapist_a.email)
    desk_phone.goto(summary_url.replace("/summary/", "/"))
    screenshot(desk_phone, "conversation-review")
    found += violations(desk_phone)
    wide = new_page(DESKTOP)
    portal_sign_in(wide, world.client_a.email)
    wide.get_by_role("link", name=re.compile("Your summary from the session")).click()
    screenshot(wide, "conversation-portal-summary")
    found += violations(wide)
    assert not found, "\n".join(found)
