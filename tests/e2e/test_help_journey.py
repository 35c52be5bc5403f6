"""A client on a phone, in a hard week: "Need help now?" is on every portal page they pass
through, is reached from the keyboard in a few presses, and opens the practice's crisis lines
and their safety plan. Before the PHQ-9 they are told that item 9 is passed on; after
answering it above 0, the page leads with support."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from library.models import CuratedActivity
from tests.e2e.conftest import DESKTOP, PHONE, portal_sign_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

SAFETY_PLAN_ANSWERS = {
    "warning_signs": "I stop answering messages.",
    "on_my_own": "Walk round the block with music on.",
    "reasons": "My sister and my dog.",
}


def _help_link(page):
    return page.get_by_role("link", name="Need help now?")


def _tab_to_help(page) -> None:
    """From the top of the page, Tab (as a keyboard user would) until "Need help now?" has
    focus: it comes right after the skip link and the brand."""
    page.evaluate("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Need help now?":
            return
    raise AssertionError(f"'Need help now?' not reached with Tab on {page.url}")


def _no_serious_violations(page) -> None:
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    serious = [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert serious == [], serious


@pytest.fixture
def hard_week(world, acts, assign, submit, global_library):
    """Client A (practice in the UK, with its own duty line) has a safety plan sent and a
    PHQ-9 to do."""
    from tests.factories import activity_version_for

    with scopes_disabled():
        practice = world.practice_a
        practice.crisis_country = "GB"
        practice.crisis_resources = "Alpha duty phone, weekdays 9–5: 0161 496 0000"
        practice.save()
        plan_version = activity_version_for(practice, "safety-plan")
        plan_version.activity.origin = CuratedActivity.objects.get(slug="safety-plan")
        plan_version.activity.save(update_fields=["origin"])
    plan = assign(plan_version)
    with scopes_disabled():
        plan_occurrence = plan.occurrences.get()
    submit(plan_occurrence, SAFETY_PLAN_ANSWERS)
    assign(acts.phq9)


def test_help_is_one_tap_away_on_every_portal_page(new_page, world, hard_week):
    phone = new_page(PHONE)
    phone.goto("/portal/sign-in/")
    expect(_help_link(phone)).to_be_visible()
    _tab_to_help(phone)
    screenshot(phone, "help-sign-in")

    portal_sign_in(phone, world.client_a.email)
    expect(_help_link(phone)).to_be_visible()
    _tab_to_help(phone)
    screenshot(phone, "help-todo")

    # Before the PHQ-9: the notice comes before the questions.
    phone.get_by_role("link", name=re.compile("PHQ-9")).first.click()
    notice = phone.locator(".risk-notice")
    expect(notice).to_contain_text("one answer is always passed on")
    expect(notice).to_contain_text("better off dead")
    expect(_help_link(phone)).to_be_visible()
    _tab_to_help(phone)
    screenshot(phone, "help-phq9-notice")

    for item in range(1, 10):
        phone.locator(f'input[name="f.q{item}"][value="1"]').check()
    phone.get_by_role("button", name="Send to your therapist").click()
    phone.wait_for_url(re.compile(r"/portal/entries/.+\?sent=1"))

    # After item 9 above 0: support first, no praise and no band.
    support = phone.locator(".support")
    expect(support.get_by_role("heading", name="Thank you for telling us")).to_be_visible()
    expect(support).to_contain_text("Your therapist will see this answer")
    expect(support.get_by_role("link", name="Call Samaritans on 116 123")).to_have_attribute(
        "href", "tel:116123"
    )
    expect(phone.get_by_text("Well done")).to_have_count(0)
    expect(phone.get_by_text("Your score")).to_have_count(0)
    _no_serious_violations(phone)
    screenshot(phone, "help-after-item-9")

    # The help link, from the keyboard, opens the practice's lines and the safety plan.
    _tab_to_help(phone)
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/portal/help/")
    expect(phone.get_by_role("heading", name="Need help now?", level=1)).to_be_visible()
    expect(phone.get_by_role("link", name="Call 999")).to_have_attribute("href", "tel:999")
    expect(phone.get_by_text("Alpha duty phone, weekdays 9–5: 0161 496 0000")).to_be_visible()
    _no_serious_violations(phone)
    screenshot(phone, "help-page")

    phone.get_by_role("link", name="Open your safety plan").click()
    expect(phone.get_by_text("My sister and my dog.")).to_be_visible()
    expect(_help_link(phone)).to_be_visible()
    screenshot(phone, "help-safety-plan")

    phone.get_by_role("link", name="History").click()
    expect(_help_link(phone)).to_be_visible()

    desk = new_page(DESKTOP)
    desk.goto("/portal/help/")
    expect(desk.get_by_text("findahelpline.com")).to_be_visible()
    expect(desk.get_by_role("link", name="Open your safety plan")).to_have_count(0)
    screenshot(desk, "help-page-signed-out")
    portal_sign_in(desk, world.client_a.email)
    _help_link(desk).click()
    expect(desk.get_by_role("link", name="Open your safety plan")).to_be_visible()
    screenshot(desk, "help-page")
