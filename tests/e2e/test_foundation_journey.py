"""A new practice owner signs up, adds a client and invites them; the client opens the
emailed link on a phone, presses the button and lands on an empty to-do list."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, screenshot, sign_in_link

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_up_add_client_invite_and_client_signs_in(new_page, live_server):
    page = new_page(DESKTOP)
    page.goto("/")
    screenshot(page, "landing")
    page.get_by_role("link", name="Start your practice").click()

    page.get_by_label("Your name").fill("Rosa Lind")
    page.get_by_label("Email").fill("rosa@lind.test")
    page.get_by_label("Practice name").fill("Lind Therapy")
    page.get_by_label("Password", exact=True).fill("a-long-calm-passphrase")
    page.get_by_label("Password (again)").fill("a-long-calm-passphrase")
    screenshot(page, "signup")
    page.get_by_role("button", name="Sign Up").click()

    page.wait_for_url("**/clients/")
    page.get_by_role("link", name="Add a client").first.click()
    page.get_by_label("Full name").fill("Sam Rivers")
    page.get_by_label("Preferred name").fill("Sam")
    page.get_by_label("Email").fill("sam.rivers@example.test")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_role("button", name="Add client").click()
    page.get_by_role("heading", name="Sam Rivers").wait_for()

    page.get_by_role("button", name="Invite to the portal").click()
    page.get_by_text("We emailed sam.rivers@example.test").wait_for()
    screenshot(page, "client-detail")

    page.goto("/clients/")
    screenshot(page, "caseload")

    link = sign_in_link("sam.rivers@example.test")

    phone = new_page(PHONE)
    phone.goto(link)
    screenshot(phone, "portal-login-link")
    phone.get_by_role("button", name="Sign in").click()
    phone.get_by_role("heading", name="Hi Sam").wait_for()
    # Sam has no homework yet: the to-do list says so rather than showing an empty box.
    expect(phone.get_by_role("heading", name="Nothing to do right now")).to_be_visible()
    screenshot(phone, "portal-empty-todo")

    phone.goto("/portal/sign-in/")
    screenshot(phone, "portal-sign-in")
