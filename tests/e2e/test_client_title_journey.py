"""A client on a phone meets the thought record by its calm name: the to-do and the worksheet
say "Thought record", never the clinical "Thought record (7 columns)"; the therapist's
assignment page keeps the clinical title and says what the client sees."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, portal_sign_in, screenshot, sign_in
from tests.factories import activity_version_for

pytestmark = pytest.mark.django_db(transaction=True)

CLINICAL = "Thought record (7 columns)"
CALM = "Thought record"


def test_the_client_sees_the_calm_title_and_the_therapist_both(
    new_page, world, assign, global_library
):
    version = activity_version_for(world.practice_a, "thought-record", client_title=CALM)
    assignment = assign(version)

    phone = new_page(PHONE)
    portal_sign_in(phone, world.client_a.email)
    item = phone.locator(".todo__title", has_text=CALM).first
    expect(item).to_be_visible()
    expect(phone.get_by_text(CLINICAL)).to_have_count(0)
    screenshot(phone, "client-title-todo")

    item.click()
    phone.wait_for_url(re.compile(r"/portal/do/"))
    expect(phone.get_by_role("heading", name=CALM, level=1)).to_be_visible()
    expect(phone.get_by_text(CLINICAL)).to_have_count(0)
    screenshot(phone, "client-title-worksheet")

    desk = new_page(DESKTOP)
    sign_in(desk, world.therapist_a.email)
    desk.goto(f"/assignments/{assignment.pk}/")
    expect(desk.get_by_role("heading", name=CLINICAL, level=1)).to_be_visible()
    expect(desk.get_by_text(f"Your client sees it as “{CALM}”")).to_be_visible()
    screenshot(desk, "client-title-assignment")
