"""The staff pages of the foundation, looked at in a real browser at both widths, and used
with the keyboard only."""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, screenshot, sign_in
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_owner_pages(new_page, world, viewport):
    with scopes_disabled():
        for name in ("Bea Moss", "Cal Ng", "Dara Quinn"):
            ClientFactory(
                practice=world.practice_a, primary_therapist=world.therapist_a, full_name=name
            )
    page = new_page(viewport)
    page.goto("/accounts/login/")
    screenshot(page, "login")
    sign_in(page, world.owner_a.email)
    screenshot(page, "caseload-owner")
    page.goto("/practice/members/")
    screenshot(page, "members")
    page.goto("/practice/")
    screenshot(page, "practice-settings")
    page.goto(f"/clients/{world.client_a.pk}/")
    page.goto("/practice/audit/")
    expect(page.get_by_text(world.owner_a.email).first).to_be_visible()
    screenshot(page, "audit-log")
    page.goto("/clients/new/")
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_text("This field is required").first).to_be_visible()
    screenshot(page, "client-form-errors")
    page.goto("/accounts/2fa/")
    screenshot(page, "mfa")


def test_the_caseload_can_be_used_with_the_keyboard_alone(new_page, world):
    with scopes_disabled():
        ClientFactory(
            practice=world.practice_a, primary_therapist=world.therapist_a, full_name="Bea Moss"
        )
    page = new_page(DESKTOP)
    sign_in(page, world.therapist_a.email)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    # Tab through to the search box and type: htmx filters the rows. Wait for the filtered
    # rows before moving the focus: a swap landing later would take the focused link away.
    expect(page.get_by_role("link", name="Bea Moss")).to_be_visible()
    page.get_by_label("Search").focus()
    page.keyboard.type("alpha")
    expect(page.get_by_role("link", name="Bea Moss")).to_have_count(0)
    page.wait_for_url("**/clients/?q=alpha*")  # the address follows the filter
    expect(page.get_by_role("link", name="Alpha Client")).to_be_visible()
    page.get_by_role("link", name="Alpha Client").focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).boxShadow")
    assert outline and outline != "none"  # a visible focus ring
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Alpha Client").wait_for()
